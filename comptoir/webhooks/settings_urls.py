"""Settings > Webhooks (API-4, SET-8): each app's target URL, signing secret and
subscriptions, and its delivery log with "Replay". Administrators only (the settings
right): everyone else gets the 404 every settings page gives. The active switch and
"Replay" answer htmx with the row they changed; without JavaScript they are plain forms."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from comptoir.core.i18n import type_label
from comptoir.settings_pages.views import page, settings_admin
from comptoir.users.models import ApiToken
from comptoir.webhooks import delivery, events, services
from comptoir.webhooks.models import BatchState, WebhookAttempt, WebhookBatch, WebhookSubscription
from comptoir.webhooks.tasks import deliver_webhooks

KEY = "webhooks"
LOG_ROWS = 50


def _type_choices():
    return [(ot.name, type_label(ot)) for ot in events.subscribable_types()]


class TargetForm(forms.Form):
    target_url = forms.CharField(
        label=_lazy("Target URL"),
        max_length=2000,
        help_text=_lazy("Comptoir sends each batch of events to this address with a POST."),
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/hubspot/webhooks"}),
    )
    max_concurrent_requests = forms.IntegerField(
        label=_lazy("Concurrent requests"), min_value=5, max_value=20, initial=10
    )

    def clean_target_url(self):
        try:
            return services.clean_url(self.cleaned_data["target_url"])
        except services.WebhookError as exc:
            raise ValidationError(exc.message) from None


class SubscriptionForm(forms.Form):
    object_type = forms.ChoiceField(label=_lazy("Object"), choices=_type_choices)
    action = forms.ChoiceField(label=_lazy("Event"), choices=list(events.ACTIONS.items()))
    property_name = forms.CharField(
        label=_lazy("Property (for property changes)"),
        max_length=100,
        required=False,
        help_text=_lazy("The internal name, e.g. email or dealstage."),
    )


def _app(pk):
    return get_object_or_404(ApiToken.objects.select_related("user"), pk=pk, revoked_at=None)


@settings_admin
def apps(request):
    tokens = (
        ApiToken.objects.filter(revoked_at__isnull=True)
        .select_related("user", "webhook_target")
        .annotate(subscription_count=Count("webhook_target__subscriptions"))
        .order_by("name", "pk")
    )
    rows = [
        {
            "app": token,
            "target": getattr(token, "webhook_target", None),
            "subscriptions": token.subscription_count,
        }
        for token in tokens
    ]
    return page(request, KEY, "settings/webhooks.html", {"rows": rows})


def _subscription_row(sub) -> dict:
    return {
        "sub": sub,
        "event": events.subscription_type(sub.object_type, sub.action),
        "object": type_label(sub.object_type),
        "action": events.ACTIONS.get(sub.action, sub.action),
    }


def _log(target):
    attempts = (
        WebhookAttempt.objects.filter(batch__target=target)
        .select_related("batch")
        .order_by("-started_at", "-pk")[:LOG_ROWS]
    )
    return list(attempts)


def _app_page(request, app, target_form=None, sub_form=None, status=200):
    target = services.target_of(app)
    if target_form is None:
        initial = {"max_concurrent_requests": 10}
        if target is not None:
            initial = {
                "target_url": target.target_url,
                "max_concurrent_requests": target.max_concurrent_requests,
            }
        target_form = TargetForm(initial=initial)
    subs = target.subscriptions.order_by("pk") if target else []
    return page(
        request,
        KEY,
        "settings/webhook_app.html",
        {
            "app": app,
            "target": target,
            "target_form": target_form,
            "sub_form": sub_form or SubscriptionForm(),
            "subscriptions": [_subscription_row(s) for s in subs],
            "attempts": _log(target) if target else [],
            "waiting": delivery.pending_events(target) if target else 0,
            "states": BatchState,
        },
        status=status,
    )


@settings_admin
def app_detail(request, pk):
    app = _app(pk)
    if request.method != "POST":
        return _app_page(request, app)
    form = TargetForm(request.POST)
    if form.is_valid():
        services.set_target(
            app, form.cleaned_data["target_url"], form.cleaned_data["max_concurrent_requests"]
        )
        messages.success(request, _("Target URL saved."))
        return redirect("settings:webhook_app", pk=app.pk)
    return _app_page(request, app, target_form=form, status=422)


@settings_admin
@require_POST
def subscribe(request, pk):
    app = _app(pk)
    form = SubscriptionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.create_subscription(
                app, data["object_type"], data["action"], data["property_name"]
            )
        except services.WebhookError as exc:
            field = {"objectType": "object_type", "eventType": "action"}.get(
                exc.field, "property_name"
            )
            form.add_error(field, exc.message)
        else:
            messages.success(request, _("Subscription added."))
            return redirect("settings:webhook_app", pk=app.pk)
    return _app_page(request, app, sub_form=form, status=422)


def _subscription(app, sub_pk):
    return get_object_or_404(WebhookSubscription, pk=sub_pk, target__app=app)


@settings_admin
@require_POST
def toggle(request, pk, sub_pk):
    app = _app(pk)
    sub = services.set_active(_subscription(app, sub_pk), request.POST.get("active") == "on")
    if request.htmx:
        return render(
            request,
            "settings/_webhook_subscription_row.html",
            {"row": _subscription_row(sub), "app": app},
        )
    return redirect("settings:webhook_app", pk=app.pk)


@settings_admin
@require_POST
def unsubscribe(request, pk, sub_pk):
    app = _app(pk)
    services.delete_subscription(_subscription(app, sub_pk))
    messages.success(request, _("Subscription deleted."))
    return redirect("settings:webhook_app", pk=app.pk)


@settings_admin
@require_POST
def replay(request, pk, batch_pk):
    app = _app(pk)
    batch = get_object_or_404(WebhookBatch, pk=batch_pk, target__app=app)
    if delivery.replay(batch):
        deliver_webhooks.enqueue()
        note = _("The batch will be sent again in a moment.")
    else:
        note = _("This batch is already waiting to be sent.")
    if request.htmx:
        return render(request, "settings/_webhook_replayed.html", {"note": note})
    messages.success(request, note)
    return redirect("settings:webhook_app", pk=app.pk)


@settings_admin
@require_POST
def switch_on(request, pk):
    app = _app(pk)
    target = services.target_of(app)
    if target is not None:
        services.switch_on(target)
        messages.success(request, _("Webhooks switched on again."))
    return redirect("settings:webhook_app", pk=app.pk)


@settings_admin
@require_POST
def new_secret(request, pk):
    app = _app(pk)
    target = services.target_of(app, create=True)
    services.new_secret(target)
    messages.success(request, _("New client secret made: update your receiver."))
    return redirect("settings:webhook_app", pk=app.pk)


urlpatterns = [
    path("", apps, name="webhooks"),
    path("<id:pk>/", app_detail, name="webhook_app"),
    path("<id:pk>/subscriptions/", subscribe, name="webhook_subscribe"),
    path("<id:pk>/subscriptions/<id:sub_pk>/active/", toggle, name="webhook_toggle"),
    path("<id:pk>/subscriptions/<id:sub_pk>/delete/", unsubscribe, name="webhook_unsubscribe"),
    path("<id:pk>/batches/<id:batch_pk>/replay/", replay, name="webhook_replay"),
    path("<id:pk>/switch-on/", switch_on, name="webhook_switch_on"),
    path("<id:pk>/secret/", new_secret, name="webhook_secret"),
]
