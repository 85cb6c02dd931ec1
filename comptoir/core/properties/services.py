"""The write path for property definitions and groups (custom properties, SET-1).

Inputs use HubSpot's PropertyCreate / PropertyUpdate field names so the API layer
passes request bodies straight through.
"""

import re

from django.db import transaction
from django.utils import timezone

from comptoir.core.audit import log as audit
from comptoir.core.audit.log import AuditAction
from comptoir.core.inputs import clean_int, clean_text, storable
from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties import registry
from comptoir.core.properties.errors import PropertyError, ValidationFailed
from comptoir.core.properties.expressions import prop_expression
from comptoir.core.properties.kinds import KINDS, kind_for
from comptoir.core.properties.models import PropertyDefinition, PropertyGroup
from comptoir.core.properties.substring_indexes import drop_substring_index
from comptoir.core.records.values import base_queryset

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
GROUP_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,99}$")

LABEL_LENGTH = PropertyDefinition._meta.get_field("label").max_length
TEXT_LENGTH = 65536  # descriptions and option values: any sensible text


def _fail(field: str, code: str, message: str, value=None):
    raise ValidationFailed([PropertyError(field, code, message, value)], message)


def _clean_options(kind: str, options, field="options") -> list[dict]:
    fixed = kind_for(kind).fixed_options
    if fixed is not None:
        return list(fixed)
    if not kind_for(kind).takes_options:
        return []
    if not isinstance(options, list) or not options:
        _fail(field, "REQUIRED", "an enumeration property needs at least one option")
    cleaned, seen = [], set()
    for order, option in enumerate(options):
        if not isinstance(option, dict):
            _fail(field, "INVALID_OPTION", "each option must be an object with label and value")
        at = f"{field}[{order}]"
        value = clean_text(f"{at}.value", option.get("value", ""), max_length=TEXT_LENGTH)
        label = clean_text(f"{at}.label", option.get("label", ""), max_length=LABEL_LENGTH)
        if not value or not label:
            _fail(field, "INVALID_OPTION", f"option {order + 1} needs a label and a value")
        if ";" in value:
            _fail(field, "INVALID_OPTION", f"option value {value!r} must not contain ';'")
        if value in seen:
            _fail(field, "DUPLICATE_OPTION", f"option value {value!r} appears twice")
        seen.add(value)
        cleaned.append(
            {
                "label": label,
                "label_fr": clean_text(
                    f"{at}.label_fr", option.get("label_fr"), max_length=LABEL_LENGTH
                ),
                "value": value,
                "displayOrder": clean_int(f"{at}.displayOrder", option.get("displayOrder", order)),
                "hidden": bool(option.get("hidden", False)),
                "description": clean_text(
                    f"{at}.description",
                    option.get("description"),
                    max_length=TEXT_LENGTH,
                    strip=False,
                ),
            }
        )
    return cleaned


def _display_order(data: dict) -> int:
    """displayOrder as given (0 included); -1, HubSpot's "after the others", when absent."""
    value = data.get("displayOrder")
    return -1 if value is None else clean_int("displayOrder", value)


def _label(data: dict, key: str = "label") -> str:
    return clean_text(key, data.get(key), max_length=LABEL_LENGTH)


def _findable(name) -> str:
    """A name to look a definition or group up by; "" (no match) when no text column could
    hold it (the database would fail on the lookup)."""
    return name if isinstance(name, str) and storable(name) else ""


def _check_group(ot, group_name) -> None:
    if not PropertyGroup.objects.filter(
        object_type=ot.name, name=_findable(group_name), archived=False
    ).exists():
        _fail(
            "groupName",
            "INVALID_GROUP",
            f"property group {group_name!r} does not exist on {ot.name}",
        )


def create_property(object_type, data: dict, *, source=None) -> PropertyDefinition:
    """Create a custom property from a HubSpot PropertyCreate body."""
    ot = get_object_type(object_type)
    name = data.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        _fail(
            "name",
            "INVALID_PROPERTY_NAME",
            f"{name!r} is not a valid property name: use at most 50 lower-case letters, "
            "digits and underscores, starting with a letter",
        )
    label = _label(data)
    if not label:
        _fail("label", "REQUIRED", "a property needs a label")
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in KINDS:
        _fail("type", "INVALID_TYPE", f"type {kind!r} is not one of {', '.join(KINDS)}")
    field_type = data.get("fieldType")
    if field_type not in KINDS[kind].field_types:
        allowed = ", ".join(sorted(KINDS[kind].field_types))
        _fail(
            "fieldType",
            "INVALID_FIELD_TYPE",
            f"fieldType {field_type!r} does not fit type {kind!r} (use {allowed})",
        )
    group = data.get("groupName") or ot.group_name
    _check_group(ot, group)
    unique = bool(data.get("hasUniqueValue", False))
    if unique and not KINDS[kind].may_be_unique:
        _fail("hasUniqueValue", "INVALID_UNIQUE", "only text and number properties can be unique")
    options = _clean_options(kind, data.get("options"))
    with transaction.atomic():
        existing = PropertyDefinition.objects.filter(object_type=ot.name, name=name).first()
        if existing is not None:
            state = " (archived)" if existing.archived else ""
            _fail(
                "name",
                "PROPERTY_EXISTS",
                f"a property named {name!r} already exists on {ot.name}{state}",
            )
        defn = PropertyDefinition.objects.create(
            object_type=ot.name,
            name=name,
            label=label,
            label_fr=_label(data, "label_fr"),
            description=clean_text(
                "description", data.get("description"), max_length=TEXT_LENGTH, strip=False
            ),
            group_name=group,
            type=kind,
            field_type=field_type,
            options=options,
            display_order=_display_order(data),
            hidden=bool(data.get("hidden", False)),
            form_field=bool(data.get("formField", True)),
            has_unique_value=unique,
            created_by_id=getattr(source, "actor_id", None),
            updated_by_id=getattr(source, "actor_id", None),
        )
        audit.record(AuditAction.PROPERTY_CREATED, f"{ot.name}.{defn.name}", label=defn.label)
        registry.invalidate()
    return defn


def _records_using(ot, defn, values) -> int:
    expr = prop_expression(ot, defn)
    qs = base_queryset(ot, archived=None).alias(_v=expr)
    if defn.is_multi:
        from django.db.models import Q

        condition = Q()
        for value in values:
            condition |= (
                Q(_v=value)
                | Q(_v__startswith=f"{value};")
                | Q(_v__endswith=f";{value}")
                | Q(_v__contains=f";{value};")
            )
        return qs.filter(condition).count()
    return qs.filter(_v__in=list(values)).count()


def update_property(object_type, name: str, data: dict, *, source=None) -> PropertyDefinition:
    """Change labels, description, group, options or display of a property.

    Renaming an option's label never touches records; removing an option still in use
    is refused with the number of records holding it.
    """
    ot = get_object_type(object_type)
    with transaction.atomic():
        defn = (
            PropertyDefinition.objects.select_for_update()
            .filter(object_type=ot.name, name=_findable(name))
            .first()
        )
        if defn is None:
            _fail(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist on {ot.name}')
        if defn.read_only_definition and set(data) - {
            "label",
            "label_fr",
            "description",
            "displayOrder",
            "hidden",
        }:
            _fail(
                name,
                "READ_ONLY_DEFINITION",
                f"{name} is a default property: only labels, description and display change",
            )
        if "label" in data:
            label = _label(data)
            if not label:
                _fail("label", "REQUIRED", "a property needs a label")
            defn.label = label
        if "label_fr" in data:
            defn.label_fr = _label(data, "label_fr")
        if "description" in data:
            defn.description = clean_text(
                "description", data["description"], max_length=TEXT_LENGTH, strip=False
            )
        if "groupName" in data:
            _check_group(ot, data["groupName"])
            defn.group_name = data["groupName"]
        if "displayOrder" in data:
            defn.display_order = clean_int("displayOrder", data["displayOrder"])
        for key, attr in (("hidden", "hidden"), ("formField", "form_field")):
            if key in data:
                setattr(defn, attr, bool(data[key]))
        if "fieldType" in data:
            if data["fieldType"] not in defn.kind.field_types:
                _fail(
                    "fieldType",
                    "INVALID_FIELD_TYPE",
                    f"fieldType {data['fieldType']!r} does not fit type {defn.type!r}",
                )
            defn.field_type = data["fieldType"]
        if "options" in data and defn.kind.takes_options:
            options = _clean_options(defn.type, data["options"])
            removed = set(defn.option_values()) - {o["value"] for o in options}
            if removed:
                in_use = _records_using(ot, defn, removed)
                if in_use:
                    _fail(
                        "options",
                        "OPTION_IN_USE",
                        f"cannot remove option(s) {', '.join(sorted(removed))}: "
                        f"{in_use} record(s) still use them",
                        in_use,
                    )
            defn.options = options
        if "type" in data and data["type"] != defn.type:
            _fail("type", "TYPE_CHANGE", "the type of a property cannot change once created")
        defn.updated_by_id = getattr(source, "actor_id", None)
        defn.save()
        audit.record(
            AuditAction.PROPERTY_CHANGED, f"{ot.name}.{defn.name}", changed=sorted(map(str, data))
        )
        registry.invalidate()
    return defn


def archive_property(object_type, name: str, *, source=None) -> None:
    ot = get_object_type(object_type)
    defn = PropertyDefinition.objects.filter(
        object_type=ot.name, name=_findable(name), archived=False
    ).first()
    if defn is None:
        _fail(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist on {ot.name}')
    if not defn.archivable or defn.hubspot_defined:
        _fail(name, "NOT_ARCHIVABLE", f"{name} is a default property and cannot be archived")
    with transaction.atomic():
        PropertyDefinition.objects.filter(pk=defn.pk).update(
            archived=True, archived_at=timezone.now()
        )
        audit.record(AuditAction.PROPERTY_ARCHIVED, f"{ot.name}.{defn.name}")
        registry.invalidate()
    # An archived property is filtered on no more: its substring index (and, on SQLite,
    # the triggers every write of the type runs) goes; a restore builds it on demand again.
    drop_substring_index(ot, defn.name)


def restore_property(object_type, name: str, *, source=None) -> PropertyDefinition:
    ot = get_object_type(object_type)
    with transaction.atomic():
        updated = PropertyDefinition.objects.filter(
            object_type=ot.name, name=_findable(name), archived=True
        ).update(archived=False, archived_at=None)
        if not updated:
            _fail(name, "PROPERTY_DOESNT_EXIST", f'No archived property "{name}" on {ot.name}')
        audit.record(AuditAction.PROPERTY_RESTORED, f"{ot.name}.{name}")
        registry.invalidate()
    return PropertyDefinition.objects.get(object_type=ot.name, name=name)


def create_group(object_type, data: dict) -> PropertyGroup:
    ot = get_object_type(object_type)
    name = data.get("name")
    if not isinstance(name, str) or not GROUP_NAME_RE.match(name):
        _fail("name", "INVALID_GROUP_NAME", f"{name!r} is not a valid group name")
    label = _label(data)
    if not label:
        _fail("label", "REQUIRED", "a property group needs a label")
    if PropertyGroup.objects.filter(object_type=ot.name, name=name).exists():
        _fail("name", "GROUP_EXISTS", f"a property group named {name!r} already exists")
    group = PropertyGroup.objects.create(
        object_type=ot.name,
        name=name,
        label=label,
        label_fr=_label(data, "label_fr"),
        display_order=_display_order(data),
    )
    registry.invalidate()
    return group


def update_group(object_type, name: str, data: dict) -> PropertyGroup:
    ot = get_object_type(object_type)
    group = PropertyGroup.objects.filter(
        object_type=ot.name, name=_findable(name), archived=False
    ).first()
    if group is None:
        _fail(name, "GROUP_DOESNT_EXIST", f"property group {name!r} does not exist on {ot.name}")
    if "label" in data:
        label = _label(data)
        if not label:
            _fail("label", "REQUIRED", "a property group needs a label")
        group.label = label
    if "displayOrder" in data:
        group.display_order = clean_int("displayOrder", data["displayOrder"])
    group.save()
    registry.invalidate()
    return group


def archive_group(object_type, name: str) -> None:
    ot = get_object_type(object_type)
    group = PropertyGroup.objects.filter(
        object_type=ot.name, name=_findable(name), archived=False
    ).first()
    if group is None:
        _fail(name, "GROUP_DOESNT_EXIST", f"property group {name!r} does not exist on {ot.name}")
    if name == ot.group_name:
        _fail(name, "NOT_ARCHIVABLE", f"{name} is the default group of {ot.name}")
    in_use = PropertyDefinition.objects.filter(
        object_type=ot.name, group_name=name, archived=False
    ).count()
    if in_use:
        _fail(name, "GROUP_IN_USE", f"group {name!r} still holds {in_use} propert(y/ies)")
    PropertyGroup.objects.filter(pk=group.pk).update(archived=True)
    registry.invalidate()
