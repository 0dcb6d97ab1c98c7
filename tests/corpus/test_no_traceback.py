"""What a user sees when the deploy refuses bad input: one message, never a traceback.

pyinfra prints ``--> pyinfra error in FILE line N: MESSAGE`` and exits 1 for a
``DeployError`` raised while it loads the deploy files (its prepare phase, before any
operation runs), but a full Python traceback for any other exception.  So every refusal
the deploy code can raise on user input must reach pyinfra as a DeployError; context.py
converts HostDataError.

These tests run the real ``pyinfra --dry`` CLI against an inventory whose only host is
``@local``.  Nothing is executed on this machine: the deploy stops while pyinfra is still
loading it, before any fact is gathered (tests/corpus/test_bad_host_data.py checks that
build_context touches no host for every bad-data case).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PYINFRA = shutil.which("pyinfra") or str(Path(sys.executable).parent / "pyinfra")


def run_pyinfra(tmp_path: Path, inventory: str, deploy: str) -> subprocess.CompletedProcess[str]:
    if not Path(PYINFRA).exists():
        pytest.skip("pyinfra CLI not installed")
    (tmp_path / "inventory.py").write_text(inventory)
    (tmp_path / "deploy.py").write_text(deploy)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    return subprocess.run(
        [PYINFRA, "--dry", "-y", str(tmp_path / "inventory.py"), str(tmp_path / "deploy.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_error_is_one_message(tmp_path: Path) -> None:
    proc = run_pyinfra(
        tmp_path,
        'hosts = ["@local"]\n',
        "from pyinfra.api.exceptions import DeployError\n"
        "raise DeployError(\"host 'x': invalid host data (1 problem(s)):\\n"
        '  - ovs_hv_mgmt_vlan = 0: is below the minimum 1; fix: use 1-4094")\n',
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Traceback" not in out, out
    assert "pyinfra error in" in out and "ovs_hv_mgmt_vlan = 0" in out and "fix: use 1-4094" in out


def test_bad_host_data_through_the_real_validate_step(tmp_path: Path) -> None:
    """The project's own entry point (ovs_hypervisor.context.build_context, which
    the validate step calls first) with bad data on the host."""
    inventory = (
        'hosts = [("@local", {"ovs_hv_mgmt_vlan": "10", "ovs_hv_mgmt_ipv4": "192.0.2.0/24",\n'
        '                      "ovs_hv_bridg": "br0"})]\n'
    )
    deploy = (
        "from pyinfra import host\n"
        "from ovs_hypervisor.context import build_context\n"
        "build_context(host)\n"
        "raise SystemExit('validation passed: this test must never reach the host')\n"
    )
    proc = run_pyinfra(tmp_path, inventory, deploy)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Traceback" not in out, out
    assert "invalid host data (3 problem(s))" in out, out
    assert "ovs_hv_mgmt_vlan = '10': is a str, not an integer" in out
    assert "ovs_hv_mgmt_ipv4 = '192.0.2.0/24'" in out
    assert "ovs_hv_bridg = 'br0': unknown key; fix: did you mean ovs_hv_bridge?" in out


def test_other_exceptions_do_print_a_traceback(tmp_path: Path) -> None:
    """Why the rule exists: anything but DeployError reaches the user as a traceback."""
    proc = run_pyinfra(tmp_path, 'hosts = ["@local"]\n', "raise ValueError('plain')\n")
    assert proc.returncode != 0
    assert "Traceback" in proc.stdout + proc.stderr
