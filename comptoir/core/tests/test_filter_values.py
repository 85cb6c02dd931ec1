"""The list pages' filter values, kind by kind (issue 14, point 2): what a person types or
picks → the value a filter stores, how it reads again, and what a relative one means."""

import datetime as dt

import pytest
from django.utils import translation

from comptoir.core.properties.errors import PropertyError
from comptoir.core.properties.kinds.base import FilterContext
from comptoir.core.properties.kinds.dates import rolling_days
from comptoir.core.properties.models import PropertyDefinition

FR = FilterContext(locale="fr_FR", tz="Europe/Paris", today=dt.date(2026, 12, 4))
EN = FilterContext(locale="en_US", tz="Europe/Paris", today=dt.date(2026, 12, 4))
STAGES = [
    {"value": "lead", "label": "Lead", "label_fr": "Lead"},
    {"value": "customer", "label": "Customer", "label_fr": "Client"},
    {"value": "marketingqualifiedlead", "label": "MQL", "label_fr": "Lead qualifié marketing"},
]
OWNERS = [("7", "Alyssa Haynes"), ("9", "Hugo Bernard")]


def _choices(defn):
    if defn.options_source == "owners":
        return OWNERS
    french = translation.get_language() == "fr"
    return [(o["value"], o["label_fr"] if french else o["label"]) for o in defn.options]


def ctx(base=FR):
    return FilterContext(locale=base.locale, tz=base.tz, today=base.today, choices=_choices)


def enum():
    return PropertyDefinition(
        name="lifecyclestage",
        label="Lifecycle stage",
        label_fr="Phase du cycle de vie",
        type="enumeration",
        field_type="select",
        options=STAGES,
    )


def owner():
    return PropertyDefinition(
        name="hubspot_owner_id",
        type="enumeration",
        field_type="select",
        options_source="owners",
    )


def date(type_="date"):
    return PropertyDefinition(name="createdate", type=type_, field_type="date")


def test_an_option_is_picked_by_its_label_in_any_case_and_accents():
    defn = enum()
    with translation.override("fr"):
        assert defn.kind.parse_filter(defn, "Lead", ctx()) == "lead"
        assert defn.kind.parse_filter(defn, "lead qualifie MARKETING", ctx()) == (
            "marketingqualifiedlead"
        )
        assert defn.kind.parse_filter(defn, "client", ctx()) == "customer"
        assert defn.kind.filter_label(defn, "customer", ctx()) == "Client"
        assert defn.kind.describe_filter(
            defn, {"operator": "IN", "values": ["lead", "customer"]}, ctx()
        ) == ("est l'un de Lead, Client")


def test_an_unknown_option_is_refused_naming_it():
    defn = enum()
    with pytest.raises(PropertyError) as refused:
        defn.kind.parse_filter(defn, "Prospect chaud", ctx())
    assert refused.value.name == "lifecyclestage"
    assert "Prospect chaud" in refused.value.message


def test_owners_by_name_with_me_and_never_a_stranger():
    defn = owner()
    assert defn.kind.parse_filter(defn, "alyssa haynes", ctx()) == "7"
    assert defn.kind.parse_filter(defn, "9", ctx()) == "9"
    with translation.override("fr"):
        assert defn.kind.parse_filter(defn, "Moi", ctx()) == "me"
        assert defn.kind.filter_label(defn, "me", ctx()) == "Moi"
    with pytest.raises(PropertyError):
        defn.kind.parse_filter(defn, "4242", ctx())  # no such user here
    resolved = defn.kind.resolve_filter(
        defn, {"propertyName": "hubspot_owner_id", "operator": "IN", "values": ["me", "9"]}, FR, "7"
    )
    assert resolved["values"] == ["7", "9"]


def test_booleans_in_both_languages():
    defn = PropertyDefinition(name="hs_is_vip", type="bool", field_type="booleancheckbox")
    assert defn.kind.parse_filter(defn, "Oui", ctx()) == "true"
    assert defn.kind.parse_filter(defn, "no", ctx(EN)) == "false"
    with translation.override("fr"):
        assert defn.kind.filter_label(defn, "false", ctx()) == "Non"
    with pytest.raises(PropertyError):
        defn.kind.parse_filter(defn, "peut-être", ctx())


def test_numbers_as_each_language_writes_them():
    defn = PropertyDefinition(name="amount", type="number", field_type="number")
    assert defn.kind.parse_filter(defn, "1\u202f234,5", ctx()) == 1234.5
    assert defn.kind.parse_filter(defn, "1,234.5", ctx(EN)) == 1234.5
    assert defn.kind.parse_filter(defn, "12", ctx()) == 12
    assert defn.kind.filter_input_value(defn, 1234.5, ctx()) == "1234,5"
    with pytest.raises(PropertyError) as refused:
        defn.kind.parse_filter(defn, "douze", ctx())
    assert refused.value.name == "amount"


@pytest.mark.parametrize("type_", ["date", "datetime"])
def test_days_typed_in_the_readers_format(type_):
    defn = date(type_)
    assert defn.kind.parse_filter(defn, "01/12/2026", ctx()) == "2026-12-01"
    assert defn.kind.parse_filter(defn, "12/01/2026", ctx(EN)) == "2026-12-01"
    assert defn.kind.parse_filter(defn, "2026-12-01", ctx()) == "2026-12-01"
    assert defn.kind.filter_label(defn, "2026-12-01", ctx()) == "01/12/2026"
    for garbage in ("32/13/2026", "demain", "31/02/2026", "01/12/99999"):
        with pytest.raises(PropertyError) as refused:
            defn.kind.parse_filter(defn, garbage, ctx())
        assert refused.value.name == "createdate"


def test_rolling_periods():
    today = dt.date(2026, 12, 4)  # a Friday
    assert rolling_days("today", today) == (today, dt.date(2026, 12, 5))
    assert rolling_days("yesterday", today) == (dt.date(2026, 12, 3), today)
    assert rolling_days("this_week", today) == (dt.date(2026, 11, 30), dt.date(2026, 12, 7))
    assert rolling_days("this_month", today) == (dt.date(2026, 12, 1), dt.date(2027, 1, 1))
    assert rolling_days("last:7", today) == (dt.date(2026, 11, 28), dt.date(2026, 12, 5))
    assert rolling_days("before:30", today) == (None, dt.date(2026, 11, 4))
    assert rolling_days("after:30", today) == (dt.date(2026, 11, 4), None)
    for bad in ("tomorrow", "last:", "last:-3", "before:x", "today:3", "last:99999999"):
        with pytest.raises(ValueError):
            rolling_days(bad, today)


def test_a_rolling_period_resolves_to_days_or_instants_in_the_report_zone():
    flt = {"propertyName": "createdate", "operator": "ROLLING", "value": "last:7"}
    on_dates = date("date")
    assert on_dates.kind.resolve_filter(on_dates, flt, FR, "7") == {
        "propertyName": "createdate",
        "operator": "BETWEEN",
        "value": "2026-11-28",
        "highValue": "2026-12-04",
    }
    on_instants = date("datetime")
    resolved = on_instants.kind.resolve_filter(on_instants, flt, FR, "7")
    start = dt.datetime(2026, 11, 28, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert resolved["value"] == int(start.timestamp() * 1000)
    assert resolved["highValue"] == int(start.timestamp() * 1000) + 7 * 86_400_000 - 1
    with pytest.raises(PropertyError):
        on_dates.kind.parse_rolling(on_dates, "before", "beaucoup")


def test_a_day_of_a_date_time_is_that_whole_day_in_the_report_zone():
    defn = date("datetime")
    midnight = int(
        dt.datetime(2026, 12, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))).timestamp() * 1000
    )
    day = 86_400_000

    def resolved(op):
        flt = {"propertyName": "createdate", "operator": op, "value": "2026-12-01"}
        return defn.kind.resolve_filter(defn, flt, FR, "7")

    assert resolved("GT")["value"] == midnight + day - 1  # after the day: from the next one
    assert resolved("LT")["value"] == midnight
    assert resolved("EQ") == {
        "propertyName": "createdate",
        "operator": "BETWEEN",
        "value": midnight,
        "highValue": midnight + day - 1,
    }
    with translation.override("fr"):
        assert defn.kind.describe_filter(
            defn, {"operator": "GT", "value": "2026-12-01"}, ctx()
        ) == ("est après 01/12/2026")
