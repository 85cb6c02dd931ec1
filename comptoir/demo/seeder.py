"""Write the demo data through `bulk_create_records`, one transaction per batch."""

import contextlib
import datetime as dt
import functools
import random
import time
from collections import Counter
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from comptoir.core.associations.models import Association
from comptoir.core.db import tune_for_bulk_writes
from comptoir.core.history.models import SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import activity_types, get_object_type
from comptoir.core.pipelines.queries import default_pipeline_id, stages
from comptoir.core.records import rollups
from comptoir.core.records.bulk import bulk_create_records
from comptoir.demo import plan as p
from comptoir.demo.engagements import DemoActivities
from comptoir.demo.pools import build_pools, slug
from comptoir.demo.records import DemoRecords
from comptoir.demo.runners import InlineRunner, ProcessRunner, WorkerFailed
from comptoir.users.models import Owner, User
from comptoir.users.services import create_user

ACTIVITY_KINDS = ("notes", "tasks", "calls", "meetings", "emails")
DEMO_USERS = 8
MAX_RETRIES = 5
# Records whose rollups are recomputed and written per transaction at the end.
ROLLUP_BATCH = 2000


class SeedError(Exception):
    """Demo data cannot be written (database not migrated, rows refused...)."""


def deal_stages() -> p.Stages:
    """The default deal pipeline's stages (or the first pipeline's if it was removed)."""
    known = stages("deals")
    pipeline = "default"
    if not any(s.pipeline_id == pipeline for s in known.values()):
        pipeline = default_pipeline_id("deals")
    mine = [s for s in known.values() if s.pipeline_id == pipeline]
    if not mine:
        raise SeedError("There is no deal pipeline: run `comptoir migrate` first.")
    return p.Stages(
        pipeline=pipeline,
        open=tuple(s.stage_id for s in mine if not s.is_closed),
        won=tuple(s.stage_id for s in mine if s.is_won),
        lost=tuple(s.stage_id for s in mine if s.is_closed and not s.is_won),
    )


def demo_owners(seed: int) -> tuple[list[str], int]:
    """Owner ids to spread records over: the existing owners, topped up with demo
    teammates until there are DEMO_USERS of them."""
    created = 0
    existing = Owner.objects.filter(archived=False).count()
    if existing < DEMO_USERS:
        fake = Faker(["fr_FR", "en_US"])
        fake.seed_instance(f"{seed}-users")
        for n in range(existing, DEMO_USERS):
            locale = "fr_FR" if n < DEMO_USERS * 5 // 8 else "en_US"
            first, last = fake[locale].first_name(), fake[locale].last_name()
            email = f"{slug(first)}.{slug(last)}{n + 1}@comptoir-demo.example"
            if User.objects.filter(email=email).exists():
                continue
            create_user(
                email,
                None,  # demo teammates sign in only after a password reset
                first_name=first,
                last_name=last,
                team="Ventes France" if locale == "fr_FR" else "Sales US",
                check_password=False,
            )
            created += 1
    owners = Owner.objects.filter(archived=False).order_by("pk").values_list("pk", flat=True)
    return [str(pk) for pk in owners], created


def write_batch(source: ChangeSource, seed: int, seq: int, jobs: list) -> list:
    """Write jobs [(object type, rows, times, links)]; [(ids, {position: renamed row})]."""
    tune_for_bulk_writes()
    fast_commits()
    rng = random.Random(f"{seed}-retry-{seq}")
    return [write_rows(source, rng, *job) for job in jobs]


def write_rows(source, rng, object_type: str, rows: list, times: list, links: list):
    """Create rows; rows refused as duplicates of existing records are retried renamed."""
    ids, renamed = [None] * len(rows), {}
    pending = list(range(len(rows)))
    for attempt in range(MAX_RETRIES + 1):
        result = bulk_create_records(
            object_type,
            [rows[i] for i in pending],
            source=source,
            associations=[links[i] for i in pending],
            times=[times[i] for i in pending],
            rollups_now=False,  # once for every record at the end (Seeder.run)
        )
        retry = []
        for position, index in enumerate(pending):
            ids[index] = result.ids[position]
            errors = result.errors.get(position)
            if not errors:
                continue
            number = rng.randrange(10 ** (3 + attempt))
            if attempt == MAX_RETRIES or not _rename(rows[index], errors, number):
                raise SeedError(f"{object_type} row refused: {errors[0]} ({rows[index]!r})")
            renamed[index] = rows[index]
            retry.append(index)
        if not retry:
            break
        pending = retry
    return ids, renamed


def fast_commits() -> None:
    """PostgreSQL: this session's commits do not wait for the WAL to reach the disk (a
    crash may lose the last batches, never mix them up: the seed is run again)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")


def analyze_for_rollups() -> None:
    """PostgreSQL: statistics of the tables the rollups read, just loaded in bulk, before
    the rollups' 2,000 batches of association queries are planned (the seed's final ANALYZE
    comes after them)."""
    if connection.vendor != "postgresql":
        return
    types = [get_object_type(n) for n in rollups.rolled_up()] + list(activity_types())
    tables = [ot.model._meta.db_table for ot in types] + [Association._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(f'"{t}"' for t in dict.fromkeys(tables)))


@contextlib.contextmanager
def indexes_built_after(object_types):
    """The rollups rewrite every contact, company and deal row once, and each row written
    goes into every index of its table that covers `properties` or `updated_at`
    (PostgreSQL: into all of them, 50 for contacts, 15 of them GIN ones;
    SQLite: the expression indexes on `properties`): building those indexes again
    afterwards, from the final rows, is several times faster, as bulk loaders do. One
    transaction: DDL is transactional on both databases, so an interrupted seed gives the
    indexes back (and its rollups are not kept: `comptoir recompute_rollups` writes them).
    Primary keys and unique indexes stay (SQLite's substring indexes are FTS5 tables kept
    by triggers that only fire when their own value changes: they stay too). The price: the
    three tables are held by this transaction while the rollups run (PostgreSQL: readers
    wait too), so demo data is seeded into an install nobody is using yet."""
    tables = [get_object_type(name).model._meta.db_table for name in object_types]
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
                "WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace "
                "AND NOT i.indisunique AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
                "ORDER BY 1",
                [tables],
            )
        else:
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                "SELECT '\"' || name || '\"', sql FROM sqlite_master WHERE type = 'index' "
                f"AND tbl_name IN ({marks}) AND sql IS NOT NULL "
                "AND sql NOT LIKE 'CREATE UNIQUE%%' ORDER BY name",
                tables,
            )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        yield
        if postgres:
            # An index cannot be built on a table with deferred foreign key checks pending
            # (a caller's transaction: the tests'): run them now, as COMMIT would.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        if postgres:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def checkpoint_sqlite() -> None:
    """Copy the WAL (up to ~1 GiB with `tune_for_bulk_writes`) into the database and empty it."""
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()


class Seeder:
    def __init__(
        self,
        counts: p.Counts,
        *,
        seed: int,
        batch_size: int = 10_000,
        jobs: int = 1,
        write: Callable[[str], None] = print,
        now: dt.datetime | None = None,
    ):
        self.counts, self.seed, self.batch_size, self.write = counts, seed, batch_size, write
        self.jobs = jobs
        self.now = now or timezone.now()
        self.source = ChangeSource(type=SourceType.IMPORT, id="seed_demo")
        self.created: Counter = Counter()
        self.seq = 0

    def run(self) -> Counter:
        started = time.monotonic()
        stages = deal_stages()
        owners, new_users = demo_owners(self.seed)
        self.created["owners"] = len(owners)
        self.created["new users"] = new_users
        plan = p.make_plan(self.counts, seed=self.seed, now=self.now, owners=owners, stages=stages)
        records = DemoRecords(plan, build_pools(self.seed))
        self.write(
            f"Planned in {time.monotonic() - started:.1f} s (seed {self.seed}, "
            f"{self.jobs} writer process{'es' if self.jobs > 1 else ''})."
        )
        write = functools.partial(write_batch, self.source, self.seed)
        runner = ProcessRunner(write, self.jobs) if self.jobs > 1 else InlineRunner(write)
        try:
            c = plan.counts
            self._seed(runner, "companies", c.companies, records.company_row, records.company_id,
                       after=records.company_written)  # fmt: skip
            self._seed(runner, "contacts", c.contacts, records.contact_row, records.contact_id)
            self._seed(runner, "deals", c.deals, records.deal_row, records.deal_id)
            self._seed_activities(runner, DemoActivities(records), c.activities)
        except WorkerFailed as exc:
            runner.abort()
            raise SeedError(f"Writing demo data failed:\n{exc}") from exc
        finally:
            runner.close()
            checkpoint_sqlite()
        # Last activity, counts of associated records...: as any other write keeps them,
        # computed once for every record rather than once per batch of activities.
        phase = time.monotonic()
        fast_commits()
        analyze_for_rollups()
        with indexes_built_after(rollups.rolled_up()):
            rolled = rollups.recompute_all(
                self.source,
                batch=ROLLUP_BATCH,
                write=lambda line: self.write(
                    f"  rollups    {line} ({time.monotonic() - phase:.1f} s)"
                ),
            )
        self.created["rollups"] = sum(rolled.values())
        self.write(
            f"  rollups    {self.created['rollups']:>10,} records  "
            f"{time.monotonic() - phase:7.1f} s"
        )
        self.created["seconds"] = round(time.monotonic() - started, 1)
        return self.created

    # -- batches ---------------------------------------------------------------------------

    def _submit(self, runner, jobs: list, on_done) -> None:
        runner.submit(self.seq, jobs, on_done)
        self.seq += 1

    def _seed(self, runner, object_type: str, total: int, make_row, ids, after=None) -> None:
        progress = Progress(self.write, object_type, total)
        for start in range(0, total, self.batch_size):
            indexes = range(start, min(start + self.batch_size, total))
            rows, times, links = (list(c) for c in zip(*map(make_row, indexes), strict=True))

            def done(results, indexes=indexes):
                ((new_ids, renamed),) = results
                for position, i in enumerate(indexes):
                    ids[i] = new_ids[position] or 0
                    if after is not None and position in renamed:
                        after(i, renamed[position])
                progress.add(len(indexes))

            self._submit(runner, [(object_type, rows, times, links)], done)
        runner.drain()
        self.created[object_type] = sum(1 for i in ids if i)

    def _seed_activities(self, runner, maker: DemoActivities, total: int) -> None:
        progress = Progress(self.write, "activities", total)
        size = 2 * self.batch_size  # split over five activity types: ~1,600-6,000 a call
        for start in range(0, total, size):
            stop = min(start + size, total)
            by_kind: dict[str, tuple[list, list, list]] = {k: ([], [], []) for k in ACTIVITY_KINDS}
            for a in range(start, stop):
                kind, row, at, links = maker.row(a)
                rows, times, all_links = by_kind[kind]
                rows.append(row)
                times.append(at)
                all_links.append(links)
            jobs = [(kind, *lists) for kind, lists in by_kind.items() if lists[0]]

            def done(results, jobs=jobs, count=stop - start):
                for (kind, *_), (new_ids, _) in zip(jobs, results, strict=True):
                    self.created[kind] += sum(1 for i in new_ids if i)
                progress.add(count)

            self._submit(runner, jobs, done)
        runner.drain()
        self.created["activities"] = sum(self.created[k] for k in ACTIVITY_KINDS)


class Progress:
    def __init__(self, write, label: str, total: int):
        self.write, self.label, self.total = write, label, total
        self.done, self.started = 0, time.monotonic()

    def add(self, count: int) -> None:
        self.done += count
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        self.write(
            f"  {self.label:<10} {self.done:>10,} / {self.total:,}  {rate:>8,.0f} rows/s"
            f"  {elapsed:7.1f} s"
        )


def _rename(row: dict, errors: list, number: int) -> bool:
    """Make a row refused for a duplicate email or domain unique again (existing data)."""
    codes = {(e.code, e.name) for e in errors}
    if codes == {("DUPLICATE_VALUE", "email")}:
        local, _, domain = row["email"].rpartition("@")
        row["email"] = f"{local}.{number}@{domain}"
        return True
    if codes == {("DUPLICATE_VALUE", "domain")}:
        name, _, tld = row["domain"].rpartition(".")
        row["domain"] = f"{name}-{number}.{tld}"
        row["website"] = f"https://www.{row['domain']}"
        return True
    return False
