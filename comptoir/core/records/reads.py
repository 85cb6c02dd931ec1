"""Reading one record for a change or a page: by id (the hot path of every record page and
API read) or by a unique property, only those the user may see when a user is given."""

from django.db import connection

from comptoir.core.inputs import parse_id
from comptoir.core.objects.registry import get_object_type
from comptoir.core.permissions import can_view
from comptoir.core.properties import registry
from comptoir.core.properties.coercion import coerce
from comptoir.core.properties.errors import PropertyError, RecordNotFound, ValidationFailed
from comptoir.core.properties.expressions import prop_expression
from comptoir.core.records.validation import option_values
from comptoir.core.records.values import base_queryset


def get_record(
    ot, record_id, *, archived: bool | None = False, for_update: bool = False, user=None
):
    """One record; with `user`, RecordNotFound also when the user may not see it."""
    ot = get_object_type(ot)
    pk = parse_id(record_id)
    if pk is None:  # not a number, or past any id (the database would fail on it)
        raise RecordNotFound(ot, record_id)
    if for_update:
        record = base_queryset(ot, archived=archived).select_for_update().filter(pk=pk).first()
    else:
        record = _fetch_one(ot, archived, pk)
    if record is None or (user is not None and not _visible_to(user, ot, record)):
        raise RecordNotFound(ot, record_id)
    return record


def _visible_to(user, ot, record) -> bool:
    return can_view(user, ot, record)


_PK_MARK = -98765432123


_FETCH_PLANS: dict = {}


def _fetch_one(ot, archived, pk):
    """One record by id, on the hot path of every record page and API read.

    The SQL and the column converters are prepared once per object type (preparing them
    costs more than running the query); rows become instances through Model.from_db."""
    key = (ot.name, archived, connection.alias, connection.vendor)
    plan = _FETCH_PLANS.get(key)
    if plan is None:
        qs = base_queryset(ot, archived=archived).filter(pk=_PK_MARK)[:1]
        compiler = qs.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        columns = [col for col, _, _ in compiler.select]
        converters = compiler.get_converters(columns)
        names = [col.target.attname for col in columns]
        plan = _FETCH_PLANS[key] = (
            sql,
            list(params),
            list(params).index(_PK_MARK),
            names,
            converters,
            compiler,
        )
    sql, params, position, names, converters, compiler = plan
    params = list(params)
    params[position] = pk
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    if converters:
        row = next(iter(compiler.apply_converters([row], converters)))
    return ot.model.from_db(connection.alias, names, row)


def get_record_by(
    ot,
    id_property: str | None,
    raw_id,
    *,
    archived: bool | None = False,
    for_update: bool = False,
    user=None,
):
    """A record by id, or by the value of a unique property (`idProperty`); with `user`,
    only one the user may see."""
    ot = get_object_type(ot)
    if not id_property or id_property == "hs_object_id":
        return get_record(ot, raw_id, archived=archived, for_update=for_update, user=user)
    defn = registry.definitions(ot).get(id_property)
    if defn is None or not defn.has_unique_value:
        raise ValidationFailed(
            [
                PropertyError(
                    id_property,
                    "INVALID_ID_PROPERTY",
                    f"{id_property!r} is not a unique property of {ot.name}",
                )
            ],
        )
    try:
        value = coerce(defn, raw_id, option_values(defn))
    except PropertyError:
        raise RecordNotFound(ot, raw_id) from None
    qs = base_queryset(ot, archived=archived, user=user).alias(_v=prop_expression(ot, defn))
    qs = qs.filter(_v=value)
    if for_update:
        qs = qs.select_for_update()
    record = qs.first()
    if record is None:
        raise RecordNotFound(ot, raw_id)
    return record
