"""Where host data comes from: pyinfra's own inventory loader, our layers on top.

Inventories and group data files are written to a temporary directory and loaded with
pyinfra's CLI loader (``make_inventory``), as ``pyinfra INVENTORY deploy.py`` does.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyinfra.api.state import State
from pyinfra.context import ctx_state
from pyinfra_cli.inventory import make_inventory

from ovs_hypervisor.deploys import DATA_DEFAULTS
from ovs_hypervisor.host_data import host_config, merged_data
from ovs_hypervisor.model import HostConfig, HostDataError

SITE = {"ovs_hv_mgmt_ipv4": "10.3.0.21/24", "ovs_hv_mgmt_gateway": "10.3.0.1"}


def write(base: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


@pytest.fixture
def inventory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Load ``tmp_path/inventory.py`` (plus group_data/, host_data/) the way the CLI does."""
    monkeypatch.delenv("OVS_HV_HOST_DATA", raising=False)

    count = 0

    def load(files: dict[str, str], override: dict[str, Any] | None = None) -> Any:
        # pyinfra caches compiled files by path: a new directory per load
        nonlocal count
        count += 1
        base = tmp_path / str(count)
        write(base, files)
        monkeypatch.chdir(base)
        with ctx_state.use(State()):
            return make_inventory(str(base / "inventory.py"), override, cwd=str(base))

    yield load


RACKS = """
    rack_c = [("hv21", {"ovs_hv_mgmt_ipv4": "10.3.0.21/24"}), "hv22"]
    rack_d = [("hv31", {"ovs_hv_mgmt_ipv4": "10.4.0.31/24"})]
    hypervisors = ["hv21", "hv22", "hv31"]
"""


def test_a_users_group_overrides_the_package_defaults(inventory: Any) -> None:
    inv = inventory(
        {
            "inventory.py": RACKS,
            "group_data/all.py": "ovs_hv_mgmt_dns = ['10.0.0.53']\n",
            "group_data/rack_c.py": "ovs_hv_mgmt_vlan = 3000\novs_hv_uplinks = ['eno1']\n",
            "group_data/rack_d.py": "ovs_hv_mgmt_vlan = 4000\n",
        }
    )
    hv21 = host_config(inv.get_host("hv21"))
    assert (hv21.mgmt_vlan, hv21.uplinks, hv21.mgmt_dns) == (3000, ["eno1"], ["10.0.0.53"])
    assert host_config(inv.get_host("hv31")).mgmt_vlan == 4000
    # what the user did not set keeps the package default
    assert (
        hv21.bridge == DATA_DEFAULTS["ovs_hv_bridge"] == HostConfig.model_fields["bridge"].default
    )


def test_precedence_data_over_host_over_file_over_group(inventory: Any) -> None:
    files = {
        "inventory.py": RACKS,
        "group_data/rack_c.py": "ovs_hv_mgmt_vlan = 3000\novs_hv_bridge = 'br-group'\n",
        "host_data/hv21.py": "ovs_hv_bridge = 'br-file'\novs_hv_stop_timeout = 7\n",
    }
    hv21 = host_config(inventory(files).get_host("hv21"))
    assert (hv21.bridge, hv21.stop_timeout, hv21.mgmt_vlan) == ("br-file", 7, 3000)
    # --data beats them all
    hv21 = host_config(inventory(files, {"ovs_hv_bridge": "br-cli"}).get_host("hv21"))
    assert hv21.bridge == "br-cli"
    # the host's inventory entry beats its host data file
    files["inventory.py"] = RACKS.replace(
        '"10.3.0.21/24"}', '"10.3.0.21/24", "ovs_hv_bridge": "br-inv"}'
    )
    assert host_config(inventory(files).get_host("hv21")).bridge == "br-inv"


def test_a_later_group_in_the_inventory_wins(inventory: Any) -> None:
    """pyinfra's rule for a host in two groups that set the same key (shown in the README)."""
    inv = inventory(
        {
            "inventory.py": """
                rack_c = [("hv21", {"ovs_hv_mgmt_ipv4": "10.3.0.21/24"})]
                storage = ["hv21"]
            """,
            "group_data/rack_c.py": "ovs_hv_mgmt_vlan = 3000\n",
            "group_data/storage.py": "ovs_hv_mgmt_vlan = 3001\n",
        }
    )
    assert host_config(inv.get_host("hv21")).mgmt_vlan == 3001


def test_caller_data_sits_below_the_inventory(inventory: Any) -> None:
    inv = inventory({"inventory.py": RACKS, "group_data/rack_c.py": "ovs_hv_mgmt_vlan = 3000\n"})
    caller = {"ovs_hv_mgmt_vlan": 99, "ovs_hv_bridge": "br-caller"}
    config = host_config(inv.get_host("hv21"), caller=caller)
    assert (config.mgmt_vlan, config.bridge) == (3000, "br-caller")


def test_host_data_file_needs_no_inventory_helper(inventory: Any) -> None:
    inv = inventory(
        {
            "inventory.py": 'hypervisors = ["hv9"]\n',
            "host_data/hv9.py": "ovs_hv_mgmt_vlan = 12\novs_hv_mgmt_ipv4 = '10.9.0.9/24'\n",
        }
    )
    assert host_config(inv.get_host("hv9")).mgmt_vlan == 12
    assert merged_data(inv.get_host("hv9"))["ovs_hv_mgmt_vlan"] == 12


@pytest.mark.parametrize(
    ("key", "suggested"),
    [
        ("ovs_mgmt_vlan", "ovs_hv_mgmt_vlan"),
        ("ovshv_bridge", "ovs_hv_bridge"),
        ("ovs_hv_mgmt_valn", "ovs_hv_mgmt_vlan"),
        ("OVS-HV-BRIDGE", "ovs_hv_bridge"),
    ],
)
@pytest.mark.parametrize("where", ["host_data", "group_data", "inventory", "--data"])
def test_a_misspelt_key_from_any_source_names_the_closest_key(
    inventory: Any, key: str, suggested: str, where: str
) -> None:
    host_entry = {"ovs_hv_mgmt_ipv4": "10.3.0.21/24", "ovs_hv_mgmt_vlan": 5}
    files = {"inventory.py": f"rack_c = [('hv21', {host_entry!r})]\n"}
    override = None
    if where == "host_data":
        files["host_data/hv21.py"] = f"globals()[{key!r}] = 77\n"
    elif where == "group_data":
        files["group_data/rack_c.py"] = f"globals()[{key!r}] = 77\n"
    elif where == "inventory":
        files["inventory.py"] = f"rack_c = [('hv21', {{**{host_entry!r}, {key!r}: 77}})]\n"
    else:
        override = {key: 77}
    with pytest.raises(HostDataError) as err:
        host_config(inventory(files, override).get_host("hv21"))
    message = str(err.value)
    assert "'hv21'" in message
    assert f"{key} = 77: unknown key; fix: did you mean {suggested}?" in message


def test_misspelt_key_in_a_host_data_file_names_the_file(inventory: Any, tmp_path: Path) -> None:
    inv = inventory(
        {
            "inventory.py": 'rack_c = [("hv21", {"ovs_hv_mgmt_ipv4": "10.3.0.21/24"})]\n',
            "group_data/rack_c.py": "ovs_hv_mgmt_vlan = 3000\n",
            "host_data/hv21.py": "ovs_mgmt_vlan = 77\nssh_user = 'admin'\n",
        }
    )
    with pytest.raises(HostDataError) as err:
        host_config(inv.get_host("hv21"))
    message = str(err.value)
    path = Path("host_data") / "hv21.py"
    assert "ovs_mgmt_vlan = 77: unknown key; fix: did you mean ovs_hv_mgmt_vlan?" in message
    assert f"[set in host data file {path}]" in message
    assert f"ssh_user (host data file {path}): unknown key" in message


def test_data_defaults_are_the_models_defaults() -> None:
    config = HostConfig(mgmt_vlan=5, mgmt_ipv4="10.0.0.2/24")
    for key, value in DATA_DEFAULTS.items():
        assert getattr(config, key.removeprefix("ovs_hv_")) == value, key
    assert "ovs_hv_mgmt_vlan" not in DATA_DEFAULTS  # required: no default to fall back on
