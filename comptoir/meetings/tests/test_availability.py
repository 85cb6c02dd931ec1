"""Free times of a booking link (TOOL-7): working hours in the host's zone, clocks that
change, busy times (CRM meetings the host owns, bookings) widened by buffers, minimum
notice and horizon."""

import datetime as dt
import zoneinfo

import pytest

from comptoir.core.testing.factories import make_activity, make_user
from comptoir.meetings.availability import slots
from comptoir.meetings.models import MeetingLink

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
UTC = dt.UTC


def paris(y, m, d, h, minute=0) -> dt.datetime:
    return dt.datetime(y, m, d, h, minute, tzinfo=PARIS).astimezone(UTC)


@pytest.fixture
def link(db):
    host = make_user("host@example.com")
    return MeetingLink.objects.create(
        user=host,
        slug="host",
        title="Découverte",
        duration_minutes=30,
        hours={
            "mon": [["09:00", "12:00"]],
            "tue": [["09:00", "10:00"]],
            "sun": [["01:00", "04:00"]],
        },
        minimum_notice_minutes=0,
        horizon_days=60,
    )


def test_a_days_free_times_are_its_working_hours_in_the_hosts_zone(link):
    monday = dt.date(2027, 1, 4)
    free = slots(link, monday, 2, now=paris(2027, 1, 1, 0))
    assert free[monday][0] == paris(2027, 1, 4, 9) and free[monday][-1] == paris(2027, 1, 4, 11, 30)
    assert len(free[monday]) == 11  # 9:00 to 11:30, every 15 minutes
    tuesday = monday + dt.timedelta(days=1)
    assert free[tuesday] == [
        paris(2027, 1, 5, 9),
        paris(2027, 1, 5, 9, 15),
        paris(2027, 1, 5, 9, 30),
    ]


def test_a_day_when_clocks_change_keeps_its_wall_clock_hours(link):
    # 28 March 2027: Paris skips from 2:00 to 3:00. The window 1:00-4:00 is two real hours.
    sunday = dt.date(2027, 3, 28)
    free = slots(link, sunday, 1, now=paris(2027, 3, 1, 0))[sunday]
    assert free[0] == paris(2027, 3, 28, 1) and free[0].hour == 0  # 1:00 CET is 0:00 UTC
    assert free[-1] == paris(2027, 3, 28, 3, 30)  # 3:30 CEST is 1:30 UTC
    assert (free[-1] + dt.timedelta(minutes=30)) - free[0] == dt.timedelta(hours=2)


def test_meetings_the_host_owns_and_buffers_take_times_away(link):
    link.buffer_before_minutes = link.buffer_after_minutes = 15
    link.save()
    make_activity(
        "meetings",
        hs_meeting_title="Point client",
        hs_meeting_start_time="2027-01-04T09:30:00Z",  # 10:30 in Paris
        hs_meeting_end_time="2027-01-04T10:00:00Z",
        hs_timestamp="2027-01-04T09:30:00Z",
        hubspot_owner_id=str(link.user.owner.pk),
    )
    other = make_user("other@example.com")
    make_activity(  # another rep's meeting does not keep the host busy
        "meetings",
        hs_meeting_start_time="2027-01-04T08:00:00Z",
        hs_meeting_end_time="2027-01-04T09:00:00Z",
        hubspot_owner_id=str(other.owner.pk),
    )
    monday = dt.date(2027, 1, 4)
    free = {
        t.astimezone(PARIS).strftime("%H:%M")
        for t in slots(link, monday, 1, now=paris(2027, 1, 1, 0))[monday]
    }
    # 10:30-11:00 busy, widened by 15 minutes each side: 10:00 (ends 10:30 + 15) is out.
    assert "09:30" in free and "09:45" in free
    assert not free & {"10:00", "10:15", "10:30", "10:45", "11:00"}
    assert "11:15" in free and "09:00" in free


def test_minimum_notice_and_horizon(link):
    link.minimum_notice_minutes = 120
    link.horizon_days = 3
    link.save()
    monday = dt.date(2027, 1, 4)
    free = slots(link, monday, 8, now=paris(2027, 1, 4, 8, 50))
    assert free[monday][0] == paris(2027, 1, 4, 11)  # 8:50 + 2 h, on the next quarter
    assert free[monday + dt.timedelta(days=7)] == []  # beyond 3 days
