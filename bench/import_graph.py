"""Count what issue 20 point 3 measures about comptoir's imports.

    .venv/bin/python bench/import_graph.py [-v]

- cycles: elementary cycles in the graph of apps (an edge A -> B when a module of A
  imports a module of B), counted by length; the strongly connected groups they form.
- wrong-way imports: import lines from a module to a module of a higher layer
  (layers top to bottom: config / features / objects / users / core), and the app
  pairs they join.
- function-local imports of comptoir (an indented `from comptoir` / `import comptoir`).

Test modules (`tests` packages, `conftest`) and `core.testing` are left out: the
layers bind the product code; tests may reach any layer.
"""

import re
import sys
from collections import defaultdict
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FEATURES = [
    "dashboard",
    "imports",
    "notifications",
    "mail",
    "salestools",
    "settings_pages",
    "hubspot_api",
    "demo",
]
OBJECTS = ["contacts", "companies", "deals", "activities"]
LAYERS = [["config"], FEATURES, OBJECTS, ["users"], ["core"]]
LEVEL = {app: len(LAYERS) - i for i, apps in enumerate(LAYERS) for app in apps}


def is_test(module: str) -> bool:
    parts = module.split(".")
    return "tests" in parts or parts[-1] == "conftest" or module.startswith("comptoir.core.testing")


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LEVEL else None


def module_edges(graph) -> list[tuple[str, str, int, str]]:
    """(importer, imported, line number, line) for every import between two product modules."""
    edges = []
    for importer in sorted(graph.modules):
        if is_test(importer) or not app_of(importer):
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if is_test(imported) or not app_of(imported):
                continue
            for detail in graph.get_import_details(importer=importer, imported=imported):
                edges.append((importer, imported, detail["line_number"], detail["line_contents"]))
    return edges


def simple_cycles(adjacency: dict[str, set[str]]) -> list[list[str]]:
    """Every elementary cycle once, starting from its smallest node."""
    cycles = []
    nodes = sorted(adjacency)
    for start in nodes:
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in sorted(adjacency.get(node, ())):
                if nxt == start:
                    cycles.append(path)
                elif nxt > start and nxt not in path:
                    stack.append((nxt, [*path, nxt]))
    return cycles


def strongly_connected(adjacency: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's groups of more than one app."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in adjacency.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(adjacency):
        if node not in index:
            visit(node)
    return groups


LOCAL_IMPORT = re.compile(r"^\s+(from comptoir|import comptoir)")


def local_imports() -> list[tuple[str, bool]]:
    """(where, explained): explained when a comment is on the line or just above the block
    of imports it belongs to."""
    found = []
    for path in sorted((ROOT / "comptoir").rglob("*.py")):
        if "tests" in path.parts:
            continue
        lines = path.read_text().splitlines()
        for index, line in enumerate(lines):
            if LOCAL_IMPORT.match(line):
                above = index - 1
                while above >= 0 and re.match(r"^\s+(from|import) |^\s*$", lines[above]):
                    above -= 1
                explained = "#" in line or "#" in lines[above]
                found.append((f"{path.relative_to(ROOT)}:{index + 1}: {line.strip()}", explained))
    return found


def main(verbose: bool) -> None:
    graph = grimp.build_graph("comptoir", include_external_packages=False)
    edges = module_edges(graph)
    apps: dict[str, set[str]] = defaultdict(set)
    for importer, imported, *_ in edges:
        a, b = app_of(importer), app_of(imported)
        if a != b:
            apps[a].add(b)
    cycles = simple_cycles(apps)
    groups = strongly_connected(apps)
    wrong = [e for e in edges if LEVEL[app_of(e[1])] > LEVEL[app_of(e[0])]]
    wrong_pairs = sorted({(app_of(e[0]), app_of(e[1])) for e in wrong})
    two_way = sorted((a, b) for a in list(apps) for b in apps[a] if a < b and a in apps.get(b, ()))
    local = local_imports()

    print(f"app cycles (elementary): {len(cycles)}")
    by_length = defaultdict(int)
    for cycle in cycles:
        by_length[len(cycle)] += 1
    print(f"  by length: {dict(sorted(by_length.items()))}")
    print(f"  two-way app pairs: {len(two_way)} {two_way}")
    print(f"  strongly connected groups: {groups}")
    print(f"wrong-way import lines: {len(wrong)}")
    print(f"  wrong-way app pairs: {len(wrong_pairs)}")
    for a, b in wrong_pairs:
        n = sum(1 for e in wrong if app_of(e[0]) == a and app_of(e[1]) == b)
        print(f"    {a} -> {b}: {n}")
    print(f"function-local comptoir imports (outside tests): {len(local)}")
    unexplained = [where for where, explained in local if not explained]
    print(f"  without a comment saying why: {len(unexplained)}")
    if verbose:
        print("\nwrong-way imports:")
        for importer, _imported, number, line in wrong:
            print(f"  {importer}:{number} {line}")
        print("\ncycles:")
        for cycle in cycles:
            print("  " + " -> ".join([*cycle, cycle[0]]))
        print("\nfunction-local imports:")
        for where, explained in local:
            print(("  " if explained else "  (no comment) ") + where)


if __name__ == "__main__":
    main("-v" in sys.argv)
