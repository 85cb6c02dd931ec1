"""The code base stays as ruff wants it (issue 2: "ruff configured and clean"), so a
change that breaks the house style fails the suite, not only a reviewer's eye."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
RUFF = Path(sys.executable).with_name("ruff")


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff_finds_nothing_to_change(command):
    done = subprocess.run(
        [str(RUFF), *command, "."], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_json_properties_are_filtered_through_propvalue_only():
    """ARCHITECTURE §3: `properties__x` lookups bind the JSON key in a way no expression
    index serves (seconds at 1M rows); filters on stored properties go through PropValue."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "comptoir").rglob("*.py"))
        if "tests" not in path.parts and "properties" not in path.relative_to(ROOT).parts[1:3]
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "properties__" in line
    ]
    assert offenders == []


def test_numbers_from_requests_are_read_in_core_inputs_only():
    """Issue 13: str.isdigit() is true of "²" (int() then fails: a 500) and of "١٢" (which
    int() reads as 12); ids and whole numbers are read by core/inputs.py, ASCII digits only."""
    inputs = ROOT / "comptoir" / "core" / "inputs.py"
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "comptoir").rglob("*.py"))
        if "tests" not in path.parts and path != inputs
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if ".isdigit()" in line
    ]
    assert offenders == []
