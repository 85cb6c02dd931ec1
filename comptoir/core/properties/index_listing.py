"""Every property index, for Settings > Indexes: built-in ones (migrations), on-demand ones
whatever their state (core/properties/index_requests.py), with their size on disk."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from comptoir.core.i18n import localised_label, type_label
from comptoir.core.objects.registry import OBJECT_TYPES, ObjectType, get_object_type
from comptoir.core.properties import registry
from comptoir.core.properties.index_requests import ACTIVE, STALE
from comptoir.core.properties.indexes import BUILTIN_PREFIX, ON_DEMAND_PREFIX, index_sizes
from comptoir.core.properties.models import IndexStatus, PropertyDefinition, PropertyIndexRequest
from comptoir.core.properties.substring_indexes import substring_index_sizes, substring_indexes

FILTER_SORT = "filter_sort"
SUBSTRING = "substring"


@dataclass
class IndexRow:
    ot: ObjectType
    name: str  # the property
    label: str
    kind: str  # FILTER_SORT, SUBSTRING
    index: str  # its name in the database, "" before it is built
    status: str  # an IndexStatus
    builtin: bool
    request: PropertyIndexRequest | None = None
    size: int | None = None

    @property
    def type_label(self) -> str:
        return type_label(self.ot)

    @property
    def may_build(self) -> bool:
        """An administrator may ask for it (again): not built, and not on its way (or on
        its way for so long that its worker must have died)."""
        if self.index:
            return False
        if self.status not in ACTIVE:
            return True
        return self.request is not None and self.request.updated_at < timezone.now() - STALE

    @property
    def may_drop(self) -> bool:
        return bool(self.index) and not self.builtin and self.kind == FILTER_SORT


@dataclass
class TypeCap:
    ot: ObjectType
    used: int
    cap: int

    @property
    def label(self) -> str:
        return type_label(self.ot)


def index_rows() -> list[IndexRow]:
    """Every index and every pending, building, failed or refused request, by object type
    and property label."""
    requests = {
        (r.object_type, r.property_name): r
        for r in PropertyIndexRequest.objects.exclude(
            status__in=(IndexStatus.COUNTING, IndexStatus.DROPPED)
        )
    }
    rows = []
    for ot in OBJECT_TYPES:
        defs = registry.definitions(ot)
        for name, defn in defs.items():
            request = requests.pop((ot.name, name), None)
            if defn.index_name:
                status = IndexStatus.READY
            elif request is not None:
                status = request.status
            else:
                continue
            rows.append(
                IndexRow(
                    ot=ot,
                    name=name,
                    label=str(localised_label(defn)),
                    kind=FILTER_SORT,
                    index=defn.index_name,
                    status=status,
                    builtin=defn.index_name.startswith(BUILTIN_PREFIX),
                    request=request,
                )
            )
    sizes = index_sizes(row.index for row in rows if row.index)
    for row in rows:
        row.size = sizes.get(row.index) if row.index else None
    rows += _substring_rows()
    rows.sort(key=lambda r: (OBJECT_TYPES.index(r.ot), r.label.lower(), r.kind))
    return rows


def _substring_rows() -> list[IndexRow]:
    """The "contains" indexes (comptoir.core.properties.substring_indexes): the standard ones
    each type lists, and those built on demand for custom text properties."""
    rows = []
    found_all = substring_indexes()
    sizes = substring_index_sizes(found.index for found in found_all)
    for found in found_all:
        ot = get_object_type(found.object_type)
        defn = registry.definitions(ot).get(found.property)
        if defn is None:
            continue
        rows.append(
            IndexRow(
                ot=ot,
                name=found.property,
                label=str(localised_label(defn)),
                kind=SUBSTRING,
                index=found.index,
                status=IndexStatus.READY,
                builtin=found.property in ot.substring_indexed,
                size=sizes.get(found.index),
            )
        )
    return rows


def caps() -> list[TypeCap]:
    """How many on-demand indexes each type with pages holds, against the cap."""
    cap = settings.COMPTOIR_MAX_PROPERTY_INDEXES
    used = dict(
        PropertyDefinition.objects.filter(index_name__startswith=ON_DEMAND_PREFIX)
        .order_by()
        .values_list("object_type")
        .annotate(n=Count("pk"))
    )
    return [TypeCap(ot, used.get(ot.name, 0), cap) for ot in OBJECT_TYPES if ot.pages]
