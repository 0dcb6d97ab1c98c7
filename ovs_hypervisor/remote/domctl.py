"""domctl - libvirt domain control for the ovs-hypervisor deploy. Runs ON the hypervisor.

The deploy runs it as ``python3 -c '<this file>' SUBCOMMAND ARGS``, so it is one file,
stdlib + python3-libvirt only, Python >= 3.9 (Debian 11).

  dump    [--uri URI]                            every domain, running or defined-only
  stop    NAME... --timeout S [--destroy] [--uri] ACPI shutdown all, wait, optionally destroy
  define  NAME --backup-dir DIR [--uri URI]      new XML on stdin; back up the old first
                                                 (a managed save image is rewired too)
  save    NAME --backup-dir DIR [--uri URI]      back up, managed-save (RAM to disk), then
                                                 define the new XML on stdin
  update  NAME --backup-dir DIR [--uri URI]      running domain, only <vlan> changes: update
                                                 its NICs live, then define the new XML
  start   NAME [--uri URI]                       start if not running (restores a saved one)
  restore --backup-dir DIR [NAME ...] [--stop [--save NAME ...]] [--uri]
                                                 rollback: re-define NAME.xml backups and
                                                 rewire their saved images; --stop first
                                                 stops running ones (managed-saves the
                                                 --save ones, destroys the rest)

A result is one JSON document on stdout; messages go to stderr. Never suspends a domain
with virDomainSuspend. A managed save image carries its own copy of the domain XML: every
define rewires it too, so a saved guest always resumes onto the bridges its definition names.

Exit codes:
  0  done
  1  bad usage or input (unknown domain, name mismatch, unparsable XML)
  2  libvirt unreachable (or python3-libvirt and virsh both missing)
  3  domain did not stop in time (or is paused) and --destroy was not given
  4  libvirt refused an operation (shutdown, destroy, save, define, update, start)
  5  backup or restore file problem (restore still re-defines what it can)
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from io import StringIO as _StringIO
from typing import Any

try:
    import libvirt
except ImportError:  # python3-libvirt not installed yet: dump falls back to virsh
    libvirt = None

DEFAULT_URI = "qemu:///system"
POLL = 0.2  # seconds between state polls while waiting for a shutdown
# The ACPI request again, this often: a guest still booting (no power button handler yet)
# loses the first press, as it would on real hardware.
REPRESS = 10.0

# virDomainState numbers (stable ABI), so the virsh path needs no libvirt module.
_STATE = {1: "running", 2: "running", 3: "paused", 5: "shut off", 7: "paused"}
_VIRSH_STATE = {
    "running": "running",
    "idle": "running",  # virsh's word for VIR_DOMAIN_BLOCKED
    "paused": "paused",
    "pmsuspended": "paused",
    "shut off": "shut off",
}


class DomctlError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def _state_name(code: int) -> str:
    return _STATE.get(code, "other")


def _lookup(conn: Any, name: str) -> Any:
    try:
        return conn.lookupByName(name)
    except libvirt.libvirtError as exc:
        if exc.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
            raise DomctlError(1, f"no domain named {name!r}") from None
        raise DomctlError(4, f"looking up domain {name}: {exc}") from None


def _xml_name(xml: str) -> str:
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise DomctlError(1, f"XML does not parse: {exc}") from None
    name = (root.findtext("name") or "").strip()
    if root.tag != "domain" or not name:
        raise DomctlError(1, "XML is not a libvirt <domain> with a <name>")
    return name


# --------------------------------------------------------------------------- dump


def dump(conn: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for dom in conn.listAllDomains(0):
        state = _state_name(dom.state()[0])
        persistent = bool(dom.isPersistent())
        out[dom.name()] = {
            "uuid": dom.UUIDString(),
            "state": state,
            "persistent": persistent,
            "autostart": bool(dom.autostart()) if persistent else False,
            "managed_save": bool(dom.hasManagedSaveImage(0)) if persistent else False,
            "xml": dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE),
            "live_xml": dom.XMLDesc(0) if dom.isActive() else None,
        }
    return out


def _virsh(uri: str, *args: str) -> str:
    # LC_ALL=C: dominfo/domstate words are translated otherwise.
    env = dict(os.environ, LC_ALL="C")
    try:
        proc = subprocess.run(
            ["virsh", "-q", "-c", uri, *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    except FileNotFoundError:
        raise DomctlError(2, "neither python3-libvirt nor virsh is installed") from None
    if proc.returncode != 0:
        msg = proc.stderr.strip().splitlines()
        raise DomctlError(2, f"virsh {args[0]} failed: {msg[0] if msg else proc.returncode}")
    return proc.stdout


def dump_virsh(uri: str) -> dict[str, Any]:
    """Same document as dump(), from the virsh command line (first run, no bindings)."""
    out: dict[str, Any] = {}
    for name in _virsh(uri, "list", "--all", "--name").splitlines():
        name = name.strip()
        if not name:
            continue
        info: dict[str, str] = {}
        for line in _virsh(uri, "dominfo", name).splitlines():
            key, sep, value = line.partition(":")
            if sep:
                info[key.strip()] = value.strip()
        raw_state = _virsh(uri, "domstate", name).strip()
        state = _VIRSH_STATE.get(raw_state, "other")
        persistent = info.get("Persistent") == "yes"
        active = raw_state not in ("shut off", "crashed")
        out[name] = {
            "uuid": info.get("UUID", ""),
            "state": state,
            "persistent": persistent,
            "autostart": info.get("Autostart") == "enable",
            "managed_save": info.get("Managed save") == "yes",
            "xml": _virsh(uri, "dumpxml", "--inactive", name),
            "live_xml": _virsh(uri, "dumpxml", name) if active else None,
        }
    return out


# --------------------------------------------------------------------------- stop


def stop_many(
    conn: Any,
    names: list[str],
    timeout: float,
    allow_destroy: bool,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[dict[str, Any]]:
    """Ask every domain to shut down at once, then wait for all: one timeout, not one each."""
    doms = {n: _lookup(conn, n) for n in names}
    results: dict[str, dict[str, Any]] = {}
    waiting: list[str] = []
    hung: dict[str, str] = {}
    t0 = clock()
    for n, dom in doms.items():
        state = _state_name(dom.state()[0])
        if state == "shut off":
            results[n] = {"name": n, "result": "already-off", "waited": 0.0}
        elif state == "paused":
            hung[n] = f"domain {n} is paused and cannot act on an ACPI shutdown request"
        else:
            try:
                dom.shutdown()  # a request; the guest may ignore it
            except libvirt.libvirtError as exc:
                if _state_name(dom.state()[0]) != "shut off":
                    raise DomctlError(4, f"shutdown of {n} failed: {exc}") from None
            waiting.append(n)
    pressed = t0
    while waiting:
        for n in list(waiting):
            if _state_name(doms[n].state()[0]) == "shut off":
                results[n] = {"name": n, "result": "shutdown", "waited": round(clock() - t0, 1)}
                waiting.remove(n)
        if not waiting or clock() - t0 >= timeout:
            break
        if clock() - pressed >= REPRESS:
            pressed = clock()
            for n in waiting:
                with contextlib.suppress(libvirt.libvirtError):  # may be shutting down
                    doms[n].shutdown()
        sleep(POLL)
    for n in waiting:
        hung[n] = f"domain {n} did not shut down within {timeout:g} s (guest ignores ACPI?)"
    if hung and not allow_destroy:
        raise DomctlError(
            3, "; ".join(hung[n] for n in names if n in hung) + "; allow destroy or stop it by hand"
        )
    for n in names:
        if n not in hung:
            continue
        try:
            doms[n].destroy()
        except libvirt.libvirtError as exc:
            if _state_name(doms[n].state()[0]) != "shut off":
                raise DomctlError(4, f"destroy of {n} failed: {exc}") from None
        print(f"{hung[n]}; destroyed it", file=sys.stderr)
        results[n] = {"name": n, "result": "destroyed", "waited": round(clock() - t0, 1)}
    return [results[n] for n in names]


# --------------------------------------------------------------------------- define


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _backup_path(backup_dir: str, name: str) -> str:
    if "/" in name or "\0" in name or name.startswith("."):
        raise DomctlError(5, f"domain name {name!r} cannot be a backup file name")
    return os.path.join(backup_dir, name + ".xml")


def write_backup(backup_dir: str, name: str, xml: str) -> tuple[str, bool]:
    """Write DIR/NAME.xml unless it exists (the first backup of a run wins).

    Returns (path, created). Written to a temporary file, fsynced, then hard-linked into
    place, so the backup is either complete or absent and never overwritten.
    """
    path = _backup_path(backup_dir, name)
    try:
        os.makedirs(backup_dir, mode=0o700, exist_ok=True)
        if os.path.exists(path):
            return path, False
        tmp = f"{path}.tmp.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(xml)
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, path)
                created = True
            except FileExistsError:
                created = False
        finally:
            os.unlink(tmp)
        _fsync_dir(backup_dir)
    except OSError as exc:
        raise DomctlError(5, f"cannot back up {name} to {path}: {exc}") from None
    return path, created


def define(conn: Any, name: str, xml: str, backup_dir: str) -> dict[str, Any]:
    xml_name = _xml_name(xml)
    if xml_name != name:
        raise DomctlError(1, f"XML on stdin is for domain {xml_name!r}, not {name!r}")
    backup: str | None = None
    created = False
    try:
        old = conn.lookupByName(name)
    except libvirt.libvirtError as exc:
        if exc.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:
            raise DomctlError(4, f"looking up domain {name}: {exc}") from None
        old = None
    if old is not None:
        backup, created = write_backup(
            backup_dir, name, old.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
        )
    try:
        dom = conn.defineXML(xml)
    except libvirt.libvirtError as exc:
        raise DomctlError(4, f"libvirt refused the new XML for {name}: {exc}") from None
    return {
        "name": name,
        "result": "defined",
        "backup": backup,
        "backup_created": created,
        "image_rewired": rewire_image(dom, name, xml),
        # What libvirt stored: it drops elements it does not know, so callers re-check.
        "xml": dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE),
    }


# --------------------------------------------------------------------------- NIC wiring

# What connects a NIC to the network (besides <interface type=...>); everything else in the
# element (model, address, alias, target) is the guest's hardware and stays as it is.
WIRING = ("source", "virtualport", "vlan")


def _parse_keep_prefixes(xml: str) -> ET.Element:
    """Parse, registering the document's namespace prefixes (qemu:commandline survives)."""
    try:
        for _event, (prefix, uri) in ET.iterparse(_StringIO(xml), events=("start-ns",)):
            if prefix:
                ET.register_namespace(prefix, uri)
        return ET.fromstring(xml)
    except ET.ParseError as exc:
        raise DomctlError(1, f"XML does not parse: {exc}") from None


def _nics(root: ET.Element) -> dict[str, ET.Element]:
    out: dict[str, ET.Element] = {}
    for iface in root.findall("./devices/interface"):
        mac = iface.find("mac")
        if mac is not None and mac.get("address"):
            out[mac.get("address", "").lower()] = iface
    return out


def _vlan_sig(iface: ET.Element) -> Any:
    vlan = iface.find("vlan")
    if vlan is None:
        return None
    tags = tuple((t.get("id"), t.get("nativeMode")) for t in vlan.findall("tag"))
    return (vlan.get("trunk") == "yes", tags)


def _wiring_sig(iface: ET.Element) -> Any:
    src = iface.find("source")
    port = iface.find("virtualport")
    return (
        iface.get("type"),
        tuple(sorted(src.attrib.items())) if src is not None else None,
        port.get("type") if port is not None else None,
        _vlan_sig(iface),
    )


def rewire_nics(target_xml: str, source_xml: str) -> tuple[str, list[str]]:
    """Give each NIC of target_xml the wiring (type, <source>, <virtualport>, <vlan>) of the
    NIC with the same MAC in source_xml.  Returns (new XML, MACs changed).

    Used on a managed save image's XML, which libvirt keeps apart from the persistent
    definition: the guest resumes with the image's NICs, so they must name the same bridge.
    """
    target = _parse_keep_prefixes(target_xml)
    wanted = _nics(_parse_keep_prefixes(source_xml))
    changed: list[str] = []
    for mac, iface in _nics(target).items():
        src = wanted.get(mac)
        if src is None or _wiring_sig(src) == _wiring_sig(iface):
            continue
        children = list(iface)
        old = [c for c in children if c.tag in WIRING]
        at = children.index(old[0]) if old else 1  # after <mac> by default
        for child in old:
            iface.remove(child)
        for offset, child in enumerate(c for c in src if c.tag in WIRING):
            iface.insert(at + offset, copy.deepcopy(child))
        iface.set("type", src.get("type", "bridge"))
        changed.append(mac)
    if not changed:
        return target_xml, []
    return ET.tostring(target, encoding="unicode"), changed


def rewire_image(dom: Any, name: str, xml: str) -> list[str]:
    """If the domain has a managed save image, rewire its NICs like ``xml``; MACs changed."""
    if not dom.hasManagedSaveImage(0):
        return []
    try:
        image = dom.managedSaveGetXMLDesc(libvirt.VIR_DOMAIN_SAVE_IMAGE_XML_SECURE)
    except libvirt.libvirtError as exc:
        raise DomctlError(4, f"cannot read the saved image of {name}: {exc}") from None
    new_image, changed = rewire_nics(image, xml)
    if changed:
        try:
            dom.managedSaveDefineXML(new_image, 0)
        except libvirt.libvirtError as exc:
            raise DomctlError(
                4, f"libvirt refused the rewired saved image of {name}: {exc}"
            ) from None
    return changed


# --------------------------------------------------------------------------- save


def save(conn: Any, name: str, xml: str, backup_dir: str) -> dict[str, Any]:
    """Managed save (the guest's RAM to disk, it stops without rebooting), then define the
    new XML, which rewires the saved image: ``start`` resumes the guest on the new wiring."""
    if _xml_name(xml) != name:
        raise DomctlError(1, f"XML on stdin is for domain {_xml_name(xml)!r}, not {name!r}")
    dom = _lookup(conn, name)
    state = _state_name(dom.state()[0])
    seconds = 0.0
    if state == "paused":
        raise DomctlError(4, f"domain {name} is paused; resume it or stop it by hand first")
    if state == "running":
        # Backed up first: the definition must be recoverable whatever happens next.
        write_backup(backup_dir, name, dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
        t0 = time.monotonic()
        try:
            dom.managedSave(0)
        except libvirt.libvirtError as exc:
            raise DomctlError(
                4, f"managed save of {name} failed (it keeps running): {exc}"
            ) from None
        seconds = round(time.monotonic() - t0, 2)
    result = define(conn, name, xml, backup_dir)
    result.update(result="saved" if state == "running" else "defined", seconds=seconds)
    return result


# --------------------------------------------------------------------------- update


def update(conn: Any, name: str, xml: str, backup_dir: str) -> dict[str, Any]:
    """A running domain whose NICs only change VLANs: update each such NIC live (libvirt
    re-tags its OVS port), then define the new XML.  The guest keeps running."""
    if _xml_name(xml) != name:
        raise DomctlError(1, f"XML on stdin is for domain {_xml_name(xml)!r}, not {name!r}")
    dom = _lookup(conn, name)
    updated: list[str] = []
    if dom.isActive():
        live = _nics(_parse_keep_prefixes(dom.XMLDesc(0)))
        for mac, want in _nics(_parse_keep_prefixes(xml)).items():
            have = live.get(mac)
            if have is None or _vlan_sig(have) == _vlan_sig(want):
                continue
            if _wiring_sig(have)[:3] != _wiring_sig(want)[:3]:
                raise DomctlError(
                    1, f"domain {name}: NIC {mac} changes more than its VLANs; restart it instead"
                )
            nic = copy.deepcopy(have)
            for old in nic.findall("vlan"):
                nic.remove(old)
            vlan = want.find("vlan")
            if vlan is not None:
                nic.append(copy.deepcopy(vlan))
            try:
                dom.updateDeviceFlags(
                    ET.tostring(nic, encoding="unicode"), libvirt.VIR_DOMAIN_AFFECT_LIVE
                )
            except libvirt.libvirtError as exc:
                raise DomctlError(
                    4, f"live VLAN update of {name} NIC {mac} failed: {exc}"
                ) from None
            updated.append(mac)
    result = define(conn, name, xml, backup_dir)
    result.update(result="updated", live=updated)
    return result


# --------------------------------------------------------------------------- start


def start(conn: Any, name: str) -> dict[str, Any]:
    dom = _lookup(conn, name)
    state = _state_name(dom.state()[0])
    if state == "running":
        return {"name": name, "result": "already-running"}
    if state == "paused":
        # Resuming is not starting: its NICs were plugged under the old config.
        raise DomctlError(4, f"domain {name} is paused; resume or restart it by hand")
    try:
        dom.create()
    except libvirt.libvirtError as exc:
        raise DomctlError(4, f"start of {name} failed: {exc}") from None
    return {"name": name, "result": "started"}


# --------------------------------------------------------------------------- restore


def restore(
    conn: Any,
    backup_dir: str,
    names: list[str],
    save_names: list[str] | None = None,
    stop: bool = False,
) -> tuple[dict[str, Any], int]:
    """Roll domains back to their NAME.xml backups (all *.xml in DIR when no names).

    With ``stop``, a running domain is stopped first: managed-saved when listed in
    ``save_names`` (its RAM survives; destroyed only if the save fails), destroyed
    otherwise (without, it keeps running on its old wiring until restarted).  Then the backup is
    re-defined and a managed save image rewired to it, so ``start`` resumes the guest on the
    old bridges.  Best effort: goes on after a failure, reports it, and returns exit code 5
    (file) or 4 (libvirt).  The one place both rollback paths (the cutover's and a boot-time
    recovery) restore domains from.
    """
    to_save = set(save_names or ())
    if not names:
        try:
            names = sorted(f[:-4] for f in os.listdir(backup_dir) if f.endswith(".xml"))
        except OSError as exc:
            raise DomctlError(5, f"cannot read backup dir {backup_dir}: {exc}") from None
    restored: list[str] = []
    saved: list[str] = []
    destroyed: list[str] = []
    images: dict[str, list[str]] = {}
    failed: dict[str, str] = {}
    code = 0
    for name in names:
        try:
            path = _backup_path(backup_dir, name)
            try:
                with open(path, encoding="utf-8") as fh:
                    xml = fh.read()
            except OSError as exc:
                raise DomctlError(5, f"cannot read backup {path}: {exc}") from None
            if _xml_name(xml) != name:
                raise DomctlError(5, f"backup {path} is not for domain {name}")
            if stop:
                _stop_for_restore(conn, name, name in to_save, saved, destroyed)
            try:
                dom = conn.defineXML(xml)
            except libvirt.libvirtError as exc:
                raise DomctlError(4, f"libvirt refused backup of {name}: {exc}") from None
            restored.append(name)
            changed = rewire_image(dom, name, xml)
            if changed:
                images[name] = changed
        except DomctlError as exc:
            print(str(exc), file=sys.stderr)
            failed[name] = str(exc)
            code = max(code, exc.code)
    result = {
        "result": "restored",
        "restored": restored,
        "saved": saved,
        "destroyed": destroyed,
        "images_rewired": images,
        "failed": failed,
    }
    return result, code


def _stop_for_restore(
    conn: Any, name: str, try_save: bool, saved: list[str], destroyed: list[str]
) -> None:
    try:
        dom = conn.lookupByName(name)
    except libvirt.libvirtError:
        return  # undefined meanwhile: the backup defines it again
    if not dom.isActive():
        return
    if try_save:
        try:
            dom.managedSave(0)
            saved.append(name)
            return
        except libvirt.libvirtError as exc:
            print(f"managed save of {name} failed, destroying it: {exc}", file=sys.stderr)
    try:
        dom.destroy()
        destroyed.append(name)
    except libvirt.libvirtError as exc:
        if dom.isActive():
            raise DomctlError(4, f"destroy of {name} failed: {exc}") from None


# --------------------------------------------------------------------------- main


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse would exit 2, which means "unreachable"
        self.print_usage(sys.stderr)
        print(f"domctl: {message}", file=sys.stderr)
        sys.exit(1)


def _parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--uri", default=DEFAULT_URI)
    p = _Parser(prog="domctl", description=__doc__.splitlines()[0] if __doc__ else None)
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    sub.add_parser("dump", parents=[common])
    s = sub.add_parser("stop", parents=[common])
    s.add_argument("names", nargs="+")
    s.add_argument("--timeout", type=float, required=True)
    s.add_argument("--destroy", action="store_true", help="destroy if it does not stop")
    d = sub.add_parser("define", parents=[common])
    d.add_argument("name")
    d.add_argument("--backup-dir", required=True)
    st = sub.add_parser("start", parents=[common])
    st.add_argument("name")
    for cmd in ("save", "update"):
        sv = sub.add_parser(cmd, parents=[common])
        sv.add_argument("name")
        sv.add_argument("--backup-dir", required=True)
    r = sub.add_parser("restore", parents=[common])
    r.add_argument("names", nargs="*")
    r.add_argument("--backup-dir", required=True)
    r.add_argument("--stop", action="store_true", help="stop running domains first")
    r.add_argument("--save", nargs="*", default=[], help="with --stop: managed-save these")
    return p


def _connect(uri: str) -> Any:
    try:
        return libvirt.open(uri)
    except libvirt.libvirtError as exc:
        msg = str(exc).strip().splitlines()
        first = msg[0] if msg else exc
        raise DomctlError(2, f"cannot connect to libvirt at {uri}: {first}") from None


def run(argv: list[str]) -> tuple[Any, int]:
    """Parse argv, do the work, return (JSON result, exit code)."""
    args = _parser().parse_args(argv)
    if libvirt is None:
        if args.cmd != "dump":
            raise DomctlError(2, "python3-libvirt is not installed")
        print("python3-libvirt not installed; reading domains with virsh", file=sys.stderr)
        return dump_virsh(args.uri), 0
    # The default handler prints every libvirt error to stderr; we report our own.
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    conn = _connect(args.uri)
    try:
        if args.cmd == "dump":
            return dump(conn), 0
        if args.cmd == "stop":
            many = stop_many(conn, args.names, args.timeout, args.destroy)
            return (many[0] if len(many) == 1 else many), 0
        if args.cmd == "define":
            return define(conn, args.name, sys.stdin.read(), args.backup_dir), 0
        if args.cmd == "save":
            return save(conn, args.name, sys.stdin.read(), args.backup_dir), 0
        if args.cmd == "update":
            return update(conn, args.name, sys.stdin.read(), args.backup_dir), 0
        if args.cmd == "start":
            return start(conn, args.name), 0
        return restore(conn, args.backup_dir, args.names, args.save, args.stop)
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    try:
        result, code = run(sys.argv[1:] if argv is None else argv)
    except DomctlError as exc:
        print(f"domctl: {exc}", file=sys.stderr)
        return exc.code
    json.dump(result, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
