"""Pure parsers for the batched host-state commands our facts run (no pyinfra here).

Every command prints sections that start with a marker line (``@@NAME`` or ``@@NAME RC``),
so one SSH round trip can carry several commands and the parser knows which output is which.
What the host cannot tell us (ovs-vsctl missing, ovsdb-server down, ovs-vswitchd down,
libvirt unreachable, no ``ping``) comes back as a typed field (``error``, ``vswitchd_error``,
``reachable=None``...), not as a failed fact: verification reports it as a difference.
Output that is not what the commands print raises ValueError (the facts turn that into
pyinfra's FactProcessError).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import shlex
from typing import Any, NotRequired, TypedDict

from ovs_hypervisor.ovs_show import OvsShow, parse_ovs_show
from ovs_hypervisor.ovsdb_json import (
    BRIDGE_COLUMNS,
    INTERFACE_COLUMNS,
    PORT_COLUMNS,
    BridgeState,
    InterfaceState,
    PortState,
    bridge_rows,
    interface_rows,
    port_rows,
)

MISSING = "@@OVSHV-MISSING@@"


class LinkInfo(TypedDict):
    kind: str | None  # bridge, veth, vlan, openvswitch, tun... None for a plain NIC
    master: str | None
    up: bool  # administratively up
    addresses: list[str]  # CIDR strings, both families
    carrier: NotRequired[bool]  # False: NO-CARRIER (e.g. an OVS port whose vswitchd is gone)


def parse_links(text: str) -> dict[str, LinkInfo]:
    """`ip -j -d addr show` -> {name: LinkInfo}."""
    try:
        rows = json.loads(text or "[]")
    except json.JSONDecodeError as exc:
        raise ValueError(f"`ip -j -d addr show` did not print JSON: {exc}") from None
    if not isinstance(rows, list):
        raise ValueError("`ip -j -d addr show` did not print a JSON list")
    out: dict[str, LinkInfo] = {}
    for row in rows:
        if not isinstance(row, dict) or "ifname" not in row:
            raise ValueError(f"`ip -j -d addr show`: unexpected entry {row!r:.80}")
        info = row.get("linkinfo") or {}
        out[str(row["ifname"])] = {
            "kind": info.get("info_kind"),
            "master": row.get("master"),
            "up": "UP" in (row.get("flags") or []),
            "carrier": "NO-CARRIER" not in (row.get("flags") or []),
            "addresses": [
                f"{a['local']}/{a['prefixlen']}" for a in row.get("addr_info", []) if "local" in a
            ],
        }
    return out


def parse_file_b64(lines: list[str]) -> str | None:
    """Exact file text from `base64 -w0` (line facts lose trailing newlines), None if absent."""
    data = "".join(lines).strip()
    if data == MISSING:
        return None
    return base64.b64decode(data).decode("utf-8")


class FileFact(TypedDict):
    """One file read by remote/collect.py (the interfaces file or a file it sources)."""

    path: str
    origin: tuple[str, int] | None  # (including file, its source line); None: top file
    text: str | None  # None: unreadable (see error)
    missing: bool  # it does not exist
    error: str | None


def parse_collected_files(raw: object) -> list[FileFact]:
    """The ``files`` list remote/collect.py prints -> FileFacts; ValueError if broken."""
    if not isinstance(raw, list):
        raise ValueError("expected a list of files")
    files: list[FileFact] = []
    for entry in raw:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise ValueError(f"unexpected file entry {entry!r:.80}")
        origin = entry.get("origin")
        text: str | None = None
        error = entry.get("error")
        if entry.get("b64") is not None:
            try:
                text = base64.b64decode(entry["b64"], validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                error = "is not UTF-8 text"
        files.append(
            {
                "path": entry["path"],
                "origin": (str(origin[0]), int(origin[1])) if origin else None,
                "text": text,
                "missing": bool(entry.get("missing")),
                "error": None if error is None else str(error),
            }
        )
    return files


def parse_collected_json(lines: list[str]) -> dict[str, Any]:
    """remote/collect.py's one JSON document (an object with ``files``); ValueError if not."""
    text = "\n".join(lines)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"did not print JSON ({exc}): {text[:200]!r}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("files"), list):
        raise ValueError("expected a JSON object with 'files'")
    return raw


# --------------------------------------------------------------------------- OVS

OVS_SECTIONS = ("@@SHOW", "@@PORT", "@@INTERFACE", "@@BRIDGE")
_VSWITCHD = "@@VSWITCHD"


class OvsSnapshot(TypedDict):
    """What ``OvsState`` returns.  When ``error`` is set every other field is empty."""

    error: str | None  # why OVS could not be read (no ovs-vsctl, ovsdb-server down)
    # ovs-vswitchd: its version line when it answers; else why not (``vswitchd_error``).
    # Both None: not asked (an older recording without that section).
    vswitchd: str | None
    vswitchd_error: str | None
    show: OvsShow | None  # parse_ovs_show() of `ovs-vsctl show`
    ports: dict[str, PortState]  # exact OVSDB rows by name (ovsdb_json)
    interfaces: dict[str, InterfaceState]
    bridges: dict[str, BridgeState]


OVS_NOT_INSTALLED = "ovs-vsctl is not installed"


def _ovs_reachable(vsctl: str, probe: str) -> str:
    """Shell: stop with one ``@@ERROR`` line when ovs-vsctl is missing or ovsdb is down;
    else leave the probe's output in ``$out``."""
    return (
        "if ! command -v ovs-vsctl >/dev/null 2>&1; then echo '@@ERROR "
        f"{OVS_NOT_INSTALLED} (package openvswitch-switch)'; exit 0; fi; "
        f'out=$({vsctl} {probe} 2>&1) || {{ echo "@@ERROR ovs-vsctl cannot reach ovsdb-server: '
        '$(echo $out | head -c 300)"; exit 0; }; '
    )


def _ovs_tables(vsctl: str) -> str:
    return (
        f"echo @@PORT; {vsctl} --format=json --columns={','.join(PORT_COLUMNS)} list Port; "
        f"echo @@INTERFACE; {vsctl} --format=json --columns={','.join(INTERFACE_COLUMNS)} "
        "list Interface; "
        f"echo @@BRIDGE; {vsctl} --format=json --columns={','.join(BRIDGE_COLUMNS)} list Bridge"
    )


def ovs_state_command(timeout: int = 5) -> str:
    """One round trip: `show`, exact Port/Interface/Bridge rows, and whether vswitchd answers.

    Runs in a subshell, so it can be followed by other commands in the same round trip.
    """
    v = f"ovs-vsctl --timeout={timeout}"
    return (
        f"( {_ovs_reachable(v, 'show')}"
        'echo @@SHOW; printf "%s\\n" "$out"; '
        f"{_ovs_tables(v)}; "
        # ovsdb-server answering says nothing about ovs-vswitchd, which does the switching.
        f'v=$(ovs-appctl -T {timeout} -t ovs-vswitchd version 2>&1); echo "{_VSWITCHD} $?"; '
        "printf '%s\\n' \"$v\" | head -n 3 )"
    )


def _split(lines: list[str], markers: tuple[str, ...]) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        if line in markers:
            current = sections.setdefault(line, [])
        elif current is not None:
            current.append(line)
    missing = [m for m in markers if m not in sections]
    if missing:
        raise ValueError(f"incomplete output (missing {', '.join(missing)})")
    return sections


def _empty_ovs(error: str | None) -> OvsSnapshot:
    return {
        "error": error,
        "vswitchd": None,
        "vswitchd_error": None,
        "show": None,
        "ports": {},
        "interfaces": {},
        "bridges": {},
    }


def empty_switch() -> OvsSnapshot:
    """What a fresh host's OVS will hold once the packages step installed it: no bridges."""
    empty = _empty_ovs(None)
    empty["show"] = {"uuid": "", "ovs_version": None, "manager": [], "bridges": {}}
    return empty


def parse_ovs_state(lines: list[str]) -> OvsSnapshot:
    """Parse the output of :func:`ovs_state_command`."""
    if lines and lines[0].startswith("@@ERROR"):
        return _empty_ovs(lines[0][len("@@ERROR ") :])
    state = _empty_ovs(None)
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    vswitchd_rc: str | None = None
    for line in lines:
        if line in OVS_SECTIONS:
            current = sections.setdefault(line, [])
        elif line.startswith(_VSWITCHD + " "):
            vswitchd_rc = line[len(_VSWITCHD) + 1 :].strip()
            current = sections.setdefault(_VSWITCHD, [])
        elif current is not None:
            current.append(line)
    missing = [s for s in OVS_SECTIONS if s not in sections]
    if missing:
        raise ValueError(f"incomplete OVS state output (missing {', '.join(missing)})")
    state["show"] = parse_ovs_show("\n".join(sections["@@SHOW"]))
    state["ports"] = port_rows("\n".join(sections["@@PORT"]))
    state["interfaces"] = interface_rows("\n".join(sections["@@INTERFACE"]))
    state["bridges"] = bridge_rows("\n".join(sections["@@BRIDGE"]))
    if vswitchd_rc is not None:
        said = [x.strip() for x in sections[_VSWITCHD] if x.strip()]
        if vswitchd_rc == "0":
            state["vswitchd"] = said[0] if said else "running"
        else:
            # ovs-appctl's own message is its last line; log lines (|WARN|) come first.
            why = next((x for x in reversed(said) if x.startswith("ovs-appctl")), None)
            why = why or (said[-1] if said else "no output")
            state["vswitchd_error"] = f"no answer ({why[:300]})"
    return state


# --------------------------------------------------------------------------- network

_LINKS, _IPV6, _PING = "@@LINKS", "@@IPV6", "@@PING"
_RTT_RE = re.compile(r"\btime[=<]\s*([0-9.]+)\s*ms")


class PingResult(TypedDict):
    target: str | None  # the management gateway; None when none is configured
    reachable: bool | None  # None: not tried (no gateway, no ping binary)
    rtt_ms: float | None
    detail: str  # one line for people: "0.66 ms", "no reply within 1 s", ...


class NetSnapshot(TypedDict):
    """Links, IPv6 settings and the gateway ping (the ``net`` part of ``VerifyState``)."""

    links: dict[str, LinkInfo]
    # /proc/sys/net/ipv6/conf/<name>/disable_ipv6 as bool, incl. "all" and "default";
    # None when the kernel has no IPv6 (booted with ipv6.disable=1).
    ipv6_disabled: dict[str, bool] | None
    ping: PingResult


def net_state_command(gateway: str | None = None) -> str:
    """One round trip: links + addresses, every disable_ipv6, one bounded ping of the gateway."""
    parts = [
        f"echo {_LINKS}; ip -j -d addr show",
        f"echo {_IPV6}; grep -H . /proc/sys/net/ipv6/conf/*/disable_ipv6 2>/dev/null",
    ]
    if gateway is None:
        parts.append(f"echo '{_PING} -'")
    else:
        gw = shlex.quote(gateway)
        parts.append(
            "if command -v ping >/dev/null 2>&1; then "
            f'p=$(ping -n -c1 -W1 {gw} 2>&1); echo "{_PING} $? "{gw}; printf \'%s\\n\' "$p"; '
            f"else echo '{_PING} 127 '{gw}; fi"
        )
    return "; ".join(parts)


def parse_ping(rc: str, lines: list[str], target: str | None) -> PingResult:
    """Result of `ping -n -c1 -W1 TARGET` from its exit code and output."""
    text = [line.strip() for line in lines if line.strip()]
    if rc == "-" or target is None:
        return {
            "target": None,
            "reachable": None,
            "rtt_ms": None,
            "detail": "no gateway configured (ovs_hv_mgmt_gateway)",
        }
    if rc == "127":
        return {
            "target": target,
            "reachable": None,
            "rtt_ms": None,
            "detail": "not tried: ping is not installed (package iputils-ping)",
        }
    if rc == "0":
        rtt = None
        for line in text:
            m = _RTT_RE.search(line)
            if m:
                rtt = float(m.group(1))
                break
        return {
            "target": target,
            "reachable": True,
            "rtt_ms": rtt,
            "detail": "reply" if rtt is None else f"reply in {rtt:g} ms",
        }
    if rc == "1":
        return {
            "target": target,
            "reachable": False,
            "rtt_ms": None,
            "detail": "no reply within 1 s",
        }
    errors = [line for line in text if not line.startswith(("PING ", "---"))]
    return {
        "target": target,
        "reachable": False,
        "rtt_ms": None,
        "detail": (errors[-1] if errors else f"ping failed (exit {rc})")[:200],
    }


def parse_ipv6(lines: list[str]) -> dict[str, bool] | None:
    """`grep -H . /proc/sys/net/ipv6/conf/*/disable_ipv6` -> {name: disabled}."""
    out: dict[str, bool] = {}
    for line in lines:
        path, sep, value = line.rpartition(":")
        parts = path.split("/")
        if not sep or len(parts) < 2 or parts[-1] != "disable_ipv6":
            raise ValueError(f"unexpected disable_ipv6 line {line!r}")
        out[parts[-2]] = value.strip() != "0"
    return out or None


def parse_net_state(lines: list[str]) -> NetSnapshot:
    """Parse the output of :func:`net_state_command`."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    ping_rc: str | None = None
    gateway: str | None = None
    for line in lines:
        if line in (_LINKS, _IPV6):
            current = sections.setdefault(line, [])
        elif line.startswith(_PING + " "):
            ping_rc, _, target = line[len(_PING) + 1 :].strip().partition(" ")
            gateway = target.strip() or None
            current = sections.setdefault(_PING, [])
        elif current is not None:
            current.append(line)
    if _LINKS not in sections or _IPV6 not in sections or ping_rc is None:
        raise ValueError(f"incomplete network state output (sections {sorted(sections)})")
    return {
        "links": parse_links("\n".join(sections[_LINKS])),
        "ipv6_disabled": parse_ipv6(sections[_IPV6]),
        "ping": parse_ping(ping_rc, sections[_PING], gateway),
    }


# --------------------------------------------------------------------------- libvirt

_DOMCTL_EXIT = {
    1: "bad input",
    2: "libvirt unreachable",
    127: "python3 is not installed",
}


class DomainsSnapshot(TypedDict):
    error: str | None  # why the domains could not be read (libvirtd down...)
    domains: dict[str, dict[str, Any]]  # remote/domctl.py dump: state, xml, live_xml...


def domains_command_wrap() -> tuple[str, str]:
    """Shell text to put before and after ``domctl dump``: its stdout (JSON) goes through,
    its stderr is kept apart, then ``@@RC <exit>`` and the last lines of stderr."""
    return (
        "{ err=$(",
        '2>&1 1>&3 3>&-); rc=$?; } 3>&1; echo; echo "@@RC $rc"; '
        "printf '%s\\n' \"$err\" | tail -n 3",
    )


def parse_domains(lines: list[str]) -> DomainsSnapshot:
    """The section written by a command wrapped with :func:`domains_command_wrap`."""
    rc_at = next((i for i, line in enumerate(lines) if line.startswith("@@RC ")), None)
    if rc_at is None:
        raise ValueError("incomplete domains output (no @@RC line)")
    rc = lines[rc_at][len("@@RC ") :].strip()
    err = " ".join(x.strip() for x in lines[rc_at + 1 :] if x.strip())
    if rc != "0":
        try:
            meaning = _DOMCTL_EXIT.get(int(rc), "failed")
        except ValueError:
            meaning = "failed"
        return {
            "error": f"cannot read libvirt domains ({meaning}, exit {rc}): {err or 'no message'}",
            "domains": {},
        }
    try:
        data = json.loads("\n".join(lines[:rc_at]))
    except json.JSONDecodeError as exc:
        raise ValueError(f"domctl dump did not print JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError("domctl dump: expected a JSON object")
    return {"error": None, "domains": data}


# --------------------------------------------------------------------------- everything

_PROBE_OVS, _PROBE_NET, _PROBE_DOMAINS = "@@@OVS", "@@@NET", "@@@DOMAINS"


class VerifySnapshot(TypedDict):
    """Everything verification reads from a host, fetched in one round trip."""

    ovs: OvsSnapshot
    net: NetSnapshot
    domains: DomainsSnapshot


def verify_probe_parts(gateway: str | None) -> tuple[str, str]:
    """Shell text before and after the ``domctl dump`` command of the verify probe."""
    before, after = domains_command_wrap()
    head = (
        f"echo {_PROBE_OVS}; {ovs_state_command()}; "
        f"echo {_PROBE_NET}; {net_state_command(gateway)}; "
        f"echo {_PROBE_DOMAINS}; {before}"
    )
    return head, after


def parse_verify_probe(lines: list[str]) -> VerifySnapshot:
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        if line in (_PROBE_OVS, _PROBE_NET, _PROBE_DOMAINS):
            current = sections.setdefault(line, [])
        elif current is not None:
            current.append(line)
    missing = [s for s in (_PROBE_OVS, _PROBE_NET, _PROBE_DOMAINS) if s not in sections]
    if missing:
        raise ValueError(f"incomplete verify probe output (missing {', '.join(missing)})")
    return {
        "ovs": parse_ovs_state(sections[_PROBE_OVS]),
        "net": parse_net_state(sections[_PROBE_NET]),
        "domains": parse_domains(sections[_PROBE_DOMAINS]),
    }
