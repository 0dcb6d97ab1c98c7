"""The lab hypervisor itself (lab/ovslab): it comes up in the legacy "before" state, is
reachable like a real host, never touches this machine, and goes away completely.

The tests at the end of this module tear the lab down themselves (selftest, down); the
module fixture's final `down` then also proves that `down` is idempotent.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.labctl import OVSLAB, PYINFRA, require_lab
from tests.integration.labctl import lab as ovslab

pytestmark = pytest.mark.integration

DIR = Path(os.environ.get("OVSLAB_DIR", "/tmp/ovslab"))
PREFIX = os.environ.get("OVSLAB_PREFIX", "ovslab")
SW = f"{PREFIX}-sw"
HV = f"{PREFIX}-hv1"
VLANS = (1234, 1011, 1012, 101, 102)
RUNNING = {"vm-access", "vm-trunk", "vm-hybrid", "vm-multi"}
NICS = {
    "vm-access": {("bridge1011", "52:54:00:aa:bb:01")},
    "vm-trunk": {("bridge1011", "52:54:00:aa:bb:02")},
    "vm-hybrid": {("bridge101", "52:54:00:aa:bb:03")},
    "vm-multi": {("bridge1011", "52:54:00:aa:bb:04"), ("bridge1012", "52:54:00:aa:bb:05")},
    "vm-off": {("bridge1012", "52:54:00:aa:bb:06")},
}


def hv(cmd: str) -> str:
    return ovslab("exec", "--", "sh", "-c", cmd).stdout


def timed(*args: str) -> float:
    started = time.monotonic()
    ovslab(*args, timeout=300)
    return time.monotonic() - started


def lab_netns() -> list[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.startswith(f"{PREFIX}-")]


def lab_pids() -> set[tuple[int, str]]:
    """(pid, start time) of every process in the lab's network namespaces."""
    pids: set[tuple[int, str]] = set()
    for ns in lab_netns():
        out = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout
        for pid in out.split():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            pids.add((int(pid), stat.rsplit(")", 1)[1].split()[19]))
    return pids


def alive(pid: int, start: str) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[19] == start and fields[0] != "Z"


@pytest.fixture(scope="module")
def lab() -> Iterator[None]:
    require_lab()
    print(f"\novslab up: {timed('up'):.1f}s")
    try:
        yield
    finally:
        ovslab("down", check=False)


def test_status_says_up(lab: None) -> None:
    run = ovslab("status")
    assert "lab is UP" in run.stdout
    for daemon in ("ovsdb-server", "ovs-vswitchd", "virtlogd", "libvirtd", "ssh"):
        assert re.search(rf"^hv1 {daemon}\s+running", run.stdout, re.M), run.stdout


def test_management_ip_answers_ping_from_the_switch(lab: None) -> None:
    ovslab("sw", "--", "ping", "-n", "-c1", "-W2", "192.0.2.10")


def test_switch_wiring(lab: None) -> None:
    ports = ovslab("sw", "--", "ovs-vsctl", "--format=csv", "--data=bare", "--no-headings",
                   "--columns=name,tag", "list", "port").stdout  # fmt: skip
    tags = dict(line.split(",") for line in ports.split())
    assert tags["hv1-eth0"] == ""  # trunk
    for vlan in VLANS:
        assert tags[f"gw{vlan}"] == str(vlan)
        assert tags[f"hv1-v{vlan}"] == str(vlan)  # the emulated legacy vlanN
    assert (
        ovslab("sw", "--", "ovs-vsctl", "get", "bridge", "sw0", "datapath_type").stdout.strip()
        == "netdev"
    )


def test_legacy_network_state(lab: None) -> None:
    state = set(hv("ifquery --state").split())
    expected = {"lo", "eth0"} | {f"vlan{v}" for v in VLANS} | {f"bridge{v}" for v in VLANS}
    assert state == {f"{i}={i}" for i in expected}
    assert "192.0.2.10/24" in hv("ip -br addr show bridge1234")
    assert hv("ip route show default").startswith("default via 192.0.2.1 dev bridge1234")
    for vlan in VLANS:
        assert f"master bridge{vlan}" in hv(f"ip -o link show vlan{vlan}")
    text = hv("cat /etc/network/interfaces")
    assert "auto bridge1234\niface bridge1234 inet static\n    bridge_ports vlan1234\n" in text
    assert "    vlan_raw_device eth0\n" in text
    # the host's gateway answers over the legacy path too
    hv("ping -n -c1 -W2 192.0.2.1")


def test_ovs_is_running_without_bridges_and_the_hook_sees_it(lab: None) -> None:
    assert hv("ovs-vsctl list-br") == ""
    assert 'ovs_version: "' in hv("ovs-vsctl show")
    # what /usr/share/openvswitch/scripts/ifupdown.sh asks before adding a bridge
    hv("systemctl --quiet is-active openvswitch-switch.service")
    hv("service openvswitch-switch status")
    assert hv("pgrep -c -x ovs-vswitchd").strip() == "1"  # the lab has its own PID namespace


def test_domains(lab: None) -> None:
    listing = hv("virsh list --all | awk 'NR>2 && $2 {print $2, $3$4}'")
    states = dict(line.split() for line in listing.splitlines())
    assert states == {**dict.fromkeys(RUNNING, "running"), "vm-off": "shutoff"}
    for domain, nics in NICS.items():
        rows = hv(f"virsh domiflist --inactive {domain} | awk 'NR>2 && $1 {{print $3, $5}}'")
        assert {tuple(row.split()) for row in rows.splitlines()} == nics, domain
        assert "<domain type='qemu'" in hv(f"virsh dumpxml --inactive {domain}")


def test_ssh_through_ssh_config(lab: None) -> None:
    run = subprocess.run(
        ["ssh", "-F", str(DIR / "ssh_config"), HV,
         "hostname; ip -br a show bridge1234; virsh list --all --name; ovs-vsctl show"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("hv1\n")
    assert "192.0.2.10/24" in run.stdout and "vm-off" in run.stdout and "ovs_version" in run.stdout


def test_pyinfra_reaches_the_lab(lab: None) -> None:
    if not PYINFRA.exists():
        pytest.skip("pyinfra is not installed next to this python")
    run = subprocess.run(
        [str(PYINFRA), "-y", f"@ssh/{HV}", "--data", f"ssh_config_file={DIR / 'ssh_config'}",
         "exec", "--", "hostname"],
        capture_output=True, text=True, timeout=120, cwd="/", check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "] hv1" in run.stdout + run.stderr  # pyinfra logs command output to stderr


def test_the_machine_is_protected(lab: None) -> None:
    assert hv("hostname").strip() == "hv1" != os.uname().nodename
    marker = f"ovslab-test-{os.getpid()}"
    hv(f"touch /etc/{marker} /usr/{marker} /var/lib/{marker} /root/{marker}")
    for path in ("/etc", "/usr", "/var/lib", "/root"):
        assert not Path(path, marker).exists(), f"{path}/{marker} reached the machine"
    assert (DIR / "hv1/overlay/etc/upper" / marker).exists()
    # sysctl: per-netns net.* is the lab's own; everything else is read-only in the lab
    pid_max = Path("/proc/sys/kernel/pid_max").read_text().strip()  # rewrite the same value
    denied = subprocess.run(
        [str(OVSLAB), "exec", "--", "sysctl", "-w", f"kernel.pid_max={pid_max}"],
        capture_output=True, check=False,
    )  # fmt: skip
    assert denied.returncode != 0
    hv("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 && sysctl --system >/dev/null")
    assert Path("/proc/sys/net/ipv6/conf/all/disable_ipv6").read_text().strip() == "0"
    # the machine's own interfaces file is not the lab's
    assert Path("/etc/network/interfaces").read_text() != hv("cat /etc/network/interfaces")
    hv("sysctl -qw net.ipv6.conf.all.disable_ipv6=0")


def test_reboot_keeps_the_files_and_boots_the_legacy_state_again(lab: None) -> None:
    interfaces = hv("cat /etc/network/interfaces")
    ovslab("reboot", timeout=120)
    assert hv("cat /etc/network/interfaces") == interfaces
    assert len(hv("ifquery --state").split()) == 2 + 2 * len(VLANS)
    ovslab("sw", "--", "ping", "-n", "-c1", "-W2", "192.0.2.10")
    # nothing is marked autostart: after a power cycle every guest is off, but still defined
    listing = hv("virsh list --all | awk 'NR>2 && $2 {print $2, $3$4}'")
    assert dict(line.split() for line in listing.splitlines()) == dict.fromkeys(NICS, "shutoff")


LAB_UNITS = {
    # before OVS and networking: the legacy bridge does not exist yet, OVS does not run
    "t-early": """[Unit]
DefaultDependencies=no
Before=ovsdb-server.service networking.service
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'ip link show bridge1234 >/dev/null 2>&1 && echo bridge || echo no-bridge'
ExecStart=/bin/sh -c 'systemctl is-active openvswitch-switch || true'
""",
    # after libvirtd; a failing `-` line does not stop the unit
    "t-late": """[Unit]
After=libvirtd.service
[Service]
Type=oneshot
ExecStart=-/bin/false
ExecStart=/bin/sh -c 'echo "$(systemctl is-active libvirtd) $(ip -br -4 addr show bridge1234)"'
""",
    # installed but not enabled: never runs
    "t-off": """[Unit]
[Service]
ExecStart=/bin/sh -c 'echo t-off ran'
""",
}


def test_reboot_runs_the_units_enabled_on_the_host_in_debians_order(lab: None) -> None:
    for name, text in LAB_UNITS.items():
        hv(f"cat > /etc/systemd/system/{name}.service <<'EOF'\n{text}EOF")
    hv(
        "mkdir -p /etc/systemd/system/multi-user.target.wants && "
        "cd /etc/systemd/system/multi-user.target.wants && "
        "ln -sf ../t-early.service . && ln -sf ../t-late.service ."
    )
    try:
        ovslab("reboot", timeout=120)
        log = (DIR / "hv1" / "boot.log").read_text()
    finally:
        hv("cd /etc/systemd/system && rm -f t-*.service multi-user.target.wants/t-*.service")
    order = [m.group(1) for m in re.finditer(r"\] start ([^\s:]+)", log)]
    assert order.index("t-early.service") < order.index("ovsdb-server.service"), log
    assert order.index("libvirtd.service") < order.index("t-late.service"), log
    assert "t-off" not in log
    assert "no-bridge\ninactive\n" in log, log
    # one line: the unit runs in parallel with the rest of the boot
    assert re.search(r"active bridge1234 +UP +192\.0\.2\.10/24", log), log
    # the clean shutdown took the network down the way networking.service does
    shutdown = (DIR / "hv1" / "shutdown.log").read_text()
    assert "systemctl stop networking" in shutdown, shutdown


def test_selftest_after_state_machinery() -> None:
    """Debian's ifupdown hook + OVS netdev + 802.1Q + libvirt vnet VLANs, on a scratch host.

    Leaves the lab down."""
    require_lab()
    run = ovslab("selftest", check=False, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "selftest PASSED" in run.stderr
    assert not lab_netns()


def test_up_twice_in_a_row() -> None:
    require_lab()
    first = timed("up")
    second = timed("up")  # cleans the running lab, then starts from zero
    print(f"\novslab up: {first:.1f}s, again: {second:.1f}s")
    ovslab("status")
    ovslab("sw", "--", "ping", "-n", "-c1", "-W2", "192.0.2.10")


def test_many_hosts_share_the_switch_each_with_its_own_daemons() -> None:
    """OVSLAB_HOSTS=3: hv1..hv3, each its own namespaces, OVS, libvirtd and sshd on the one
    switch; guests only on hv1 (the default); `status`, `exec` and `ssh` reach each host."""
    require_lab()
    started = time.monotonic()
    ovslab("up", env={"OVSLAB_HOSTS": "3"}, timeout=300)
    print(f"\novslab up (3 hosts): {time.monotonic() - started:.1f}s")
    assert (DIR / "hosts").read_text().split() == ["hv1", "hv2", "hv3"]
    assert sorted(lab_netns()) == [f"{PREFIX}-hv1", f"{PREFIX}-hv2", f"{PREFIX}-hv3", SW]
    status = ovslab("status").stdout  # no OVSLAB_HOSTS: the recorded hosts
    assert "lab is UP" in status
    for n in (1, 2, 3):
        for daemon in ("ovsdb-server", "ovs-vswitchd", "libvirtd", "ssh"):
            assert re.search(rf"^hv{n} {daemon}\s+running", status, re.M), status
    tags = dict(
        line.split(",")
        for line in ovslab("sw", "--", "ovs-vsctl", "--format=csv", "--data=bare",
                           "--no-headings", "--columns=name,tag", "list", "port").stdout.split()
    )  # fmt: skip
    pids = set()
    for n in (1, 2, 3):
        env = {"OVSLAB_HOST": f"hv{n}"}
        assert tags[f"hv{n}-eth0"] == ""
        assert all(tags[f"hv{n}-v{vlan}"] == str(vlan) for vlan in VLANS)
        ovslab("sw", "--", "ping", "-n", "-c1", "-W2", f"192.0.2.{9 + n}")
        run = ovslab("ssh", "--", "hostname; ip -br addr show bridge1234; virsh list --all --name;"
                     " cat /run/openvswitch/ovs-vswitchd.pid", env=env)  # fmt: skip
        hostname, addr, *rest = run.stdout.split("\n")
        assert hostname == f"hv{n}" and f"192.0.2.{9 + n}/24" in addr
        domains = {line for line in rest[:-2] if line}
        assert domains == (set(NICS) if n == 1 else set()), (n, domains)
        pids.add(ovslab("exec", "--", "sh", "-c", "readlink /proc/self/ns/pid", env=env).stdout)
        assert ovslab("exec", "--", "pgrep", "-c", "-x", "ovs-vswitchd", env=env).stdout == "1\n"
    assert len(pids) == 3  # three PID namespaces
    ssh_config = (DIR / "ssh_config").read_text()
    assert all(
        f"Host {PREFIX}-hv{n}\n    HostName 192.0.2.{9 + n}\n" in ssh_config for n in (1, 2, 3)
    )
    # the deploy's command count comes from here (LogLevel VERBOSE, sshd -E)
    assert "Starting session: command" in (DIR / "hv2/ssh/sshd.log").read_text()
    took = timed("down")
    print(f"ovslab down (3 hosts): {took:.1f}s")
    assert not lab_netns() and not DIR.exists()


def test_down_after_a_crash_in_a_many_hosts_up() -> None:
    """`up` killed (SIGKILL) while its hosts boot in parallel: one `down` removes it all."""
    require_lab()
    ovslab("down")
    up = subprocess.Popen(
        [str(OVSLAB), "up"],
        env={**os.environ, "OVSLAB_HOSTS": "4"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not (DIR / "hv3").exists() and up.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    os.killpg(up.pid, 9)  # the script and its parallel boot jobs
    up.wait()
    assert lab_netns()
    before = lab_pids()
    ovslab("down")
    assert not lab_netns() and not DIR.exists()
    assert not [pid for pid, start in before if alive(pid, start)]
    mounts = Path("/proc/self/mountinfo").read_text()
    assert f" {DIR}" not in mounts and f"/run/netns/{PREFIX}-" not in mounts


def test_down_leaves_nothing() -> None:
    require_lab()
    if not lab_netns():
        ovslab("up", timeout=300)
    before = lab_pids()
    assert before
    took = timed("down")
    print(f"\novslab down: {took:.1f}s")
    assert not lab_netns()
    assert not DIR.exists()
    assert not [pid for pid, start in before if alive(pid, start)]
    mounts = Path("/proc/self/mountinfo").read_text()
    assert f" {DIR}" not in mounts and f"/run/netns/{PREFIX}-" not in mounts
    # idempotent, also with nothing there
    ovslab("down")
    assert ovslab("status", check=False).returncode == 1
