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


# -- issue 20: an object type is described once, in its app's objecttype.py ---------------------
CRM_NAMES = "contacts|companies|deals"
OBJECT_TYPE_NAMES = "contacts|companies|deals|tasks|notes|calls|emails|meetings"
# Three CRM names in one literal (any order, even spread over lines): a list of types that
# should be read from the registry (`crm_types()`, `page_types()`...).
NAME_TUPLE = re.compile(rf'"({CRM_NAMES})",\s*"({CRM_NAMES})",\s*"({CRM_NAMES})"')
# A dict entry keyed by a type's name, one per line: a per-type table.
PER_TYPE_ENTRY = re.compile(rf'^\s*"({OBJECT_TYPE_NAMES})": ', re.M)
# A dotted path into an object app: behaviour loaded by name instead of registered.
OBJECT_APP_PATH = re.compile(r"""["']comptoir\.(contacts|companies|deals|activities)\.\w""")
# Where such tables are the subject itself, not a type's facts spread around.
PER_TYPE_TABLES_ALLOWED = {
    "comptoir/core/associations/types.py",  # HubSpot's association type ids, per pair
    "comptoir/demo/records.py",  # the demo data set of the built-in types
    "comptoir/dashboard/figures.py",  # the dashboard's own counter columns
    "comptoir/settings_pages/pipelines.py",  # "deals": a stage's number of deals
}


def _type_code(root: Path):
    """(relative path, text) of the code outside tests, migrations and type modules."""
    for path in sorted((root / "comptoir").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if "tests" in path.parts or "migrations" in path.parts or path.name == "objecttype.py":
            continue
        yield relative, path.read_text()


def type_fact_offenders(root: Path) -> list[str]:
    found = []
    for relative, text in _type_code(root):
        allowed = relative in PER_TYPE_TABLES_ALLOWED
        for pattern, what in (
            (NAME_TUPLE, "a literal list of object types"),
            (OBJECT_APP_PATH, "a dotted path into an object app"),
        ):
            for match in pattern.finditer(text):
                if pattern is NAME_TUPLE and (allowed or len(set(match.groups())) < 3):
                    continue
                if pattern is OBJECT_APP_PATH and relative == "comptoir/config/settings.py":
                    continue  # INSTALLED_APPS names the apps
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{relative}:{line}: {what}")
        if not allowed:
            for match in PER_TYPE_ENTRY.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{relative}:{line}: a per-type table")
    return found


def test_object_types_are_described_in_their_own_modules_only():
    """docs/adding-an-object-type.md: each object app declares its type's facts in its
    objecttype.py; generic code reads the registry, so these never come back elsewhere."""
    assert type_fact_offenders(ROOT) == []


# -- issue 20: the language choice is made in core/i18n.py only ---------------------------------
I18N = "comptoir/core/i18n.py"
LANGUAGE_CHOICE = re.compile(
    r"""startswith\(\s*["'](?:fr|en)["']"""  # is the active language French (English)?
    r"""|(?:==|!=)\s*["'](?:fr|en)["']"""  # LANGUAGE_CODE == "fr" (code or template)
    r"""|label_fr\W{0,3}\s+if\b"""  # x.label_fr if french ... else x.label
    r"""|\band\s+[\w.()"'\[\]]*label_fr\b[^)]*\)+\s*or\b"""  # (french and x.label_fr) or x.label
)


def language_choices(text: str) -> list[int]:
    return [
        number for number, line in enumerate(text.splitlines(), 1) if LANGUAGE_CHOICE.search(line)
    ]


def test_the_language_choice_is_made_in_core_i18n_only():
    """The bilingual label choice was written about 25 times: core/i18n.py makes it
    (`localised_label`, `type_label`, `is_french`...), templates use its filters."""
    offenders = []
    for path in sorted([*(ROOT / "comptoir").rglob("*.py"), *(ROOT / "comptoir").rglob("*.html")]):
        relative = path.relative_to(ROOT).as_posix()
        if {"tests", "migrations"} & set(path.parts) or relative == I18N:
            continue
        offenders += [f"{relative}:{n}" for n in language_choices(path.read_text())]
    assert offenders == []


@pytest.mark.parametrize(
    "line",
    [
        'return defn.label_fr if babel_locale().startswith("fr") and defn.label_fr else defn.label',
        'return (stage.label_fr if french else "") or stage.label',
        'return (option.get("label_fr") if french else None) or option["label"]',
        "return ot.singular_label_fr if french else ot.singular_label",
        '"label": (self.french and o.get("label_fr")) or o["label"],',
        "return (french and group.label_fr) or group.label",
        'return "label_fr" if _french() and item.label_fr else "label"',
        'french = (translation.get_language() or "en").startswith("fr")',
        'french = request.LANGUAGE_CODE == "fr"',
        '{% if LANGUAGE_CODE == "fr" %}{{ ot.label_fr }}{% else %}{{ ot.label }}{% endif %}',
    ],
)
def test_the_language_choice_check_sees_each_form(line):
    assert language_choices(line) == [1]


@pytest.mark.parametrize(
    "line",
    [
        'label_fr=clean_text("label_fr", data.get("label_fr"), max_length=LABEL_LENGTH),',
        'if "label_fr" in data:  # the settings page renames in the reader\'s language',
        "for text in (stage.label, stage.label_fr):",
        "return localised_label(defn)",
        '"label": localised_label(o, french=self.french),',
    ],
)
def test_the_language_choice_check_lets_other_lines_be(line):
    assert language_choices(line) == []


def app_template_dirs(root: Path) -> list[str]:
    """Every templates directory under comptoir/ other than comptoir/templates itself."""
    package = root / "comptoir"
    return sorted(
        str(path.relative_to(root))
        for path in package.rglob("templates")
        if path.is_dir() and path != package / "templates"
    )


def test_templates_live_under_comptoir_templates_only():
    """One template convention (issue 20, point 4): every template is in
    comptoir/templates/<app>/, none in an app's own templates/ directory."""
    assert app_template_dirs(ROOT) == []


def test_the_template_check_sees_an_app_directory(tmp_path):
    (tmp_path / "comptoir" / "templates" / "records").mkdir(parents=True)
    assert app_template_dirs(tmp_path) == []
    (tmp_path / "comptoir" / "dashboard" / "templates" / "dashboard").mkdir(parents=True)
    (tmp_path / "comptoir" / "core" / "ui" / "templates").mkdir(parents=True)
    assert app_template_dirs(tmp_path) == [
        "comptoir/core/ui/templates",
        "comptoir/dashboard/templates",
    ]


def unclosed_template_comments(root: Path) -> list[str]:
    """Django's {# #} comment ends on its line; one left open there is printed on the page."""
    return [
        f"{path.relative_to(root)}:{number}"
        for path in sorted((root / "comptoir" / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]


def test_template_comments_close_on_their_line():
    """A multi-line {# #} showed its text at the top of every page (base.html): longer
    comments are {% comment %} blocks."""
    assert unclosed_template_comments(ROOT) == []


def test_the_template_comment_check_sees_an_open_one(tmp_path):
    folder = tmp_path / "comptoir" / "templates"
    folder.mkdir(parents=True)
    (folder / "base.html").write_text("{# one line #}\n{# two\n lines #}\n")
    assert unclosed_template_comments(tmp_path) == ["comptoir/templates/base.html:2"]
