"""Property rows for companies, contacts and deals, following the plan.

Every `*_row` method returns `(properties, created_at, associations)` for one record
and only uses plain `random` on pre-drawn pools: a few microseconds a row.
"""

import datetime as dt
import random
from array import array

from comptoir.demo import plan as p
from comptoir.demo import texts
from comptoir.demo.emails import DomainMaker, EmailMaker
from comptoir.demo.pools import phone, slug, weighted

HOUR = dt.timedelta(hours=1)
COMMON_INDUSTRIES = weighted(
    (
        ("COMPUTER_SOFTWARE", 8),
        ("INFORMATION_TECHNOLOGY_AND_SERVICES", 8),
        ("MANAGEMENT_CONSULTING", 5),
        ("MARKETING_AND_ADVERTISING", 4),
        ("FINANCIAL_SERVICES", 4),
        ("RETAIL", 4),
        ("CONSTRUCTION", 3),
        ("REAL_ESTATE", 3),
        ("HOSPITAL_HEALTH_CARE", 3),
        ("LOGISTICS_AND_SUPPLY_CHAIN", 3),
        ("FOOD_BEVERAGES", 3),
        ("INSURANCE", 2),
        ("EDUCATION_MANAGEMENT", 2),
        ("TELECOMMUNICATIONS", 2),
        ("AUTOMOTIVE", 2),
        ("HOSPITALITY", 2),
        ("LEGAL_SERVICES", 2),
        ("STAFFING_AND_RECRUITING", 2),
        ("INTERNET", 2),
        ("MACHINERY", 1),
        ("PHARMACEUTICALS", 1),
        ("WHOLESALE", 1),
        ("UTILITIES", 1),
        ("NON_PROFIT_ORGANIZATION_MANAGEMENT", 1),
    )
)
COMPANY_TYPES = weighted(texts.COMPANY_TYPES)
# (smallest, largest) head counts, weighted towards small businesses
HEADCOUNTS = weighted((((1, 10), 25), ((11, 50), 30), ((51, 200), 22), ((201, 1000), 14),
                       ((1001, 5000), 6), ((5001, 20000), 3)))  # fmt: skip
NAME_PREFIXES = (
    ("Horizon", "Azur", "Atlantique", "Nova", "Cap", "Alpha", "Hexa", "Optima"),
    ("Summit", "Blue Ridge", "Northstar", "Pioneer", "Bright", "Red Oak", "Harbor", "Apex"),
)
US_TIMEZONES = {"CA": "America/Los_Angeles", "WA": "America/Los_Angeles",
                "OR": "America/Los_Angeles", "TX": "America/Chicago", "IL": "America/Chicago",
                "MN": "America/Chicago", "TN": "America/Chicago", "CO": "America/Denver",
                "UT": "America/Denver", "AZ": "America/Phoenix"}  # fmt: skip
LEAD_STAGES = weighted((("subscriber", 20), ("lead", 50), ("marketingqualifiedlead", 20),
                        ("salesqualifiedlead", 10)))  # fmt: skip
LEAD_STATUSES = weighted((("NEW", 30), ("OPEN", 20), ("IN_PROGRESS", 12),
                          ("ATTEMPTED_TO_CONTACT", 20), ("CONNECTED", 10), ("UNQUALIFIED", 5),
                          ("BAD_TIMING", 3)))  # fmt: skip
LOST_REASONS = (
    ("Budget insuffisant", "Choix d'un concurrent", "Projet reporté", "Pas de réponse"),
    ("No budget", "Went with a competitor", "Project postponed", "Went dark"),
)
WON_REASONS = (
    ("Meilleur rapport qualité-prix", "Démo convaincante", "Recommandation client"),
    ("Best value for money", "Convincing demo", "Customer referral"),
)


def pick(rng, seq):
    return seq[int(rng.random() * len(seq))]


class DemoRecords:
    """Generates the CRM records of one plan; remembers what later records refer to."""

    def __init__(self, plan: p.Plan, pools):
        self.plan, self.pools = plan, pools
        c = plan.counts
        self.rngs = {
            name: random.Random(f"{plan.seed}-{name}")
            for name in ("companies", "contacts", "deals", "activities")
        }
        self.domains = DomainMaker()
        self.emails = EmailMaker(c.contacts)
        self.company_id = array("q", [0]) * c.companies  # 0 = not created
        self.company_name: list[str] = [""] * c.companies
        self.company_domain: list[str] = [""] * c.companies
        self.company_city: list = [None] * c.companies
        self.contact_id = array("q", [0]) * c.contacts
        self.contact_first = array("H", [0]) * c.contacts
        self.contact_last = array("H", [0]) * c.contacts
        self.deal_id = array("q", [0]) * c.deals

    # -- helpers ---------------------------------------------------------------------------

    def owner(self, index: int) -> dict:
        return {"hubspot_owner_id": self.plan.owners[index]} if index >= 0 else {}

    def contact_name(self, i: int) -> tuple[str, str]:
        pool = self.pools[self.plan.contact_lang[i]]
        return pool.first_names[self.contact_first[i]], pool.last_names[self.contact_last[i]]

    def contact_company_label(self, i: int) -> str:
        j = self.plan.contact_company[i]
        return self.company_name[j] if j >= 0 else " ".join(self.contact_name(i))

    def live_contact(self, i: int) -> int:
        """`i`, or the nearest earlier contact that was created (rows can be refused)."""
        while i > 0 and not self.contact_id[i]:
            i -= 1
        return i

    # -- companies -------------------------------------------------------------------------

    def _company_name(self, rng, lang: int, pool) -> tuple[str, str]:
        roll = rng.random()
        last = pick(rng, pool.last_names)
        if roll < 0.3:
            return pick(rng, pool.company_names), pick(rng, COMMON_INDUSTRIES)
        sector = pick(rng, texts.SECTORS)
        word, industry = sector[lang], sector[2]
        if roll < 0.6:
            if lang == texts.FR:
                legal = pick(rng, texts.LEGAL_FR)
                return f"{last} {word} {legal}".strip(), industry
            return f"{last} {word}" + pick(rng, ("", "", " Inc", " LLC")), industry
        if roll < 0.75:
            return f"{pick(rng, NAME_PREFIXES[lang])} {word}", industry
        if roll < 0.88:
            joiner = " & " if lang == texts.EN or rng.random() < 0.5 else " et "
            return f"{last}{joiner}{pick(rng, pool.last_names)}", pick(rng, COMMON_INDUSTRIES)
        group = "Groupe" if lang == texts.FR else "Group"
        name = f"{group} {last}" if lang == texts.FR else f"{last} {group}"
        return name, pick(rng, COMMON_INDUSTRIES)

    def company_row(self, j: int):
        plan, rng = self.plan, self.rngs["companies"]
        r = rng.random
        lang = plan.company_lang[j]
        pool = self.pools[lang]
        name, industry = self._company_name(rng, lang, pool)
        domain = self.domains.claim(name, lang, rng)
        city = pick(rng, pool.cities)
        low, high = pick(rng, HEADCOUNTS)
        employees = int(low * (high / low) ** r())
        revenue = round(employees * (60_000 + 240_000 * r()), -4) or 50_000
        if lang == texts.FR:
            tz = "Europe/Paris"
        else:
            tz = US_TIMEZONES.get(city[2], "America/New_York")
        flag = plan.company_flag[j]
        if flag == p.WON:
            stage = "customer"
        elif flag == p.OPEN:
            stage = "opportunity"
        elif flag == p.LOST:
            stage = "salesqualifiedlead"
        else:
            stage = "lead" if r() < 0.75 else "marketingqualifiedlead"
        row = {
            "name": name,
            "domain": domain,
            "industry": industry,
            "type": pick(rng, COMPANY_TYPES),
            "phone": phone(rng, lang, city[3], mobile=False),
            "website": f"https://www.{domain}",
            "address": pick(rng, pool.streets),
            "city": city[0],
            "zip": city[1],
            "state": city[2],
            "country": texts.COUNTRIES[lang],
            "numberofemployees": employees,
            "annualrevenue": int(revenue),
            "timezone": tz,
            "linkedin_company_page": f"https://www.linkedin.com/company/{slug(name, '-')}",
            "lifecyclestage": stage,
            **self.owner(plan.company_owner[j]),
        }
        self.company_name[j], self.company_domain[j], self.company_city[j] = name, domain, city
        created = plan.at((j + r()) / plan.counts.companies, lang, r())
        return row, created, []

    def company_written(self, j: int, row: dict) -> None:
        """The domain may have changed on the way in (it existed already): contacts follow."""
        self.company_domain[j] = row["domain"]

    # -- contacts --------------------------------------------------------------------------

    def contact_row(self, i: int):
        plan, rng = self.plan, self.rngs["contacts"]
        r = rng.random
        lang, j = plan.contact_lang[i], plan.contact_company[i]
        pool = self.pools[lang]
        fi, li = int(r() * len(pool.first_names)), int(r() * len(pool.last_names))
        self.contact_first[i], self.contact_last[i] = fi, li
        first, last = pool.first_names[fi], pool.last_names[li]
        row = {"firstname": first, "lastname": last}
        links = []
        if j >= 0:
            row["email"] = self.emails.claim(
                EmailMaker.work_local(rng, first, last), self.company_domain[j]
            )
            row["company"] = self.company_name[j]
            city = self.company_city[j] if r() < 0.85 else pick(rng, pool.cities)
            titled = 0.95
            if self.company_id[j]:
                links.append(("companies", self.company_id[j], [1]))
        else:
            local = EmailMaker.personal_local(rng, first, last)
            row["email"] = self.emails.claim(local, pick(rng, pool.freemail))
            city = pick(rng, pool.cities)
            titled = 0.35
        if r() < titled:
            if lang == texts.FR:
                row["jobtitle"] = pick(rng, texts.JOB_TITLES_FR)[pool.is_female(fi)]
            else:
                row["jobtitle"] = pick(rng, texts.JOB_TITLES_EN)
        if r() < 0.6:
            row["phone"] = phone(rng, lang, city[3], mobile=False)
        if r() < 0.45:
            row["mobilephone"] = phone(rng, lang, city[3], mobile=True)
        row["city"] = city[0]
        if r() < 0.5:
            row["zip"] = city[1]
        row["country"] = texts.COUNTRIES[lang]
        row.update(self._lifecycle(rng, plan.contact_flag[i]))
        row.update(self.owner(plan.contact_owner[i]))
        created = plan.at((i + r()) / plan.counts.contacts, lang, r())
        return row, created, links

    @staticmethod
    def _lifecycle(rng, flag: int) -> dict:
        if flag == p.WON:
            return {"lifecyclestage": "customer", "hs_lead_status": "CONNECTED"}
        if flag == p.OPEN:
            return {"lifecyclestage": "opportunity", "hs_lead_status": "OPEN_DEAL"}
        if flag == p.LOST:
            status = pick(rng, ("UNQUALIFIED", "BAD_TIMING", "CONNECTED"))
            return {"lifecyclestage": "salesqualifiedlead", "hs_lead_status": status}
        stage = pick(rng, LEAD_STAGES)
        if stage == "subscriber":
            return {"lifecyclestage": stage}
        return {"lifecyclestage": stage, "hs_lead_status": pick(rng, LEAD_STATUSES)}

    # -- deals -----------------------------------------------------------------------------

    def deal_row(self, k: int):
        plan, rng = self.plan, self.rngs["deals"]
        r = rng.random
        i = self.live_contact(plan.deal_contact[k])
        j = plan.contact_company[i]
        lang = plan.contact_lang[i]
        stages = plan.stages
        n_open, n_won = len(stages.open), len(stages.won)
        s = plan.deal_stage[k]
        stage_id = stages.all()[s]
        created = plan.at((k + r()) / plan.counts.deals, lang, r())
        product = pick(rng, texts.PRODUCTS[lang])
        big = j >= 0 and r() < 0.3
        amount = int(round(rng.lognormvariate(9.6 if big else 8.6, 0.8), -2)) or 500
        row = {
            "dealname": f"{self.contact_company_label(i)} - {product}",
            "amount": amount,
            "dealstage": stage_id,
            "pipeline": stages.pipeline,
            "dealtype": "newbusiness" if r() < 0.7 else "existingbusiness",
            "hs_priority": "high"
            if amount > 25_000 and r() < 0.6
            else pick(rng, ("low", "medium")),
            "deal_currency_code": "EUR" if lang == texts.FR else "USD",
        }
        if s < n_open:
            close = plan.now + dt.timedelta(days=-20 + 140 * r())
            if close < created + 7 * p.DAY:
                close = created + (7 + 30 * r()) * p.DAY
            row["hs_next_step"] = pick(rng, texts.NEXT_STEPS[lang]).format(
                day=pick(rng, texts.WEEKDAYS[lang])
            )
        else:
            close = min(created + (3 + 110 * r()) * p.DAY, plan.now - HOUR * (1 + 48 * r()))
            close = max(close, created + HOUR)
            reasons = WON_REASONS if s < n_open + n_won else LOST_REASONS
            key = "closed_won_reason" if s < n_open + n_won else "closed_lost_reason"
            row[key] = pick(rng, reasons[lang])
        row["closedate"] = close
        row.update(self.owner(plan.contact_owner[i] if r() < 0.9 else _any(rng, plan.owners)))
        links = [("contacts", self.contact_id[i], None)]
        if j >= 0 and self.company_id[j]:
            links.append(("companies", self.company_id[j], [5]))
        return row, created, links


def _any(rng, owners) -> int:
    return int(rng.random() * len(owners)) if owners else -1
