"""VLAN configurations of OVS ports as text, and which columns of two of them differ."""

from __future__ import annotations

import shlex
from collections.abc import Iterable

from ovs_hypervisor.domain_xml import OvsPortVlan


def _ids(values: Iterable[int]) -> str:
    return ",".join(str(v) for v in values)


def vlan_columns(v: OvsPortVlan, keys: Iterable[str] = ("tag", "trunks", "vlan_mode")) -> str:
    """``tag=1011 trunks=[] vlan_mode=[]`` for the given columns, in ovs-vsctl's words."""
    out = []
    for key in keys:
        if key == "tag":
            out.append(f"tag={v['tag'] if v['tag'] is not None else '[]'}")
        elif key == "trunks":
            out.append(f"trunks={_ids(v['trunks']) or '[]'}")
        else:
            out.append(f"vlan_mode={v['vlan_mode'] or '[]'}")
    return " ".join(out)


def describe_vlan(v: OvsPortVlan) -> str:
    """What a port carries, as the data says it: ``access 1011``, ``trunk 1011,1012``,
    ``native 101 + trunk 102``; anything else in ovs-vsctl columns."""
    tag, trunks, mode = v["tag"], v["trunks"], v["vlan_mode"]
    if tag is not None and not trunks and mode in (None, "access"):
        return f"access {tag}"
    if tag is None and mode in (None, "trunk"):
        return f"trunk {_ids(trunks)}" if trunks else "trunk (all VLANs)"
    if tag is not None and mode in ("native-untagged", "native-tagged") and tag in trunks:
        rest = [t for t in trunks if t != tag]
        word = "native" if mode == "native-untagged" else "native-tagged"
        return f"{word} {tag} + trunk {_ids(rest) or '(none)'}"
    return vlan_columns(v)


def _effective_mode(v: OvsPortVlan) -> str:
    return v["vlan_mode"] or ("access" if v["tag"] is not None else "trunk")


def port_fix_command(port: str, want: OvsPortVlan) -> str:
    """The ovs-vsctl command that gives a libvirt vnet port the VLAN config of its domain's
    XML.  libvirt owns these ports (it re-creates them when the domain starts), so the deploy
    never changes them itself; the admin runs this, or restarts the domain."""
    args = [f"ovs-vsctl set port {shlex.quote(port)}"]
    args.append(f"tag={want['tag']}" if want["tag"] is not None else "tag=[]")
    args.append(f"trunks={_ids(want['trunks'])}" if want["trunks"] else "trunks=[]")
    args.append(f"vlan_mode={want['vlan_mode']}" if want["vlan_mode"] else "vlan_mode=[]")
    return " ".join(args)


def vlan_diff_keys(want: OvsPortVlan, got: OvsPortVlan) -> list[str]:
    """Columns that differ.  An unset vlan_mode equals the mode OVS infers from the tag
    (access with a tag, else trunk), so ``vlan_mode=access`` on an access port is no drift."""
    keys = [k for k in ("tag", "trunks") if want[k] != got[k]]
    modes = want["vlan_mode"] != got["vlan_mode"]
    if modes and _effective_mode(want) != _effective_mode(got):
        keys.append("vlan_mode")
    return keys
