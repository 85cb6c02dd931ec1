"""The record page's "Export personal data (GDPR)": one JSON file of everything held on a
contact (comptoir/core/records/personal_data.py), for administrators only; anyone else, and
a record that does not exist, get the same 404. Each export is in the audit log."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from comptoir.core.audit import log as audit
from comptoir.core.audit.log import AuditAction
from comptoir.core.objects.registry import get_object_type
from comptoir.core.permissions import has_right
from comptoir.core.records import personal_data
from comptoir.core.records.values import base_queryset, display_name

RIGHT = "can_manage_settings"


def may_export(user, ot) -> bool:
    return ot.personal_data and has_right(user, RIGHT)


@require_GET
def export_personal_data(request, object_type, pk):
    ot = get_object_type(object_type)
    if not may_export(request.user, ot):
        raise Http404
    record = base_queryset(ot, archived=None).filter(pk=pk).first()
    if record is None:
        raise Http404
    document = personal_data.export(ot, record)
    audit.record(
        AuditAction.PERSONAL_DATA_EXPORTED, f"{display_name(ot, record)} ({ot.singular} {pk})"
    )
    body = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{ot.singular}-{pk}-personal-data.json"'
    )
    response["Cache-Control"] = "no-store"
    return response
