"""The interfaces files as discovery reads them: where each stanza and option is, and the
first finding, whether the host is already on Open vSwitch."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ovs_hypervisor.discover.facts import FileFact
from ovs_hypervisor.discover.findings import Notes, VlanDevice
from ovs_hypervisor.interfaces import (
    InterfacesFile,
    LocatedConfig,
    SourceFile,
    Stanza,
    parse_interfaces_files,
)

TOP_FILE = "/etc/network/interfaces"
_PARSER_ERROR = re.compile(r"^(?P<path>\S.*?) line (?P<line>\d+): (?P<msg>.*)$", re.S)


def words(values: list[str]) -> list[str]:
    return [w for v in values for w in v.split()]


@dataclass(frozen=True)
class Files:
    """The configuration read, with every file's text (complete when built)."""

    config: LocatedConfig
    texts: dict[str, str]  # path -> text, in reading order (the top file first)

    @property
    def cfg(self) -> InterfacesFile:
        return self.config.parsed

    @property
    def stanzas(self) -> tuple[tuple[str, Stanza], ...]:
        return self.config.stanzas

    @property
    def paths(self) -> list[str]:
        return list(self.texts)

    def stanzas_of(self, name: str) -> list[tuple[str, Stanza]]:
        return [
            (p, s) for p, s in self.stanzas if s.keyword == "iface" and s.args and s.args[0] == name
        ]

    def loc(self, name: str, key: str | None = None, family: str | None = None) -> str:
        """path:line of an option of an interface (or of its first stanza)."""
        first = None
        for path, stanza in self.stanzas_of(name):
            fam = stanza.args[1] if len(stanza.args) > 1 and stanza.args[1] != "inherits" else None
            if family is not None and fam not in (family, None):
                continue
            if first is None:
                first = f"{path}:{stanza.line}"
            if key is None:
                return first
            for opt in stanza.options:
                if opt.key.replace("-", "_") == key:
                    return f"{path}:{opt.line}"
        return first or "(interfaces files)"

    def opts(self, name: str, family: str | None = None) -> dict[str, list[str]]:
        fams = self.cfg["interfaces"].get(name, {})
        if family is not None:
            return fams[family]["options"] if family in fams else {}
        merged: dict[str, list[str]] = {}
        for fam in fams.values():
            for key, values in fam["options"].items():
                merged.setdefault(key, []).extend(values)
        return merged

    def method(self, name: str, family: str) -> str | None:
        fam = self.cfg["interfaces"].get(name, {}).get(family)
        return fam["method"] if fam else None

    def block(self, path: str, stanza: Stanza) -> str:
        """The stanza's text as written, without trailing blank and comment lines."""
        lines = self.texts[path].split("\n")
        later = [s.line for p, s in self.stanzas if p == path and s.line > stanza.line]
        end = min(later) - 1 if later else len(lines)
        block = lines[stanza.line - 1 : end]
        while block and (not block[-1].strip() or block[-1].lstrip().startswith("#")):
            block.pop()
        return "\n".join(block)


def _top_file_problem(files: list[FileFact], notes: Notes) -> bool:
    if not files or files[0]["origin"] is not None:
        notes.error("host", "the collector returned no interfaces file", "report this bug")
        return True
    top = files[0]
    if top["text"] is not None:
        return False
    if top["missing"] or (top["error"] and "No such file" in top["error"]):
        notes.error(
            top["path"],
            "does not exist: this host is not configured with Debian's ifupdown",
            "discovery reads ifupdown hosts only (not netplan, systemd-networkd or "
            "NetworkManager); write this host's data by hand",
        )
    else:
        notes.error(
            top["path"],
            f"{top['error'] or 'cannot be read'}",
            "make it readable by the SSH user, then run discovery again",
        )
    return True


def read_files(files: list[FileFact], notes: Notes) -> Files | None:
    """The files the collector read, parsed as ifupdown reads them (None: errors noted)."""
    if _top_file_problem(files, notes):
        return None
    sources: list[SourceFile] = []
    unreadable = False
    for f in files:
        if f["text"] is None:
            where = f"{f['origin'][0]}:{f['origin'][1]}" if f["origin"] else f["path"]
            if f["error"] and f["error"].startswith("read before"):
                notes.warn(
                    f"{f['path']} (sourced at {where}) was already read: ifupdown would "
                    "read it again; discovery reads it once"
                )
                continue
            notes.error(
                f["path"],
                f"{f['error'] or 'cannot be read'} (sourced at {where})",
                "make it a readable UTF-8 text file or remove the source line, then run "
                "discovery again",
            )
            unreadable = True
            continue
        sources.append(SourceFile(f["path"], f["text"], f["origin"]))
    if unreadable:
        return None
    try:
        config = parse_interfaces_files(sources)
    except ValueError as exc:
        text = str(exc)
        m = _PARSER_ERROR.match(text)
        where = f"{m['path']}:{m['line']}" if m else sources[0].path
        notes.error(
            where,
            m["msg"] if m else text,
            f"correct the file (`ifquery -i {m['path'] if m else sources[0].path} --list` "
            "shows how ifupdown reads it), then run discovery again",
        )
        return None
    return Files(config, {s.path: s.text for s in sources})


def already_ovs(files: Files, vlandevs: dict[str, VlanDevice], notes: Notes) -> str | None:
    """Why discovery stops here when the files already configure OVS: an error (legacy
    plumbing left, a half-migrated host) is noted, else the reason to skip is returned.
    None: not on OVS (or an error noted)."""
    ovs = [
        (path, stanza, opt)
        for path, stanza in files.stanzas
        for opt in stanza.options
        if opt.key.replace("-", "_") == "ovs_type"
    ]
    if not ovs:
        return None
    path, stanza, opt = ovs[0]
    legacy = sorted(vlandevs) + [
        n
        for n in files.cfg["interfaces"]
        if set(words(files.opts(n).get("bridge_ports", []))) & set(vlandevs)
    ]
    if legacy:
        notes.error(
            f"{path}:{opt.line}",
            f"{stanza.args[0]} is already an Open vSwitch interface "
            f"(`{opt.key} {opt.value}`) while {', '.join(legacy)} are legacy VLAN "
            "plumbing: a half-migrated host",
            "finish or roll back the migration (backups in /var/lib/ovs-hypervisor/"
            "backups), then run discovery again",
        )
        return None
    return (
        f"already on Open vSwitch ({path}:{opt.line} `{opt.key} {opt.value}` on "
        f"{stanza.args[0]}) and no legacy VLAN plumbing left: its host data is left "
        "as it is"
    )
