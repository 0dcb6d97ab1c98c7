"""Discover legacy hypervisors and write their host data:  pyinfra inventory.py discover.py

Read-only on the hosts (two commands each: the network collector and the libvirt domain
dump).  Per host it prints what it found and plans, then writes host_data/<host>.py (the
directory inventory.py reads; OVS_HV_HOST_DATA overrides it) as this run's only change, on
the controller.  `--dry` prints the plans and writes nothing.  A host whose configuration
cannot be mapped without guessing gets no file, and the run fails for it (with --dry the
errors are printed, the exit code stays 0).  See docs/discover.md.
"""

import difflib
import os
import runpy
import time
from pathlib import Path

from pyinfra import host, logger, state
from pyinfra.operations import python

from ovs_hypervisor.discover import (
    HEADER,
    discover,
    inventory_overrides,
    render_host_data,
    summary,
)
from ovs_hypervisor.facts.discovery import LegacyNetwork
from ovs_hypervisor.facts.libvirt import LibvirtDomains
from ovs_hypervisor.model import DEFAULT_LIBVIRT_URI, PREFIX

HOST_DATA = Path(
    os.environ.get("OVS_HV_HOST_DATA") or Path(__file__).resolve().parent / "host_data"
)


def _previous(path: Path) -> tuple[str | None, dict]:
    if not path.exists():
        return None, {}
    text = path.read_text(encoding="utf-8")
    try:
        found = runpy.run_path(str(path))
    except Exception:  # a broken file is rewritten; its keys cannot be compared
        return text, {}
    return text, {k: v for k, v in found.items() if k.startswith(PREFIX)}


def _without_header(text: str | None) -> str | None:
    if text is None:
        return None
    return "\n".join(line for line in text.split("\n") if not line.startswith(HEADER))


def _write(state, host, path: str, text: str) -> bool:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    host.log(f"wrote {target}", logger.info)
    return True


def _failed(state, host, count: int) -> bool:
    host.log(f"discovery found {count} error(s) (listed above): no host data written", logger.error)
    return False


current = {k: v for k, v in host.data.dict().items() if k.startswith(PREFIX)}
network = host.get_fact(LegacyNetwork)
domains = host.get_fact(
    LibvirtDomains, uri=current.get(f"{PREFIX}libvirt_uri", DEFAULT_LIBVIRT_URI)
)

target = HOST_DATA / f"{host.name}.py"
previous_text, previous = _previous(target)
if network is None:
    result = None
    print(f"{host.name}: python3 is not installed on the host; discovery needs it")
    python.call(name="Discovery failed", function=_failed, count=1)
else:
    result = discover(host.name, network, domains or {}, current)
    print("\n" + summary(result), flush=True)
    if result.ok:
        for note in inventory_overrides(
            result.data,
            state.inventory.get_host_data(host.name),
            previous,
            state.inventory.get_override_data(),
        ):
            print(f"  inventory: {note}", flush=True)
    if result.errors:
        python.call(name="Discovery failed", function=_failed, count=len(result.errors))
    elif result.skipped:
        pass
    else:
        text = render_host_data(result, time.strftime("%Y-%m-%d %H:%M"))
        if _without_header(text) == _without_header(previous_text):
            print(f"  {target} is up to date", flush=True)
        else:
            if previous_text is not None:
                diff = difflib.unified_diff(
                    (_without_header(previous_text) or "").splitlines(),
                    (_without_header(text) or "").splitlines(),
                    f"{target} (now)",
                    f"{target} (discovered)",
                    lineterm="",
                )
                print("\n".join(f"    {line}" for line in diff), flush=True)
            print(f"  will write {target}", flush=True)
            python.call(name=f"Write {target}", function=_write, path=str(target), text=text)
