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
    env = {"PATH": "/usr/bin:/bin", "COMPTOIR_DATA_DIR": str(tmp_path)}
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
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert (tmp_path / "comptoir.sqlite3").exists()
    assert (tmp_path / "secret_key").exists()
