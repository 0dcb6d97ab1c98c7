"""Property tests for parse_interfaces: random files rendered in ifupdown's syntax parse
back to what was rendered, real ifquery reads them the same way, and any text or keyword
soup raises ValueError or parses (nothing else escapes)."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ovs_hypervisor.interfaces import KNOWN_METHODS, parse_interfaces
from tests.helpers.ifquery import assert_ifquery_agrees, needs_ifquery

KEYWORDS = {"iface", "mapping", "auto", "rename", "source", "no-auto-down", "no-scripts"}
iface_names = st.from_regex(r"[a-z][a-z0-9]{0,9}", fullmatch=True)
option_keys = st.from_regex(r"x[a-z0-9_]{0,12}", fullmatch=True)
option_values = st.from_regex(r"[!-~]([ -~]{0,20}[!-~])?", fullmatch=True).filter(
    lambda v: not v.endswith("\\")
)
# ifquery prints "key: value" and a repeated option's further values as bare lines, so
# values compared with its output must not look like "key:".
plain_values = option_values.filter(lambda v: ":" not in v)
families = st.sampled_from(sorted(KNOWN_METHODS))


@st.composite
def stanzas(draw: st.DrawFn, safe_methods: bool = False) -> dict[str, Any]:
    if safe_methods:  # no method defaults or conversions in ifquery's output
        family, method = draw(st.sampled_from([("inet", "manual"), ("inet6", "manual")]))
    else:
        family = draw(families)
        method = draw(st.sampled_from(sorted(KNOWN_METHODS[family])))
    values = plain_values if safe_methods else option_values
    options = draw(st.dictionaries(option_keys, st.lists(values, min_size=1, max_size=3)))
    return {"family": family, "method": method, "options": options}


@st.composite
def files(draw: st.DrawFn, safe_methods: bool = False) -> dict[str, Any]:
    ifaces = draw(st.dictionaries(iface_names, stanzas(safe_methods), max_size=5))
    names = sorted(ifaces)

    def subset(least: int) -> list[str]:
        order = draw(st.permutations(names))
        return list(order[: draw(st.integers(least, len(order)))])

    class_names = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True)
    classes = draw(st.lists(class_names.filter(lambda c: c != "auto"), unique=True, max_size=3))
    allow = {klass: subset(1) for klass in classes} if names else {}
    return {"interfaces": ifaces, "auto": subset(0), "allow": allow}


def render(spec: dict[str, Any], draw: Callable[[st.SearchStrategy[Any]], Any]) -> str:
    gap = st.sampled_from([" ", "  ", "\t", " \t "])
    indent = st.sampled_from(["", "    ", "\t", "  "])
    lines: list[str] = []
    if spec["auto"]:
        lines.append("auto " + " ".join(spec["auto"]))
    for klass, names in spec["allow"].items():
        lines.append(f"allow-{klass}{draw(gap)}" + draw(gap).join(names))
    for name, stanza in spec["interfaces"].items():
        lines.append(f"iface {name} {stanza['family']} {stanza['method']}")
        if draw(st.booleans()):
            lines.append(draw(indent) + "# a comment")
        for key, values in stanza["options"].items():
            for value in values:
                spelled = key.replace("_", "-") if draw(st.booleans()) else key
                lines.append(f"{draw(indent)}{spelled}{draw(gap)}{value}")
        if draw(st.booleans()):
            lines.append("")
    return "\n".join(lines) + "\n"


def expected(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "interfaces": {
            name: {s["family"]: {"method": s["method"], "options": s["options"]}}
            for name, s in spec["interfaces"].items()
        },
        "auto": spec["auto"],
        "allow": spec["allow"],
        "source": [],
        "source_directory": [],
        "mapping": [],
        "rename": [],
        "no_auto_down": [],
        "no_scripts": [],
    }


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_render_then_parse_round_trips(data: st.DataObject) -> None:
    spec = data.draw(files())
    assert parse_interfaces(render(spec, data.draw)) == expected(spec)


@needs_ifquery
@settings(max_examples=25, deadline=None)
@given(st.data())
def test_ifquery_agrees_on_random_files(data: st.DataObject) -> None:
    spec = data.draw(files(safe_methods=True))
    text = render(spec, data.draw)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "interfaces"
        path.write_text(text)
        assert_ifquery_agrees(path, parse_interfaces(text))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_raises_only_value_error(text: str) -> None:
    with contextlib.suppress(ValueError):
        parse_interfaces(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from([*KEYWORDS, "allow-ovs", "allow-", "source-dir", "up", "map"]),
            st.text(alphabet=" \t\\#\nxeth0=inet6staticmanual", max_size=12),
        ),
        max_size=25,
    )
)
def test_keyword_soup_raises_only_value_error(words: list[str]) -> None:
    with contextlib.suppress(ValueError):
        parse_interfaces(" ".join(words).replace(" \n ", "\n"))
