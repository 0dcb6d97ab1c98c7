"""``ovs_hv_domains``: per domain, per NIC MAC, the NIC spec (access VLAN, trunk or hybrid).

The NIC spec rule and type are ``domain_xml``'s; here they are checked as host data, with
messages naming the key, and domain names and MACs are checked (a MAC once in all domains).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from ovs_hypervisor.domain_xml import MAC_RE, NIC_SPEC_FIX, NicSpec, nic_spec_problem
from ovs_hypervisor.model_checks import CONTROL_RE, Vlan
from ovs_hypervisor.model_keys import PREFIX
from ovs_hypervisor.model_messages import Located, Problem, kind_of, line


class NicSpecData(BaseModel):
    """A NIC spec as the host data gives it (``ovs_hv_domains``), checked field by field
    with messages naming the key; the rule and the type are ``domain_xml``'s
    (:func:`~ovs_hypervisor.domain_xml.nic_spec_problem`, ``NicSpec``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    vlan: Vlan | None = None
    trunk: list[Vlan] | None = None
    native: Vlan | None = None

    @model_validator(mode="before")
    @classmethod
    def _mapping(cls, data: Any) -> Any:
        if not isinstance(data, Mapping | NicSpecData):
            raise Problem(f"is {kind_of(data)}, not a dict", NIC_SPEC_FIX)
        return data

    @field_validator("trunk", mode="before")
    @classmethod
    def _trunk_is_list(cls, v: Any) -> Any:
        if v is not None and not isinstance(v, list | tuple):
            raise Problem(
                f"is {kind_of(v)}, not a list", "write the trunk as a list, e.g. [1011, 1012]"
            )
        return v

    @model_validator(mode="after")
    def _one_mode(self) -> NicSpecData:
        problem = nic_spec_problem(self.vlan, self.trunk, self.native)
        if problem is not None:
            raise Problem(*problem)
        return self

    def as_dict(self) -> NicSpec:
        """The NIC spec itself (``domain_xml.NicSpec``), as ``patch_domain_xml`` takes it."""
        if self.vlan is not None:
            return NicSpec(vlan=self.vlan)
        out = NicSpec(trunk=list(self.trunk or []))
        if self.native is not None:
            out["native"] = self.native
        return out


def check_domains(v: dict[str, dict[str, NicSpecData]]) -> dict[str, dict[str, NicSpecData]]:
    """The domains with MACs in lower case; every bad name, bad MAC and MAC listed twice."""
    out: dict[str, dict[str, NicSpecData]] = {}
    owner: dict[str, tuple[str, str]] = {}
    problems: list[str] = []
    for dom, nics in v.items():
        key = f"{PREFIX}domains[{dom!r}]"
        bad_name = _domain_name_problem(dom)
        if bad_name:
            problems.append(
                line(
                    f"{PREFIX}domains key",
                    dom,
                    bad_name,
                    "use the name `virsh list --all` shows",
                )
            )
            continue
        out[dom] = {}
        for mac, spec in nics.items():
            bad_mac = _mac_problem(mac)
            if bad_mac:
                problems.append(
                    line(
                        f"{key} key",
                        mac,
                        bad_mac,
                        "write the NIC's MAC as `virsh domiflist` shows it, "
                        "e.g. '52:54:00:aa:bb:01'",
                    )
                )
                continue
            norm = mac.lower()
            if norm in owner:
                first_dom, first_mac = owner[norm]
                where = "this domain" if first_dom == dom else f"domain {first_dom!r}"
                if first_mac != mac:
                    where += f" (as {first_mac!r})"
                problems.append(
                    line(
                        f"{key}[{mac!r}]",
                        spec.as_dict(),
                        f"MAC {norm} is already listed under {where}",
                        "a MAC belongs to one NIC of one domain: remove one of the entries",
                    )
                )
                continue
            owner[norm] = (dom, mac)
            out[dom][norm] = spec
    if problems:
        raise Located(problems)
    return out


def _mac_problem(mac: str) -> str | None:
    norm = mac.lower()
    if not MAC_RE.match(norm):
        return "not a MAC address"
    if int(norm[:2], 16) & 1:
        return "a multicast MAC (lowest bit of the first byte set), which no NIC can have"
    return None


def _domain_name_problem(name: str) -> str | None:
    if not name.strip():
        return "is empty"
    if name != name.strip():
        return "has leading or trailing spaces (libvirt's name has none)"
    if "/" in name:
        return "contains '/', which libvirt does not allow in a domain name"
    if CONTROL_RE.search(name):
        return "contains a control character"
    return None
