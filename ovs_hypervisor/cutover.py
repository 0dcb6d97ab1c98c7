"""Build the host-side cutover script (pure: text in, text out).

The cutover replaces the network the controller is connected through, so it runs on the host
as one detached script (`setsid`), not as a series of SSH commands: a dropped SSH session
half-way must not leave the host half-migrated.  It writes its progress to a status file the
controller polls after reconnecting.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from ovs_hypervisor.model import HostConfig


@dataclass(frozen=True)
class CutoverPlan:
    interfaces_path: str  # /etc/network/interfaces
    staged_path: str  # the validated new file, moved into place by the script
    state_dir: str  # status + log of this run
    # Interfaces configured by the old file that must be deconfigured first (never lo, never
    # an OVS bridge: that would unplug running VMs' vnet ports).
    down_with_old_file: list[str] = field(default_factory=list)
    # Legacy Linux bridges and their VLAN member devices, deleted after ifdown.
    delete_devices: list[str] = field(default_factory=list)
    sysctl_path: str | None = None


def _q(value: str) -> str:
    return shlex.quote(value)


def cutover_script(config: HostConfig, plan: CutoverPlan) -> str:
    q = _q
    state = plan.state_dir
    lines = [
        "#!/bin/sh",
        "# ovs-hypervisor cutover: generated, runs detached on the host.",
        "set -u",
        f"STATE={q(state)}",
        'mkdir -p "$STATE"',
        'exec >>"$STATE/cutover.log" 2>&1',
        'status() { echo "$1" > "$STATE/status.tmp" && mv "$STATE/status.tmp" "$STATE/status"; }',
        'step() { echo "== $(date +%T.%N | cut -c1-12) $*"; }',
        "status running",
    ]
    if plan.down_with_old_file:
        lines.append("step deconfigure old interfaces")
        for name in plan.down_with_old_file:
            # --force: also when ifupdown's state forgot them; errors are expected for devices
            # that are already gone.
            lines.append(f"ifdown --force -i {q(plan.interfaces_path)} {q(name)} || true")
    if plan.delete_devices:
        lines.append("step delete legacy devices")
        for dev in plan.delete_devices:
            lines.append(
                f"if ip link show dev {q(dev)} >/dev/null 2>&1; then "
                f"ip link set dev {q(dev)} down; ip link del dev {q(dev)}; fi"
            )
    lines += [
        f"if [ -e {q(plan.staged_path)} ]; then",
        "  step install new interfaces file",
        f"  mv -f {q(plan.staged_path)} {q(plan.interfaces_path)}",
        "fi",
    ]
    if plan.sysctl_path:
        lines.append(f"sysctl -q -p {q(plan.sysctl_path)} || true")
    br, port = config.bridge, config.mgmt_port_name
    lines += [
        "step ifup",
        # The bridge first (its hook raises its ports), then any port ifupdown thinks is down.
        "ifup --allow=ovs -a || true",
        f"ifup --allow={q(br)} -a || true",
        "step reconcile live OVS",
        # Debian's hook uses --may-exist add-port: a changed tag on an existing port is not
        # applied by ifup, so set the values we own explicitly.
        f"ovs-vsctl --timeout=10 set port {q(port)} tag={config.mgmt_vlan} "
        f"-- set bridge {q(br)} datapath_type={config.datapath_type} || true",
    ]
    if config.mgmt_ipv6 != "off":
        lines.append(f"sysctl -q -w net.ipv6.conf.{port}.disable_ipv6=0 || true")
    addr = str(config.mgmt_interface)
    if config.mgmt_gateway:
        gw = config.mgmt_gateway
        lines += [
            "step announce the management address",
            # The management MAC changed (Linux bridge -> OVS internal port): neighbours keep
            # the old one for a minute.  Our ARP request to the gateway refreshes its entry.
            f"command -v arping >/dev/null && arping -q -U -c 1 -I {q(port)} "
            f"{config.mgmt_interface.ip} || true",
            f"ping -q -c 3 -i 0.2 -W 1 -I {q(port)} {gw} >/dev/null && echo gateway {gw} answers"
            f" || echo 'gateway {gw} does not answer'",
        ]
    lines += [
        "step check",
        f"if ip -o addr show dev {q(port)} | grep -q {q('inet ' + addr + ' ')}; then",
        "  status ok",
        "else",
        f"  echo 'management address {addr} is not on {port}'",
        "  status failed",
        "fi",
        "step done",
    ]
    return "\n".join(lines) + "\n"
