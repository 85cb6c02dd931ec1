"""Read HTML in tests without regular expressions: a small tree on Python's html.parser and
CSS-like selectors.

    select(html, "tr#task-4 td.due")       every match, in document order
    select_one(html, "nav.settings-menu")  the first match (AssertionError when none)
    text_of(node_or_html)                  its text, whitespace collapsed
    links(html_or_node)                    [(text, href)] of its <a href>
    form_fields(html_or_node)              {name: value} of its inputs, selects, textareas
    table_rows(html_or_node)               [[cell text]] of each <tr>

A selector is compound selectors separated by spaces (descendant) or ">" (child); a
compound is a tag or `*`, then any of #id, .class, [attr], [attr=value], [attr^=value],
[attr*=value], [attr$=value] (values quoted or not)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


@dataclass(eq=False)
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    @property
    def text(self) -> str:
        return text_of(self)

    def elements(self):
        """Every element below this one, in document order."""
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.elements()

    def select(self, selector: str) -> list[Node]:
        return select(self, selector)

    def select_one(self, selector: str) -> Node:
        return select_one(self, selector)


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v if v is not None else "" for k, v in attrs}, parent=self.open[-1])
        self.open[-1].children.append(node)
        if tag not in VOID:
            self.open.append(node)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data):
        self.open[-1].children.append(data)


def parse(html: str | bytes | Node) -> Node:
    """The document's tree (a Node is returned as is; bytes are read as UTF-8)."""
    if isinstance(html, Node):
        return html
    if isinstance(html, bytes):
        html = html.decode()
    elif hasattr(html, "content"):  # a test client's response
        html = html.content.decode()
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


_COMPOUND = re.compile(r"([\w-]+|\*)?((?:[#.][\w-]+|\[[^\]]+\])*)")
_PART = re.compile(
    r"#([\w-]+)|\.([\w-]+)|\[\s*([\w:-]+)\s*(?:([\^*$]?=)\s*(\"[^\"]*\"|'[^']*'|[^\]\s]*))?\s*\]"
)


def _matcher(compound: str):
    match = _COMPOUND.fullmatch(compound)
    if not match or not compound:
        raise ValueError(f"unsupported selector: {compound!r}")
    tag, rest = match.group(1), match.group(2)
    tests = []
    if tag and tag != "*":
        tests.append(lambda n, tag=tag: n.tag == tag)
    for ident, cls, attr, op, value in _PART.findall(rest):
        if ident:
            tests.append(lambda n, v=ident: n.attrs.get("id") == v)
        elif cls:
            tests.append(lambda n, v=cls: v in n.classes)
        else:
            value = value[1:-1] if value[:1] in "\"'" and value else value
            tests.append(lambda n, a=attr, o=op, v=value: _attr_matches(n.attrs.get(a), o, v))
    return lambda node: all(test(node) for test in tests)


def _attr_matches(actual: str | None, op: str, value: str) -> bool:
    if actual is None:
        return False
    return {
        "": True,
        "=": actual == value,
        "^=": actual.startswith(value),
        "*=": value in actual,
        "$=": actual.endswith(value),
    }[op]


def select(html, selector: str) -> list[Node]:
    """Elements matching `selector`, in document order."""
    tokens = re.findall(r">|(?:[^\s>\[]|\[[^\]]*\])+", selector)
    steps: list[tuple[str, object]] = []  # (combinator, matcher)
    combinator = " "
    for token in tokens:
        if token == ">":
            combinator = ">"
            continue
        steps.append((combinator, _matcher(token)))
        combinator = " "
    found = [parse(html)]
    for combinator, matches in steps:
        found_next, seen = [], set()
        for node in found:
            pool = (
                (c for c in node.children if isinstance(c, Node))
                if combinator == ">"
                else node.elements()
            )
            for candidate in pool:
                if id(candidate) not in seen and matches(candidate):
                    seen.add(id(candidate))
                    found_next.append(candidate)
        found = found_next
    return found


def select_one(html, selector: str) -> Node:
    found = select(html, selector)
    assert found, f"nothing matches {selector!r}"
    return found[0]


def text_of(node) -> str:
    """The text of a node (or of a whole document), whitespace collapsed."""
    node = parse(node)
    parts: list[str] = []

    def walk(n: Node):
        for child in n.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag not in ("script", "style", "template"):
                walk(child)

    walk(node)
    return re.sub(r"[ \t\n\r\f]+", " ", "".join(parts)).strip()  # no-break spaces stay


def links(html) -> list[tuple[str, str]]:
    """(text, href) of every link."""
    return [(text_of(a), a.attrs["href"]) for a in select(html, "a[href]")]


def form_fields(html) -> dict[str, str]:
    """Name and current value of every named field (checked boxes only, the selected option)."""
    fields: dict[str, str] = {}
    for node in parse(html).elements():
        name = node.attrs.get("name")
        if not name:
            continue
        if node.tag == "input":
            kind = node.attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in node.attrs:
                continue
            fields[name] = node.attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
        elif node.tag == "textarea":
            text = "".join(c for c in node.children if isinstance(c, str))
            # As browsers do, a newline right after <textarea> is not part of the value.
            fields[name] = text[1:] if text.startswith("\n") else text
        elif node.tag == "select":
            options = select(node, "option")
            chosen = [o for o in options if "selected" in o.attrs] or options[:1]
            if chosen:
                fields[name] = chosen[0].attrs.get("value", text_of(chosen[0]))
    return fields


def table_rows(html) -> list[list[str]]:
    """Text of the cells (th and td) of every row."""
    return [
        [
            text_of(cell)
            for cell in row.children
            if isinstance(cell, Node) and cell.tag in ("td", "th")
        ]
        for row in select(html, "tr")
    ]
