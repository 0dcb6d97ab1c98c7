"""Scripts that run ON the hypervisor.

Each is one self-contained file (stdlib + the host's own python3 modules, Python >= 3.9)
that the deploy ships as source text and runs with ``python3 -c``; nothing here imports
from ``ovs_hypervisor``, because the package is not installed on the host.
"""

from importlib.resources import files


def script_source(name: str) -> str:
    """Source text of the remote script ``<name>.py`` in this package."""
    return files(__name__).joinpath(f"{name}.py").read_text(encoding="utf-8")


def domctl_source() -> str:
    """Source of ``domctl.py`` (libvirt domain dump/stop/define/start/restore)."""
    return script_source("domctl")
