"""Settings > Properties (SET-1, SET-2): each object's properties by group, custom ones
created, edited, archived and restored through the engine's services, and the choice of
what the record page's "About" card shows."""

import re
import unicodedata

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.history.source import ChangeSource
from comptoir.core.i18n import label_field, localised_label, type_label
from comptoir.core.objects.registry import OBJECT_TYPES, UnknownObjectType, get_object_type
from comptoir.core.portal.services import portal, update_portal
from comptoir.core.properties import registry, services
from comptoir.core.properties.errors import ValidationFailed
from comptoir.core.properties.kinds import field_type_label, kind_for, settings_choices
from comptoir.core.properties.models import PropertyDefinition, PropertyGroup
from comptoir.core.ui.record import about_names
from comptoir.settings_pages.errors import field_errors
from comptoir.settings_pages.views import page, settings_admin

# HubSpot's "Field type" list: one choice sets both the type and the field type.
KINDS = tuple(settings_choices())
KIND_BY_KEY = {key: (kind, field_type) for key, _label, kind, field_type in KINDS}
ENUM_KINDS = [key for key, _label, kind, _ft in KINDS if kind_for(kind).takes_options]


def internal_name(text: str) -> str:
    """The internal name an admin's label gives ("Source du lead" → "source_du_lead"); the
    same rule as the live preview in settings.js, so what is shown is what is created."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:50]


def _object(request, key=None):
    name = key or request.GET.get("object") or request.POST.get("object") or "contacts"
    try:
        ot = get_object_type(name)
    except UnknownObjectType:
        raise Http404 from None
    if ot not in OBJECT_TYPES:
        raise Http404
    return ot


def _groups(ot) -> list[tuple[str, str]]:
    rows = PropertyGroup.objects.filter(object_type=ot.name, archived=False)
    return [(g.name, localised_label(g)) for g in rows]


def _objects_menu() -> list[tuple[str, str]]:
    return [(ot.name, type_label(ot)) for ot in OBJECT_TYPES]


def _list_url(ot, **extra) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"object": ot.name, **extra}.items() if v)
    return f"{reverse('settings:properties')}?{query}"


@settings_admin
def property_list(request):
    ot = _object(request)
    archived = request.GET.get("archived") == "1"
    groups = _groups(ot)
    group = request.GET.get("group", "")
    needle = request.GET.get("q", "").strip().lower()
    group_labels = dict(groups)
    rows = []
    qs = PropertyDefinition.objects.filter(object_type=ot.name, archived=archived)
    for defn in qs.order_by("display_order", "name"):
        text = localised_label(defn)
        if group and defn.group_name != group:
            continue
        if needle and not any(needle in s.lower() for s in (text, defn.name, defn.description)):
            continue
        rows.append(
            {
                "name": defn.name,
                "label": text,
                "kind": field_type_label(defn),
                "group": group_labels.get(defn.group_name, defn.group_name),
                "custom": not defn.hubspot_defined,
                "hidden": defn.hidden,
                "archivable": defn.archivable and not defn.hubspot_defined,
            }
        )
    rows.sort(key=lambda row: row["label"].lower())
    return page(
        request,
        "properties",
        "settings/properties.html",
        {
            "ot": ot,
            "objects": _objects_menu(),
            "groups": groups,
            "group": group,
            "query": request.GET.get("q", ""),
            "archived": archived,
            "rows": rows,
        },
    )


class PropertyForm(forms.Form):
    label = forms.CharField(
        label=_lazy("Label"), max_length=200, error_messages={"required": _lazy("Enter a label.")}
    )
    name = forms.CharField(
        label=_lazy("Internal name"),
        max_length=50,
        required=False,
        help_text=_lazy("Used by the API and imports; it cannot change once the property exists."),
    )
    kind = forms.ChoiceField(label=_lazy("Field type"))
    group = forms.ChoiceField(label=_lazy("Group"))
    description = forms.CharField(
        label=_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    unique = forms.BooleanField(
        label=_lazy("Require unique values"),
        required=False,
        help_text=_lazy("Two records cannot hold the same value (text and number fields)."),
    )

    hidden = forms.BooleanField(
        label=_lazy("Hide this property"),
        required=False,
        help_text=_lazy("It leaves filters, columns and forms; records keep their values."),
    )

    def __init__(self, ot, *args, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        if editing is None or editing.hubspot_defined:
            del self.fields["hidden"]
        self.fields["kind"].choices = [(key, text) for key, text, _k, _f in KINDS]
        self.fields["group"].choices = _groups(ot)
        if editing is not None:
            # What is fixed once created is shown, never posted.
            for name in ("name", "kind", "unique"):
                del self.fields[name]
            if editing.read_only_definition:
                del self.fields["group"]


def _posted_options(post) -> list[dict]:
    """Option rows in the order shown; a row whose label was emptied is removed."""
    options = []
    for text, value in zip(
        post.getlist("option_label"), post.getlist("option_value"), strict=False
    ):
        text, value = text.strip(), value.strip()
        if not text:
            continue
        options.append({"label": text, "value": value or text.replace(";", " ").strip()})
    return [{**option, "displayOrder": order} for order, option in enumerate(options)]


def _option_rows(options, blank: int = 2) -> list[dict]:
    """What the options editor shows; blank rows let a browser without JavaScript add some."""
    rows = [
        {
            "label": localised_label(o),
            "value": o.get("value", ""),
        }
        for o in options
    ]
    return rows + [{"label": "", "value": ""}] * blank


def _apply(form, exc) -> str:
    """Put a refusal on the form's fields; the options' message is returned apart."""
    options_error = ""
    for field, text in field_errors(exc).items():
        if field == "options":
            options_error = text
        elif field in form.fields:
            form.add_error(field, text)
        else:
            form.add_error(None, text)
    return options_error


@settings_admin
def property_create(request):
    ot = _object(request)
    source = ChangeSource.for_user(request.user)
    options_error, options = "", []
    if request.method == "POST":
        form = PropertyForm(ot, request.POST)
        options = _posted_options(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            kind, field_type = KIND_BY_KEY[data["kind"]]
            try:
                defn = services.create_property(
                    ot,
                    {
                        "name": data["name"].strip() or internal_name(data["label"]),
                        "label": data["label"],
                        "type": kind,
                        "fieldType": field_type,
                        "groupName": data["group"],
                        "description": data["description"],
                        "hasUniqueValue": data["unique"],
                        "options": options,
                    },
                    source=source,
                )
            except ValidationFailed as exc:
                options_error = _apply(form, exc)
            else:
                messages.success(
                    request,
                    _("Property “%(label)s” created (internal name: %(name)s).")
                    % {"label": defn.label, "name": defn.name},
                )
                return redirect(_list_url(ot, group=defn.group_name))
        status = 422
    else:
        form = PropertyForm(ot, initial={"group": ot.group_name, "kind": "text"})
        status = 200
    return page(
        request,
        "properties",
        "settings/property_form.html",
        {
            "ot": ot,
            "form": form,
            "creating": True,
            "options": _option_rows(options),
            "options_error": options_error,
            "enum_kinds": ENUM_KINDS,
            "show_options": True,
        },
        status=status,
    )


def _definition(ot, name, archived=False) -> PropertyDefinition:
    defn = PropertyDefinition.objects.filter(
        object_type=ot.name, name=name, archived=archived
    ).first()
    if defn is None:
        raise Http404
    return defn


@settings_admin
def property_edit(request, object_type, name):
    ot = _object(request, object_type)
    defn = _definition(ot, name)
    editable_options = (
        defn.kind.takes_options and not defn.read_only_definition and not defn.options_source
    )
    options_error = ""
    options = defn.options
    if request.method == "POST":
        form = PropertyForm(ot, request.POST, editing=defn)
        if editable_options:
            options = _posted_options(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            changes = {label_field(defn): data["label"], "description": data["description"]}
            if "hidden" in data:
                changes["hidden"] = data["hidden"]
            if "group" in data and data["group"] != defn.group_name:
                changes["groupName"] = data["group"]
            if editable_options:
                changes["options"] = _keep_translations(defn, options)
            try:
                services.update_property(
                    ot, name, changes, source=ChangeSource.for_user(request.user)
                )
            except ValidationFailed as exc:
                options_error = _apply(form, exc)
            else:
                messages.success(
                    request, _("Property “%(label)s” saved.") % {"label": data["label"]}
                )
                return redirect(_list_url(ot))
        status = 422
    else:
        form = PropertyForm(
            ot,
            editing=defn,
            initial={
                "label": localised_label(defn),
                "group": defn.group_name,
                "description": defn.description,
                "hidden": defn.hidden,
            },
        )
        status = 200
    return page(
        request,
        "properties",
        "settings/property_form.html",
        {
            "ot": ot,
            "form": form,
            "defn": defn,
            "kind": field_type_label(defn),
            "creating": False,
            "options": _option_rows(options) if editable_options else [],
            "options_error": options_error,
            "show_options": editable_options,
            "fixed_options": _option_rows(defn.options, 0)
            if defn.kind.takes_options and not editable_options
            else [],
        },
        status=status,
    )


def _keep_translations(defn, options) -> list[dict]:
    """A renamed option keeps its other language's label, hidden flag and description;
    in French, the label typed is the French one where the option has one."""
    before = {o["value"]: o for o in defn.options}
    kept = []
    for option in options:
        old = before.get(option["value"])
        if old is None:
            kept.append(option)
            continue
        merged = {**old, "displayOrder": option["displayOrder"]}
        merged[label_field(old)] = option["label"]
        kept.append(merged)
    return kept


@settings_admin
def property_archive(request, object_type, name):
    ot = _object(request, object_type)
    if request.method != "POST":
        return redirect(_list_url(ot))
    defn = _definition(ot, name)
    try:
        services.archive_property(ot, name, source=ChangeSource.for_user(request.user))
    except ValidationFailed as exc:
        messages.error(request, next(iter(field_errors(exc).values())))
    else:
        messages.success(
            request,
            _("Property “%(label)s” archived. You can restore it from “Archived properties”.")
            % {"label": localised_label(defn)},
        )
    return redirect(_list_url(ot))


@settings_admin
def property_restore(request, object_type, name):
    ot = _object(request, object_type)
    if request.method != "POST":
        return redirect(_list_url(ot, archived="1"))
    defn = _definition(ot, name, archived=True)
    try:
        services.restore_property(ot, name, source=ChangeSource.for_user(request.user))
    except ValidationFailed as exc:
        messages.error(request, next(iter(field_errors(exc).values())))
    else:
        messages.success(
            request, _("Property “%(label)s” restored.") % {"label": localised_label(defn)}
        )
    return redirect(_list_url(ot))


class GroupForm(forms.Form):
    label = forms.CharField(
        label=_lazy("Group name"),
        max_length=200,
        error_messages={"required": _lazy("Enter a group name.")},
    )


@settings_admin
def group_create(request):
    ot = _object(request)
    if request.method != "POST":
        return redirect(_list_url(ot))
    form = GroupForm(request.POST)
    if form.is_valid():
        text = form.cleaned_data["label"]
        try:
            group = services.create_group(ot, {"name": internal_name(text), "label": text})
        except ValidationFailed as exc:
            messages.error(request, next(iter(field_errors(exc).values())))
        else:
            messages.success(request, _("Group “%(label)s” created.") % {"label": group.label})
            return redirect(_list_url(ot, group=group.name))
    else:
        messages.error(request, form.errors["label"][0])
    return redirect(_list_url(ot))


# ---- The "About" card (SET-2) ----------------------------------------------------------------


def _about_choice(ot) -> list[str]:
    return list(about_names(ot))


def _save_about(ot, names: list[str] | None) -> None:
    chosen = dict(portal().about_properties or {})
    if names is None:
        chosen.pop(ot.name, None)
    else:
        chosen[ot.name] = names
    update_portal(about_properties=chosen)


@settings_admin
def about(request):
    """The properties of the "About" card, in order: each button posts and saves at once,
    so ordering works with the keyboard and without JavaScript; drag and drop posts the
    whole order."""
    ot = _object(request)
    defs = registry.definitions(ot)
    if request.method == "POST":
        names = [n for n in request.POST.getlist("about") if n in defs]
        names = list(dict.fromkeys(names))
        action = request.POST.get("action", "")
        verb, _sep, target = action.partition(":")
        moved = ""
        if verb in ("up", "down") and target in names:
            i = names.index(target)
            j = i - 1 if verb == "up" else i + 1
            if 0 <= j < len(names):
                names[i], names[j] = names[j], names[i]
            moved = f"{verb}:{target}"
        elif verb == "remove" and target in names:
            names.remove(target)
        elif verb == "add":
            new = request.POST.get("add_name", "")
            if new in defs and new not in names:
                names.append(new)
        if verb == "reset":
            _save_about(ot, None)
            messages.success(request, _("The “About” card shows the default properties again."))
        elif not names:
            messages.error(request, _("Keep at least one property in the “About” card."))
            return redirect(f"{reverse('settings:properties_about')}?object={ot.name}")
        else:
            _save_about(ot, names)
            messages.success(request, _("“About” card saved."))
        url = f"{reverse('settings:properties_about')}?object={ot.name}"
        return redirect(url + (f"&moved={moved}" if moved else ""))
    chosen = _about_choice(ot)
    rows = [{"name": n, "label": localised_label(defs[n])} for n in chosen if n in defs]
    others = sorted(
        ((n, localised_label(d)) for n, d in defs.items() if n not in chosen and not d.hidden),
        key=lambda item: item[1].lower(),
    )
    return page(
        request,
        "properties",
        "settings/about.html",
        {
            "ot": ot,
            "objects": _objects_menu(),
            "rows": rows,
            "others": others,
            "moved": request.GET.get("moved", ""),
            "customised": bool((portal().about_properties or {}).get(ot.name)),
        },
    )
