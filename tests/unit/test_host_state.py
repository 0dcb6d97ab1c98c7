"""The batched host-state commands and their parsers (ovs_hypervisor.host_state).

The parsers run on recorded lab outputs (tests/data/lab-after/verify-probe-*.txt).  The
shell commands themselves run here under /bin/sh against fake ovs-vsctl / ovs-appctl / ip /
ping / python3 scripts on PATH, so the error paths (no ovs-vsctl, ovsdb-server down,
vswitchd down, libvirt down, no ping) are exercised without touching this machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ovs_hypervisor.facts.ovs import OvsState, VerifyState
from ovs_hypervisor.host_state import (
    net_state_command,
    parse_domains,
    parse_ipv6,
    parse_links,
    parse_net_state,
    parse_ovs_state,
    parse_ping,
    parse_verify_probe,
)
from tests.conftest import DATA

REC = DATA / "lab-after"
OVS = DATA / "ovs"


def recorded(name: str) -> list[str]:
    return (REC / f"verify-probe-{name}.txt").read_text().splitlines()


# --- parsers on recorded output ------------------------------------------------------------


def test_clean_probe() -> None:
    snap = parse_verify_probe(recorded("clean"))
    ovs = snap["ovs"]
    assert ovs["error"] is None and ovs["vswitchd_error"] is None
    assert ovs["vswitchd"] == "ovs-vswitchd (Open vSwitch) 3.1.0"
    assert ovs["show"] is not None and set(ovs["show"]["bridges"]) == {"ovsbr0"}
    assert ovs["ports"]["vnet6"]["vlan_mode"] == "native-untagged"
    assert ovs["interfaces"]["vnet5"]["external_ids"]["attached-mac"] == "52:54:00:aa:bb:01"
    assert ovs["bridges"]["ovsbr0"]["datapath_type"] == "netdev"
    net = snap["net"]
    assert net["links"]["vlan1234"]["addresses"][0] == "192.0.2.10/24"
    assert net["links"]["vlan1234"]["carrier"] is True
    assert net["ipv6_disabled"] is not None
    assert net["ipv6_disabled"]["vlan1234"] is False and net["ipv6_disabled"]["eth0"] is True
    assert net["ping"] == {
        "target": "192.0.2.1",
        "reachable": True,
        "rtt_ms": 0.299,
        "detail": "reply in 0.299 ms",
    }
    assert snap["domains"]["error"] is None
    assert sorted(snap["domains"]["domains"]) == [
        "vm-access",
        "vm-hybrid",
        "vm-multi",
        "vm-off",
        "vm-trunk",
    ]


def test_vswitchd_down_probe() -> None:
    snap = parse_verify_probe(recorded("vswitchd-down"))
    assert snap["ovs"]["vswitchd"] is None
    assert snap["ovs"]["vswitchd_error"] == (
        'no answer (ovs-appctl: cannot read pidfile "/var/run/openvswitch/ovs-vswitchd.pid" '
        "(No such file or directory))"
    )
    assert snap["net"]["links"]["vlan1234"]["carrier"] is False
    assert snap["net"]["ping"]["reachable"] is False


def test_ovsdb_and_libvirt_down_probe() -> None:
    snap = parse_verify_probe(recorded("ovsdb-libvirt-down"))
    assert snap["ovs"]["error"] == (
        "ovs-vsctl cannot reach ovsdb-server: ovs-vsctl: unix:/var/run/openvswitch/db.sock: "
        "database connection failed (No such file or directory)"
    )
    assert snap["ovs"]["show"] is None and snap["ovs"]["ports"] == {}
    assert snap["domains"] == {
        "error": "cannot read libvirt domains (libvirt unreachable, exit 2): domctl: cannot "
        "connect to libvirt at qemu:///system: Failed to connect socket to "
        "'/var/run/libvirt/libvirt-sock': No such file or directory",
        "domains": {},
    }


def test_older_ovs_state_recording_without_vswitchd_section() -> None:
    state = parse_ovs_state((REC / "ovs-state.txt").read_text().splitlines())
    assert state["vswitchd"] is None and state["vswitchd_error"] is None
    assert state["show"] is not None and "ovsbr0" in state["show"]["bridges"]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "missing @@SHOW"),
        (["@@SHOW", "x", "@@PORT", "{}", "@@INTERFACE", "@@BRIDGE"], "expected 'Record NAME'"),
        (["@@SHOW", "@@PORT", "[]", "@@INTERFACE", "@@BRIDGE"], "empty input"),
    ],
)
def test_bad_ovs_state_raises_value_error(lines: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_ovs_state(lines)


@pytest.mark.parametrize(
    ("rc", "output", "reachable", "detail"),
    [
        (
            "0",
            ["64 bytes from 192.0.2.1: icmp_seq=1 ttl=64 time=0.658 ms"],
            True,
            "reply in 0.658 ms",
        ),
        ("0", ["64 bytes from 192.0.2.1: icmp_seq=1 ttl=64 time<1 ms"], True, "reply in 1 ms"),
        (
            "1",
            ["PING 192.0.2.1 (192.0.2.1) 56(84) bytes of data.", ""],
            False,
            "no reply within 1 s",
        ),
        (
            "2",
            ["ping: connect: Network is unreachable"],
            False,
            "ping: connect: Network is unreachable",
        ),
        ("2", [], False, "ping failed (exit 2)"),
        ("127", [], None, "not tried: ping is not installed (package iputils-ping)"),
    ],
)
def test_parse_ping(rc: str, output: list[str], reachable: bool | None, detail: str) -> None:
    result = parse_ping(rc, output, "192.0.2.1")
    assert (result["reachable"], result["detail"]) == (reachable, detail)


def test_no_gateway_no_ping() -> None:
    assert parse_ping("-", [], None)["detail"] == "no gateway configured (ovs_hv_mgmt_gateway)"


def test_parse_ipv6() -> None:
    assert parse_ipv6(
        [
            "/proc/sys/net/ipv6/conf/eth0.12/disable_ipv6:1",
            "/proc/sys/net/ipv6/conf/x/disable_ipv6:0",
        ]
    ) == {"eth0.12": True, "x": False}
    assert parse_ipv6([]) is None
    with pytest.raises(ValueError, match="unexpected disable_ipv6 line"):
        parse_ipv6(["garbage"])


def test_parse_domains_errors() -> None:
    assert parse_domains(["{}", "", "@@RC 0"]) == {"error": None, "domains": {}}
    with pytest.raises(ValueError, match="no @@RC"):
        parse_domains(["{}"])
    with pytest.raises(ValueError, match="did not print JSON"):
        parse_domains(["{", "@@RC 0"])
    assert parse_domains(["", "@@RC 127", "sh: python3: not found"])["error"] == (
        "cannot read libvirt domains (python3 is not installed, exit 127): sh: python3: not found"
    )


def test_links_reject_non_lists() -> None:
    with pytest.raises(ValueError, match="did not print JSON"):
        parse_links("nope")
    with pytest.raises(ValueError, match="JSON list"):
        parse_links("{}")


# --- the shell commands, against fakes -----------------------------------------------------

LINKS_JSON = (
    '[{"ifname":"eth0","flags":["UP","LOWER_UP"],"addr_info":[]},'
    '{"ifname":"vlan1234","flags":["NO-CARRIER","UP"],'
    '"addr_info":[{"local":"192.0.2.10","prefixlen":24}]}]'
)


@pytest.fixture
def fakebin(tmp_path: Path) -> Path:
    """A PATH with only what the commands need; tests add fakes of the rest."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("grep", "head", "tail", "cat", "printf", "echo"):
        real = shutil.which(tool)
        if real:
            (bindir / tool).symlink_to(real)
    return bindir


def fake(bindir: Path, name: str, script: str) -> None:
    path = bindir / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)


def run(command: str, bindir: Path) -> list[str]:
    out = subprocess.run(
        ["/bin/sh", "-c", command],
        env={"PATH": str(bindir)},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return out.stdout.splitlines()


def fake_ovs(bindir: Path, appctl_rc: int = 0) -> None:
    show = (OVS / "ovs-3.1-lab.show").read_text()
    tables = {
        t: (OVS / f"ovs-3.1-lab-columns-{t}.json").read_text()
        for t in ("Port", "Interface", "Bridge")
    }
    script = 'case "$*" in\n'
    script += f"  *show*) cat <<'EOF'\n{show}EOF\n;;\n"
    for table, text in tables.items():
        script += f"  *'list {table}'*) cat <<'EOF'\n{text}\nEOF\n;;\n"
    script += "  *) echo ok ;;\nesac\n"
    fake(bindir, "ovs-vsctl", script)
    if appctl_rc == 0:
        fake(bindir, "ovs-appctl", "echo 'ovs-vswitchd (Open vSwitch) 3.1.0'\n")
    else:
        fake(
            bindir,
            "ovs-appctl",
            "echo '2026-01-01T00:00:00Z|00001|daemon_unix|WARN|pidfile: open: No such file' >&2\n"
            "echo 'ovs-appctl: cannot read pidfile \"/run/openvswitch/ovs-vswitchd.pid\"' >&2\n"
            f"exit {appctl_rc}\n",
        )


def test_ovs_state_command_without_ovs_vsctl(fakebin: Path) -> None:
    state = parse_ovs_state(run(OvsState().command(), fakebin))
    assert state["error"] == "ovs-vsctl is not installed (package openvswitch-switch)"


def test_ovs_state_command_with_ovsdb_down(fakebin: Path) -> None:
    fake(
        fakebin,
        "ovs-vsctl",
        "echo 'ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed "
        "(No such file or directory)' >&2\nexit 1\n",
    )
    expected = (
        "ovs-vsctl cannot reach ovsdb-server: ovs-vsctl: unix:/var/run/openvswitch/db.sock: "
        "database connection failed (No such file or directory)"
    )
    assert parse_ovs_state(run(OvsState().command(), fakebin))["error"] == expected


@pytest.mark.parametrize("appctl_rc", [0, 1])
def test_ovs_state_command_with_fake_ovs(fakebin: Path, appctl_rc: int) -> None:
    fake_ovs(fakebin, appctl_rc)
    state = parse_ovs_state(run(OvsState().command(), fakebin))
    assert state["error"] is None
    assert state["show"] is not None and "bond0" in state["show"]["bridges"]["ovsbr0"]["ports"]
    assert state["interfaces"]["vnet9"]["ofport"] == -1
    if appctl_rc == 0:
        assert state["vswitchd"] == "ovs-vswitchd (Open vSwitch) 3.1.0"
    else:
        assert state["vswitchd_error"] == (
            'no answer (ovs-appctl: cannot read pidfile "/run/openvswitch/ovs-vswitchd.pid")'
        )
    assert state["bridges"]["ovsbr1"]["fail_mode"] == "secure"
    assert state["show"]["ovs_version"] == "3.1.0"


@pytest.mark.parametrize(
    ("ping", "reachable", "detail"),
    [
        ("echo '64 bytes from 192.0.2.1: icmp_seq=1 ttl=64 time=0.5 ms'", True, "reply in 0.5 ms"),
        ("echo 'PING 192.0.2.1'; exit 1", False, "no reply within 1 s"),
        (None, None, "not tried: ping is not installed (package iputils-ping)"),
    ],
)
def test_net_state_command(
    fakebin: Path, ping: str | None, reachable: bool | None, detail: str
) -> None:
    fake(fakebin, "ip", f"echo '{LINKS_JSON}'\n")
    if ping is not None:
        # the arguments must be exactly one bounded probe
        fake(fakebin, "ping", f'[ "$*" = "-n -c1 -W1 192.0.2.1" ] || exit 9\n{ping}\n')
    net = parse_net_state(run(net_state_command(gateway="192.0.2.1"), fakebin))
    assert net["links"]["vlan1234"]["carrier"] is False
    assert (net["ping"]["target"], net["ping"]["reachable"], net["ping"]["detail"]) == (
        "192.0.2.1",
        reachable,
        detail,
    )
    if os.path.isdir("/proc/sys/net/ipv6/conf"):
        assert net["ipv6_disabled"] is not None and "default" in net["ipv6_disabled"]
    assert parse_net_state(run(net_state_command(), fakebin))["ping"]["target"] is None


@pytest.mark.parametrize("libvirt_up", [True, False])
def test_verify_probe_command_end_to_end(fakebin: Path, libvirt_up: bool) -> None:
    fake_ovs(fakebin)
    fake(fakebin, "ip", f"echo '{LINKS_JSON}'\n")
    fake(fakebin, "ping", "echo 'time=1.5 ms'\n")
    if libvirt_up:
        # domctl dump: JSON on stdout, a notice on stderr (the virsh fallback prints one)
        fake(fakebin, "python3", 'echo notice >&2; echo \'{"vm": {"state": "shut off"}}\'\n')
    else:
        fake(fakebin, "python3", "echo 'domctl: cannot connect to libvirt' >&2; exit 2\n")
    command = VerifyState().command(gateway="192.0.2.1", uri="qemu:///system")
    snap = parse_verify_probe(run(command.get_raw_value(), fakebin))
    assert snap["ovs"]["vswitchd"] == "ovs-vswitchd (Open vSwitch) 3.1.0"
    assert snap["net"]["ping"]["rtt_ms"] == 1.5
    if libvirt_up:
        assert snap["domains"] == {"error": None, "domains": {"vm": {"state": "shut off"}}}
    else:
        assert snap["domains"]["error"] == (
            "cannot read libvirt domains (libvirt unreachable, exit 2): domctl: cannot connect "
            "to libvirt"
        )


def test_probe_missing_section_raises() -> None:
    with pytest.raises(ValueError, match="missing @@@DOMAINS"):
        parse_verify_probe(recorded("clean")[:-5][: recorded("clean").index("@@@DOMAINS")])
