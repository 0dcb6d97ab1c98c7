"""Where a host's ``ovs_hv_*`` data comes from, in pyinfra's order, plus host data files.

Precedence, highest first (pyinfra's own order, with one addition)::

    --data  >  the host's entry in the inventory  >  host_data/<host>.py
            >  the host's groups (group_data/<group>.py or the inventory's group tuples;
               of two groups the later one in the inventory wins)
            >  group_data/all.py  >  the caller's ``data=`` of a @deploy  >  the package defaults

``host_data/<host>.py`` (written by discovery, or by hand) is a Python file of module-level
``ovs_hv_*`` assignments, read by the deploys themselves: a plain pyinfra inventory needs no
helper.  ``OVS_HV_HOST_DATA`` names another directory.  A problem with a key names the
source the key came from.
"""

from __future__ import annotations

import os
import re
import runpy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ovs_hypervisor.model import HostConfig, HostDataError, known_keys, load_host_config
from ovs_hypervisor.model_keys import PREFIX
from ovs_hypervisor.model_messages import unknown_key

# Default directory of host data files, relative to the controller's working directory.
HOST_DATA_DIR = "host_data"


def data_defaults() -> dict[str, Any]:
    """Every key that has a default, with it (the @deploy functions' ``data_defaults``)."""
    return {
        PREFIX + name: field.get_default(call_default_factory=True)
        for name, field in HostConfig.model_fields.items()
        if not field.is_required()
    }


def host_data_dir(default: str | Path = HOST_DATA_DIR) -> Path:
    """The host data directory: ``OVS_HV_HOST_DATA`` if set, else ``default``."""
    return Path(os.environ.get("OVS_HV_HOST_DATA") or default)


def read_host_data(path: Path) -> dict[str, Any]:
    """The module-level names of one host data file ({} if there is none)."""
    if not path.exists():
        return {}
    found = runpy.run_path(str(path))
    return {k: v for k, v in found.items() if not k.startswith("_")}


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


Layers = list[tuple[str, Mapping[str, Any]]]


def data_layers(
    host: Any, host_data: str | Path = HOST_DATA_DIR, caller: Mapping[str, Any] | None = None
) -> Layers:
    """(source, data) of one host, lowest precedence first."""
    inv = host.inventory
    layers: Layers = [
        ("the package defaults", data_defaults()),
        ("the data= of the @deploy call", dict(caller or {})),
        ("group_data/all.py (group 'all')", inv.get_data()),
    ]
    for group in host.groups:
        layers.append((f"group {group!r}", inv.get_group_data(group)))
    path = host_data_dir(host_data) / f"{host.name}.py"
    layers.append((f"{FILE_SOURCE}{path}", read_host_data(path)))
    layers.append(("the host's inventory entry", inv.get_host_data(host.name)))
    layers.append(("--data", inv.get_override_data()))
    layers.append(("deploy code (host.data.KEY = ...)", dict(host.data.override_datas)))
    return layers


def merge_layers(layers: Layers) -> tuple[dict[str, Any], dict[str, str]]:
    """The merged data and, per key, the source its value came from."""
    data: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for source, layer in layers:
        for key, value in layer.items():
            data[key] = value
            origin[key] = source
    return data, origin


FILE_SOURCE = "host data file "
_KEY_RE = re.compile(r"^([A-Za-z0-9_.:-]+)")


def config_from_layers(name: str, layers: Layers) -> HostConfig:
    """Validate the merged data; every problem line names where its key was set."""
    data, origin = merge_layers(layers)
    problems: list[str] = []
    keys = known_keys()
    for key, source in origin.items():
        # Keys like ours (also misspelt ones) are reported by the model, with a suggestion.
        if (
            source.startswith(FILE_SOURCE)
            and key not in keys
            and unknown_key(key, data[key], keys) is None
        ):
            problems.append(
                f"{key} ({source}): unknown key; a host data file holds only {PREFIX}* keys; "
                "fix: put connection data (ssh_*) and other keys in the inventory"
            )
    try:
        config = load_host_config(name, data)
    except HostDataError as exc:
        for problem in exc.problems:
            match = _KEY_RE.match(problem)
            where = origin.get(match.group(1)) if match else None
            problems.append(f"{problem} [set in {where}]" if where else problem)
    else:
        if not problems:
            return config
    raise HostDataError(name, problems)


def host_config(
    host: Any, host_data: str | Path = HOST_DATA_DIR, caller: Mapping[str, Any] | None = None
) -> HostConfig:
    """The validated config of ``host`` from all its data sources (raises HostDataError)."""
    return config_from_layers(host.name, data_layers(host, host_data, caller))


def merged_data(
    host: Any, host_data: str | Path = HOST_DATA_DIR, caller: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The host's data with every source applied (see the module docstring)."""
    return merge_layers(data_layers(host, host_data, caller))[0]
