"""Models of the engine, gathered here so Django finds them."""

from comptoir.core.associations.models import Association, AssociationLabel, AssociationLimit
from comptoir.core.audit.models import AuditEvent
from comptoir.core.files.models import StoredFile, StoredFileChunk
from comptoir.core.history.models import PropertyChange
from comptoir.core.pipelines.models import Pipeline, PipelineAudit, PipelineStage
from comptoir.core.portal.models import PortalSettings
from comptoir.core.properties.models import (
    PropertyDefinition,
    PropertyGroup,
    PropertyIndexRequest,
)
from comptoir.core.properties.registry import SchemaVersion
from comptoir.core.records.models import LiveRecordCount
from comptoir.core.savedviews.models import SavedView, ViewPreference
from comptoir.core.scheduling.models import PeriodicJob, WorkerHeartbeat
from comptoir.core.timeline.models import TimelineEvent

__all__ = [
    "Association",
    "AssociationLabel",
    "AssociationLimit",
    "AuditEvent",
    "LiveRecordCount",
    "PeriodicJob",
    "Pipeline",
    "PipelineAudit",
    "PipelineStage",
    "PortalSettings",
    "PropertyChange",
    "PropertyDefinition",
    "PropertyGroup",
    "PropertyIndexRequest",
    "SavedView",
    "SchemaVersion",
    "StoredFile",
    "StoredFileChunk",
    "TimelineEvent",
    "ViewPreference",
    "WorkerHeartbeat",
]
