"""What the deploy will change on one host, from validated data + facts (pure).

Everything that can be wrong with the data relative to the host (a listed domain or MAC that
does not exist, an uplink that is missing) is found here, during pyinfra's prepare phase, so
the host is never touched when the data is bad.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ovs_hypervisor.domain_xml import DomainNic, NicSpec, domain_nics, patch_domain_xml
from ovs_hypervisor.host_state import FileFact, LinkInfo
from ovs_hypervisor.interfaces import parse_interfaces
from ovs_hypervisor.model import HostConfig, HostDataError
from ovs_hypervisor.model_keys import PREFIX


@dataclass(frozen=True)
class DomainChange:
    name: str
    running: bool
    old_xml: str
    new_xml: str
    nics: dict[str, NicSpec]  # mac -> spec given to patch_domain_xml

    @property
    def changed(self) -> bool:
        return self.old_xml != self.new_xml


@dataclass(frozen=True)
class HostPlan:
    domains: list[DomainChange] = field(default_factory=list)
    legacy_bridges: list[str] = field(default_factory=list)
    legacy_members: list[str] = field(default_factory=list)
    down_with_old_file: list[str] = field(default_factory=list)

    @property
    def changed_domains(self) -> list[DomainChange]:
        return [d for d in self.domains if d.changed]


def nic_specs_for_domain(
    config: HostConfig, name: str, nics: list[DomainNic]
) -> dict[str, NicSpec]:
    """Listed NICs from data, plus NICs on a legacy bridgeNNN mapped to access VLAN NNN."""
    listed = {mac: spec.as_dict() for mac, spec in config.domains.get(name, {}).items()}
    specs: dict[str, NicSpec] = {}
    for nic in nics:
        mac = nic["mac"]
        if mac is None:
            continue
        if mac in listed:
            specs[mac] = listed[mac]
            continue
        bridge = nic["bridge"]
        if nic["type"] == "bridge" and bridge in config.legacy_trunk_bridges:
            raise ValueError(
                f"domain {name}: NIC {mac} is on the trunk bridge {bridge}, which the cutover "
                f"removes; fix: list it in ovs_hv_domains[{name!r}] as a trunk, e.g. "
                "{'trunk': [VLAN, ...]}"
            )
        if nic["type"] == "bridge" and bridge and bridge != config.bridge:
            vlan = config.legacy_vlan(bridge)
            if vlan is not None:
                specs[mac] = NicSpec(vlan=vlan)
    return specs


def plan_domains(
    config: HostConfig, host: str, domains: dict[str, dict[str, Any]]
) -> list[DomainChange]:
    problems: list[str] = []
    parsed: dict[str, list[DomainNic]] = {}  # each domain's XML is read once
    for name, info in domains.items():
        try:
            parsed[name] = domain_nics(info["xml"])
        except ValueError as exc:
            problems.append(
                f"domain {name}: libvirt's XML of it cannot be read ({exc}); fix the domain "
                "(virsh edit) or undefine it before migrating"
            )
    if problems:
        raise HostDataError(host, problems)
    for name, nics in config.domains.items():
        if name not in domains:
            known = ", ".join(sorted(domains)) or "none"
            problems.append(
                f"{PREFIX}domains[{name!r}]: no such libvirt domain on this host (domains: "
                f"{known}); fix the name or remove the entry"
            )
            continue
        have = {n["mac"] for n in parsed[name]}
        for mac in nics:
            if mac not in have:
                problems.append(
                    f"{PREFIX}domains[{name!r}][{mac!r}]: domain {name} has no NIC with this "
                    f"MAC (it has: {', '.join(sorted(m for m in have if m)) or 'none'})"
                )
    if problems:
        raise HostDataError(host, problems)
    out: list[DomainChange] = []
    for name in sorted(domains):
        info = domains[name]
        xml = info["xml"]
        try:
            specs = nic_specs_for_domain(config, name, parsed[name])
        except ValueError as exc:
            raise HostDataError(host, [str(exc)]) from None
        if not specs:
            continue
        try:
            new_xml = patch_domain_xml(xml, config.bridge, specs)
        except ValueError as exc:
            raise HostDataError(host, [f"domain {name}: {exc}"]) from None
        if new_xml != xml and not info.get("persistent", True):
            # Stopping a transient domain deletes it, and libvirt's managed save needs a
            # persistent one: neither way of moving it can bring it back.
            raise HostDataError(
                host,
                [
                    f"domain {name} is transient (not defined): it cannot be saved (managed "
                    "save needs a defined domain) and stopping it would delete it; "
                    f"fix: `virsh dumpxml {name} > {name}.xml && virsh define {name}.xml` first"
                ],
            )
        out.append(
            DomainChange(
                name=name,
                running=info.get("state") == "running",
                old_xml=xml,
                new_xml=new_xml,
                nics=specs,
            )
        )
    return out


def interfaces_texts(host: str, files: list[FileFact]) -> tuple[str | None, dict[str, str]]:
    """The interfaces file's text (None: absent) and the texts of the files it sources,
    from remote/collect.py; a file that exists but cannot be read stops the run."""
    problems = []
    sourced: dict[str, str] = {}
    for f in files:
        if f["text"] is not None:
            if f["origin"] is not None:
                sourced[f["path"]] = f["text"]
        elif not f["missing"] and not (f["error"] or "").startswith("read before"):
            where = f" (sourced at {f['origin'][0]}:{f['origin'][1]})" if f["origin"] else ""
            problems.append(
                f"{f['path']}{where}: {f['error']}; fix: make it a readable UTF-8 text file"
                + (" or remove the source line" if f["origin"] else "")
            )
    if problems:
        raise HostDataError(host, problems)
    top = files[0] if files and files[0]["origin"] is None else None
    return (top["text"] if top else None), sourced


def plan_host(
    config: HostConfig,
    host: str,
    domains: dict[str, dict[str, Any]],
    links: dict[str, LinkInfo],
    old_interfaces: str | None,
    sourced: dict[str, str] | None = None,
) -> HostPlan:
    problems = []
    for uplink in config.uplinks:
        if uplink not in links:
            problems.append(
                f"{PREFIX}uplinks: NIC {uplink!r} does not exist on this host (links: "
                f"{', '.join(sorted(links))}); fix the uplink name"
            )
    if problems:
        raise HostDataError(host, problems)

    try:
        parsed = parse_interfaces(old_interfaces or "")
    except ValueError as exc:
        raise HostDataError(host, [f"/etc/network/interfaces on the host: {exc}"]) from None
    stanzas = parsed["interfaces"]
    extra = set(parse_interfaces(config.extra_interfaces)["interfaces"])
    legacy_bridges = sorted(
        name
        for name, link in links.items()
        if link["kind"] == "bridge"
        and name != config.bridge
        and (config.legacy_vlan(name) is not None or name in config.legacy_trunk_bridges)
    )
    members: list[str] = []
    for br in legacy_bridges:
        ports: list[str] = []
        for fam in stanzas.get(br, {}).values():
            for value in fam["options"].get("bridge_ports", []):
                ports += value.split()
        for dev, link in sorted(links.items()):
            # Only VLAN devices that the admin's file put in this bridge: never a physical
            # NIC, never someone else's veth.
            if link["master"] == br and dev in ports and link["kind"] in ("vlan", "veth"):
                members.append(dev)
    unmanaged = _unmanaged_stanzas(config, stanzas, legacy_bridges, extra)
    for path, text in sorted((sourced or {}).items()):
        # The new file sources nothing: what these files configure would be dropped.
        try:
            included = parse_interfaces(text)["interfaces"]
        except ValueError as exc:
            raise HostDataError(host, [f"{path} (sourced by the interfaces file): {exc}"]) from None
        unmanaged += [
            f"{name} (in {path})"
            for name in _unmanaged_stanzas(config, included, legacy_bridges, extra)
        ]
    if unmanaged:
        raise HostDataError(
            host,
            [
                f"/etc/network/interfaces configures {', '.join(unmanaged)}, which the new file "
                "would drop; fix: copy those stanzas into ovs_hv_extra_interfaces (kept "
                "verbatim), or remove them from the host first"
            ],
        )
    # Deconfigure what the old file raised, except lo and OVS bridges (running VMs hang off
    # those) and what stays; OVS ports are re-added by ifup from the new file.
    down: list[str] = []
    for name, fams in stanzas.items():
        if name == "lo" or name in extra:
            continue
        types = {v for fam in fams.values() for v in fam["options"].get("ovs_type", [])}
        if "OVSBridge" in types:
            continue
        down.append(name)
    return HostPlan(
        domains=plan_domains(config, host, domains),
        legacy_bridges=legacy_bridges,
        legacy_members=members,
        down_with_old_file=down,
    )


def _unmanaged_stanzas(
    config: HostConfig,
    stanzas: dict[str, Any],
    legacy_bridges: list[str],
    extra: set[str],
) -> list[str]:
    """Old stanzas that are neither legacy VLAN plumbing, nor ours, nor kept as extra."""
    # A bond stanza of the old file is known too: the uplinks it bonded join the OVS bond.
    known = {"lo", config.bond_name, *config.owned_devices, *extra}
    out = []
    for name, fams in stanzas.items():
        options = [fam["options"] for fam in fams.values()]
        if name in known or config.legacy_vlan(name) is not None or name in legacy_bridges:
            continue
        if name in config.legacy_trunk_bridges:
            continue
        if any("vlan_raw_device" in o or o.get("ovs_bridge") == [config.bridge] for o in options):
            continue  # a legacy VLAN device (vlanNNN) or a port of our bridge
        if "." in name and name.split(".", 1)[0] in config.uplinks:
            continue  # eth0.NNN-style VLAN device
        out.append(name)
    return out
