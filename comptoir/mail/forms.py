"""The forms of Settings > Email: every field checked before anything is saved, each error
naming its field; passwords are never rendered back (blank keeps the stored one)."""

import ipaddress
import re

from django import forms
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.secrets import UnreadableSecret
from comptoir.mail.models import Security
from comptoir.mail.presets import OTHER, PRESETS, preset_choices

HOST_RE = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
)
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def clean_host(value: str) -> str:
    value = value.strip().rstrip(".").lower()
    try:
        return str(ipaddress.ip_address(value.strip("[]")))
    except ValueError:
        pass
    if not HOST_RE.match(value):
        raise forms.ValidationError(
            _lazy("Enter a server name such as smtp.example.com, without spaces or “/”."),
            code="invalid",
        )
    return value


def no_control(value: str, message) -> str:
    if CONTROL_RE.search(value):
        raise forms.ValidationError(message, code="invalid")
    return value


def port_field(label):
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=65535,
        error_messages={
            "invalid": _lazy("Enter a port number between 1 and 65535."),
            "min_value": _lazy("Enter a port number between 1 and 65535."),
            "max_value": _lazy("Enter a port number between 1 and 65535."),
        },
    )


def security_field(label):
    return forms.ChoiceField(
        label=label,
        choices=Security.choices,
        error_messages={"invalid_choice": _lazy("Choose SSL/TLS, STARTTLS or none.")},
    )


def password_field(label, help_text):
    return forms.CharField(
        label=label,
        required=False,
        max_length=1000,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class SmtpForm(forms.Form):
    """The sending account's fields (the portal's account uses these alone)."""

    email_address = forms.EmailField(label=_lazy("Email address"), max_length=254)
    smtp_host = forms.CharField(label=_lazy("SMTP server"), max_length=253)
    smtp_port = port_field(_lazy("SMTP port"))
    smtp_security = security_field(_lazy("SMTP security"))
    smtp_username = forms.CharField(label=_lazy("User name"), max_length=254)
    smtp_password = password_field(
        _lazy("Password"), _lazy("For Gmail, Outlook 365 and most providers: an app password.")
    )

    password_fields = ("smtp_password",)

    def __init__(self, *args, stored=None, **kwargs):
        """`stored`: the saved account, whose passwords a blank field keeps."""
        super().__init__(*args, **kwargs)
        self.stored = stored
        for name in self.password_fields:
            if self._has_password(name):
                self.fields[name].help_text = _lazy("A password is set: leave blank to keep it.")

    def _has_password(self, name: str) -> bool:
        value = getattr(self.stored, name, "") if self.stored is not None else ""
        return bool(value) and not isinstance(value, UnreadableSecret)

    def clean_smtp_host(self):
        return clean_host(self.cleaned_data["smtp_host"])

    def clean_smtp_username(self):
        return no_control(
            self.cleaned_data["smtp_username"].strip(),
            _lazy("The user name cannot contain line breaks or control characters."),
        )

    def clean_smtp_password(self):
        value = no_control(
            self.cleaned_data["smtp_password"],
            _lazy("The password cannot contain line breaks or control characters."),
        )
        if not value and not self._has_password("smtp_password"):
            raise forms.ValidationError(_lazy("Enter the password."), code="required")
        return value


class MailboxForm(SmtpForm):
    provider = forms.ChoiceField(
        label=_lazy("Provider"),
        choices=preset_choices,
        initial=OTHER,
        error_messages={"invalid_choice": _lazy("Choose a provider of the list.")},
    )
    imap_host = forms.CharField(label=_lazy("IMAP server"), max_length=253)
    imap_port = port_field(_lazy("IMAP port"))
    imap_security = security_field(_lazy("IMAP security"))
    imap_username = forms.CharField(
        label=_lazy("IMAP user name"),
        max_length=254,
        required=False,
        help_text=_lazy("Leave blank to use the SMTP user name and password."),
    )
    imap_password = password_field(_lazy("IMAP password"), "")

    field_order = [
        "provider",
        "email_address",
        "smtp_username",
        "smtp_password",
        "smtp_host",
        "smtp_port",
        "smtp_security",
        "imap_host",
        "imap_port",
        "imap_security",
        "imap_username",
        "imap_password",
    ]
    password_fields = ("smtp_password", "imap_password")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Blank fields of a chosen provider are filled from it (the page's script fills
        # them as soon as the provider is picked; this is the same without script).
        if self.is_bound and self.data.get("provider") in PRESETS:
            data = self.data.copy()
            for name, value in PRESETS[self.data["provider"]].fields().items():
                if not str(data.get(name, "")).strip():
                    data[name] = value
            self.data = data

    def clean_imap_host(self):
        return clean_host(self.cleaned_data["imap_host"])

    def clean_imap_username(self):
        return no_control(
            self.cleaned_data["imap_username"].strip(),
            _lazy("The user name cannot contain line breaks or control characters."),
        )

    def clean_imap_password(self):
        return no_control(
            self.cleaned_data["imap_password"],
            _lazy("The password cannot contain line breaks or control characters."),
        )

    def clean(self):
        cleaned = super().clean()
        username = cleaned.get("imap_username")
        if (
            username
            and not cleaned.get("imap_password")
            and not (
                self._has_password("imap_password")
                and getattr(self.stored, "imap_username", "") == username
            )
        ):
            self.add_error("imap_password", _lazy("Enter the IMAP password."))
        return cleaned


class PortalSmtpForm(SmtpForm):
    email_address = forms.EmailField(
        label=_lazy("Send as"),
        max_length=254,
        help_text=_lazy("The sender of notifications, e.g. crm@example.com."),
    )


class SyncForm(forms.Form):
    """The mailbox sync's switch (replies to CRM emails are logged whatever it says)."""

    log_contact_emails = forms.BooleanField(
        label=_lazy("Also log my other emails with my contacts"),
        required=False,
        help_text=_lazy(
            "Replies to emails sent from Comptoir are always logged. With this on, the other "
            "emails you exchange with your contacts are logged on their timelines too."
        ),
    )


class InboundSettingsForm(forms.Form):
    """Settings > Email, for admins: the portal's BCC and forwarding addresses (SET-8)."""

    bcc_address = forms.EmailField(
        label=_lazy("BCC address"),
        max_length=254,
        required=False,
        help_text=_lazy("Users put it in Bcc: the email is logged on its recipients' timelines."),
    )
    forward_address = forms.EmailField(
        label=_lazy("Forwarding address"),
        max_length=254,
        required=False,
        help_text=_lazy(
            "Users forward an email to it: it is logged against its original correspondents."
        ),
    )
    create_contacts = forms.BooleanField(
        label=_lazy("Create the recipients that are not contacts yet"), required=False
    )
    # Optional: a catch-all box the worker polls, instead of `comptoir mailserver`.
    imap_host = forms.CharField(label=_lazy("IMAP server"), max_length=253, required=False)
    imap_port = port_field(_lazy("IMAP port"))
    imap_security = security_field(_lazy("IMAP security"))
    imap_username = forms.CharField(label=_lazy("User name"), max_length=254, required=False)
    imap_password = password_field(_lazy("Password"), "")

    def __init__(self, *args, stored=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored = stored
        self.fields["imap_port"].required = False
        self.fields["imap_security"].required = False
        if (
            stored is not None
            and stored.imap_password
            and not isinstance(stored.imap_password, UnreadableSecret)
        ):
            self.fields["imap_password"].help_text = _lazy(
                "A password is set: leave blank to keep it."
            )

    def clean_imap_host(self):
        value = self.cleaned_data["imap_host"].strip()
        return clean_host(value) if value else ""

    def clean_imap_username(self):
        return no_control(
            self.cleaned_data["imap_username"].strip(),
            _lazy("The user name cannot contain line breaks or control characters."),
        )

    def clean_imap_password(self):
        return no_control(
            self.cleaned_data["imap_password"],
            _lazy("The password cannot contain line breaks or control characters."),
        )

    def clean(self):
        cleaned = super().clean()
        bcc, forward = cleaned.get("bcc_address"), cleaned.get("forward_address")
        if bcc and forward and bcc.lower() == forward.lower():
            self.add_error(
                "forward_address", _lazy("The forwarding address must differ from the BCC one.")
            )
        if cleaned.get("imap_host"):
            for name, message in (
                ("imap_port", _lazy("Enter a port number between 1 and 65535.")),
                ("imap_security", _lazy("Choose SSL/TLS, STARTTLS or none.")),
                ("imap_username", _lazy("Enter the user name.")),
            ):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, message)
            stored = getattr(self.stored, "imap_password", "")
            if not cleaned.get("imap_password") and (
                not stored or isinstance(stored, UnreadableSecret)
            ):
                self.add_error("imap_password", _lazy("Enter the password."))
        return cleaned


class OAuthAppForm(forms.Form):
    """An OAuth2 application registered with Google or Microsoft (comptoir/mail/oauth.py)."""

    client_id = forms.CharField(label=_lazy("Client ID"), max_length=300)
    client_secret = password_field(_lazy("Client secret"), "")
    tenant = forms.RegexField(
        label=_lazy("Tenant"),
        regex=r"^[A-Za-z0-9.-]{1,100}$",
        max_length=100,
        required=False,
        help_text=_lazy("Microsoft only: your directory's ID or domain; blank for any account."),
        error_messages={"invalid": _lazy("Letters, digits, dots and dashes only.")},
    )

    def __init__(self, *args, provider: str, stored=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider, self.stored = provider, stored
        self.prefix = provider
        if provider != "microsoft":
            del self.fields["tenant"]
        if self._has_secret():
            self.fields["client_secret"].help_text = _lazy(
                "A secret is set: leave blank to keep it."
            )

    def _has_secret(self) -> bool:
        value = getattr(self.stored, "client_secret", "") if self.stored is not None else ""
        return bool(value) and not isinstance(value, UnreadableSecret)

    def clean_client_id(self):
        return no_control(
            self.cleaned_data["client_id"].strip(),
            _lazy("The client ID cannot contain line breaks or control characters."),
        )

    def clean_client_secret(self):
        value = no_control(
            self.cleaned_data["client_secret"],
            _lazy("The secret cannot contain line breaks or control characters."),
        )
        if not value and not self._has_secret():
            raise forms.ValidationError(_lazy("Enter the client secret."), code="required")
        return value
