"""The only way timeline events are created: one small factory per event type."""

from comptoir.core.timeline.models import EventType, TimelineEvent


def _event(ot, object_id, event_type, at, source, **data) -> TimelineEvent:
    if source.is_automation:
        data["automation"] = source.id or ""  # its own author on the timeline
    return TimelineEvent.objects.create(
        object_type=ot.type_id,
        object_id=object_id,
        event_type=event_type,
        occurred_at=at,
        actor_id=source.actor_id,
        data=data,
    )


def stage_changed(ot, object_id, at, source, *, old, new, pipeline):
    return _event(
        ot, object_id, EventType.STAGE_CHANGED, at, source, old=old, new=new, pipeline=pipeline
    )


def owner_changed(ot, object_id, at, source, *, old, new):
    return _event(ot, object_id, EventType.OWNER_CHANGED, at, source, old=old, new=new)


def lifecycle_changed(ot, object_id, at, source, *, old, new):
    return _event(ot, object_id, EventType.LIFECYCLE_CHANGED, at, source, old=old, new=new)


def merged(ot, object_id, at, source, *, merged_id):
    return _event(ot, object_id, EventType.MERGED, at, source, merged_id=merged_id)


def archived(ot, object_id, at, source):
    return _event(ot, object_id, EventType.ARCHIVED, at, source)


def restored(ot, object_id, at, source):
    return _event(ot, object_id, EventType.RESTORED, at, source)


def sequence_changed(ot, object_id, at, source, *, action, sequence_id, sequence, reason=""):
    """A contact enrolled in a sequence, paused, resumed, unenrolled (`reason`: replied,
    bounced, meeting_booked, by_hand...) or finished (TOOL-5)."""
    return _event(
        ot,
        object_id,
        EventType.SEQUENCE,
        at,
        source,
        action=action,
        sequence_id=sequence_id,
        sequence=sequence,
        reason=reason,
    )


def document_viewed(ot, object_id, at, source, *, name, who, document_id):
    """A contact opened a document's share link (comptoir/documents)."""
    return _event(
        ot,
        object_id,
        EventType.DOCUMENT_VIEWED,
        at,
        source,
        name=name,
        who=who,
        document_id=document_id,
    )


def website_visited(ot, object_id, at, source, *, pages: int, first_page: str, url: str):
    """The contact visited the company's website (TOOL-6: the snippet's page views, the
    visitor identified): when the visit began, how many pages, the first one's title."""
    return _event(
        ot,
        object_id,
        EventType.WEBSITE_VISIT,
        at,
        source,
        pages=pages,
        first_page=first_page,
        url=url,
    )
