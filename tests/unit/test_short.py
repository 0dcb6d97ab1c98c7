"""The one short repr every message uses (ovs_hypervisor.short)."""

from __future__ import annotations

from typing import Any

from ovs_hypervisor.short import short


def test_long_values_are_cut_in_the_middle() -> None:
    text = short("a" + "x" * 10_000 + "z")
    assert text.startswith("'ax") and text.endswith("xz'") and "..." in text
    assert len(text) <= 70
    assert short(list(range(10_000))) == "[0, 1, 2, 3, 4, 5, ...]"
    assert short("eth0") == "'eth0'"


def test_recursive_and_hostile_values_still_print() -> None:
    deep: list[Any] = []
    deep.append(deep)
    assert short(deep) == "[[[[...]]]]"

    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    assert short(Hostile()).startswith("<Hostile")
