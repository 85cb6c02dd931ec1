"""Column → property matching: a column named like a property (its internal name, its
English or French label, or a common synonym) is mapped to it without asking."""

from comptoir.core.objects.registry import UnknownObjectType, get_object_type, import_types
from comptoir.core.properties import registry
from comptoir.imports.values import fold

# The object choices of the wizard: each importable type (its `imports` facts: synonyms,
# natural key, file order), and contacts with their companies in one file.
CONTACTS_AND_COMPANIES = "contacts+companies"


def object_choices() -> dict[str, tuple[str, ...]]:
    choices = {ot.name: (ot.name,) for ot in import_types()}
    choices[CONTACTS_AND_COMPANIES] = ("contacts", "companies")
    return choices


def file_order() -> tuple[str, ...]:
    """Several files joined by a common column: the file of the first of these object types
    is the main one, whose rows are associated with the records of the others."""
    return tuple(ot.name for ot in sorted(import_types(), key=lambda ot: ot.imports.file_order))


def natural_key(object_type) -> str | None:
    """The column that finds an existing record (a contact's email)."""
    try:
        imports = get_object_type(object_type).imports
    except UnknownObjectType:
        return None
    return (imports.natural_key or None) if imports else None


def _synonyms(object_type) -> dict:
    """Headers spreadsheets use that are neither the name nor a label of the property."""
    imports = get_object_type(object_type).imports
    return imports.synonyms if imports else {}


# In a contacts-and-companies file, these columns describe the company, not the contact.
COMPANY_COLUMNS_IN_CONTACT_FILES = {"name", "domain"}


def importable(defn) -> bool:
    return not defn.read_only_value or defn.name == "hs_object_id"


def candidates(object_type) -> dict:
    """{folded header: property name} for one object type, strongest match last wins."""
    defs = registry.definitions(object_type)
    table: dict = {}
    for name, defn in defs.items():
        if not importable(defn) or (defn.hidden and defn.name != "hs_object_id"):
            continue
        for text in (defn.label, defn.label_fr):
            if text:
                table.setdefault(fold(text), name)
    for name, words in _synonyms(object_type).items():
        if name in defs:
            for word in words:
                table[fold(word)] = name
    for name, defn in defs.items():
        if importable(defn):
            table[fold(name)] = name
    table[fold("record id")] = "hs_object_id"
    table[fold("id")] = "hs_object_id"
    return table


def auto_map(header: list[str], object_types) -> list[dict]:
    """One mapping entry per column: {"column", "object_type", "property"} ("" = skip)."""
    object_types = list(object_types)
    tables = {ot: candidates(ot) for ot in object_types}
    mapping, taken = [], set()
    for column in header:
        key = fold(column)
        entry = {"column": column, "object_type": object_types[0], "property": ""}
        order = object_types
        if "companies" in object_types and "contacts" in object_types:
            company_name = tables["companies"].get(key)
            contact_name = tables["contacts"].get(key)
            # "Entreprise" names the company; "Nom" stays the contact's last name.
            if company_name in COMPANY_COLUMNS_IN_CONTACT_FILES and (
                contact_name in (None, "company", "website")
            ):
                order = ["companies", "contacts"]
        for ot in order:
            name = tables[ot].get(key)
            if name and (ot, name) not in taken:
                entry = {"column": column, "object_type": ot, "property": name}
                taken.add((ot, name))
                break
        mapping.append(entry)
    return mapping


def identifies(object_type, name) -> bool:
    """Whether a property's value finds one record: what a common column must be mapped to
    in the file of the records it points at (a company's name counts, as in HubSpot)."""
    defn = registry.definitions(object_type).get(name)
    if defn is None:
        return False
    return (
        name == "hs_object_id"
        or natural_key(object_type) == name
        or defn.has_unique_value
        or (str(object_type) == "companies" and name == "name")
    )


def guess_common_columns(main_header, linked) -> tuple[str, str]:
    """(main file column, linked file column) holding the same values: a header both files
    have (the one the linked file maps to an identifying property first), else the main
    column named like the linked file's identifying property ("Company domain" → domain);
    else the linked file's identifying column alone, for the user to pick its match."""
    ot = linked.objects_choice
    entries = [
        e
        for e in linked.mapping
        if e.get("property") and e.get("object_type") == ot and identifies(ot, e["property"])
    ]
    # A company's name is the weakest identifier: a domain name or an id comes first.
    keyed = [e["column"] for e in sorted(entries, key=lambda e: e["property"] == "name")]
    main_by_fold = {fold(c): c for c in main_header}
    for column in [*keyed, *linked.header]:
        if fold(column) in main_by_fold:
            return main_by_fold[fold(column)], column
    table = candidates(ot)
    for column in keyed:
        prop = next(e["property"] for e in linked.mapping if e["column"] == column)
        for main_column in main_header:
            if table.get(fold(main_column)) == prop:
                return main_column, column
    return "", keyed[0] if keyed else ""
