"""`POST /crm/v3/imports` with several `files` entries (HubSpot's "multiple files with
associations"): one object per file and a common column in both.

In the file whose rows are associated (the main one), the common column is mapped either
with `toColumnObjectTypeId` (+ `foreignKeyType`) naming the other object, the other file
having a column of the same name mapped to a property that identifies its records, or with
`columnObjectTypeId` of the other object and that property as `propertyName`. The SDK sends
one `files` part per file; each part is matched to its entry by `fileName`, else by order."""

from pathlib import Path

from comptoir.core.associations import types as atypes
from comptoir.core.objects.registry import UnknownObjectType, get_object_type, import_types
from comptoir.hubspot_api.errors import ApiError


def object_name(raw, where: str) -> str:
    try:
        return get_object_type(raw).name
    except UnknownObjectType:
        raise ApiError(400, f"{where}: unknown object type id {raw!r}.") from None


def is_foreign(mapping, own: str | None) -> bool:
    """A column naming the other file's object: the common column of the main file."""
    if mapping.get("toColumnObjectTypeId"):
        return True
    raw = mapping.get("columnObjectTypeId")
    return bool(own and raw and object_name(raw, "columnMappings") != own)


class FileEntry:
    """One entry of importRequest.files with its uploaded part."""

    def __init__(self, index: int, entry: dict, upload):
        self.index = index
        self.name = str(entry.get("fileName") or getattr(upload, "name", "") or "")
        self.upload = upload
        page = entry.get("fileImportPage") or {}
        self.mappings = page.get("columnMappings") or []
        if not self.mappings:
            raise ApiError(400, f"files[{index}].fileImportPage.columnMappings is required.")
        self.candidates = []  # the object types its own (not foreign) columns belong to
        for mapping in self.mappings:
            if mapping.get("toColumnObjectTypeId"):
                continue
            ot = object_name(mapping.get("columnObjectTypeId") or "0-1", f"files[{index}]")
            if ot not in self.candidates:
                self.candidates.append(ot)
        self.own: str | None = self.candidates[0] if len(self.candidates) == 1 else None
        self.draft = None

    def foreign(self) -> list[dict]:
        return [m for m in self.mappings if is_foreign(m, self.own)]


def match_uploads(entries: list, uploads: list) -> list:
    """Each entry's upload: by file name when the names tell, else in order."""
    if len(uploads) != len(entries):
        raise ApiError(
            400, f"Send one `files` part per entry of importRequest.files ({len(entries)})."
        )
    by_name = {Path(getattr(u, "name", "") or "").name: u for u in uploads}
    wanted = [Path(str((e or {}).get("fileName") or "")).name for e in entries]
    if all(by_name.get(n) is not None for n in wanted) and len(set(wanted)) == len(wanted):
        return [by_name[n] for n in wanted]
    return list(uploads)


def read_entries(body: dict, uploads: list) -> list[FileEntry]:
    raw = body.get("files") or []
    matched = match_uploads(raw, uploads)
    entries = [FileEntry(i, e or {}, u) for i, (e, u) in enumerate(zip(raw, matched, strict=True))]
    # A file with columns of two objects holds the one no other file holds alone.
    claimed = {e.own for e in entries if e.own}
    for entry in entries:
        if entry.own is None:
            left = [ot for ot in entry.candidates if ot not in claimed]
            if len(left) != 1:
                raise ApiError(
                    400,
                    f"files[{entry.index}]: each file of a multi-file import holds one object "
                    "(with its common column).",
                )
            entry.own = left[0]
    owns = [e.own for e in entries]
    if len(set(owns)) != len(owns):
        raise ApiError(400, "Each file of a multi-file import must hold a different object.")
    if any(ot not in {t.name for t in import_types()} for ot in owns):
        raise ApiError(400, "Comptoir imports files of contacts, companies and deals.")
    return entries


def main_entry(entries: list[FileEntry]) -> FileEntry:
    mains = [e for e in entries if e.foreign()]
    if len(mains) != 1:
        raise ApiError(
            400,
            "One file must map its common column to the other object "
            "(toColumnObjectTypeId, or columnObjectTypeId of the other object).",
        )
    return mains[0]


def link(main_draft, linked_entry: FileEntry, mapping: dict) -> None:
    """Set the linked draft's common columns (and association type) from the main file's
    mapping of its common column."""
    linked = linked_entry.draft
    column = str(mapping.get("columnName") or "").strip().lower()
    main_column = next((c for c in main_draft.header if c.strip().lower() == column), "")
    same = [c for c in linked.header if c.strip().lower() == column]
    prop = None if mapping.get("toColumnObjectTypeId") else mapping.get("propertyName")
    if prop:
        mapped = [e["column"] for e in linked.mapping if e.get("property") == prop]
        same = [c for c in same if c in mapped] or mapped
    linked.main_column = main_column
    linked.common_column = same[0] if same else ""
    type_id = ((mapping.get("foreignKeyType") or {}).get("associationTypeId")) or None
    if type_id is not None:
        found = atypes.find_type(main_draft.objects_choice, linked.objects_choice, int(type_id))
        if found is None:
            raise ApiError(
                400,
                f"foreignKeyType.associationTypeId {type_id} does not associate "
                f"{main_draft.objects_choice} with {linked.objects_choice}.",
            )
        linked.association_type_id = found.type_id


def foreign_target(mapping) -> str:
    raw = mapping.get("toColumnObjectTypeId") or mapping.get("columnObjectTypeId")
    return object_name(raw, "columnMappings")
