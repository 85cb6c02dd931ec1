"""The dashboard's filters (DASH-1), read from the query string so a link reproduces the
page: period (or a custom range), a team member or a team, and a deal pipeline."""

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.core.inputs import digits, parse_day, parse_id
from comptoir.core.pipelines.queries import default_pipeline_id, pipeline_ids
from comptoir.core.portal.services import portal
from comptoir.core.properties.coercion import format_datetime
from comptoir.dashboard.periods import DEFAULT_PERIOD, MAX_CUSTOM_DAYS, PERIODS, Period, period_for
from comptoir.users.models import Owner, Team


def _date(raw: str) -> dt.date | None:
    return parse_day(raw)


@dataclass
class DashboardFilters:
    period: Period
    pipeline: str | None
    who: str = ""  # "", "owner:<owner id>" or "team:<team id>"
    owner_ids: list[int] | None = None  # None: everyone
    errors: list = field(default_factory=list)
    counters_ready: bool | None = field(default=None, compare=False)  # figures.counts_ready
    now: dt.datetime | None = field(default=None, compare=False)  # None: the present moment

    def moment(self) -> dt.datetime:
        """The instant the page is about: meetings later than it have not been held yet."""
        return self.now or timezone.now()

    @classmethod
    def from_request(cls, request, *, now=None) -> "DashboardFilters":
        params = request.GET
        tz = portal().report_time_zone
        errors = []
        key = params.get("period") or DEFAULT_PERIOD
        if key not in PERIODS:
            errors.append(_("Unknown period; showing this month."))
            key = DEFAULT_PERIOD
        first, last = _date(params.get("from", "")), _date(params.get("to", ""))
        if key == "custom":
            problem = None
            if first is None or last is None:
                problem = _("A custom range needs a start and an end date; showing this month.")
            elif last < first:
                problem = _("The end date is before the start date; showing this month.")
            elif (last - first).days > MAX_CUSTOM_DAYS:
                problem = _("A custom range covers at most three years; showing this month.")
            if problem:
                errors.append(problem)
                key = DEFAULT_PERIOD
        period = period_for(key, tz, now=now, first=first, last=last)

        pipeline = params.get("pipeline") or default_pipeline_id()
        if pipeline not in pipeline_ids():
            if params.get("pipeline"):
                errors.append(_("That pipeline no longer exists; showing the default one."))
            pipeline = default_pipeline_id()

        who, owner_ids = _who(params.get("who", ""))
        if params.get("who") and not who:
            errors.append(_("That team member or team no longer exists; showing everyone."))
        return cls(
            period=period,
            pipeline=pipeline,
            who=who,
            owner_ids=owner_ids,
            errors=errors,
            now=now or timezone.now(),  # one instant for every figure of the page
        )

    # -- the search API's filters, shared by the figures and their lists ---------------------

    def owner_filter(self) -> list[dict]:
        if self.owner_ids is None:
            return []
        values = [str(i) for i in self.owner_ids] or ["0"]  # an empty team matches nothing
        if len(values) == 1:
            return [{"propertyName": "hubspot_owner_id", "operator": "EQ", "value": values[0]}]
        return [{"propertyName": "hubspot_owner_id", "operator": "IN", "values": values}]

    def range_filter(self, name: str, *, until_now: bool = False) -> list[dict]:
        """`name` within the period: [start, end), or [start, now) when the period reaches
        past the present moment and `until_now` (what has happened by now)."""
        end = self.period.end
        if until_now:
            end = max(self.period.start, min(end, self.moment()))
        return [
            {"propertyName": name, "operator": "GTE", "value": format_datetime(self.period.start)},
            {"propertyName": name, "operator": "LT", "value": format_datetime(end)},
        ]

    def pipeline_filter(self) -> list[dict]:
        if not self.pipeline:
            return []
        return [{"propertyName": "pipeline", "operator": "EQ", "value": self.pipeline}]

    # -- links -------------------------------------------------------------------------------

    def params(self, **changes) -> dict:
        values = {
            "period": self.period.key,
            "from": self.period.first_day.isoformat() if self.period.key == "custom" else "",
            "to": self.period.last_day.isoformat() if self.period.key == "custom" else "",
            "who": self.who,
            "pipeline": self.pipeline if self.pipeline != default_pipeline_id() else "",
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}

    def query(self, **changes) -> str:
        return urlencode(self.params(**changes))

    @property
    def filtered(self) -> bool:
        return bool(self.who) or self.period.key != DEFAULT_PERIOD


def _who(raw: str) -> tuple[str, list[int] | None]:
    """("owner:12", [12]), ("team:3", [owner ids of its members]) or ("", None)."""
    kind, _sep, ident = raw.partition(":")
    pk = parse_id(ident) if digits(ident) is not None else None
    if pk is None:
        return "", None
    if kind == "owner" and Owner.objects.filter(pk=pk).exists():
        return raw, [pk]
    if kind == "team" and Team.objects.filter(pk=pk).exists():
        ids = Owner.objects.filter(user__teams__id=pk).values_list("pk", flat=True)
        return raw, sorted(ids)
    return "", None


def who_choices() -> dict:
    """The owner/team selector's options: people (active owners with a user) and teams."""
    people = [
        (f"owner:{o.pk}", str(o))
        for o in Owner.objects.filter(archived=False, type=Owner.Type.PERSON).order_by(
            "first_name", "last_name", "email"
        )
    ]
    teams = [(f"team:{t.pk}", t.name) for t in Team.objects.order_by("name")]
    return {"people": people, "teams": teams}
