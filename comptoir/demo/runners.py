"""Where batches are written: in this process, or in worker processes taking turns.

`bulk_create_records` validates and builds every row before it opens its transaction,
and spends most of the transaction inside the database. Two worker processes therefore
keep both cores busy: one builds its batch while the other's is being inserted.

Workers commit strictly in batch order (a turnstile stops each one just before its
transaction starts), so ids, and with them the whole data set, do not depend on which
worker was faster: `--seed` stays deterministic.
"""

import multiprocessing
import queue
import traceback
from collections.abc import Callable

from django.db import connection, connections


class WorkerFailed(Exception):
    pass


class InlineRunner:
    def __init__(self, write: Callable):
        self.write = write

    def submit(self, seq: int, jobs: list, on_done: Callable) -> None:
        on_done(self.write(seq, jobs))

    def drain(self) -> None:
        pass

    def close(self) -> None:
        # The last connection to close checkpoints the WAL; never close a caller's
        # transaction (a test's, say) under its feet.
        if not connection.in_atomic_block:
            connections.close_all()

    def abort(self) -> None:
        self.close()


class Turnstile:
    """Lets batch `n` through only after batch `n - 1` is done (across processes)."""

    def __init__(self, ctx):
        self.cond = ctx.Condition()
        self.next = ctx.Value("q", 0, lock=False)

    def wait(self, n: int) -> None:
        with self.cond:
            while self.next.value != n:
                self.cond.wait()

    def done(self, n: int) -> None:
        with self.cond:
            self.next.value = n + 1
            self.cond.notify_all()


def _work(write: Callable, tasks, results, turnstile: Turnstile) -> None:
    try:
        while (task := tasks.get()) is not None:
            seq, jobs = task
            state = {"turn": False}

            def in_turn(execute, sql, params, many, context, seq=seq, state=state):
                if not state["turn"] and (
                    sql.startswith("BEGIN") or context["connection"].in_atomic_block
                ):
                    turnstile.wait(seq)
                    state["turn"] = True
                return execute(sql, params, many, context)

            try:
                with connection.execute_wrapper(in_turn):
                    results.put((seq, True, write(seq, jobs)))
            except Exception:
                results.put((seq, False, traceback.format_exc()))
            finally:
                if not state["turn"]:
                    turnstile.wait(seq)
                turnstile.done(seq)
    finally:
        connections.close_all()


class ProcessRunner:
    """Forked workers write batches; results come back to `on_done` in this process."""

    def __init__(self, write: Callable, workers: int = 2, in_flight: int = 3):
        ctx = multiprocessing.get_context("fork")
        connections.close_all()  # every process opens its own connection
        self.tasks, self.results = ctx.Queue(), ctx.Queue()
        self.turnstile = Turnstile(ctx)
        self.in_flight = max(in_flight, workers)
        self.waiting: dict[int, Callable] = {}
        self.workers = [
            ctx.Process(target=_work, args=(write, self.tasks, self.results, self.turnstile))
            for _ in range(workers)
        ]
        for worker in self.workers:
            worker.daemon = True
            worker.start()

    def submit(self, seq: int, jobs: list, on_done: Callable) -> None:
        self.waiting[seq] = on_done
        self.tasks.put((seq, jobs))
        while len(self.waiting) >= self.in_flight:
            self._collect()

    def drain(self) -> None:
        while self.waiting:
            self._collect()

    def _collect(self) -> None:
        while True:
            try:
                seq, ok, payload = self.results.get(timeout=2)
                break
            except queue.Empty:
                dead = [w for w in self.workers if not w.is_alive()]
                if dead:
                    code = dead[0].exitcode
                    raise WorkerFailed(f"a worker process died (exit code {code})") from None
        if not ok:
            raise WorkerFailed(payload)
        self.waiting.pop(seq)(payload)

    def close(self) -> None:
        for worker in self.workers:
            if worker.is_alive():
                self.tasks.put(None)
        for worker in self.workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.terminate()
        self.tasks.close()
        self.results.close()

    def abort(self) -> None:
        for worker in self.workers:
            worker.terminate()
        for worker in self.workers:
            worker.join()
