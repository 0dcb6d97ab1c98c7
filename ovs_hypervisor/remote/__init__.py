"""Scripts that run ON the hypervisor.

Each is one self-contained file (stdlib + the host's own python3 modules, Python >= 3.9;
or POSIX sh) that the deploy ships as source text and runs with ``python3 -c`` (or as a
detached shell script); nothing here imports from the rest of ``ovs_hypervisor``, because
the package is not installed on the host.  The controller may import them (they are
ordinary modules: ruff and mypy check them).
"""

from functools import cache
from importlib.resources import files


@cache
def script_source(name: str) -> str:
    """Source text of the remote script ``name`` (``domctl.py``, ``cutover.sh``...)."""
    return files(__name__).joinpath(name).read_text(encoding="utf-8")
