"""Who works where and who buys what, decided before anything is written.

Records of each type are created in time order over the past year: record `i` of `n`
sits at fraction `(i + u) / n` of the year (u in [0, 1)), mapped onto business hours of
working days. A record only refers to records of earlier fractions (a contact's
company, a deal's contact, an activity's contact or deal), so nothing is mentioned
before it exists, and older companies naturally gather more contacts and deals.

Lifecycle stages need to know each contact's deals before contacts are written, so the
deals are planned first; everything per-contact lives in compact arrays (~25 bytes a
contact) rather than in objects.
"""

import datetime as dt
import random
from array import array
from dataclasses import dataclass, field

from comptoir.demo import texts

DAY = dt.timedelta(days=1)
# Working hours in UTC: 8:00-19:00 in Paris, 8:00-19:00 in New York (winter time).
WORK_START_UTC = (7, 13)
WORK_HOURS = 11

# Contact and company deal flags, the highest one wins.
NO_DEAL, LOST, OPEN, WON = 0, 1, 2, 3


@dataclass(frozen=True)
class Stages:
    pipeline: str
    open: tuple  # stage ids, pipeline order
    won: tuple
    lost: tuple

    def all(self) -> tuple:
        return self.open + self.won + self.lost


@dataclass
class Counts:
    companies: int
    contacts: int
    deals: int
    activities: int


@dataclass
class Plan:
    counts: Counts
    now: dt.datetime
    seed: int
    owners: list  # owner ids as strings, may be empty
    stages: Stages
    days: list = field(default_factory=list)  # working days of the past year, oldest first
    company_lang: bytearray = field(default_factory=bytearray)
    company_owner: array = field(default_factory=lambda: array("i"))  # owner index, -1 = none
    company_flag: bytearray = field(default_factory=bytearray)
    contact_company: array = field(default_factory=lambda: array("i"))  # -1 = free-mail
    contact_lang: bytearray = field(default_factory=bytearray)
    contact_owner: array = field(default_factory=lambda: array("i"))
    contact_flag: bytearray = field(default_factory=bytearray)
    contact_deal: array = field(default_factory=lambda: array("i"))  # latest deal, -1 = none
    deal_contact: array = field(default_factory=lambda: array("i"))
    deal_stage: bytearray = field(default_factory=bytearray)  # index in stages.all()

    def at(self, fraction: float, lang: int, rng_value: float) -> dt.datetime:
        """The moment at `fraction` of the year, in working hours of a working day."""
        position = min(max(fraction, 0.0), 0.999999) * len(self.days)
        day = self.days[int(position)]
        hours = WORK_START_UTC[lang] + (position % 1.0) * WORK_HOURS
        moment = day + dt.timedelta(hours=hours)
        if moment > self.now:  # today's working hours are not over yet
            moment = self.now - dt.timedelta(minutes=1 + 600 * rng_value)
        return moment


def working_days(now: dt.datetime) -> list[dt.datetime]:
    first = (now - 365 * DAY).replace(hour=0, minute=0, second=0, microsecond=0)
    days, day = [], first
    while day <= now:
        if day.weekday() < 5:
            days.append(day)
        day += DAY
    return days


def earlier(index: int, count: int, of: int) -> int:
    """How many of `of` records come before record `index` of `count` (at least 1)."""
    return max(1, of * index // max(count, 1))


def make_plan(counts: Counts, *, seed: int, now: dt.datetime, owners: list, stages: Stages):
    plan = Plan(counts, now, seed, list(owners), stages, days=working_days(now))
    rng = random.Random(f"{seed}-plan")
    _plan_companies(plan, rng)
    _plan_contacts(plan, rng)
    _plan_deals(plan, rng)
    return plan


def _owner(rng, owners, share=0.85) -> int:
    if not owners or rng.random() >= share:
        return -1
    return int(rng.random() * len(owners))


def _plan_companies(plan: Plan, rng) -> None:
    n = plan.counts.companies
    plan.company_lang = bytearray(texts.FR if rng.random() < 0.6 else texts.EN for _ in range(n))
    plan.company_owner = array("i", (_owner(rng, plan.owners, 0.9) for _ in range(n)))
    plan.company_flag = bytearray(n)


def _plan_contacts(plan: Plan, rng) -> None:
    n, m = plan.counts.contacts, plan.counts.companies
    r = rng.random
    company, lang, owner = array("i", [-1]) * n, bytearray(n), array("i", [-1]) * n
    for i in range(n):
        if m and r() < 0.78:
            j = int(r() * earlier(i, n, m))
            company[i] = j
            lang[i] = plan.company_lang[j] if r() < 0.92 else 1 - plan.company_lang[j]
            o = plan.company_owner[j]
            owner[i] = o if o >= 0 and r() < 0.9 else _owner(rng, plan.owners)
        else:
            lang[i] = texts.FR if r() < 0.6 else texts.EN
            owner[i] = _owner(rng, plan.owners, 0.7)
    plan.contact_company, plan.contact_lang, plan.contact_owner = company, lang, owner
    plan.contact_flag = bytearray(n)
    plan.contact_deal = array("i", [-1]) * n


def _plan_deals(plan: Plan, rng) -> None:
    n, d = plan.counts.contacts, plan.counts.deals
    if not n:
        plan.counts.deals = 0
        return
    r = rng.random
    stages = plan.stages
    n_open = len(stages.open)
    open_weights = [n_open - k for k in range(n_open)]  # early stages hold more deals
    open_pick = [k for k, w in enumerate(open_weights) for _ in range(w)]
    deal_contact, deal_stage = array("i", [0]) * d, bytearray(d)
    for k in range(d):
        before = earlier(k, d, n)
        i = int(r() * before)
        for _ in range(3):  # sales is mostly B2B: prefer contacts with a company
            if plan.contact_company[i] >= 0 or r() < 0.2:
                break
            i = int(r() * before)
        age = 1.0 - k / d  # 1 = a year old, 0 = today
        closes = r() < 0.1 + 0.8 * age or not open_pick
        if closes and (stages.won or stages.lost):
            won = stages.won and (not stages.lost or r() < 0.45)
            if won:
                stage, flag = n_open + int(r() * len(stages.won)), WON
            else:
                stage, flag = n_open + len(stages.won) + int(r() * len(stages.lost)), LOST
        else:
            stage, flag = open_pick[int(r() * len(open_pick))], OPEN
        deal_contact[k], deal_stage[k] = i, stage
        plan.contact_deal[i] = k
        plan.contact_flag[i] = max(plan.contact_flag[i], flag)
        j = plan.contact_company[i]
        if j >= 0:
            plan.company_flag[j] = max(plan.company_flag[j], flag)
    plan.deal_contact, plan.deal_stage = deal_contact, deal_stage
