"""pyinfra fact for discovery: a legacy host's network configuration, in one round trip.

The collector below runs on the host as ``python3 -c '<COLLECTOR>' [INTERFACES_FILE]`` (stdlib
only, Python >= 3.9, read-only: it opens files and runs ``ip -j``).  It prints one JSON
document that :func:`ovs_hypervisor.discover.parse_network_facts` turns into
:class:`ovs_hypervisor.discover.NetworkFacts`.  Domains come from the deploy's own
:class:`ovs_hypervisor.facts.libvirt.LibvirtDomains` (a second round trip).
"""

from __future__ import annotations

from pyinfra.api.command import QuoteString, StringCommand
from pyinfra.api.exceptions import FactProcessError
from pyinfra.api.facts import FactBase

from ovs_hypervisor.discover import NetworkFacts, parse_network_facts

__all__ = ["COLLECTOR", "LegacyNetwork", "collector_command"]

# Runs ON the host.  Follows source/source-directory as ifupdown 0.8 does (checked with
# ifquery 0.8.41): a `source` line's first word is expanded like a shell word (variables,
# ~, quotes) and globbed, relative to the including file's directory, missing files are
# skipped; `source-dir*` reads the directory's regular files whose names match
# ^[a-zA-Z0-9_-]+$, sorted.  File texts travel base64-encoded (exact bytes).
COLLECTOR = r"""
import base64, glob, json, os, re, shlex, subprocess, sys

TOP = sys.argv[1] if len(sys.argv) > 1 else "/etc/network/interfaces"
RUNPARTS = re.compile(r"^[a-zA-Z0-9_-]+$")
SPACE = " \t\n\r\v\f"
out = {"files": [], "links": [], "routes": {"inet": [], "inet6": []},
       "ovs_module": {}, "kernel": os.uname().release, "errors": []}
seen = set()


def logical_lines(text):
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        start = i + 1
        line = lines[i].lstrip(SPACE)
        i += 1
        if line.startswith("#"):
            continue
        while line.endswith("\\"):
            line = line[:-1]
            if i < len(lines):
                line += lines[i]
                i += 1
        yield start, line.rstrip(SPACE)


def expand(word):
    try:
        parts = shlex.split(word)
    except ValueError:
        parts = [word]
    word = parts[0] if parts else word
    return os.path.expanduser(os.path.expandvars(word))


def read(path, origin, depth):
    entry = {"path": path, "origin": origin, "b64": None, "error": None}
    real = os.path.realpath(path)
    if real in seen:
        entry["error"] = "read before (included twice, or a source loop)"
        out["files"].append(entry)
        return
    seen.add(real)
    out["files"].append(entry)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        entry["error"] = "cannot read: %s" % (exc.strerror or exc)
        return
    entry["b64"] = base64.b64encode(data).decode()
    if depth >= 20:
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    base = os.path.dirname(path)
    for lineno, line in logical_lines(text):
        words = line.split(None, 1)
        if len(words) < 2:
            continue
        keyword, rest = words
        if keyword != "source" and not keyword.startswith("source-dir"):
            continue
        target = expand(rest)
        if not os.path.isabs(target):
            target = os.path.join(base, target)
        if keyword == "source":
            found = sorted(glob.glob(target))
        else:
            try:
                names = sorted(os.listdir(target))
            except OSError:
                names = []
            found = [os.path.join(target, n) for n in names
                     if RUNPARTS.match(n) and os.path.isfile(os.path.join(target, n))]
        for child in found:
            read(child, [path, lineno], depth + 1)


def ip_json(*args):
    try:
        proc = subprocess.run(["ip", "-j"] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, timeout=20)
    except (OSError, subprocess.SubprocessError) as exc:
        out["errors"].append("ip -j %s: %s" % (" ".join(args), exc))
        return []
    if proc.returncode != 0:
        out["errors"].append("ip -j %s: %s" % (" ".join(args), proc.stderr.strip()[:300]))
        return []
    try:
        return json.loads(proc.stdout or "[]")
    except ValueError as exc:
        out["errors"].append("ip -j %s: not JSON: %s" % (" ".join(args), exc))
        return []


def links():
    for row in ip_json("-d", "addr", "show"):
        info = row.get("linkinfo") or {}
        data = info.get("info_data") or {}
        out["links"].append({
            "name": row.get("ifname"),
            "kind": info.get("info_kind"),
            "slave_kind": info.get("info_slave_kind"),
            "master": row.get("master"),
            "link": row.get("link"),
            "vlan_id": data.get("id") if info.get("info_kind") == "vlan" else None,
            "mac": row.get("address"),
            "up": "UP" in (row.get("flags") or []),
            "addresses": [
                {"family": a.get("family"), "address": a.get("local"),
                 "prefixlen": a.get("prefixlen"), "scope": a.get("scope"),
                 "dynamic": bool(a.get("dynamic"))}
                for a in row.get("addr_info") or [] if "local" in a
            ],
        })


def routes():
    for family, flag in (("inet", "-4"), ("inet6", "-6")):
        for row in ip_json(flag, "route", "show", "default"):
            out["routes"][family].append({"gateway": row.get("gateway"), "dev": row.get("dev")})


def ovs_module():
    release = os.uname().release
    if os.path.isdir("/sys/module/openvswitch"):
        out["ovs_module"] = {"state": "loaded", "detail": "/sys/module/openvswitch"}
        return
    base = "/lib/modules/" + release
    for name in ("modules.builtin", "modules.dep"):
        try:
            with open(os.path.join(base, name)) as f:
                for line in f:
                    if re.search(r"/openvswitch\.ko(\.[a-z]+)?(:|$)", line.strip()):
                        out["ovs_module"] = {"state": "available",
                                             "detail": "%s/%s" % (base, name)}
                        return
        except OSError:
            continue
    if os.path.isdir(base):
        detail = "not in %s/modules.dep or modules.builtin" % base
    else:
        detail = "no %s" % base
    out["ovs_module"] = {"state": "missing", "detail": detail}


read(TOP, None, 0)
links()
routes()
ovs_module()
print(json.dumps(out))
"""


def collector_command(path: str = "/etc/network/interfaces") -> StringCommand:
    """``python3 -c <COLLECTOR> PATH``: nothing is uploaded and nothing is changed."""
    return StringCommand("python3", "-c", QuoteString(COLLECTOR), QuoteString(path))


class LegacyNetwork(FactBase[NetworkFacts]):
    """
    The network side of a legacy host, read-only, in one round trip: the interfaces file and
    every file it sources, the links with kind/master/VLAN id/addresses (``ip -j -d addr``),
    the default routes and whether the openvswitch kernel module is there:

    .. code:: python

        {"files": [{"path": "/etc/network/interfaces", "origin": None,
                    "text": "auto lo\\n...", "error": None}],
         "links": {"bridge1234": {"name": "bridge1234", "kind": "bridge", "master": None,
                                  "link": None, "vlan_id": None, "up": True,
                                  "addresses": [{"family": "inet", "address": "192.0.2.10",
                                                 "prefixlen": 24, "scope": "global",
                                                 "dynamic": False}], ...}},
         "routes": {"inet": [{"gateway": "192.0.2.1", "dev": "bridge1234"}], "inet6": []},
         "ovs_module": {"state": "missing", "detail": "/lib/modules/6.1.0 does not exist"},
         "kernel": "6.1.0-18-amd64", "errors": []}
    """

    def command(self, path: str = "/etc/network/interfaces") -> StringCommand:
        return collector_command(path)

    def requires_command(self, path: str = "/etc/network/interfaces") -> str:
        return "python3"

    def process(self, output: list[str]) -> NetworkFacts:
        try:
            return parse_network_facts("\n".join(output))
        except ValueError as exc:
            raise FactProcessError(f"discovery collector: {exc}") from exc
