"""Shared helpers for benchmarks: Django setup, timing, reporting."""

import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database: str, data_dir: str | None = None) -> None:
    """database: 'sqlite' (file under bench/data, or data_dir) or 'postgres' (comptoir_bench)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.config.settings")
    os.environ["COMPTOIR_DATA_DIR"] = data_dir or str(ROOT / "bench" / "data" / database)
    if database == "postgres":
        os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/comptoir_bench")
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("COMPTOIR_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def measure(fn, *, runs: int = 30, warmup: int = 3) -> dict:
    """Median and p95 wall time of fn() in milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"median": statistics.median(times), "p95": times[int(len(times) * 0.95) - 1]}


def row(name: str, ours: dict, raw: dict | None, target: str = "") -> str:
    ratio = f"{ours['median'] / raw['median']:.2f}x" if raw else "—"
    raw_text = f"{raw['median']:.2f}" if raw else "—"
    return (
        f"| {name} | {ours['median']:.2f} | {ours['p95']:.2f} | {raw_text} | {ratio} | {target} |"
    )


TABLE_HEAD = (
    "| operation | Comptoir median ms | Comptoir p95 ms | raw SQL median ms | ratio "
    "| target |\n|---|---|---|---|---|---|"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    port: int, workers: int, threads: int | None = None, env: dict | None = None
) -> subprocess.Popen:
    """`comptoir serve` on 127.0.0.1:`port` (quiet), once it accepts connections."""
    command = [str(ROOT / ".venv" / "bin" / "comptoir"), "serve", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers)]
    if threads:
        command += ["--threads", str(threads)]
    server = subprocess.Popen(
        command,
        env=env if env is not None else {**os.environ, "COMPTOIR_LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("server did not start")


def bench_database(label: str, database: str, *, data_dir=None, fresh: bool = False) -> Path:
    """A benchmark's own database, set in the environment before Django starts: the data
    directory bench/data/<label>-<database> (or `data_dir`) and, on PostgreSQL, the database
    comptoir_bench_<label>, made if missing (made again, and the SQLite directory emptied,
    when `fresh`)."""
    directory = Path(data_dir) if data_dir else ROOT / "bench" / "data" / f"{label}-{database}"
    if database == "postgres":
        import psycopg

        name = f"comptoir_bench_{label}"
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            if fresh:
                c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                c.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        if fresh:
            shutil.rmtree(directory, ignore_errors=True)
        os.environ.pop("DATABASE_URL", None)
    directory.mkdir(parents=True, exist_ok=True)
    os.environ["COMPTOIR_DATA_DIR"] = str(directory)
    return directory
