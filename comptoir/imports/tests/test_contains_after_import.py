"""An import's records are found by a "contains" filter as soon as it ends (issue 16): new
records take the bulk path, which fills the substring indexes per batch on SQLite; updated
ones go through update_record and the indexes' triggers."""

from comptoir.core.search.compiler import filtered_queryset
from comptoir.imports.tests.helpers import csv_bytes, run_import, upload


def _contains(ot, name, value) -> set[int]:
    flt = {"propertyName": name, "operator": "CONTAINS_TOKEN", "value": value}
    return set(
        filtered_queryset(ot, filter_groups=[{"filters": [flt]}]).values_list("pk", flat=True)
    )


def test_imported_and_updated_records_are_found_at_once(importer_user):
    rows = [
        ["Email", "Last name", "City", "Company name"],
        ["a@pontaven.example", "Gauguin", "Pont-Aven", "Atelier Pont-Aven"],
        ["b@pontaven.example", "Sérusier", "Pont-Aven", "Atelier Pont-Aven"],
        ["c@concarneau.example", "Guillou", "Concarneau", "Pêcheries de Concarneau"],
    ]
    imp = run_import(
        upload(importer_user, csv_bytes(rows), objects="contacts+companies"), batch_size=2
    )
    assert (imp.created, imp.failed) == (3, 0)
    aven = _contains("contacts", "city", "*aven*")
    assert len(aven) == 2
    assert len(_contains("contacts", "email", "*.example")) == 3
    assert len(_contains("contacts", "lastname", "*SÉRU*")) == 1
    assert len(_contains("companies", "name", "*concarneau*")) == 1

    rows = [["Email", "City"], ["a@pontaven.example", "Le Pouldu"]]
    imp = run_import(upload(importer_user, csv_bytes(rows)))
    assert imp.updated == 1
    assert len(_contains("contacts", "city", "*aven*")) == 1
    assert len(_contains("contacts", "city", "pouldu")) == 1
