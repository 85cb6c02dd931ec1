"""A real CalDAV server for the tests: Radicale on a free port, with a temporary storage
and htpasswd (plain) accounts; `calendar_url(user, name)` makes a calendar collection."""

import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import caldav

from comptoir.core.testing.mailservers import free_port

USER, PASSWORD = "claire", "mot-de-passe"


@dataclass
class Radicale:
    port: int
    process: subprocess.Popen
    root: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def make_calendar(self, name: str, user: str = USER, password: str = PASSWORD) -> str:
        client = caldav.DAVClient(url=f"{self.base}/{user}/", username=user, password=password)
        calendar = client.principal().make_calendar(name=name, cal_id=name)
        return str(calendar.url)


@contextlib.contextmanager
def running_radicale():
    root = Path(tempfile.mkdtemp(prefix="comptoir-radicale-"))
    (root / "users").write_text(f"{USER}:{PASSWORD}\n")
    port = free_port()
    (root / "config").write_text(
        f"[server]\nhosts = 127.0.0.1:{port}\n"
        f"[auth]\ntype = htpasswd\nhtpasswd_filename = {root / 'users'}\n"
        "htpasswd_encryption = plain\n"
        f"[storage]\nfilesystem_folder = {root / 'collections'}\n"
        "[logging]\nlevel = warning\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", str(root / "config")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/.web/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("Radicale did not start")
        yield Radicale(port, process, root)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)
