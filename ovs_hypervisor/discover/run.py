"""One discovery: the findings in the order each needs the ones before it, handed over
explicitly, then the data checked with the deploy's own model and planner."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ovs_hypervisor.discover.bridges import legacy_bridges
from ovs_hypervisor.discover.domains import domain_plans
from ovs_hypervisor.discover.facts import LinkFact, NetworkFacts
from ovs_hypervisor.discover.files import Files, already_ovs, read_files, words
from ovs_hypervisor.discover.findings import Discovery, Notes, VlanInfo
from ovs_hypervisor.discover.keep import datapath, keep_and_drop, legacy_map
from ovs_hypervisor.discover.mgmt import management
from ovs_hypervisor.discover.vlans import uplink, vlan_devices
from ovs_hypervisor.host_state import LinkInfo
from ovs_hypervisor.model import HostDataError, load_host_config
from ovs_hypervisor.model_keys import PREFIX
from ovs_hypervisor.plan import plan_host

# Keys that are policy, not discovered; the deploy check uses the inventory's values.
_POLICY_KEYS = {
    f"{PREFIX}{k}"
    for k in (
        "bridge",
        "mgmt_port",
        "disable_ipv6_elsewhere",
        "remove_legacy",
        "stop_timeout",
        "destroy_on_timeout",
        "confirm_window",
        "libvirt_uri",
        "backup_dir",
        "sysctl_file",
        "packages",
    )
}


def _link_info(links: dict[str, LinkFact]) -> dict[str, LinkInfo]:
    return {
        n: {
            "kind": link["kind"],
            "master": link["master"],
            "up": link["up"],
            "addresses": [f"{a['address']}/{a['prefixlen']}" for a in link["addresses"]],
        }
        for n, link in links.items()
    }


def check_with_deploy(
    d: Discovery,
    files: Files,
    network: NetworkFacts,
    domains: Mapping[str, Mapping[str, Any]],
    current: Mapping[str, Any],
    notes: Notes,
) -> None:
    """Validate the data with the deploy's own model and planner (on these facts)."""
    base = {
        k: v
        for k, v in current.items()
        if k.startswith(PREFIX) and k not in d.data and k in _POLICY_KEYS
    }
    try:
        config = load_host_config(d.host, {**base, **d.data})
    except HostDataError as exc:
        for p in exc.problems:
            notes.error("discovered data", p, "report this: discovery wrote invalid data")
        return
    top, *sourced = files.paths
    try:
        plan_host(
            config,
            d.host,
            {k: dict(v) for k, v in domains.items()},
            _link_info(network["links"]),
            files.texts[top],
            {path: files.texts[path] for path in sourced},
        )
    except HostDataError as exc:
        for p in exc.problems:
            notes.warn(f"the deploy will refuse this host until this is fixed: {p}")


def _discover(
    d: Discovery,
    network: NetworkFacts,
    domains: Mapping[str, Mapping[str, Any]],
    current: Mapping[str, Any],
    notes: Notes,
) -> None:
    for problem in network["errors"]:
        notes.warn(f"collector: {problem}")
    files = read_files(network["files"], notes)
    if files is None:
        return
    d.files = files.paths
    links = network["links"]
    vlandevs = vlan_devices(files, links, notes)
    d.skipped = already_ovs(files, vlandevs, notes)
    if d.skipped or notes.errors:
        return
    up = uplink(files, links, vlandevs, notes)
    if up is None:
        return
    d.uplinks, d.bond = list(up.nics), up.bond
    d.data.update(up.data)
    bridges = legacy_bridges(files, links, vlandevs, up, notes)
    if notes.errors:
        return
    dropped = {up.raw, *up.nics, *vlandevs} | {b for b, br in bridges.items() if br.migrated}
    bridge_of = {p: b for b in bridges for p in words(files.opts(b).get("bridge_ports", []))}
    d.vlans = sorted(
        (
            VlanInfo(dev.vid, name, bridge_of.get(name), files.loc(bridge_of.get(name, name)))
            for name, dev in vlandevs.items()
        ),
        key=lambda v: v.vid,
    )
    mgmt = management(files, network, vlandevs, bridges, up, dropped, notes)
    if mgmt is not None:
        d.mgmt = mgmt.info
        d.data.update(mgmt.data)
    d.datapath, d.datapath_reason = datapath(network["ovs_module"], network["kernel"], notes)
    d.data[f"{PREFIX}datapath_type"] = d.datapath
    d.data[f"{PREFIX}uplinks"] = list(d.uplinks)
    d.data.update(legacy_map(files, links, bridges, current, notes))
    bridge_name = str(current.get(f"{PREFIX}bridge", "ovsbr0"))
    held = (d.mgmt.device, d.mgmt.vid) if d.mgmt else None
    d.kept, extra = keep_and_drop(files, dropped, up, bridge_name, held, notes)
    if extra is not None:
        d.data[f"{PREFIX}extra_interfaces"] = extra
    mgmt_vid = d.mgmt.vid if d.mgmt else None
    plans = domain_plans(domains, vlandevs, bridges, links, bridge_name, mgmt_vid, notes)
    d.nics = plans.nics
    d.data[f"{PREFIX}domains"] = plans.specs
    if not notes.errors:
        check_with_deploy(d, files, network, domains, current, notes)


def discover(
    host: str,
    network: NetworkFacts,
    domains: Mapping[str, Mapping[str, Any]],
    current: Mapping[str, Any] | None = None,
) -> Discovery:
    """Plan a legacy host's migration from its facts.

    ``network`` is the :class:`NetworkFacts` of ``facts/discovery.py``, ``domains`` what
    ``LibvirtDomains`` returns, ``current`` the host's present ``ovs_hv_*`` data (its
    ``ovs_hv_bridge``, ``ovs_hv_legacy_bridge_pattern`` and policy keys are honoured).
    The result's ``data`` is meant for ``host_data/<host>.py``; write it only if ``ok``.
    """
    d = Discovery(host=host)
    notes = Notes()
    _discover(d, network, domains, current or {}, notes)
    d.errors, d.warnings = notes.errors, notes.warnings
    return d
