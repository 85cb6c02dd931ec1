"""Property rows for notes, tasks, calls, meetings and emails, in the contacts' language.

Each activity belongs to a contact (and the contact's company); about a third are about
one of the contact's deals and are associated with it too.
"""

import datetime as dt
from html import escape

from comptoir.demo import texts
from comptoir.demo.pools import weighted
from comptoir.demo.records import DemoRecords, pick

MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)
KINDS = weighted((("notes", 30), ("tasks", 25), ("calls", 25), ("meetings", 12), ("emails", 8)))
DISPOSITIONS = weighted(
    (
        ("f240bbac-87c9-4f6e-bf70-924b57d47db7", 55),  # connected
        ("73a0d17f-1163-4015-bdd5-ec830791da20", 15),  # no answer
        ("b2cf5968-551e-4856-9783-52b3da59a7d0", 15),  # left voicemail
        ("a4c4c377-d246-4b32-a13b-75a56a4cd0ff", 6),  # left live message
        ("9d9162e7-6cf3-4944-bf63-4dff82258764", 6),  # busy
        ("17b47fee-58de-441e-a44c-c6300d46f273", 3),  # wrong number
    )
)
CONNECTED = DISPOSITIONS[0]
PAST_MEETINGS = weighted((("COMPLETED", 76), ("NO_SHOW", 8), ("RESCHEDULED", 9), ("CANCELED", 7)))
OPEN_TASKS = weighted((("NOT_STARTED", 60), ("IN_PROGRESS", 25), ("WAITING", 10), ("DEFERRED", 5)))
TASK_PRIORITIES = weighted((("NONE", 20), ("LOW", 25), ("MEDIUM", 35), ("HIGH", 20)))


class DemoActivities:
    def __init__(self, records: DemoRecords):
        self.records = records
        self.plan = records.plan
        self.rng = records.rngs["activities"]

    def _context(self, i: int, lang: int) -> dict:
        rng = self.rng
        first, last = self.records.contact_name(i)
        return {
            "first": first,
            "last": last,
            "company": self.records.contact_company_label(i),
            "product": pick(rng, texts.PRODUCTS[lang]).lower(),
            "day": pick(rng, texts.WEEKDAYS[lang]),
            "n": 3 + int(rng.random() * 40),
        }

    def row(self, a: int):
        """(object type, properties, created_at, associations) of activity `a`."""
        plan, rec, r = self.plan, self.records, self.rng.random
        counts = plan.counts
        deals_before = counts.deals * a // max(counts.activities, 1)
        deal = -1
        if deals_before and r() < 0.35:
            deal = int(r() * deals_before)
            i = plan.deal_contact[deal]
        else:
            i = int(r() * max(1, counts.contacts * a // max(counts.activities, 1)))
            latest = plan.contact_deal[i]
            if 0 <= latest < deals_before and r() < 0.5:
                deal = latest
        i = rec.live_contact(i)
        lang = plan.contact_lang[i]
        kind = pick(self.rng, KINDS)
        created = plan.at((a + r()) / counts.activities, lang, r())
        ctx = self._context(i, lang)
        row = getattr(self, kind)(lang, created, ctx)
        owner = plan.contact_owner[i]
        if owner < 0 or r() < 0.15:
            owner = int(r() * len(plan.owners)) if plan.owners and r() < 0.9 else -1
        row.update(rec.owner(owner))
        links = [("contacts", rec.contact_id[i], None)] if rec.contact_id[i] else []
        j = plan.contact_company[i]
        if j >= 0 and rec.company_id[j]:
            links.append(("companies", rec.company_id[j], None))
        if deal >= 0 and rec.deal_id[deal]:
            links.append(("deals", rec.deal_id[deal], None))
        return kind, row, created, links

    # -- one method per activity type ------------------------------------------------------

    def notes(self, lang, created, ctx) -> dict:
        rng = self.rng
        body = f"<p>{escape(pick(rng, texts.NOTES[lang]).format(**ctx), quote=False)}</p>"
        if rng.random() < 0.5:
            step = escape(pick(rng, texts.NEXT_STEPS[lang]).format(**ctx), quote=False)
            body += f"<p>{step}</p>"
        return {"hs_timestamp": created, "hs_note_body": body}

    def tasks(self, lang, created, ctx) -> dict:
        rng, now = self.rng, self.plan.now
        r = rng.random
        subject, task_type = pick(rng, texts.TASKS[lang])
        if r() < 0.12:  # a follow-up planned weeks ahead
            due = now + (1 + 60 * r()) * DAY
        else:
            due = created + (45 * r()) * DAY
        if due < now:
            status = "COMPLETED" if r() < 0.75 else pick(rng, OPEN_TASKS)  # else overdue
        else:
            status = pick(rng, OPEN_TASKS[:85])  # upcoming: not started or in progress
        row = {
            "hs_timestamp": due.replace(second=0, microsecond=0),
            "hs_task_subject": subject.format(**ctx),
            "hs_task_status": status,
            "hs_task_priority": pick(rng, TASK_PRIORITIES),
            "hs_task_type": task_type,
        }
        if r() < 0.4:
            note = escape(pick(rng, texts.NOTES[lang]).format(**ctx), quote=False)
            row["hs_task_body"] = f"<p>{note}</p>"
        return row

    def calls(self, lang, created, ctx) -> dict:
        rng = self.rng
        r = rng.random
        disposition = pick(rng, DISPOSITIONS)
        if disposition == CONNECTED:
            duration = int((60 + 1500 * r() ** 2) * 1000)
        else:
            duration = int(5000 + 40_000 * r())
        row = {
            "hs_timestamp": created,
            "hs_call_title": pick(rng, texts.CALL_TITLES[lang]).format(**ctx),
            "hs_call_direction": "OUTBOUND" if r() < 0.75 else "INBOUND",
            "hs_call_disposition": disposition,
            "hs_call_duration": duration,
            "hs_call_status": "COMPLETED",
        }
        if disposition == CONNECTED and r() < 0.6:
            note = escape(pick(rng, texts.NOTES[lang]).format(**ctx), quote=False)
            row["hs_call_body"] = f"<p>{note}</p>"
        return row

    def meetings(self, lang, created, ctx) -> dict:
        rng, now = self.rng, self.plan.now
        r = rng.random
        title, activity_type = pick(rng, texts.MEETINGS[lang])
        day = (created + (1 + int(21 * r())) * DAY).replace(minute=0, second=0, microsecond=0)
        start = day.replace(hour=(7 if lang == texts.FR else 13) + int(10 * r()))
        start += 30 * MINUTE * int(2 * r())
        end = start + pick(rng, (30, 30, 45, 60, 60, 90)) * MINUTE
        outcome = "SCHEDULED" if start > now else pick(rng, PAST_MEETINGS)
        return {
            "hs_timestamp": start,
            "hs_meeting_title": title.format(**ctx),
            "hs_meeting_start_time": start,
            "hs_meeting_end_time": end,
            "hs_meeting_outcome": outcome,
            "hs_meeting_location": pick(rng, texts.MEETING_PLACES[lang]),
            "hs_activity_type": activity_type,
        }

    def emails(self, lang, created, ctx) -> dict:
        rng = self.rng
        text = pick(rng, texts.EMAIL_BODIES[lang]).format(**ctx)
        paragraphs = "".join(f"<p>{escape(p, quote=False)}</p>" for p in text.split("\n\n"))
        return {
            "hs_timestamp": created,
            "hs_email_direction": "EMAIL" if rng.random() < 0.7 else "INCOMING_EMAIL",
            "hs_email_status": "SENT",
            "hs_email_subject": pick(rng, texts.EMAIL_SUBJECTS[lang]).format(**ctx),
            "hs_email_text": text,
            "hs_email_html": paragraphs,
        }
