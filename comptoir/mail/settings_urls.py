"""Settings > Email (SET-10): the user's connected mailbox and, for admins, the portal's
SMTP account. Every URL acts on the signed-in user's own mailbox (there is no id to give),
so nobody can reach someone else's; a test of a mailbox that does not exist answers 404."""

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from comptoir.core.permissions import has_right
from comptoir.mail import oauth, services, tasks
from comptoir.mail.connection import describe
from comptoir.mail.forms import (
    InboundSettingsForm,
    MailboxForm,
    OAuthAppForm,
    PortalSmtpForm,
    SyncForm,
)
from comptoir.mail.presets import PRESETS
from comptoir.mail.sync import describe_error
from comptoir.settings_pages.views import page, settings_admin


def _outcomes(account) -> list[dict]:
    """The last test of an account in words, one line per server."""
    if account is None or not account.last_test:
        return []
    names = {"smtp": _("Sending (SMTP)"), "imap": _("Inbox (IMAP)")}
    labels = {name: field.label for name, field in MailboxForm.base_fields.items()}
    outcomes = []
    for part, result in account.last_test.items():
        text = describe(result)
        if result.get("field") in labels:  # the field to fix, named as on the form
            text = _("%(field)s: %(message)s") % {
                "field": labels[result["field"]],
                "message": text,
            }
        outcomes.append(
            {"name": names.get(part, part), "ok": result.get("code") == "ok", "text": text}
        )
    return outcomes


def _status(account) -> dict:
    return {"account": account, "passed": services.passed(account), "outcomes": _outcomes(account)}


def _sync(mailbox) -> dict | None:
    if mailbox is None:
        return None
    state = services.sync_status(mailbox)
    state["error_text"] = describe_error(state["error"])
    state["form"] = SyncForm(initial={"log_contact_emails": mailbox.log_contact_emails})
    return state


def _inbound(form=None) -> dict:
    conf = services.inbound_settings()
    if form is None:
        initial = None
        if conf is not None:
            initial = {
                "bcc_address": conf.bcc_address,
                "forward_address": conf.forward_address,
                "create_contacts": conf.create_contacts,
                "imap_host": conf.imap_host,
                "imap_port": conf.imap_port,
                "imap_security": conf.imap_security,
                "imap_username": conf.imap_username,
            }
        form = InboundSettingsForm(initial=initial, stored=conf)
    state = None
    if conf is not None and conf.imap_host:
        state = {
            "last_synced_at": conf.last_synced_at,
            "error_text": describe_error(conf.sync_error),
        }
    return {"form": form, "settings": conf, "box": state}


def _oauth_apps(request, forms: dict) -> list[dict]:
    """One form per provider, with the address to register at the provider."""
    registered = {app.provider: app for app in oauth.OAuthApp.objects.all()}
    redirect_uri = request.build_absolute_uri(reverse("settings:email_oauth_callback"))
    rows = []
    for key, provider in oauth.PROVIDERS.items():
        app = registered.get(key)
        form = forms.get(key) or OAuthAppForm(
            provider=key,
            initial={"client_id": app.client_id, "tenant": app.tenant} if app else None,
            stored=app,
        )
        rows.append({"provider": provider, "app": app, "form": form, "redirect_uri": redirect_uri})
    return rows


def _page(request, *, form=None, portal_form=None, oauth_forms=None, inbound_form=None, status=200):
    mailbox = services.mailbox_of(request.user)
    if form is None:
        initial = None
        if mailbox is not None:
            initial = {name: getattr(mailbox, name) for name in services.MAILBOX_FIELDS}
            initial["imap_username"] = mailbox.imap_username
        form = MailboxForm(initial=initial, stored=mailbox)
    context = {
        "form": form,
        "mailbox": _status(mailbox),
        "presets_json": json.dumps({key: p.fields() for key, p in PRESETS.items()}),
        "sync": _sync(mailbox),
        "oauth_providers": oauth.available(),
        "oauth_connected": mailbox is not None and mailbox.auth_method == "xoauth2",
    }
    if has_right(request.user, "can_manage_settings"):
        account = services.portal_account()
        if portal_form is None:
            initial = None
            if account is not None:
                initial = {name: getattr(account, name) for name in services.SMTP_FIELDS}
            portal_form = PortalSmtpForm(initial=initial, stored=account)
        context["portal"] = {
            **_status(account),
            "form": portal_form,
            "environment": services.environment_sender() if account is None else None,
        }
        context["inbound"] = _inbound(inbound_form)
        context["oauth_apps"] = _oauth_apps(request, oauth_forms or {})
    return page(request, "email", "mail/settings.html", context, status=status)


def email_settings(request):
    if request.method == "POST":
        form = MailboxForm(request.POST, stored=services.mailbox_of(request.user))
        if form.is_valid():
            services.connect_mailbox(request.user, form.cleaned_data)
            messages.success(request, _("Mailbox saved. Test the connection to check it."))
            return redirect("settings:email")
        return _page(request, form=form, status=422)
    return _page(request)


def _status_fragment(request, account, *, portal: bool = False):
    context = {"status": _status(account), "portal": portal}
    return render(request, "mail/_account_status.html", context)


@require_POST
def test_mailbox(request):
    mailbox = services.mailbox_of(request.user)
    if mailbox is None:
        raise Http404
    services.test_mailbox(mailbox)
    if request.htmx:
        return _status_fragment(request, mailbox)
    return redirect("settings:email")


@require_POST
def disconnect_mailbox(request):
    if not services.disconnect_mailbox(request.user):
        raise Http404
    messages.success(request, _("Mailbox disconnected."))
    return redirect("settings:email")


@require_POST
def sync_settings(request):
    form = SyncForm(request.POST)
    form.is_valid()  # a checkbox: always valid
    if not services.set_log_contact_emails(
        request.user, form.cleaned_data.get("log_contact_emails", False)
    ):
        raise Http404
    messages.success(request, _("Sync settings saved."))
    return redirect("settings:email")


@require_POST
def sync_now(request):
    mailbox = services.mailbox_of(request.user)
    if mailbox is None:
        raise Http404
    tasks.sync_mailbox.enqueue(mailbox.pk)
    messages.success(request, _("Sync started: the emails found will show in a moment."))
    return redirect("settings:email")


@settings_admin
@require_POST
def inbound_settings(request):
    form = InboundSettingsForm(request.POST, stored=services.inbound_settings())
    if form.is_valid():
        services.save_inbound_settings(form.cleaned_data)
        messages.success(request, _("Logging addresses saved."))
        return redirect("settings:email")
    return _page(request, inbound_form=form, status=422)


@settings_admin
@require_POST
def portal_account(request):
    form = PortalSmtpForm(request.POST, stored=services.portal_account())
    if form.is_valid():
        services.save_portal_account(form.cleaned_data)
        messages.success(request, _("Portal sending account saved."))
        return redirect("settings:email")
    return _page(request, portal_form=form, status=422)


@settings_admin
@require_POST
def test_portal_account(request):
    account = services.portal_account()
    if account is None:
        raise Http404
    services.test_portal_account(account)
    if request.htmx:
        return _status_fragment(request, account, portal=True)
    return redirect("settings:email")


@settings_admin
@require_POST
def remove_portal_account(request):
    if not services.remove_portal_account():
        raise Http404
    messages.success(request, _("Portal sending account removed."))
    return redirect("settings:email")


OAUTH_SESSION = "mail_oauth_pending"


@require_GET
def oauth_start(request, provider):
    """The "Connect with Google/Microsoft" link: off to the provider's consent page. A link,
    not a form: the page's Content-Security-Policy (form-action 'self') stops a form whose
    answer redirects to another site; the `state` kept in the session guards the return."""
    if provider not in oauth.PROVIDERS or oauth.app_for(provider) is None:
        raise Http404
    redirect_uri = request.build_absolute_uri(reverse("settings:email_oauth_callback"))
    url, pending = oauth.authorization(provider, redirect_uri)
    request.session[OAUTH_SESSION] = pending
    return redirect(url)


def oauth_callback(request):
    """The provider sends the user back here with a code (or an error)."""
    pending = request.session.pop(OAUTH_SESSION, None)
    redirect_uri = request.build_absolute_uri(reverse("settings:email_oauth_callback"))
    try:
        mailbox = oauth.complete(request.user, pending, request.GET, redirect_uri)
    except oauth.OAuthError as exc:
        messages.error(request, _oauth_failure(exc.code))
        return redirect("settings:email")
    services.test_mailbox(mailbox)
    messages.success(
        request, _("Mailbox %(address)s connected.") % {"address": mailbox.email_address}
    )
    return redirect("settings:email")


def _oauth_failure(code: str) -> str:
    return {
        "state": _(
            "The connection did not come back from this page or took too long: start again."
        ),
        "denied": _("The provider did not give access to the mailbox: nothing was connected."),
        "no_app": _("Connecting with this provider is no longer set up: ask an administrator."),
        "refused": _(
            "The provider refused the connection (the application's client id or secret may "
            "be wrong): ask an administrator."
        ),
        "no_refresh_token": _(
            "The provider gave no lasting access (no refresh token): start again."
        ),
        "no_email": _("The provider did not tell the mailbox's address: start again."),
    }.get(code, _("The provider could not be reached: try again in a moment."))


@settings_admin
@require_POST
def oauth_app(request, provider):
    if provider not in oauth.PROVIDERS:
        raise Http404
    stored = oauth.OAuthApp.objects.filter(provider=provider).first()
    if request.POST.get("remove"):
        oauth.remove_app(provider)
        messages.success(request, _("The application was removed."))
        return redirect("settings:email")
    form = OAuthAppForm(request.POST, provider=provider, stored=stored)
    if form.is_valid():
        oauth.save_app(
            provider,
            form.cleaned_data["client_id"],
            form.cleaned_data["client_secret"],
            form.cleaned_data.get("tenant", ""),
        )
        messages.success(request, _("The application was saved."))
        return redirect("settings:email")
    return _page(request, oauth_forms={provider: form}, status=422)


urlpatterns = [
    path("oauth/callback/", oauth_callback, name="email_oauth_callback"),
    path("oauth/<str:provider>/", oauth_start, name="email_oauth_start"),
    path("oauth-apps/<str:provider>/", oauth_app, name="email_oauth_app"),
    path("", email_settings, name="email"),
    path("test/", test_mailbox, name="email_test"),
    path("disconnect/", disconnect_mailbox, name="email_disconnect"),
    path("sync/", sync_settings, name="email_sync"),
    path("sync/now/", sync_now, name="email_sync_now"),
    path("inbound/", inbound_settings, name="email_inbound"),
    path("portal/", portal_account, name="email_portal"),
    path("portal/test/", test_portal_account, name="email_portal_test"),
    path("portal/remove/", remove_portal_account, name="email_portal_remove"),
]
