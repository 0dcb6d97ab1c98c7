"""Editing XML as text, so that what is not changed stays byte-identical.

:func:`lex` finds the text offsets of elements and attributes (lxml gives values, not
offsets); :class:`Children` holds an element's content as (gap, child) items that can be
removed, inserted and rewritten, indented as libvirt does (:class:`Layout`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import etree


@dataclass
class Attr:
    name: str
    value_start: int  # offset of the opening quote
    value_end: int  # offset after the closing quote


@dataclass
class Node:
    name: str
    start: int  # offset of '<'
    stag_end: int  # offset after the start tag's '>'
    end: int = -1  # offset after the end tag (== stag_end when self-closing)
    attrs: list[Attr] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    @property
    def local(self) -> str:
        return self.name.rpartition(":")[2]


_NAME_RE = re.compile(r"[^\s/>=]+")
_WS = " \t\r\n"


def _skip_ws(s: str, i: int) -> int:
    while i < len(s) and s[i] in _WS:
        i += 1
    return i


def _find(s: str, needle: str, i: int) -> int:
    j = s.find(needle, i)
    if j < 0:
        raise ValueError(f"unterminated {needle!r} construct at offset {i}")
    return j


def lex(s: str) -> Node:
    """Element tree with text offsets. Input was already checked well-formed by lxml."""
    stack: list[Node] = []
    root: Node | None = None
    i = 0
    while (j := s.find("<", i)) >= 0:
        if s.startswith("<!--", j):
            i = _find(s, "-->", j + 4) + 3
        elif s.startswith("<![CDATA[", j):
            i = _find(s, "]]>", j + 9) + 3
        elif s.startswith("<?", j):
            i = _find(s, "?>", j + 2) + 2
        elif s.startswith("<!", j):  # DOCTYPE, possibly with an internal subset
            i, depth, quote = j + 2, 0, ""
            while True:
                if i >= len(s):
                    raise ValueError("unterminated <!DOCTYPE")
                c = s[i]
                if quote:
                    quote = "" if c == quote else quote
                elif c in "'\"":
                    quote = c
                elif c == "[":
                    depth += 1
                elif c == "]":
                    depth -= 1
                elif c == ">" and depth == 0:
                    break
                i += 1
            i += 1
        elif s.startswith("</", j):
            k = _find(s, ">", j)
            name = s[j + 2 : k].strip()
            if not stack or stack[-1].name != name:
                raise ValueError(f"mismatched end tag </{name}>")
            stack.pop().end = k + 1
            i = k + 1
        else:
            m = _NAME_RE.match(s, j + 1)
            if not m:
                raise ValueError(f"bad start tag at offset {j}")
            node = Node(name=m.group(), start=j, stag_end=-1)
            p = m.end()
            while True:
                p = _skip_ws(s, p)
                if s.startswith("/>", p):
                    node.stag_end = node.end = p + 2
                    break
                if s.startswith(">", p):
                    node.stag_end = p + 1
                    break
                am = _NAME_RE.match(s, p)
                if not am:
                    raise ValueError(f"bad attribute at offset {p}")
                p = _skip_ws(s, am.end())
                if not s.startswith("=", p):
                    raise ValueError(f"attribute without value at offset {p}")
                p = _skip_ws(s, p + 1)
                quote = s[p : p + 1]
                if quote not in ("'", '"'):
                    raise ValueError(f"unquoted attribute value at offset {p}")
                q = _find(s, quote, p + 1)
                node.attrs.append(Attr(am.group(), p, q + 1))
                p = q + 1
            if stack:
                stack[-1].children.append(node)
            elif root is None:
                root = node
            if node.end < 0:
                stack.append(node)
            i = node.stag_end
    if root is None or stack:
        raise ValueError("no complete root element")
    return root


@dataclass
class Item:
    """One child element of an <interface> and the text that precedes it."""

    gap: str  # whitespace/comments/text before the element
    text: str
    local: str
    el: etree._Element | None  # None for inserted elements


class Layout:
    """Indentation of an interface's children; inline when the interface is one line."""

    def __init__(self, s: str, node: Node, gaps: list[str]) -> None:
        line_start = s.rfind("\n", 0, node.start) + 1
        own = s[line_start : node.start]
        own = own if own.strip() == "" else ""
        child: str | None = None  # "" is a real (column 0) indent
        for gap in gaps:
            if "\n" in gap:
                tail = gap.rpartition("\n")[2]
                if tail.strip() == "":
                    child = tail
                    break
        self.inline = child is None and all("\n" not in g for g in gaps)
        self.child = own + "  " if child is None else child
        unit = self.child[len(own) :] if self.child.startswith(own) else ""
        self.unit = unit or "  "

    def sep(self) -> str:
        return "" if self.inline else "\n" + self.child

    def block(self, open_tag: str, inner: list[str], close: str) -> str:
        """Element with child lines, formatted as libvirt's virBuffer indentation does."""
        if not inner:
            return open_tag[:-1] + "/>"
        if self.inline:
            return open_tag + "".join(inner) + close
        pad = "\n" + self.child + self.unit
        return open_tag + "".join(pad + i for i in inner) + "\n" + self.child + close


class Children:
    """An element's content as (gap, child) items plus the trailing gap, edited in place."""

    def __init__(self, s: str, node: Node, els: Sequence[etree._Element]) -> None:
        self.items: list[Item] = []
        pos = node.stag_end
        for child, el in zip(node.children, els, strict=True):
            self.items.append(
                Item(s[pos : child.start], s[child.start : child.end], child.local, el)
            )
            pos = child.end
        etag_start = s.rfind("<", pos, node.end)
        self.tail, self.etag = s[pos:etag_start], s[etag_start : node.end]
        self.layout = Layout(s, node, [it.gap for it in self.items] + [self.tail])

    def _index(self, it: Item) -> int:
        return next(n for n, x in enumerate(self.items) if x is it)  # identity, not ==

    def remove(self, it: Item) -> None:
        idx = self._index(it)
        head, nl, rest = it.gap.rpartition("\n")
        gap = head if nl and rest.strip() == "" else it.gap
        if idx + 1 < len(self.items):
            self.items[idx + 1].gap = gap + self.items[idx + 1].gap
        else:
            self.tail = gap + self.tail
        del self.items[idx]

    def insert_after(self, anchor: Item | None, local: str, text: str) -> Item:
        new = Item(self.layout.sep(), text, local, None)
        self.items.insert(self._index(anchor) + 1 if anchor else 0, new)
        return new

    def first(self, local: str) -> Item | None:
        return next((it for it in self.items if it.local == local), None)

    def drop_extra(self, local: str) -> None:
        for extra in [it for it in self.items if it.local == local][1:]:
            self.remove(extra)

    def text(self) -> str:
        """The content as it now is, without the start and end tags."""
        return "".join(it.gap + it.text for it in self.items) + self.tail
