"""The systemd units of docs/deployment.md, as written there (issue 19, point 2): each
parses without a warning under `systemd-analyze verify` and starts a Comptoir command that
exists. Only the paths a test machine cannot have are replaced (the install directory, the
environment file, the service user)."""

import getpass
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

DOC = Path(settings.BASE_DIR).parent / "docs" / "deployment.md"
UNIT = re.compile(r"```ini\n# /etc/systemd/system/([\w.-]+\.service)\n(.*?)```", re.S)
INSTALLED = "/srv/comptoir/.venv/bin/comptoir"


def units() -> dict[str, str]:
    return dict(UNIT.findall(DOC.read_text(encoding="utf-8")))


def test_the_guide_has_both_units():
    assert {"comptoir-web.service", "comptoir-worker.service"} <= set(units())


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
@pytest.mark.parametrize("name", ["comptoir-web.service", "comptoir-worker.service"])
def test_each_unit_verifies_and_starts_a_real_command(name, tmp_path):
    comptoir = Path(sys.executable).with_name("comptoir")
    environment = tmp_path / "comptoir.env"
    environment.write_text(f"COMPTOIR_DATA_DIR={tmp_path / 'data'}\n")
    text = units()[name]
    assert INSTALLED in text and "EnvironmentFile=/etc/comptoir.env" in text
    text = (
        text.replace(INSTALLED, str(comptoir))
        .replace("EnvironmentFile=/etc/comptoir.env", f"EnvironmentFile={environment}")
        .replace("User=comptoir", f"User={getpass.getuser()}")
    )
    unit = tmp_path / name
    unit.write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    about_it = [line for line in result.stderr.splitlines() if name in line]
    assert result.returncode == 0 and about_it == [], result.stderr
    # The command it starts exists (its own help, without starting it).
    command = re.search(r"^ExecStart=(.*)$", text, re.M).group(1).split()
    started = subprocess.run(
        [command[0], command[1], "--help"], capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "COMPTOIR_DATA_DIR": str(tmp_path / "data")},
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
