"""Dependencies point down (issue 20): config / features / objects / users / core, the
contracts in pyproject.toml's [tool.importlinter], checked by import-linter."""

import re
import subprocess
import sys
from pathlib import Path

import importlinter.api  # noqa: F401  (configures import-linter: readers, contract types)
from importlinter.application import use_cases

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_the_import_contracts_hold():
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def broken_contracts(monkeypatch, *imports: tuple[str, str]) -> set[str]:
    """The contracts that fail once the given imports are added to the real graph."""
    build = use_cases._build_graph

    def build_with_extra_imports(**kwargs):
        graph = build(**kwargs)
        for importer, imported in imports:
            graph.add_import(importer=importer, imported=imported, line_number=1, line_contents="")
        return graph

    monkeypatch.setattr(use_cases, "_build_graph", build_with_extra_imports)
    monkeypatch.chdir(ROOT)
    options = use_cases.read_user_options(str(ROOT / "pyproject.toml"))
    use_cases._register_built_in_contract_types()
    report = use_cases.create_report(options, cache_dir=None)
    return {
        contract.name for contract, check in report.get_contracts_and_checks() if not check.kept
    }


def test_a_wrong_way_import_breaks_a_contract(monkeypatch):
    assert broken_contracts(monkeypatch) == set()
    assert "Layers: config / features / objects / users / core" in broken_contracts(
        monkeypatch, ("comptoir.core.objects.registry", "comptoir.contacts.models")
    )
    assert "Object apps are independent (companies may use contacts)" in broken_contracts(
        monkeypatch, ("comptoir.deals.models", "comptoir.contacts.models")
    )
    features = (
        "Feature apps: the API over the sales tools over webhooks over imports over "
        "notifications over mail over the settings shell"
    )
    assert features in (
        broken_contracts(monkeypatch, ("comptoir.settings_pages.views", "comptoir.imports.views"))
    )
    assert features in (
        broken_contracts(monkeypatch, ("comptoir.mail.services", "comptoir.notifications.tasks"))
    )
    assert "Imports and exports do not import the UI (their pages aside)" in broken_contracts(
        monkeypatch, ("comptoir.imports.exports", "comptoir.core.ui.views")
    )
    assert "What a list shows (ListState, its table's text) does not import the UI" in (
        broken_contracts(monkeypatch, ("comptoir.core.savedviews.table", "comptoir.core.ui.views"))
    )


LOCAL_IMPORT = re.compile(r"^\s+(from|import) comptoir")
IMPORT_OR_BLANK = re.compile(r"^\s+(from|import) |^\s*$")


def unexplained_local_imports(paths) -> list[str]:
    """Function-local imports of comptoir with no comment on the line or above their block."""
    found = []
    for path in paths:
        lines = path.read_text().splitlines()
        for index, line in enumerate(lines):
            if not LOCAL_IMPORT.match(line):
                continue
            above = index - 1
            while above >= 0 and IMPORT_OR_BLANK.match(lines[above]):
                above -= 1
            if "#" not in line and (above < 0 or "#" not in lines[above]):
                found.append(f"{path}:{index + 1}")
    return found


def test_function_local_imports_say_why(tmp_path):
    """A function-local import hides a dependency from the reader; where one is needed (a
    load-time cycle, apps not loaded yet), a comment says so."""
    product = [p for p in sorted((ROOT / "comptoir").rglob("*.py")) if "tests" not in p.parts]
    assert unexplained_local_imports(product) == []
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from comptoir.core import accounts\n")
    assert len(unexplained_local_imports([sample])) == 1
