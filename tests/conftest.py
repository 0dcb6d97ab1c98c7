"""Shared test helpers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"

LAB_DATA = {
    "ovs_hv_mgmt_vlan": 1234,
    "ovs_hv_mgmt_ipv4": "192.0.2.10/24",
    "ovs_hv_mgmt_gateway": "192.0.2.1",
    "ovs_hv_mgmt_dns": ["192.0.2.53"],
    "ovs_hv_datapath_type": "netdev",
}


def need(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.skip(f"{binary} is not installed")
    return path
