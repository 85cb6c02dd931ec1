"""Association cards on the right of a record page (UI-3): what each card lists.

A card costs one query whatever its size: its first records, each carrying the card's
total (a window count, so a full card needs no COUNT of its own). The association labels
of all the cards' records come in one more query.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.db.models import Count, Q, Window
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from comptoir.core.associations import types as atypes
from comptoir.core.associations.models import Association
from comptoir.core.i18n import type_label
from comptoir.core.objects.registry import get_object_type
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.properties.formatting import format_value
from comptoir.core.records.values import base_queryset, display_name, read_value
from comptoir.core.search.compiler import SearchError, filtered_queryset
from comptoir.core.ui.fields import input_html, make_field, render_input

LIMIT = 10
SEARCH_LIMIT = 8


@dataclass
class FormField:
    """What records/_field.html needs, with an id unique on the page."""

    name: str
    label: str
    input_id: str
    value: str = ""
    widget: str = "text"
    choices: list = field(default_factory=list)
    error: str = ""
    wide: bool = False
    form_field: forms.Field | None = None  # a property's: its kind's Django form field

    @property
    def input_html(self) -> SafeString:
        if self.form_field is not None:
            return render_input(
                self.form_field.widget, self.name, self.input_id, self.value, self.error
            )
        return input_html(
            self.widget, self.name, self.input_id, self.value, self.choices, self.error
        )


def form_field(
    defn, canonical, tz, prefix: str, *, label=None, value=None, error="", name=None
) -> FormField:
    base = make_field(defn, canonical, tz)
    return FormField(
        name=name or defn.name,
        label=label or base.label,
        input_id=f"{prefix}-{name or defn.name}",
        value=base.value if value is None else value,
        widget=base.widget,
        choices=base.choices,
        error=error,
        form_field=base.form_field(tz),
    )


def detail_text(target, record, tz: str, currency: str) -> str:
    defs = registry.definitions(target)

    def value(name):
        defn = defs.get(name)
        return (
            format_value(defn, read_value(record, defn), tz=tz, currency=currency) if defn else ""
        )

    parts = target.pages.card_detail
    return " · ".join(v for v in (value(n) for n in parts) if v)


def labels_for(ot, target, type_ids) -> tuple[list[str], bool]:
    """Visible labels of one association (the unlabeled default shows nothing)."""
    labels, primary = [], False
    for type_id in type_ids:
        t = atypes.find_type(ot, target, type_id)
        if t is None or t.is_default:
            continue
        if t.is_primary:
            primary = True
            labels.insert(0, _("Primary"))
        elif t.label:
            labels.append(t.label)
    return labels, primary


def label_choices(ot, target) -> list[tuple[int, str]]:
    """Labels a user may pick when associating (custom ones; primary has its own button)."""
    return [
        (t.type_id, t.label)
        for t in atypes.types_between(ot, target)
        if not t.is_default and not t.is_primary and t.label
    ]


def _rows(ot, pk: int, target, limit: int, user) -> tuple[list, int]:
    """The card's first records and how many the user may see in all."""
    links = Association.objects.filter(from_type=ot.name, from_id=pk, to_type=target.name)
    qs = base_queryset(target, user=user).filter(pk__in=links.values("to_id"))
    # The window runs before LIMIT, so every row carries the number of visible records.
    qs = qs.annotate(card_total=Window(Count("pk")))
    rows = list(qs.order_by(*(target.pages.card_order if target.pages else ("-pk",)))[:limit])
    return rows, rows[0].card_total if rows else 0


def _type_ids(ot, pk: int, shown: dict[str, list]) -> dict[tuple[str, int], list[int]]:
    """Association types of every record shown on the cards, in one query for all cards."""
    wanted = Q()
    for target_name, rows in shown.items():
        if rows:
            wanted |= Q(to_type=target_name, to_id__in=[r.pk for r in rows])
    types = defaultdict(list)
    if not wanted:
        return types
    links = Association.objects.filter(wanted, from_type=ot.name, from_id=pk)
    for to_type, to_id, type_id in links.values_list("to_type", "to_id", "type_id"):
        types[(to_type, to_id)].append(type_id)
    return types


def cards(ot, pk: int, target_names, *, limit: int = LIMIT, user=None) -> list[dict]:
    """The cards of a record page: one query per card and one for all their labels."""
    ot = get_object_type(ot)
    targets = [get_object_type(name) for name in target_names]
    fetched = {t.name: _rows(ot, pk, t, limit, user) for t in targets}
    types = _type_ids(ot, pk, {name: rows for name, (rows, _n) in fetched.items()})
    return [_card(ot, t, *fetched[t.name], types) for t in targets]


def card(ot, pk: int, target_name: str, *, limit: int = LIMIT, user=None) -> dict:
    """The associated records of one type, among those the user may see."""
    return cards(ot, pk, [target_name], limit=limit, user=user)[0]


def _card(ot, target, rows: list, count: int, types: dict) -> dict:
    settings = portal()
    can_be_primary = atypes.primary_type(ot, target) is not None
    choices = label_choices(ot, target)
    choice_ids = {type_id for type_id, _text in choices}
    items = []
    for record in rows:
        type_ids = types[(target.name, record.pk)]
        labels, primary = labels_for(ot, target, sorted(type_ids))
        items.append(
            {
                "pk": record.pk,
                "name": display_name(target, record),
                "url": reverse(f"{target.name}:detail", args=[record.pk]),
                "detail": detail_text(target, record, settings.report_time_zone, settings.currency),
                "labels": labels,
                "primary": primary,
                "can_set_primary": can_be_primary and not primary,
                "label_ids": [t for t in type_ids if t in choice_ids],
            }
        )
    items.sort(key=lambda item: not item["primary"])
    return {
        "target": target,
        "title": type_label(target),
        "singular": type_label(target, plural=False),
        "count": count,
        "items": items,
        "more": count > len(rows),
        "label_choices": choices,
    }


def create_fields(target_name: str, values: dict | None = None, errors: dict | None = None):
    target = get_object_type(target_name)
    defs = registry.definitions(target)
    tz = portal().report_time_zone
    values, errors = values or {}, errors or {}
    fields = []
    for name in target.pages.card_fields:
        defn = defs.get(name)
        if defn is None:
            continue
        fields.append(
            form_field(
                defn,
                None,
                tz,
                f"new-{target.name}",
                value=values.get(name),
                error=errors.get(name, ""),
            )
        )
    return fields


def search(ot, pk: int, target_name: str, query: str, user=None) -> list[dict]:
    """Records matching `query` that are not yet associated with the record (and that the
    user may see)."""
    ot, target = get_object_type(ot), get_object_type(target_name)
    linked = Association.objects.filter(from_type=ot.name, from_id=pk, to_type=target.name)
    try:
        qs = filtered_queryset(target, query=query, base=base_queryset(target, user=user)).exclude(
            pk__in=linked.values("to_id")
        )
        if target.name == ot.name:
            qs = qs.exclude(pk=pk)
        rows = list(qs.order_by("-pk")[:SEARCH_LIMIT])
    except SearchError:
        return []
    settings = portal()
    return [
        {
            "pk": r.pk,
            "name": display_name(target, r),
            "detail": detail_text(target, r, settings.report_time_zone, settings.currency),
        }
        for r in rows
    ]
