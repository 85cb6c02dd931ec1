"""`comptoir serve` is a real server: start it, ask it something, stop it."""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

COMPTOIR = str(Path(sys.executable).parent / "comptoir")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_console_script_migrates_and_serves(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "COMPTOIR_DATA_DIR": str(tmp_path),
        "HOME": str(tmp_path / "home"),
    }
    subprocess.run([COMPTOIR, "migrate", "-v0"], env=env, check=True, timeout=120)
    port = _free_port()
    server = subprocess.Popen(
        [COMPTOIR, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.2)
        assert body is not None, "the server never answered"
        assert "Comptoir" in body
        # gunicorn's control socket sits in the data dir, one per port, never under $HOME.
        # (made by a thread of gunicorn's once it serves: waited for, not assumed)
        control = tmp_path / f"gunicorn-{port}.ctl"
        for _ in range(100):
            if control.is_socket():
                break
            time.sleep(0.1)
        assert control.is_socket()
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert (tmp_path / "comptoir.sqlite3").exists()
    assert (tmp_path / "secret_key").exists()
    assert not (tmp_path / "home").exists()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


@pytest.mark.slow
def test_demo_seeds_prints_the_login_serves_and_runs_a_worker(tmp_path):
    """The README's first command: one process tree with the server and a worker."""
    env = {"PATH": "/usr/bin:/bin", "COMPTOIR_DATA_DIR": str(tmp_path)}
    port = _free_port()
    log = (tmp_path / "demo.log").open("w")
    demo = subprocess.Popen(
        [COMPTOIR, "demo", "--bind", f"127.0.0.1:{port}"], env=env, stdout=log, stderr=log
    )
    try:
        status = None
        for _ in range(900):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as r:
                    status = r.status
                    break
            except OSError:
                time.sleep(0.2)
        assert status == 200, (tmp_path / "demo.log").read_text()
        output = (tmp_path / "demo.log").read_text()
        assert f"Comptoir is ready: http://127.0.0.1:{port}/" in output
        assert "Log in as demo@comptoir.local with password comptoir-demo" in output
        worker_pid = int(output.split("Background worker started (process ")[1].split(")")[0])
        assert _alive(worker_pid)
    finally:
        demo.terminate()
        demo.wait(timeout=30)
    for _ in range(100):  # the worker stops with the demo
        if not _alive(worker_pid):
            break
        time.sleep(0.1)
    assert not _alive(worker_pid)
