"""Libvirt domain XML samples (tests/data/domains) and the MACs/VLAN data the domain XML
tests share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data" / "domains"
BR = "ovsbr0"
NIC1, NIC2, NIC3, USER_NIC = (
    "52:54:00:aa:bb:01",
    "52:54:00:aa:bb:02",
    "52:54:00:aa:bb:03",
    "52:54:00:9a:e6:c6",
)
ALL3: dict[str, dict[str, Any]] = {
    NIC1: {"vlan": 1011},
    NIC2: {"trunk": [1011, 1012]},
    NIC3: {"native": 101, "trunk": [102]},
}


def load(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")
