"""A contacts import through the HubSpot SDK and what it left in the database, for the
tests that kill a worker in the middle of one (test_locks.py,
core/tests/test_several_processes.py)."""

import json

# Every contact the import made, each email's history rows from the import, and the lines
# of its committed batches.
COUNT = """
import json
from comptoir.core.history.models import PropertyChange, SourceType
from comptoir.core.records.values import base_queryset
from comptoir.imports.models import ImportBatch
emails = list(base_queryset("contacts").values_list("email", flat=True))
history = PropertyChange.objects.filter(source_type=SourceType.IMPORT, property="email")
batches = list(ImportBatch.objects.order_by("first_line").values_list("first_line", "last_line"))
print(json.dumps([len(emails), len(set(emails)), history.count(), batches]))
"""


def create_contacts_import(hubspot, path, rows: int, name: str):
    """Write a CSV of `rows` contacts at `path` and import it (emails only); returns the
    SDK's answer (its `id`)."""
    with path.open("w") as handle:
        handle.write("Email,First name\r\n")
        handle.writelines(f"p{i}@example.com,Person {i}\r\n" for i in range(rows))
    mapping = {"columnName": "Email", "columnObjectTypeId": "0-1", "propertyName": "email"}
    request = {
        "name": name,
        "files": [
            {"fileName": path.name, "fileImportPage": {"columnMappings": [mapping]}},
        ],
    }
    return hubspot.crm.imports.core_api.create(
        files=[str(path)], import_request=json.dumps(request)
    )


def import_state(hubspot, import_id) -> tuple[str, int]:
    """(state, contacts created so far) as the API answers them."""
    found = hubspot.crm.imports.core_api.get_by_id(import_id)
    return found.state, found.metadata.counters.get("CREATED_OBJECTS", 0)


def assert_imported_exactly(site, rows: int) -> None:
    """Each row's contact once, with one history row, every line in one committed batch."""
    contacts, emails, history, batches = json.loads(site.python(COUNT).strip().splitlines()[-1])
    assert (contacts, emails, history) == (rows, rows, rows)  # no row twice, none lost
    lines = [line for first_line, last in batches for line in range(first_line, last + 1)]
    assert lines == list(range(2, rows + 2))
