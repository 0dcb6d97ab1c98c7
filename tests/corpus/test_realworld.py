"""The real-world corpus (tests/data/realworld/, sources in its README.md) through the
parsers and the patcher: every file is handled, either read/patched correctly or refused
with a one-line ValueError that says what and where.  The expected outcome of each file is
pinned below, so a behaviour change shows up here.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from ovs_hypervisor.domain_xml import domain_nics, patch_domain_xml
from ovs_hypervisor.interfaces import parse_interfaces
from ovs_hypervisor.ovs_show import parse_ovs_show
from tests.helpers.ifquery import assert_ifquery_agrees

REAL = Path(__file__).resolve().parent.parent / "data" / "realworld"
DOMAINS = sorted((REAL / "domains").glob("*.xml"))
SHOWS = sorted((REAL / "ovs").glob("*.show"))
IFACES = sorted((REAL / "interfaces").glob("*.interfaces"))
BR = "ovsbr0"
SPEC = {"native": 7, "trunk": [8, 9]}

# file -> None (all NICs patched) or the refusal expected when every NIC is requested.
DOMAIN_OUTCOME: dict[str, str | None] = {
    "hand-live-running-network-nic.xml": None,
    "hand-openstack-nova-ovs.xml": None,
    "hand-truncated-dumpxml.xml": "malformed domain XML",
    "hand-xxe-entity.xml": None,
    "net-bandwidth.xml": None,
    "net-coalesce.xml": None,
    "net-eth-hostip.xml": "interface type='ethernet' cannot join Open vSwitch",
    "net-eth-ifname.xml": "interface type='ethernet' cannot join Open vSwitch",
    "net-eth-names.xml": "interface type='ethernet' cannot join Open vSwitch",
    "net-hostdev-multidomain.xml": "interface type='hostdev' cannot join Open vSwitch",
    "net-hostdev-vfio.xml": "interface type='hostdev' cannot join Open vSwitch",
    "net-isolated-port.xml": None,
    "net-linkstate.xml": "interface type='user' cannot join Open vSwitch",
    "net-mcast.xml": "interface type='mcast' cannot join Open vSwitch",
    "net-udp.xml": "interface type='udp' cannot join Open vSwitch",
    "net-user-passt.x86_64-latest.xml": "interface type='user' cannot join Open vSwitch",
    "net-vdpa.xml": "interface type='vdpa' cannot join Open vSwitch",
    "net-vhostuser-multiq.xml": "interface type='vhostuser' cannot join Open vSwitch",
    "net-virtio-disable-offloads.xml": "interface type='user' cannot join Open vSwitch",
    "net-virtio-rxtxqueuesize.xml": "interface type='user' cannot join Open vSwitch",
    "net-virtio-teaming-network.xml": "MAC 00:11:22:33:44:55 is used by more than one NIC",
    "net-virtio-teaming.xml": "MAC 00:11:22:33:44:55 is used by more than one NIC",
    "tap-vhost.xml": None,
    "virt-manager-add-devices-out.xml": None,
    "virt-manager-change-nics-out.xml": "MAC 00:11:22:33:44:55 is used by more than one NIC",
    "virt-manager-domain-roundtrip.xml": None,
}

# file -> None (parses) or the start of the ValueError.
SHOW_OUTCOME: dict[str, str | None] = {
    "ovs-2.0.2-redacted-uuid.show": None,
    "ovs-2.0.2-trunk-uplink.show": None,
    "ovs-2.11-centos7-virt-install.show": None,
    "ovs-2.13-dpdk-controller.show": None,
    "ovs-2.6.1-error-mixed-quoting.show": None,
    "ovs-2.6.1-rst-lost-indent.show": "line 2: not indented under the UUID line",
    "ovs-2.x-gre-misindented.show": "line 3: Port outside any Bridge",
    "ovs-3.6-flattened-paste.show": "line 2: not indented under the UUID line",
    "ovs-3.6-rhel9-bond.show": None,
    "ovs-crlf-copied-from-windows.show": None,
    "ovs-snippet-without-uuid.show": None,
}

IFACES_OUTCOME: dict[str, str | None] = {
    "cumulus-oob-mgmt-server.interfaces": None,
    "debian-router-razuuu-ppp.interfaces": None,
    "debian8-resel-no-final-newline.interfaces": None,
    "hand-bond-lacp-vlan-bridge.interfaces": None,
    "hand-conflicting-methods.interfaces": "line 5: 'iface eth0 inet static' conflicts",
    "hand-dos-line-endings.interfaces": None,
    "hand-ifupdown2-no-family.interfaces": "line 5: iface bridge: no address family",
    "hand-proxmox-ovs-mtu.interfaces": None,
    "hand-proxmox-vlan-aware.interfaces": None,
    "hand-truncated-continuation.interfaces": None,
    "hand-utf8-bom.interfaces": "line 1: misplaced option",
    "hetzner-bozkurtdev-nat-placeholders.interfaces": None,
    "proxmox-adrianlsy-multiport-bridge.interfaces": None,
    "proxmox-ashatm-nat-inline-comments.interfaces": None,
    "proxmox-hackinthebox-five-bridges.interfaces": None,
    "ubuntu-kvm-buggaboo-unindented.interfaces": None,
}


def read(path: Path) -> str:
    # Bytes as they are: CRLF files must reach the parsers with their CRs.
    return path.read_bytes().decode("utf-8")


def test_every_file_has_a_pinned_outcome() -> None:
    assert sorted(p.name for p in DOMAINS) == sorted(DOMAIN_OUTCOME)
    assert sorted(p.name for p in SHOWS) == sorted(SHOW_OUTCOME)
    assert sorted(p.name for p in IFACES) == sorted(IFACES_OUTCOME)
    readme = (REAL / "README.md").read_text()
    for path in [*DOMAINS, *SHOWS, *IFACES]:
        assert f"`{path.name}`" in readme, f"{path.name}: source not noted in README.md"


def _one_line(message: str) -> None:
    assert "\n" not in message and "Traceback" not in message and len(message) < 400, message


# --------------------------------------------------------------------------- domain XML


def _validates(xml: str) -> bool:
    with tempfile.NamedTemporaryFile("w", suffix=".xml", encoding="utf-8") as f:
        f.write(xml)
        f.flush()
        proc = subprocess.run(
            ["virt-xml-validate", f.name, "domain"], capture_output=True, check=False, timeout=60
        )
    return proc.returncode == 0


@pytest.mark.parametrize("path", DOMAINS, ids=lambda p: p.name)
def test_domain_xml(path: Path) -> None:
    xml = read(path)
    expected = DOMAIN_OUTCOME[path.name]
    try:
        nics = domain_nics(xml)
    except ValueError as exc:
        assert expected is not None and expected in str(exc)
        _one_line(str(exc))
        return
    macs = list(dict.fromkeys(n["mac"] for n in nics if n["mac"]))
    # Every NIC alone: patched correctly, or refused naming the NIC.
    for mac in macs:
        try:
            out = patch_domain_xml(xml, BR, {mac.upper(): SPEC})
        except ValueError as exc:
            _one_line(str(exc))
            # The NIC itself, or the domain's duplicated MAC (which makes "the NIC with
            # this MAC" ambiguous, so the patcher refuses the whole domain).
            assert mac in str(exc) or "is used by more than one NIC" in str(exc), str(exc)
            continue
        after = domain_nics(out)
        assert [n for n in after if n["mac"] != mac] == [n for n in nics if n["mac"] != mac]
        (mine,) = [n for n in after if n["mac"] == mac]
        assert (mine["type"], mine["bridge"], mine["virtualport"]) == ("bridge", BR, "openvswitch")
        assert mine["vlan"] == dict(SPEC)
        assert patch_domain_xml(out, BR, {mac: SPEC}) == out
    # All NICs at once: the pinned outcome.
    try:
        out = patch_domain_xml(xml, BR, dict.fromkeys(macs, SPEC))
    except ValueError as exc:
        _one_line(str(exc))
        assert expected is not None and expected in str(exc), str(exc)
        return
    assert expected is None, f"expected a refusal containing {expected!r}"
    assert patch_domain_xml(out, BR, dict.fromkeys(macs, SPEC)) == out
    if shutil.which("virt-xml-validate") and _validates(xml):
        assert _validates(out), "the input passes libvirt's schema, the output must too"


# --------------------------------------------------------------------------- ovs-vsctl show


@pytest.mark.parametrize("path", SHOWS, ids=lambda p: p.name)
def test_ovs_show(path: Path) -> None:
    expected = SHOW_OUTCOME[path.name]
    try:
        result = parse_ovs_show(read(path))
    except ValueError as exc:
        _one_line(str(exc))
        assert expected is not None and str(exc).startswith(expected), str(exc)
        return
    assert expected is None, f"expected a refusal starting {expected!r}"
    assert result["bridges"]
    for bridge in result["bridges"].values():
        for port in bridge["ports"].values():
            assert port["interfaces"]
            assert all(1 <= t <= 4095 for t in port["trunks"])


def test_ovs_show_values() -> None:
    trunk = parse_ovs_show(read(REAL / "ovs" / "ovs-2.0.2-trunk-uplink.show"))
    eth0 = trunk["bridges"]["vmbr0"]["ports"]["eth0"]
    assert (eth0["tag"], eth0["trunks"], trunk["ovs_version"]) == (31, [31, 32], "2.0.2")
    redacted = parse_ovs_show(read(REAL / "ovs" / "ovs-2.0.2-redacted-uuid.show"))
    assert redacted["uuid"] is None
    assert redacted["bridges"]["vmbr0"]["ports"]["vnet3"]["interfaces"] == {
        "vnet3": {"type": None, "error": None}
    }
    snippet = parse_ovs_show(read(REAL / "ovs" / "ovs-snippet-without-uuid.show"))
    ports = snippet["bridges"]["ovsbr0"]["ports"]
    assert snippet["uuid"] is None and list(ports["bond0"]["interfaces"]) == ["eth1", "eth2"]
    assert ports["vnet0"]["tag"] == 100
    dpdk = parse_ovs_show(read(REAL / "ovs" / "ovs-2.13-dpdk-controller.show"))
    br0 = dpdk["bridges"]["br0"]
    assert br0.get("datapath_type") == "netdev" and br0.get("fail_mode") == "secure"
    assert br0["ports"]["dpdk1"]["interfaces"]["dpdk1"]["error"] == (
        "could not add network device dpdk1 to ofproto (Invalid argument)"
    )
    assert br0["ports"]["dpdk0"]["interfaces"]["dpdk0"].get("options") == {
        "dpdk-devargs": "0000:02:06.0"
    }
    assert dpdk["manager"][0] == {"target": "ptcp:6640", "is_connected": True}
    bond = parse_ovs_show(read(REAL / "ovs" / "ovs-3.6-rhel9-bond.show"))
    assert list(bond["bridges"]["ovsbr0"]["ports"]["bond0"]["interfaces"]) == ["eth1", "eth2"]
    assert bond["ovs_version"] == "3.6.0-12.el9fdp"


# --------------------------------------------------------------------------- interfaces(5)


@pytest.mark.parametrize("path", IFACES, ids=lambda p: p.name)
def test_interfaces_file(path: Path) -> None:
    text = read(path)
    expected = IFACES_OUTCOME[path.name]
    try:
        parsed = parse_interfaces(text)
    except ValueError as exc:
        _one_line(str(exc))
        assert expected is not None and str(exc).startswith(expected), str(exc)
        return
    assert expected is None, f"expected a refusal starting {expected!r}"
    with tempfile.TemporaryDirectory() as tmp:
        # Keep ifquery away from this machine's /etc/network/interfaces.d.
        sandboxed = text.replace("/etc/network/interfaces.d", f"{tmp}/interfaces.d")
        file = Path(tmp) / "interfaces"
        file.write_bytes(sandboxed.encode())
        assert_ifquery_agrees(file, parsed)
