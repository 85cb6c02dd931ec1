"""A hand-over cut short by a killed worker is run again until it is complete (issue
13). The kill is simulated by an exception nothing catches, raised between two records."""

import datetime as dt

import pytest
from django.utils import timezone

from comptoir.core.history.source import ChangeSource
from comptoir.core.records import writes
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_contact, make_user
from comptoir.users import deactivation, tasks
from comptoir.users.services import create_user

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """The process stops here."""


def test_a_hand_over_killed_half_way_is_finished_by_the_recovery(monkeypatch):
    admin = create_user("boss@example.com", "Str0ng-pass-1", is_admin=True)
    leaving = make_user("leaving@example.com")
    heir = make_user("heir@example.com")
    for n in range(3):
        make_contact(email=f"c{n}@example.com", hubspot_owner_id=str(leaving.owner.pk))
    deactivation.deactivate(
        leaving, transfer_to=heir, source=ChangeSource.for_user(admin), later=True
    )
    update_record, calls = writes.update_record, []

    def killed_at_the_second(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise Killed
        return update_record(*args, **kwargs)

    monkeypatch.setattr(writes, "update_record", killed_at_the_second)
    with pytest.raises(Killed):
        tasks.hand_over_records.call(leaving.pk, heir.pk, admin.pk)
    monkeypatch.setattr(writes, "update_record", update_record)
    owners = base_queryset("contacts").values_list("hubspot_owner_id", flat=True)
    assert sorted(owners) == sorted([leaving.owner.pk] * 2 + [heir.owner.pk])
    # Still pending: the recovery queues it again once it has been silent long enough.
    now = timezone.now()
    assert tasks.resume_hand_overs(now) == []
    later = now + tasks.HAND_OVER_STALL + dt.timedelta(seconds=1)
    assert tasks.resume_hand_overs(later) == [leaving.pk]
    assert tasks.resume_hand_overs(later) == []  # queued once, by one scheduler
    tasks.hand_over_records.call(leaving.pk, heir.pk, admin.pk)
    assert list(owners.all()) == [heir.owner.pk] * 3
    assert tasks.resume_hand_overs(later + 2 * tasks.HAND_OVER_STALL) == []
