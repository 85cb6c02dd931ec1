"""docs/features.md is the catalogue of the feature ids the code cites (issue 20, point 6).

Every id cited in the code, templates, static files, tests, benchmarks and docs (`SET-5`,
`UI-3`...) has an entry there; every entry says how far the feature is built, where it
lives and what tests it; and every path an entry lists exists. So a reader goes from an
id in a docstring to the code and its tests, and a module moved without its entry fails
here instead of leaving the catalogue pointing nowhere.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE = ROOT / "docs" / "features.md"

# Where ids are cited, and which files are text worth reading.
SCANNED = ("comptoir", "tests", "docs", "bench", "README.md")
SUFFIXES = {".py", ".html", ".js", ".css", ".md", ".txt", ".po", ".json", ".toml"}
NOT_OURS = {"vendor", "node_modules", "__pycache__", ".venv"}  # copied or generated

# Anything shaped like an id: 2 to 6 capitals, a dash, a number.
CITED_ID = re.compile(r"\b([A-Z]{2,6})-([0-9]+)\b")
# Shapes that are not feature ids: encodings (UTF-8, ISO-8859-1), file signatures (%PDF-1.4).
NOT_FEATURES = {"UTF", "ISO", "PDF"}

ENTRY = re.compile(r"^### ([A-Z]{2,6}-[0-9]+) (\S.*)$", re.MULTILINE)
STATUS = re.compile(r"^- \*\*Status:\*\* (built|partly|not yet)\b", re.MULTILINE)
FIELDS = ("- **Lives in:**", "- **Tests:**")
LISTED_PATH = re.compile(r"`((?:comptoir|tests|docs|bench|\.ci)/[^`\s]*|run)`")


def entries() -> dict[str, str]:
    """{id: the entry's text} from docs/features.md, in order."""
    text = CATALOGUE.read_text(encoding="utf-8")
    heads = list(ENTRY.finditer(text))
    found: dict[str, str] = {}
    for index, head in enumerate(heads):
        end = heads[index + 1].start() if index + 1 < len(heads) else len(text)
        body = text[head.end() : end].split("\n## ", 1)[0]  # up to the next section
        assert head.group(1) not in found, f"{head.group(1)} has two entries"
        found[head.group(1)] = body
    return found


def scanned_files():
    for name in SCANNED:
        top = ROOT / name
        paths = [top] if top.is_file() else sorted(top.rglob("*"))
        for path in paths:
            if path.is_file() and path.suffix in SUFFIXES and not NOT_OURS & set(path.parts):
                yield path


def citations() -> dict[str, list[str]]:
    """{id: ["file:line", ...]} of every feature id cited outside the catalogue's headings."""
    cited: dict[str, list[str]] = {}
    for path in scanned_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if path == CATALOGUE and ENTRY.match(line):
                continue  # a definition, not a citation
            for match in CITED_ID.finditer(line):
                if match.group(1) not in NOT_FEATURES:
                    where = f"{path.relative_to(ROOT)}:{number}"
                    cited.setdefault(match.group(0), []).append(where)
    return cited


def test_every_cited_feature_id_has_an_entry():
    defined = entries()
    missing = {fid: where[:3] for fid, where in citations().items() if fid not in defined}
    assert missing == {}, "cited in the code but not defined in docs/features.md"


def test_the_catalogue_is_found_and_the_scan_sees_the_code():
    """The two tests around this one would pass on an empty catalogue or an empty scan."""
    defined, cited = entries(), citations()
    assert len(defined) >= 50
    assert {"OBJ-1", "UI-3", "SET-5", "TOOL-8", "API-2", "DASH-1"} <= set(cited)
    files = {where.split(":")[0] for places in cited.values() for where in places}
    assert len(files) >= 50


def test_every_entry_has_a_status_a_place_and_tests():
    incomplete = {
        fid: [
            name
            for name, present in (
                ("status", STATUS.search(body)),
                *((field, field in body) for field in FIELDS),
            )
            if not present
        ]
        for fid, body in entries().items()
    }
    assert {fid: gaps for fid, gaps in incomplete.items() if gaps} == {}


def test_every_path_the_catalogue_lists_exists():
    gone = {
        f"{fid}: {path}"
        for fid, body in entries().items()
        for path in LISTED_PATH.findall(body)
        if not (ROOT / path).exists()
    }
    assert sorted(gone) == []
