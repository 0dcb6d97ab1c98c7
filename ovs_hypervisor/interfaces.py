"""Parse Debian's /etc/network/interfaces (ifupdown 0.8, interfaces(5)).

The reading rules follow ifupdown 0.8's own parser (config.c) and were checked against
``ifquery`` 0.8.41 on Debian 12:

* A line whose first non-blank character is ``#`` is a comment; ``#`` anywhere else is
  data (``up echo "#x" # y`` keeps all of it).
* A line ending in a backslash continues on the next physical line, which is appended
  as-is (its indentation kept, no comment check); a comment line never continues.
* Stanzas: ``iface NAME FAMILY METHOD [inherits OTHER]``, ``mapping PATTERN...``,
  ``auto``/``allow-CLASS`` (``allow-auto`` is ``auto``), ``source``,
  ``source-directory`` (ifupdown takes any word starting ``source-dir``), ``rename``,
  ``no-auto-down``, ``no-scripts``.  Only ``iface`` and ``mapping`` own option lines; an
  option anywhere else is ifupdown's "misplaced option".
* An option is ``KEY VALUE``; the value is the rest of the line with its inner spacing
  kept; an empty value is an error.  Several ``iface`` stanzas may name one interface
  (interfaces(5): "Multiple iface stanzas can be given for the same interface").

Deliberate differences from ifupdown, so that a doubtful file stops the deploy instead of
being half-understood:

* keys are normalised to underscores (``ovs-type`` == ``ovs_type``: the hooks see both as
  ``IF_OVS_TYPE``); ``post-up``/``pre-down`` are kept under their own names although
  ifupdown runs them as ``up``/``down``;
* two stanzas for one interface and family are merged (their options appended in file
  order) when they use the same method, and rejected when the methods differ;
* an unknown extra word on an ``iface`` line (ifupdown warns and ignores it), a ``source``
  without a path and a ``mapping`` without a pattern are errors;
* ``parse_interfaces`` records ``source``/``source-directory`` without following them; no
  implicit ``lo`` is added.  ``parse_interfaces_files`` reads a configuration whose
  included files were collected on the host by ``remote/collect.py`` (for the deploy,
  verify and discovery alike), which follows ifupdown's rules: the first word of a
  ``source`` line is expanded like a shell word and globbed, relative to the including
  file's directory; ``source-directory`` takes the directory's files whose names match
  ``^[a-zA-Z0-9_-]+$``; included files are followed in turn), in ifupdown's reading
  order, with errors naming the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, TypedDict

# The host-side collector reads files with these same rules (one definition, both sides).
from ovs_hypervisor.remote.collect import is_source_keyword, logical_lines

__all__ = [
    "KNOWN_METHODS",
    "IfaceStanza",
    "InterfacesFile",
    "LocatedConfig",
    "MappingStanza",
    "OptionLine",
    "SourceFile",
    "Stanza",
    "normalise_key",
    "parse_interfaces",
    "parse_interfaces_files",
    "parse_interfaces_located",
]

# Address families and methods ifupdown 0.8.41 knows on Linux (from its *.defn files;
# each one checked with ifquery).  Anything else makes ifup refuse the whole file.
KNOWN_METHODS: Final[dict[str, frozenset[str]]] = {
    "inet": frozenset(
        {"loopback", "static", "manual", "dhcp", "bootp", "tunnel", "ppp", "wvdial", "ipv4ll"}
    ),
    "inet6": frozenset(
        {"loopback", "static", "manual", "dhcp", "tunnel", "auto", "v4tunnel", "6to4"}
    ),
    "ipx": frozenset({"static", "dynamic"}),
    "can": frozenset({"static"}),
    "meta": frozenset({"none"}),
}

_SPLIT_RE: Final = re.compile(r"[ \t\n\r\v\f]+")


class IfaceStanza(TypedDict):
    method: str
    options: dict[str, list[str]]  # normalised key -> values in file order


class MappingStanza(TypedDict):
    pattern: list[str]
    options: dict[str, list[str]]  # "script" (one) and "map" (any number)


class InterfacesFile(TypedDict):
    interfaces: dict[str, dict[str, IfaceStanza]]  # name -> family -> stanza
    auto: list[str]
    allow: dict[str, list[str]]  # class -> names ("hotplug", "ovs", "ovsbr0"...)
    source: list[str]
    source_directory: list[str]
    mapping: list[MappingStanza]
    rename: list[str]  # "CUR=NEW" words
    no_auto_down: list[str]
    no_scripts: list[str]


@dataclass(frozen=True)
class OptionLine:
    line: int  # first physical line of the (possibly continued) option line
    key: str  # as written
    value: str


@dataclass(frozen=True)
class Stanza:
    """One stanza as written, with line numbers, for messages that point into the file."""

    line: int
    keyword: str  # as written: "iface", "mapping", "auto", "allow-ovs", "source-dir"...
    args: tuple[str, ...]  # words after the keyword; source*: the rest of the line, whole
    options: tuple[OptionLine, ...] = field(default=())


def normalise_key(key: str) -> str:
    """``ovs-type`` -> ``ovs_type``: the spelling-independent form of an option key."""
    return key.replace("-", "_")


def _split_first(line: str) -> tuple[str, str]:
    parts = _SPLIT_RE.split(line, maxsplit=1)
    return parts[0], (parts[1] if len(parts) > 1 else "")


@dataclass(frozen=True)
class _IfaceHeader:
    name: str
    family: str | None  # None: "iface NAME inherits OTHER" takes OTHER's
    method: str | None
    inherits: str | None


def _iface_header(args: tuple[str, ...], lineno: int) -> _IfaceHeader:
    usage = "expected 'iface NAME FAMILY METHOD [inherits OTHER]'"
    if not args:
        raise ValueError(f"line {lineno}: iface without a name; {usage}")
    name, rest = args[0], list(args[1:])
    family: str | None = None
    method: str | None = None
    if rest and rest[0] != "inherits":
        family = rest.pop(0)
        if family not in KNOWN_METHODS:
            known = ", ".join(sorted(KNOWN_METHODS))
            raise ValueError(
                f"line {lineno}: iface {name}: unknown address family {family!r} "
                f"(ifupdown knows {known}); {usage}"
            )
        if rest and rest[0] != "inherits":
            method = rest.pop(0)
            if method not in KNOWN_METHODS[family]:
                known = ", ".join(sorted(KNOWN_METHODS[family]))
                raise ValueError(
                    f"line {lineno}: iface {name}: unknown {family} method {method!r} "
                    f"(ifupdown knows {known})"
                )
    inherits: str | None = None
    if rest:
        if rest[0] != "inherits" or len(rest) != 2:
            raise ValueError(f"line {lineno}: iface {name}: unexpected {' '.join(rest)!r}; {usage}")
        inherits = rest[1]
    elif family is None:
        raise ValueError(f"line {lineno}: iface {name}: no address family; {usage}")
    elif method is None:
        raise ValueError(f"line {lineno}: iface {name}: no method; {usage}")
    return _IfaceHeader(name, family, method, inherits)


def parse_interfaces_located(text: str) -> list[Stanza]:
    """The file as a list of stanzas in order, each with its line numbers.

    Checks everything ifupdown checks while reading (misplaced or empty options, the
    ``iface`` line, ``mapping`` options) and raises ValueError naming the line.
    """
    stanzas: list[Stanza] = []
    # The stanza currently owning option lines: (header, options being collected).
    owner: tuple[Stanza, list[OptionLine]] | None = None

    def close() -> None:
        nonlocal owner
        if owner is not None:
            head, opts = owner
            stanzas.append(Stanza(head.line, head.keyword, head.args, tuple(opts)))
            owner = None

    for lineno, line in logical_lines(text):
        if not line:
            continue
        word, rest = _split_first(line)
        words = tuple(_SPLIT_RE.split(rest)) if rest else ()
        if word in ("iface", "mapping"):
            close()
            if word == "iface":
                _iface_header(words, lineno)
            elif not words:
                raise ValueError(f"line {lineno}: mapping without an interface pattern")
            owner = (Stanza(lineno, word, words), [])
        elif word in ("auto", "rename", "no-auto-down", "no-scripts") or (
            word.startswith("allow-") and len(word) > len("allow-")
        ):
            close()
            stanzas.append(Stanza(lineno, word, words))
        elif is_source_keyword(word):
            close()
            if not rest:
                raise ValueError(f"line {lineno}: {word} without a path")
            stanzas.append(Stanza(lineno, word, (rest,)))
        elif owner is None:
            raise ValueError(
                f"line {lineno}: misplaced option {word!r}: options belong under an "
                "'iface' or 'mapping' line (an auto/allow/source line ends a stanza)"
            )
        elif owner[0].keyword == "mapping":
            if word not in ("script", "map"):
                raise ValueError(
                    f"line {lineno}: misplaced option {word!r} in a mapping stanza "
                    "(only 'script' and 'map' belong there)"
                )
            if word == "script" and any(o.key == "script" for o in owner[1]):
                raise ValueError(f"line {lineno}: duplicate script in mapping stanza")
            if not rest:
                raise ValueError(f"line {lineno}: {word} with empty value")
            owner[1].append(OptionLine(lineno, word, rest))
        else:
            if not rest:
                raise ValueError(f"line {lineno}: option {word!r} with empty value")
            owner[1].append(OptionLine(lineno, word, rest))
    close()
    return stanzas


def _append_unique(target: list[str], names: tuple[str, ...]) -> None:
    # ifupdown lists a name once per class however often it is repeated.
    for name in names:
        if name not in target:
            target.append(name)


def _empty() -> InterfacesFile:
    return {
        "interfaces": {},
        "auto": [],
        "allow": {},
        "source": [],
        "source_directory": [],
        "mapping": [],
        "rename": [],
        "no_auto_down": [],
        "no_scripts": [],
    }


def _line_of(path: str, line: int) -> str:
    return f"{path} line {line}" if path else f"line {line}"


def _build(located: Iterable[tuple[str, Stanza]]) -> InterfacesFile:
    """Fold stanzas (in ifupdown's reading order, each with its file) into one result."""
    result = _empty()
    # Every iface stanza with its effective (inherited + own) options, for "inherits".
    defined: list[tuple[str, str, str, list[tuple[str, str]]]] = []
    first_line: dict[tuple[str, str], str] = {}

    for path, stanza in located:
        kw = stanza.keyword
        here = _line_of(path, stanza.line)
        if kw == "iface":
            head = _iface_header(stanza.args, stanza.line)
            family, method = head.family, head.method
            opts: list[tuple[str, str]] = []
            if head.inherits is not None:
                # ifupdown copies the first earlier stanza of that name (and family, if
                # this line names one) at the moment it reads this line.
                parent = next(
                    (
                        d
                        for d in defined
                        if d[0] == head.inherits and (family is None or d[1] == family)
                    ),
                    None,
                )
                if parent is None:
                    raise ValueError(
                        f"{here}: iface {head.name}: unknown iface to inherit "
                        f"from: {head.inherits} ({family or 'any family'}); it must be "
                        "defined earlier in the file"
                    )
                family = family or parent[1]
                method = method or parent[2]
                opts = list(parent[3])
            assert family is not None and method is not None
            opts += [(o.key, o.value) for o in stanza.options]
            defined.append((head.name, family, method, opts))

            families = result["interfaces"].setdefault(head.name, {})
            merged = families.get(family)
            if merged is None:
                merged = {"method": method, "options": {}}
                families[family] = merged
                first_line[(head.name, family)] = here
            elif merged["method"] != method:
                raise ValueError(
                    f"{here}: 'iface {head.name} {family} {method}' conflicts "
                    f"with 'iface {head.name} {family} {merged['method']}' at "
                    f"{first_line[(head.name, family)]}: one interface and family can "
                    "have only one method"
                )
            for key, value in opts:
                merged["options"].setdefault(normalise_key(key), []).append(value)
        elif kw == "mapping":
            options: dict[str, list[str]] = {}
            for option in stanza.options:
                options.setdefault(option.key, []).append(option.value)
            result["mapping"].append({"pattern": list(stanza.args), "options": options})
        elif kw in ("auto", "allow-auto"):
            _append_unique(result["auto"], stanza.args)
        elif kw.startswith("allow-"):
            _append_unique(result["allow"].setdefault(kw[len("allow-") :], []), stanza.args)
        elif kw == "source":
            result["source"].append(stanza.args[0])
        elif kw.startswith("source-dir"):
            result["source_directory"].append(stanza.args[0])
        elif kw == "rename":
            result["rename"].extend(stanza.args)
        elif kw == "no-auto-down":
            result["no_auto_down"].extend(stanza.args)
        else:
            result["no_scripts"].extend(stanza.args)
    return result


def parse_interfaces(text: str) -> InterfacesFile:
    """Parse an interfaces(5) file into the shape described in the module docstring.

    ``{"interfaces": {name: {family: {"method", "options"}}}, "auto", "allow", "source",
    "source_directory", "mapping", "rename", "no_auto_down", "no_scripts"}``.
    """
    return _build(("", stanza) for stanza in parse_interfaces_located(text))


@dataclass(frozen=True)
class SourceFile:
    """One file of a configuration split with ``source``/``source-directory``.

    ``origin`` is ``(path, line)`` of the ``source*`` line that included it (``None`` for
    the top file, ``/etc/network/interfaces``).  Files included by one line come in the
    order ifupdown reads them (sorted glob or directory listing).
    """

    path: str
    text: str
    origin: tuple[str, int] | None = None


@dataclass(frozen=True)
class LocatedConfig:
    """A whole configuration: the merged reading plus every stanza with its file."""

    parsed: InterfacesFile
    stanzas: tuple[tuple[str, Stanza], ...]  # (path, stanza) in ifupdown's reading order


def parse_interfaces_files(files: Sequence[SourceFile]) -> LocatedConfig:
    """Read a configuration over several files as ifupdown does: each included file's
    stanzas take the place of the ``source``/``source-directory`` line that included it.

    ``files[0]`` is the top file.  Errors are ValueError naming the file and line
    (``/etc/network/interfaces.d/vlans line 7: misplaced option 'mtu' ...``).
    """
    if not files:
        raise ValueError("no interfaces file to read")
    if files[0].origin is not None:
        raise ValueError(f"{files[0].path}: the first file must be the top file (no origin)")
    located: dict[str, list[Stanza]] = {}
    children: dict[tuple[str, int], list[str]] = {}
    for f in files:
        if f.path in located:
            raise ValueError(f"{f.path} is listed twice")
        try:
            located[f.path] = parse_interfaces_located(f.text)
        except ValueError as exc:
            raise ValueError(f"{f.path} {exc}") from None
        if f.origin is not None:
            children.setdefault(f.origin, []).append(f.path)
    for (parent, line), paths in children.items():
        if parent not in located or not any(
            s.line == line and is_source_keyword(s.keyword) for s in located[parent]
        ):
            raise ValueError(
                f"{paths[0]} claims to be included by {parent} line {line}, which is not "
                "a source/source-directory line"
            )

    order: list[tuple[str, Stanza]] = []

    def walk(path: str, depth: int) -> None:
        if depth > 20:
            raise ValueError(f"{path}: source lines nest more than 20 deep (a loop?)")
        for stanza in located[path]:
            order.append((path, stanza))
            for child in children.get((path, stanza.line), []):
                walk(child, depth + 1)

    walk(files[0].path, 0)
    return LocatedConfig(parsed=_build(order), stanzas=tuple(order))
