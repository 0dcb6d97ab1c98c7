"""What the new configuration keeps from the old files and what it drops; the datapath and
the legacy bridge map."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ovs_hypervisor.discover.facts import LinkFact, ModuleFact
from ovs_hypervisor.discover.files import Files
from ovs_hypervisor.discover.findings import BridgeKind, LegacyBridge, Notes, Uplink
from ovs_hypervisor.model import HostConfig
from ovs_hypervisor.model_keys import PREFIX

# A legacy bridge pattern that matches no name (one group, as the model requires).
NEVER_MATCHES = r"(?!)(\d+)"
# Options whose job the new configuration does itself (no warning when they are dropped).
_PLUMBING = re.compile(r"^(bridge_|bond_|vlan_raw_device$|vlan_id$)")
_MGMT_INET = {"address", "netmask", "gateway", "dns_nameservers", "broadcast"}
_MGMT_INET6 = {"address", "netmask", "gateway", "privext", "accept_ra", "autoconf"}
_IPV6_TWEAK = re.compile(r"disable_ipv6|accept_ra|autoconf")


def _dropped_options(files: Files, dropped: set[str], mgmt: str | None, notes: Notes) -> None:
    """Say which options of the dropped stanzas are not carried over."""
    tweaks: list[str] = []
    for path, stanza in files.stanzas:
        if stanza.keyword != "iface" or stanza.args[0] not in dropped:
            continue
        name = stanza.args[0]
        family = stanza.args[1] if len(stanza.args) > 1 and stanza.args[1] != "inherits" else "inet"
        for opt in stanza.options:
            key = opt.key.replace("-", "_")
            if _PLUMBING.match(key):
                continue
            if name == mgmt and key in (_MGMT_INET if family == "inet" else _MGMT_INET6):
                continue
            if key in ("dns_nameservers", "dns_search", "dns_domain", "gateway"):
                continue  # reported with the management settings
            if name != mgmt and _IPV6_TWEAK.search(opt.value):
                tweaks.append(name)
                continue
            notes.warn(
                f"{path}:{opt.line}: `{opt.key} {opt.value}` of {name} is not carried over "
                "to the new configuration"
            )
    if tweaks:
        notes.warn(
            f"IPv6 tweaks of {len(set(tweaks))} legacy VLAN interface(s) are dropped: after "
            "the migration the host has no interface in VM VLANs, and "
            "ovs_hv_disable_ipv6_elsewhere turns IPv6 off outside the management port"
        )
    top = files.paths[0]
    sourced_legacy = sorted(
        {
            s.args[0]
            for p, s in files.stanzas
            if p != top and s.keyword == "iface" and s.args[0] in dropped
        }
    )
    if sourced_legacy:
        notes.warn(
            "legacy stanzas in sourced files ("
            + ", ".join(sourced_legacy)
            + f"): the deploy deconfigures by name only what {top} itself lists; VLAN "
            "devices defined elsewhere may stay until the next reboot"
        )


def _kept_stanza(files: Files, name: str, dropped: set[str], notes: Notes) -> str:
    """A kept interface's stanzas verbatim, with its auto/allow lines."""
    classes = [
        s.keyword
        for _, s in files.stanzas
        if (s.keyword == "auto" or s.keyword.startswith("allow-")) and name in s.args
    ]
    head = [f"{kw} {name}" for kw in dict.fromkeys(classes)]
    body = [files.block(p, s) for p, s in files.stanzas_of(name)]
    text = "\n".join(body)
    for gone in sorted(dropped):
        if re.search(rf"(?<![\w.-]){re.escape(gone)}(?![\w-])", text.split("\n", 1)[-1]):
            notes.warn(
                f"{files.loc(name)}: kept stanza {name} mentions {gone}, which the "
                "migration removes"
            )
    return "\n".join(head + body)


def _other_stanzas(files: Files, kept: list[str], notes: Notes) -> list[str]:
    """mapping stanzas (kept verbatim) and rename/no-* lines (not carried over)."""
    blocks = []
    for path, stanza in files.stanzas:
        if stanza.keyword == "mapping":
            blocks.append(files.block(path, stanza))
            kept.append(f"mapping {' '.join(stanza.args)} ({path}:{stanza.line})")
            notes.warn(
                f"{path}:{stanza.line}: mapping stanza `{' '.join(stanza.args)}` kept "
                "verbatim: check that it maps nothing the migration removes"
            )
        elif stanza.keyword in ("rename", "no-auto-down", "no-scripts"):
            notes.warn(
                f"{path}:{stanza.line}: `{stanza.keyword} {' '.join(stanza.args)}` is not "
                "carried over"
            )
    return blocks


def keep_and_drop(
    files: Files,
    dropped: set[str],
    up: Uplink,
    bridge_name: str,
    mgmt: tuple[str, int] | None,
    notes: Notes,
) -> tuple[list[str], str | None]:
    """(what is kept, for the summary; the ovs_hv_extra_interfaces text or None).

    Every stanza that is not ``lo`` and not ``dropped`` (legacy plumbing the migration
    replaces) is copied verbatim; ``mgmt`` is the management (device, VLAN)."""
    mgmt_device = mgmt[0] if mgmt else None
    names = [n for n in files.cfg["interfaces"] if n != "lo" and n not in dropped]
    new_names = {bridge_name, f"vlan{mgmt[1]}" if mgmt else ""}
    if up.bond and len(up.nics) > 1:
        new_names.add(up.bond)
    for name in names:
        if name in new_names:
            notes.error(
                files.loc(name),
                f"{name} is kept from the old configuration but the new one uses that name",
                "rename or remove it, then run discovery again",
            )
    _dropped_options(files, dropped, mgmt_device, notes)
    kept: list[str] = []
    blocks: list[str] = []
    for name in names:
        blocks.append(_kept_stanza(files, name, dropped, notes))
        kept.append(f"{name} ({files.loc(name)})")
    blocks += _other_stanzas(files, kept, notes)
    if not blocks:
        return kept, None
    notes.warn(
        "kept verbatim in ovs_hv_extra_interfaces (not legacy VLAN plumbing): " + ", ".join(kept)
    )
    top = files.paths[0]
    if any(
        p != top
        for p, s in files.stanzas
        if s.keyword == "mapping" or (s.keyword == "iface" and s.args[0] in names)
    ):
        notes.warn(
            "the new /etc/network/interfaces has no `source` line: stanzas kept from "
            "sourced files are copied into it, and files in those directories are no "
            "longer read"
        )
    return kept, "\n\n".join(blocks) + "\n"


def datapath(module: ModuleFact, kernel: str, notes: Notes) -> tuple[str, str]:
    """(datapath type, why): the kernel datapath when the openvswitch module is there."""
    if module["state"] in ("loaded", "available"):
        return "system", f"openvswitch kernel module {module['state']}"
    notes.warn(
        f"no openvswitch kernel module on this host ({module['detail']}, kernel "
        f"{kernel}): planned datapath netdev (userspace, slower); install "
        "the kernel's modules and set ovs_hv_datapath_type = 'system' for production"
    )
    return "netdev", f"no openvswitch kernel module ({module['detail']})"


def legacy_map(
    files: Files,
    links: dict[str, LinkFact],
    bridges: dict[str, LegacyBridge],
    current: Mapping[str, Any],
    notes: Notes,
) -> dict[str, Any]:
    """The ovs_hv_legacy_* keys: every VLAN bridge by name (the pattern turned off when a
    name it matches is no VLAN bridge), and the trunk bridges."""
    mapping = {
        b: br.vid
        for b, br in sorted(bridges.items(), key=lambda kv: (kv[1].vid or 0, kv[0]))
        if br.kind is BridgeKind.VLAN and br.vid
    }
    data: dict[str, Any] = {f"{PREFIX}legacy_bridges": mapping}
    trunks = sorted(b for b, br in bridges.items() if br.kind is BridgeKind.TRUNK)
    if trunks:
        data[f"{PREFIX}legacy_trunk_bridges"] = trunks
    pattern = str(
        current.get(f"{PREFIX}legacy_bridge_pattern")
        or HostConfig.model_fields["legacy_bridge_pattern"].default
    )
    names = set(files.cfg["interfaces"]) | set(links)
    clash = sorted(n for n in names if n not in mapping and re.match(pattern, n))
    if clash:
        data[f"{PREFIX}legacy_bridge_pattern"] = NEVER_MATCHES
        notes.warn(
            f"{', '.join(clash)} match(es) the legacy bridge pattern {pattern!r} but "
            "is not a legacy VLAN bridge: the data turns the pattern off and lists every "
            "legacy bridge in ovs_hv_legacy_bridges"
        )
    return data
