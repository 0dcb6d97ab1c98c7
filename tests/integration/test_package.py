"""The deploy as a user installs it: the built wheel, pip-installed (not editable) into a fresh
venv, imported from a deploy file in a temporary directory, run against the lab.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.labctl import ROOT, fresh_lab, hv, output_of

pytestmark = pytest.mark.integration

LAB_DIR = os.environ.get("OVSLAB_DIR", "/tmp/ovslab")
LAB_HOST = f"{os.environ.get('OVSLAB_PREFIX', 'ovslab')}-hv1"


def run(*cmd: str | Path, cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    # No PYTHONPATH and a cwd outside the checkout: only the installed package can be found.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update({"PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "TERM": "dumb"})
    return subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out, ROOT, cwd=out)
    assert build.returncode == 0, output_of(build)
    (found,) = out.glob("ovs_hypervisor-*.whl")
    return found


def test_wheel_carries_templates_and_host_scripts(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "ovs_hypervisor/templates/interfaces.j2",
        "ovs_hypervisor/templates/sysctl-ipv6.conf.j2",
        "ovs_hypervisor/templates/ovs-hypervisor-ifup.service",
        "ovs_hypervisor/remote/cutover.sh",
        "ovs_hypervisor/remote/domctl.py",
        "ovs_hypervisor/deploys.py",
        "ovs_hypervisor/steps/cutover.py",
        "ovs_hypervisor/py.typed",
    ):
        assert needed in names, sorted(names)


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("venv")
    made = run(sys.executable, "-m", "venv", base / "venv", cwd=base)
    assert made.returncode == 0, output_of(made)
    pip = base / "venv" / "bin" / "pip"
    installed = run(pip, "install", "-q", wheel, cwd=base)
    assert installed.returncode == 0, output_of(installed)
    return base / "venv"


@pytest.fixture(scope="module")
def user_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's own directory: an inventory with their groups and a deploy file, no checkout."""
    base = tmp_path_factory.mktemp("user")
    (base / "inventory.py").write_text(
        textwrap.dedent(
            f"""
            rack_a = [("{LAB_HOST}", {{"ovs_hv_mgmt_ipv4": "192.0.2.10/24"}})]
            hypervisors = (
                ["{LAB_HOST}"],
                {{
                    "ssh_config_file": "{LAB_DIR}/ssh_config",
                    "ssh_known_hosts_file": "/dev/null",
                    "ssh_strict_host_key_checking": "off",
                }},
            )
            """
        )
    )
    (base / "group_data").mkdir()
    (base / "group_data" / "rack_a.py").write_text(
        textwrap.dedent(
            """
            ovs_hv_mgmt_vlan = 1234
            ovs_hv_mgmt_gateway = "192.0.2.1"
            ovs_hv_mgmt_dns = ["192.0.2.53"]
            ovs_hv_datapath_type = "netdev"
            """
        )
    )
    (base / "deploy.py").write_text(
        textwrap.dedent(
            """
            from ovs_hypervisor.deploys import migrate

            # Another team's deploy: their own policy as the call's data defaults.
            migrate(data={"ovs_hv_stop_timeout": 5, "ovs_hv_destroy_on_timeout": True})
            """
        )
    )
    (base / "check.py").write_text("from ovs_hypervisor.deploys import verify\n\nverify()\n")
    return base


@pytest.fixture(scope="module")
def legacy_lab() -> Iterator[dict[str, str]]:
    with fresh_lab() as before:
        yield before


def test_installed_package_is_not_the_checkout(venv: Path, user_dir: Path) -> None:
    where = run(
        venv / "bin" / "python",
        "-c",
        "import ovs_hypervisor; print(ovs_hypervisor.__file__)",
        cwd=user_dir,
    )
    assert where.returncode == 0, output_of(where)
    assert where.stdout.startswith(str(venv)), where.stdout


def test_migrate_from_the_installed_package(
    legacy_lab: dict[str, str], venv: Path, user_dir: Path
) -> None:
    pyinfra = venv / "bin" / "pyinfra"
    first = run(pyinfra, "-y", "inventory.py", "deploy.py", cwd=user_dir)
    text = output_of(first)
    assert first.returncode == 0, text
    assert "Traceback" not in text
    assert "allow-ovs ovsbr0" in hv("cat /etc/network/interfaces")
    assert "tag=1234" in hv("grep ovs_options /etc/network/interfaces")
    checked = run(pyinfra, "--dry", "inventory.py", "check.py", cwd=user_dir)
    assert checked.returncode == 0, output_of(checked)
    again = run(pyinfra, "-y", "inventory.py", "deploy.py", cwd=user_dir)
    assert again.returncode == 0, output_of(again)
    assert "Will " not in output_of(again)
