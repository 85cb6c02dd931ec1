"""HubSpot's association type ids (reference §5.5) and lookups over custom labels.

Every association is stored twice, once per direction, each row with the type id of
its direction (contact→company primary is 1, company→contact primary is 2).
"""

from dataclasses import dataclass

from comptoir.core.associations.models import AssociationLabel
from comptoir.core.objects.registry import OBJECT_TYPES, get_object_type
from comptoir.core.properties.registry import cached

HUBSPOT_DEFINED = "HUBSPOT_DEFINED"
USER_DEFINED = "USER_DEFINED"
INTEGRATOR_DEFINED = "INTEGRATOR_DEFINED"
CATEGORIES = (HUBSPOT_DEFINED, USER_DEFINED, INTEGRATOR_DEFINED)


@dataclass(frozen=True)
class AssociationType:
    from_type: str  # object type name, "contacts"
    to_type: str
    type_id: int
    inverse_type_id: int
    name: str  # v3 type name: "contact_to_company"
    label: str | None  # None = unlabeled
    category: str = HUBSPOT_DEFINED
    is_default: bool = False  # the unlabeled association every pair has
    is_primary: bool = False


def _pair(a, b, a_to_b, b_to_a, name_suffix="", label=None, default=True, primary=False):
    sa, sb = get_object_type(a).singular, get_object_type(b).singular
    suffix = f"_{name_suffix}" if name_suffix else ""
    forward = AssociationType(
        a, b, a_to_b, b_to_a, f"{sa}_to_{sb}{suffix}", label, is_default=default, is_primary=primary
    )
    backward = AssociationType(
        b, a, b_to_a, a_to_b, f"{sb}_to_{sa}{suffix}", label, is_default=default, is_primary=primary
    )
    return [forward] if a == b and a_to_b == b_to_a else [forward, backward]


def _builtin() -> list[AssociationType]:
    types = []
    types += _pair("contacts", "companies", 279, 280, "unlabeled")
    types += _pair("contacts", "companies", 1, 2, label="Primary", default=False, primary=True)
    types += _pair("deals", "contacts", 3, 4)
    types += _pair("deals", "companies", 341, 342, "unlabeled")
    types += _pair("deals", "companies", 5, 6, label="Primary", default=False, primary=True)
    types += _pair("companies", "companies", 450, 450)
    types += [
        AssociationType(
            "companies", "companies", 13, 14, "parent_to_child_company", "Child Company"
        ),
        AssociationType(
            "companies", "companies", 14, 13, "child_to_parent_company", "Parent Company"
        ),
    ]
    types += _pair("contacts", "contacts", 449, 449)
    types += _pair("deals", "deals", 451, 451)
    engagement_ids = {
        # record type: (first id for calls, emails, meetings, notes, tasks) in HubSpot's order
        "companies": {"calls": 181, "emails": 185, "meetings": 187, "notes": 189, "tasks": 191},
        "contacts": {"calls": 193, "emails": 197, "meetings": 199, "notes": 201, "tasks": 203},
        "deals": {"calls": 205, "emails": 209, "meetings": 211, "notes": 213, "tasks": 215},
    }
    for record_type, ids in engagement_ids.items():
        for activity, type_id in ids.items():
            types += _pair(record_type, activity, type_id, type_id + 1)
    types += _pair("calls", "meetings", 399, 400)
    return types


BUILTIN: tuple[AssociationType, ...] = tuple(_builtin())
_BUILTIN_BY_PAIR: dict[tuple[str, str], list[AssociationType]] = {}
for _t in BUILTIN:
    _BUILTIN_BY_PAIR.setdefault((_t.from_type, _t.to_type), []).append(_t)


def types_between(from_type, to_type) -> list[AssociationType]:
    """Every association type (built-in and custom labels) from one object type to another."""
    a, b = get_object_type(from_type).name, get_object_type(to_type).name

    def load():
        custom = [
            AssociationType(
                row.from_type,
                row.to_type,
                row.type_id,
                row.inverse_type_id,
                row.name,
                row.label,
                category=USER_DEFINED,
            )
            for row in AssociationLabel.objects.filter(from_type=a, to_type=b)
        ]
        return _BUILTIN_BY_PAIR.get((a, b), []) + custom

    return cached(f"assoc:{a}:{b}", load)


def default_type(from_type, to_type) -> AssociationType | None:
    """The unlabeled type of a pair; None when the two object types cannot be associated."""
    for t in types_between(from_type, to_type):
        if t.is_default:
            return t
    return None


def primary_type(from_type, to_type) -> AssociationType | None:
    for t in types_between(from_type, to_type):
        if t.is_primary:
            return t
    return None


def find_type(from_type, to_type, type_id: int) -> AssociationType | None:
    for t in types_between(from_type, to_type):
        if t.type_id == type_id:
            return t
    return None


def find_type_by_name(from_type, to_type, name: str) -> AssociationType | None:
    for t in types_between(from_type, to_type):
        if t.name == name:
            return t
    return None


def find_from(from_type, type_id: int) -> AssociationType | None:
    """The association type with this id leaving `from_type`, whatever its target.

    HubSpot's inline `associations` on create name only the type id; the id tells the
    target object type.
    """
    for to_ot in OBJECT_TYPES:
        found = find_type(from_type, to_ot, type_id)
        if found is not None:
            return found
    return None
