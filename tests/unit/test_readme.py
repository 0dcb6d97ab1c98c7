"""The README lists every host data key (the brief asks for it; this keeps it true)."""

from __future__ import annotations

from ovs_hypervisor.model import known_keys
from tests.conftest import ROOT


def test_every_key_is_in_the_readme_table() -> None:
    table = [
        line
        for line in (ROOT / "README.md").read_text().splitlines()
        if line.startswith("| `ovs_hv_")
    ]
    listed = {line.split("`")[1] for line in table}
    assert sorted(set(known_keys()) - listed) == []
    assert sorted(listed - set(known_keys())) == []
