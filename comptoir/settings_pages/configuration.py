"""Settings > Configuration (SET-8): the company, its report time zone, currency and the
team's default language."""

import re
import zoneinfo
from functools import cache

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.i18n import babel_locale
from comptoir.core.portal.services import portal, update_portal
from comptoir.settings_pages.views import page, settings_admin
from comptoir.users.models import ApiToken

# ISO 4217 codes a sales team most likely bills in; the list keeps the choice quick.
CURRENCIES = (
    "EUR", "USD", "GBP", "CHF", "CAD", "AUD", "NZD", "JPY", "CNY", "HKD", "SGD", "INR",
    "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "BGN", "TRY", "ILS", "AED", "SAR",
    "MAD", "TND", "DZD", "XOF", "XAF", "ZAR", "BRL", "MXN", "ARS", "CLP", "COP", "KRW",
)  # fmt: skip
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@cache
def time_zones() -> list[str]:
    return sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC")


def currency_choices() -> list[tuple[str, str]]:
    from babel.numbers import get_currency_name

    locale = babel_locale()
    return [(code, f"{code} – {get_currency_name(code, locale=locale)}") for code in CURRENCIES]  # noqa: RUF001


class ConfigurationForm(forms.Form):
    company_name = forms.CharField(label=_lazy("Company name"), max_length=200, required=False)
    company_domain = forms.CharField(
        label=_lazy("Company domain"),
        max_length=253,
        required=False,
        help_text=_lazy("Your website's domain, e.g. example.com."),
    )
    report_time_zone = forms.ChoiceField(
        label=_lazy("Report time zone"),
        help_text=_lazy("Dashboards and reports count days in this time zone."),
        error_messages={
            "invalid_choice": _lazy("“%(value)s” is not a known time zone: pick one from the list.")
        },
    )
    currency = forms.ChoiceField(
        label=_lazy("Currency"),
        error_messages={
            "invalid_choice": _lazy(
                "“%(value)s” is not a currency of the list: pick one from the list."
            )
        },
    )
    default_language = forms.ChoiceField(
        label=_lazy("Default language"),
        help_text=_lazy("For teammates who have not chosen a language."),
        error_messages={"invalid_choice": _lazy("Choose English or French.")},
    )

    require_two_factor = forms.BooleanField(
        label=_lazy("Require two-factor sign-in for every user"),
        help_text=_lazy(
            "Users without an authenticator app set one up at their next sign-in. "
            "The API's tokens are not affected."
        ),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report_time_zone"].choices = [(z, z.replace("_", " ")) for z in time_zones()]
        self.fields["currency"].choices = currency_choices()
        self.fields["default_language"].choices = [
            (code, name) for code, name in settings.LANGUAGES
        ]

    def clean_company_domain(self):
        value = self.cleaned_data["company_domain"].strip().lower()
        value = re.sub(r"^https?://", "", value).removeprefix("www.").rstrip("/")
        if value and not DOMAIN_RE.match(value):
            raise forms.ValidationError(
                _("“%(value)s” is not a domain name: enter one like example.com."),
                params={"value": value},
            )
        return value


FIELDS = (
    "company_name",
    "company_domain",
    "report_time_zone",
    "currency",
    "default_language",
    "require_two_factor",
)


@settings_admin
def configuration(request):
    current = portal()
    if request.method == "POST":
        form = ConfigurationForm(request.POST)
        if form.is_valid():
            update_portal(**{name: form.cleaned_data[name] for name in FIELDS})
            messages.success(request, _("Configuration saved."))
            return redirect("settings:configuration")
        status = 422
    else:
        form = ConfigurationForm(initial={name: getattr(current, name) for name in FIELDS})
        status = 200
    return page(
        request,
        "configuration",
        "settings/configuration.html",
        {"form": form, "integrations": integrations()},
        status=status,
    )


def integrations() -> dict:
    """The CRM's integrations, as the seed's Configuration page lists them: the API tokens
    in use now and the connected mailboxes (webhooks will join them). The mail app sits above
    this one (comptoir/mail): its model is reached by label."""
    tokens = ApiToken.objects.filter(revoked_at__isnull=True).select_related("user")
    return {
        "tokens": list(tokens.order_by("-created_at")[:20]),
        "token_count": tokens.count(),
        "mailbox_count": apps.get_model("mail", "Mailbox").objects.count(),
    }
