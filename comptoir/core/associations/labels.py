"""Custom association labels (USER_DEFINED), e.g. "Decision maker" between contact and company."""

import re

from django.db import transaction
from django.db.models import Max

from comptoir.core.associations.models import Association, AssociationLabel, AssociationLimit
from comptoir.core.associations.services import AssociationError
from comptoir.core.associations.types import default_type
from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties import registry

FIRST_CUSTOM_TYPE_ID = 1000
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


def _next_type_id() -> int:
    current = AssociationLabel.objects.aggregate(m=Max("type_id"))["m"]
    return max(FIRST_CUSTOM_TYPE_ID, (current or 0) + 1)


def create_label(
    from_type, to_type, label: str, name: str | None = None, inverse_label: str | None = None
) -> AssociationLabel:
    """A label for one pair; the other direction gets `inverse_label` (or the same label)."""
    a, b = get_object_type(from_type), get_object_type(to_type)
    if default_type(a, b) is None:
        raise AssociationError(f"{a.name} cannot be associated with {b.name}.")
    label = (label or "").strip()
    if not label:
        raise AssociationError("label: an association label needs a label.", "REQUIRED")
    name = name or re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_") or "label"
    if not NAME_RE.match(name):
        raise AssociationError(f"name: {name!r} is not a valid label name.", "INVALID_NAME")
    # Between records of one type (contact to contact) both directions are rows of the same
    # pair, and names are unique per pair: the inverse direction takes its own name.
    inverse_name = f"{name[:92]}_inverse" if a == b else name
    with transaction.atomic():
        taken = AssociationLabel.objects.filter(
            from_type=a.name, to_type=b.name, name__in={name, inverse_name}
        )
        if taken.exists():
            raise AssociationError(f"name: a label named {name!r} already exists.", "LABEL_EXISTS")
        type_id = _next_type_id()
        forward = AssociationLabel.objects.create(
            from_type=a.name,
            to_type=b.name,
            type_id=type_id,
            inverse_type_id=type_id + 1,
            label=label,
            name=name,
        )
        AssociationLabel.objects.create(
            from_type=b.name,
            to_type=a.name,
            type_id=type_id + 1,
            inverse_type_id=type_id,
            label=(inverse_label or label).strip(),
            name=inverse_name,
        )
        registry.invalidate()
    return forward


def update_label(
    from_type, to_type, type_id: int, label: str, inverse_label: str | None = None
) -> AssociationLabel:
    a, b = get_object_type(from_type), get_object_type(to_type)
    row = AssociationLabel.objects.filter(from_type=a.name, to_type=b.name, type_id=type_id).first()
    if row is None:
        raise AssociationError(
            f"associationTypeId: no label {type_id} from {a.name} to {b.name}.",
            "LABEL_DOESNT_EXIST",
        )
    if not (label or "").strip():
        raise AssociationError("label: an association label needs a label.", "REQUIRED")
    with transaction.atomic():
        AssociationLabel.objects.filter(pk=row.pk).update(label=label.strip())
        if inverse_label is not None:
            AssociationLabel.objects.filter(type_id=row.inverse_type_id).update(
                label=inverse_label.strip()
            )
        registry.invalidate()
    row.refresh_from_db()
    return row


def delete_label(from_type, to_type, type_id: int) -> None:
    """Remove a label and every association carrying it (the unlabeled ones stay)."""
    a, b = get_object_type(from_type), get_object_type(to_type)
    row = AssociationLabel.objects.filter(from_type=a.name, to_type=b.name, type_id=type_id).first()
    if row is None:
        raise AssociationError(
            f"associationTypeId: no label {type_id} from {a.name} to {b.name}.",
            "LABEL_DOESNT_EXIST",
        )
    with transaction.atomic():
        Association.objects.filter(type_id__in=[row.type_id, row.inverse_type_id]).delete()
        AssociationLabel.objects.filter(type_id__in=[row.type_id, row.inverse_type_id]).delete()
        # A later label may get the same ids: it must not inherit this one's limits.
        AssociationLimit.objects.filter(type_id__in=[row.type_id, row.inverse_type_id]).delete()
        registry.invalidate()
