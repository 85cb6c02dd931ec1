"""Every property kind answers exactly as before the kinds were classes (issue 20, point 2).

A table-driven differential check: each behaviour that depends on a property's type
(API coercion and string form, filter values, column conversion, SQL, form widgets and
values, display formatting in both languages, import cells, settings labels) is run over
definitions of every type and a corpus of ordinary and hostile inputs (NUL, surrogates,
1e400, huge numbers, odd dates, wrong Python types). The answers were recorded in
`property_kinds_golden.json.gz` from the code before the refactoring; the test compares
today's answers with them, so any change of behaviour names the definition, the input
and the function that moved.

`UPDATE_PROPERTY_KINDS_GOLDEN=1` rewrites the table (only for a deliberate change).
"""

import datetime as dt
import gzip
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from comptoir.core.properties.models import PropertyDefinition

GOLDEN = Path(__file__).with_name("property_kinds_golden.json.gz")  # 2 MB of JSON
TZ = "Europe/Paris"
UTC = dt.UTC

OPTIONS = [
    {"label": "Technology", "label_fr": "Technologie", "value": "tech"},
    {"label": "Retail", "label_fr": "", "value": "retail"},
    {"label": "Hidden one", "label_fr": "Cachée", "value": "gone", "hidden": True},
]
YES_NO = [
    {"label": "Yes", "label_fr": "Oui", "value": "true"},
    {"label": "No", "label_fr": "Non", "value": "false"},
]


def _defn(name, kind, field_type, **extra):
    return PropertyDefinition(
        object_type="deals",
        name=name,
        label=name.title(),
        label_fr=extra.pop("label_fr", ""),
        group_name="dealinformation",
        type=kind,
        field_type=field_type,
        max_length=extra.pop("max_length", 65536),
        **extra,
    )


DEFINITIONS = [
    _defn("firstname", "string", "text", column="firstname"),
    _defn("description", "string", "textarea", max_length=40),
    _defn("notes_html", "string", "html"),
    _defn("attachment", "string", "file"),
    _defn("email", "string", "text", column="email"),
    _defn("domain", "string", "text"),
    _defn("website", "string", "text"),
    _defn("hs_additional_emails", "string", "text"),
    _defn("phone", "string", "phonenumber"),
    _defn("mobilephone", "phone_number", "phonenumber"),
    _defn("fax", "phone_number", "text"),
    _defn("amount", "number", "number", column="amount", show_currency_symbol=True),
    _defn("hs_deal_stage_probability", "number", "number"),
    _defn("score", "number", "calculation_equation"),
    _defn("hs_object_id", "number", "number", column="id"),
    _defn("birthday", "date", "date"),
    _defn("closedate", "datetime", "date", column="closedate"),
    _defn("hs_timestamp", "datetime", "date"),
    _defn("industry", "enumeration", "select", options=OPTIONS),
    _defn("tags", "enumeration", "checkbox", options=OPTIONS),
    _defn("size", "enumeration", "radio", options=OPTIONS),
    _defn("consent", "enumeration", "booleancheckbox", options=YES_NO),
    _defn(
        "hubspot_owner_id",
        "enumeration",
        "select",
        column="hubspot_owner_id",
        options_source="owners",
    ),
    _defn("flag", "bool", "booleancheckbox", options=YES_NO),
    _defn("flag_select", "bool", "select", options=YES_NO),
]

VALUES = [
    None,
    "",
    " ",
    "abc",
    "  Abc Déf  ",
    "ÉLAN",
    "a\x00b",
    "\ud800",
    "x" * 41,
    "tech",
    "Tech",
    "Technologie",
    "tech;retail",
    "tech;;tech; retail",
    "gone",
    "true",
    "FALSE",
    "yes",
    "Oui",
    "on",
    "1",
    "0",
    "-0",
    "7",
    1,
    0,
    2,
    -1,
    True,
    False,
    1.5,
    -0.0,
    12.0,
    1e-7,
    float("inf"),
    float("nan"),
    1e26,
    10**15,
    10**15 + 1,
    10**30,
    2**53 + 1,
    "1e400",
    "NaN",
    "-Infinity",
    "1e15",
    "1e16",
    "999999999999999.99",
    "12,5",
    "1 234,56",
    "1\u202f234,56",
    "1,234.56",
    "€ 12",
    "45 %",
    "0.1",
    Decimal("12.50"),
    Decimal("1E+3"),
    Decimal("NaN"),
    "2024-02-29",
    "2023-02-29",
    "2024-12-31T23:30:00+01:00",
    "2024-12-31T23:30:00",
    "2024-12-31T23:30",
    "2024-12-31 08:00:00Z",
    "2024-01-02T03:04:05.678Z",
    "31/12/2024",
    "12/31/2024",
    "31/12/24",
    "1/2/85",
    "31.12.2024 14h30",
    "2024/12/31",
    "0001-01-01",
    "0001-01-02",
    "9999-12-31",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:00:00-05:00",
    253402300799999,
    1704067200000,
    "1704067200000",
    "-62135596800000",
    "99999999999999999999",
    dt.date(2024, 1, 2),
    dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
    dt.datetime(2024, 1, 2, 3, 4, 5),
    [],
    {},
    ["tech"],
    "Foo@Example.COM",
    " foo@example.com ",
    "not an email",
    "a@b.c; D@e.fr, a@b.c",
    "https://www.Acme.fr/about?x=1",
    "acme",
    "+33 1 23 45 67 89",
    "7@x.fr",
]


def _show(function, *args, **kwargs):
    try:
        result = function(*args, **kwargs)
    except Exception as exc:  # the kind of failure is part of the behaviour
        code = getattr(exc, "code", "")
        message = getattr(exc, "message", str(exc))
        return f"!{type(exc).__name__} {code} {message}"
    return repr(result)


def _value_key(value) -> str:
    return f"{type(value).__name__}:{value!r}"


def _api(**kinds):
    """The functions under test, as callers reach them today."""
    from comptoir.core.properties import coercion, expressions, formatting, indexes, kinds
    from comptoir.core.records import values
    from comptoir.core.search import compiler
    from comptoir.core.ui import fields
    from comptoir.imports import values as cells

    return {
        "coerce": lambda d, v: coercion.coerce(d, v),
        "coerce_options": lambda d, v: coercion.coerce(d, v, option_values=["7", "tech"]),
        "api_string": coercion.to_api_string,
        "filter_json": lambda d, v: compiler._filter_value(d, v, column=False),
        "filter_column": lambda d, v: compiler._filter_value(d, v, column=True),
        "to_column": values.canonical_to_column,
        "from_column": values.column_to_canonical,
        "input_value": lambda d, v: fields.input_value(d, v, TZ),
        "submitted": lambda d, v: fields.submitted_value(d, v, TZ),
        "format": lambda d, v: formatting.format_value(d, v, tz=TZ, currency="EUR"),
        "cell": lambda d, v, **o: cells.CellConverter(d, owners={"7@x.fr": "7"}, **o)(v),
        "widget": lambda d: d.kind.widget(d),
        "choices": fields.choices_for,
        "case_insensitive": expressions.is_case_insensitive,
        "value_sql": indexes.value_sql,
        "output_field": lambda d: type(expressions.prop_expression(None, d).output_field).__name__,
        "kind_label": kinds.field_type_label,
    }


def observe() -> dict:
    api = _api()
    table = {}
    for defn in DEFINITIONS:
        key = f"{defn.name}[{defn.type}/{defn.field_type}]"
        row = table[key] = {}
        row["widget"] = _show(api["widget"], defn)
        row["case_insensitive"] = _show(api["case_insensitive"], defn)
        row["output_field"] = _show(api["output_field"], defn)
        for vendor in ("sqlite", "postgresql"):
            row[f"value_sql/{vendor}"] = _show(api["value_sql"], defn, vendor)
        for language in ("en", "fr"):
            with translation.override(language):
                row[f"kind_label/{language}"] = _show(api["kind_label"], defn)
                if not defn.options_source:
                    row[f"choices/{language}"] = _show(api["choices"], defn)
        for value in VALUES:
            cell = row[_value_key(value)] = {}
            for name in ("coerce", "coerce_options", "api_string", "filter_json"):
                cell[name] = _show(api[name], defn, value)
            cell["filter_column"] = _show(api["filter_column"], defn, value)
            cell["from_column"] = _show(api["from_column"], defn, value)
            cell["to_column"] = _show(api["to_column"], defn, value)
            try:
                canonical = api["coerce"](defn, value)
            except Exception:  # invalid input: shown above
                canonical = value
            cell["input_value"] = _show(api["input_value"], defn, canonical)
            cell["to_column(coerced)"] = _show(api["to_column"], defn, canonical)
            for language in ("en", "fr"):
                with translation.override(language):
                    cell[f"format/{language}"] = _show(api["format"], defn, canonical)
            if value is None or isinstance(value, str):
                cell["submitted"] = _show(api["submitted"], defn, value)
            for date_format in ("DAY_MONTH_YEAR", "MONTH_DAY_YEAR", "YEAR_MONTH_DAY"):
                for decimal_comma in (False, True):
                    cell[f"cell/{date_format}/{int(decimal_comma)}"] = _show(
                        api["cell"],
                        defn,
                        value,
                        date_format=date_format,
                        decimal_comma=decimal_comma,
                    )
    return table


def observe_types() -> dict:
    """Facts about the types themselves: field types, options, settings labels."""
    from comptoir.core.properties import services
    from comptoir.core.properties.kinds import KINDS
    from comptoir.core.properties.models import PropertyType
    from comptoir.settings_pages import properties as settings_properties

    table = {"field_types": {name: sorted(k.field_types) for name, k in KINDS.items()}}
    options = [{"label": "A", "value": "a"}, {"label": "B", "value": "b", "hidden": 1}]
    for kind in PropertyType.values:
        table[f"options/{kind}"] = _show(services._clean_options, kind, options)
        table[f"no_options/{kind}"] = _show(services._clean_options, kind, [])
    for language in ("en", "fr"):
        with translation.override(language):
            table[f"settings_kinds/{language}"] = [
                [key, str(label), str(kind), field_type]
                for key, label, kind, field_type in settings_properties.KINDS
            ]
    table["enum_kinds"] = list(settings_properties.ENUM_KINDS)
    return table


@pytest.fixture
def golden():
    if os.environ.get("UPDATE_PROPERTY_KINDS_GOLDEN"):
        return None
    return json.loads(gzip.decompress(GOLDEN.read_bytes()))


def _differences(expected, actual, path=""):
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            yield from _differences(expected.get(key), actual.get(key), f"{path}/{key}")
    elif expected != actual:
        yield f"{path}: was {expected!r}, now {actual!r}"


def test_every_kind_answers_as_recorded(db, golden):
    actual = {"definitions": observe(), "types": observe_types()}
    if golden is None:
        text = json.dumps(actual, indent=0, ensure_ascii=True, sort_keys=True) + "\n"
        GOLDEN.write_bytes(gzip.compress(text.encode(), compresslevel=9, mtime=0))
        pytest.skip("golden table rewritten")
    differences = list(_differences(golden, actual))
    assert differences == [], "\n".join(differences[:40]) + f"\n({len(differences)} in all)"


def test_the_check_notices_a_changed_answer(db, golden, monkeypatch):
    """The comparison can fail: one changed answer is found and named."""
    from comptoir.core.properties import coercion

    monkeypatch.setattr(coercion, "format_number", lambda value: "changed")
    actual = {"definitions": observe(), "types": observe_types()}
    differences = list(_differences(golden, actual))
    assert differences
    assert any("api_string" in line and "changed" in line for line in differences)
