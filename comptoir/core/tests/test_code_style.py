"""The code base stays as ruff wants it (issue 2: "ruff configured and clean"), so a
change that breaks the house style fails the suite, not only a reviewer's eye."""

import re
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


# Modules that may name property types (issue 20, point 2: one class per property kind).
TYPE_COMPARISONS_ALLOWED = {
    # the kinds themselves: the one place a type's behaviour is written
    "comptoir/core/properties/kinds/",
    # the PropertyType choices of the model field (migrations record them)
    "comptoir/core/properties/models.py",
}
TYPE_NAMES = "string|number|date|datetime|enumeration|bool|phone_number"
TYPE_COMPARISON = re.compile(
    r"PropertyType\."  # any use of the choices: a comparison or a table keyed by type
    r"|\b\w+(?:\[[^\]]*\])?\.type\s*(?:==|!=|\bin\b|\bnot\s+in\b)\s*(?:PropertyType|[\"'(\[{])"
    rf"|[\"'](?:{TYPE_NAMES})[\"']\s*(?:==|!=)\s*\w+(?:\[[^\]]*\])?\.type\b"
    r"|\.get\(\s*\w+\.type\b|\[\s*\w+\.type\s*\]"  # a table looked up by type
)


def type_comparisons(text: str) -> list[int]:
    return [
        number for number, line in enumerate(text.splitlines(), 1) if TYPE_COMPARISON.search(line)
    ]


def test_property_types_are_compared_only_in_the_kinds():
    """A property type's behaviour lives in its kind (core/properties/kinds): elsewhere,
    `defn.kind.<method>()`, never `defn.type == ...` or `PropertyType.X`."""
    offenders = []
    for path in sorted((ROOT / "comptoir").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if {"tests", "migrations"} & set(path.parts) or relative.startswith(
            tuple(TYPE_COMPARISONS_ALLOWED)
        ):
            continue
        offenders += [f"{relative}:{n}" for n in type_comparisons(path.read_text())]
    assert offenders == []


@pytest.mark.parametrize(
    "line",
    [
        "if defn.type == PropertyType.NUMBER:",
        'numeric = defs[n].type == "number" and n != "x"',
        "if defn.type in (PropertyType.STRING, PropertyType.PHONE_NUMBER):",
        "kind = PropertyType.BOOL",
        "}.get(defn.type, self._text)",
        'elif "enumeration" == defn.type:',
        "if definition.type != 'datetime':",
    ],
)
def test_the_type_comparison_check_sees_each_form(line):
    assert type_comparisons(line) == [1]


@pytest.mark.parametrize(
    "line",
    [
        "return source.type != SourceType.AUTOMATION",
        "return source is None or source.type not in SILENT_SOURCES",
        "if defn.kind.numeric:",
        '"type": defn.type,',
    ],
)
def test_the_type_comparison_check_lets_other_types_be(line):
    assert type_comparisons(line) == []
