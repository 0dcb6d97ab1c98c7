"""Record discovery's facts from the lab: `python tests/data/discover/capture.py NAME`.

Runs, inside the lab hypervisor (lab/ovslab exec, so OVSLAB_PREFIX/OVSLAB_DIR apply), the
same two read-only commands as `pyinfra inventory.py discover.py`: the host-side collector
ovs_hypervisor/remote/collect.py (with --network) and `domctl dump` (facts/libvirt.py).  Writes
NAME.collector.json (the collector's output as printed, pretty-printed) and NAME.domains.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ovs_hypervisor.remote import script_source

HERE = Path(__file__).resolve().parent
OVSLAB = HERE.parents[2] / "lab" / "ovslab"


def run(*argv: str) -> str:
    out = subprocess.run(
        [str(OVSLAB), "exec", "--", *argv], capture_output=True, text=True, check=True
    )
    return out.stdout


def main(name: str) -> None:
    network = json.loads(
        run("python3", "-c", script_source("collect.py"), "--network", "/etc/network/interfaces")
    )
    domains = json.loads(run("python3", "-c", script_source("domctl.py"), "dump"))
    for suffix, doc in (("collector", network), ("domains", domains)):
        path = HERE / f"{name}.{suffix}.json"
        path.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1])
