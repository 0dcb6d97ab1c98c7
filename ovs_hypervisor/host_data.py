"""Per-host data files (``host_data/<host>.py``, written by discovery): find, read, write.

A host data file is a Python module of module-level ``ovs_hv_*`` assignments, like pyinfra's
own group data files.  ``OVS_HV_HOST_DATA`` names another directory (tests use temp dirs).
"""

from __future__ import annotations

import os
import runpy
from pathlib import Path
from typing import Any

from ovs_hypervisor.model import PREFIX


def host_data_dir(default: str | Path) -> Path:
    """The host data directory: ``OVS_HV_HOST_DATA`` if set, else ``default``."""
    return Path(os.environ.get("OVS_HV_HOST_DATA") or default)


def read_host_data(path: Path) -> dict[str, Any]:
    """The ``ovs_hv_*`` names of one host data file ({} if there is none)."""
    if not path.exists():
        return {}
    return {k: v for k, v in runpy.run_path(str(path)).items() if k.startswith(PREFIX)}


def previous_host_data(path: Path) -> tuple[str | None, dict[str, Any]]:
    """A file's text and its keys, for comparing with what discovery found now."""
    if not path.exists():
        return None, {}
    text = path.read_text(encoding="utf-8")
    try:
        found = runpy.run_path(str(path))
    except Exception:  # a broken file is rewritten; its keys cannot be compared
        return text, {}
    return text, {k: v for k, v in found.items() if k.startswith(PREFIX)}


def write_host_data(path: Path, text: str) -> None:
    """Write a host data file atomically (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def merged_data(host: Any) -> dict[str, Any]:
    """The host's data as pyinfra resolves it (--data, host, groups, all, @deploy defaults)."""
    return dict(host.data.dict())
