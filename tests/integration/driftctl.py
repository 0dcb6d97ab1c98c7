"""Helpers for the verify drift test: run verify.py, reach the hypervisor out of band.

(Kept apart from labctl.py, which other tests share.)
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.integration.labctl import PYINFRA, ROOT

LAB_DIR = Path(os.environ.get("OVSLAB_DIR", "/tmp/ovslab"))
PREFIX = os.environ.get("OVSLAB_PREFIX", "ovslab")
LAB_HOST = f"{PREFIX}-hv1"


def out_of_band_ssh_config(directory: Path) -> str:
    """An ssh_config that reaches the hypervisor's sshd from inside its own network namespace
    (127.0.0.1), like a console would: it works with the uplink or ovs-vswitchd gone."""
    text = (LAB_DIR / "ssh_config").read_text()
    text = text.replace("HostName 192.0.2.10", "HostName 127.0.0.1")
    text = text.replace(f"ip netns exec {PREFIX}-sw ", f"ip netns exec {PREFIX}-hv1 ")
    assert "127.0.0.1" in text and f"{PREFIX}-hv1 socat" in text, text
    path = directory / "ssh_config.oob"
    path.write_text(text)
    return str(path)


def verify(
    *args: str, json_path: Path | None = None, ssh_config: str | None = None, timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    """`pyinfra [-y] inventory.py verify.py ARGS` from the repository root."""
    extra = ["--data", f"verify_json={json_path}"] if json_path else []
    if ssh_config:
        extra += ["--data", f"ssh_config_file={ssh_config}"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("OVS_HV_VERIFY_JSON", None)
    yes = [] if "--dry" in args else ["-y"]
    return subprocess.run(
        [str(PYINFRA), *yes, *args, *extra, "inventory.py", "verify.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def host_report(json_path: Path) -> dict[str, Any]:
    doc = json.loads(json_path.read_text())
    assert doc["format"] == "ovs-hypervisor-verify/1", doc
    report: dict[str, Any] = doc["hosts"][LAB_HOST]
    return report


def differences(json_path: Path) -> list[tuple[str, str, str, str]]:
    return [
        (d["kind"], d["subject"], d["expected"], d["actual"])
        for d in host_report(json_path)["differences"]
    ]
