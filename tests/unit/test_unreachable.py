"""An unreachable host: one paragraph naming it and what to check, no traceback (a real
pyinfra run from the checkout against a host whose SSH connection cannot be made)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import ROOT

PYINFRA = Path(sys.executable).with_name("pyinfra")


def test_unreachable_host_gets_one_paragraph(tmp_path: Path) -> None:
    # ProxyCommand `false`: the connection fails at once, without touching any network.
    (tmp_path / "ssh_config").write_text("Host gone-hv\n    User root\n    ProxyCommand false\n")
    (tmp_path / "inventory.py").write_text(
        textwrap.dedent(
            f"""
            hypervisors = [("gone-hv", {{
                "ssh_config_file": "{tmp_path}/ssh_config",
                "ssh_known_hosts_file": "/dev/null",
                "ovs_hv_mgmt_vlan": 5, "ovs_hv_mgmt_ipv4": "10.0.0.2/24",
            }})]
            """
        )
    )
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb"}
    for deploy in ("deploy.py", "verify.py"):
        run = subprocess.run(
            [str(PYINFRA), "-y", str(tmp_path / "inventory.py"), deploy],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            stdin=subprocess.DEVNULL,
        )
        text = run.stdout + run.stderr
        assert run.returncode != 0, text
        assert "Traceback" not in text, text
        paragraph = [line for line in text.splitlines() if "gone-hv: this run could not" in line]
        assert len(paragraph) == 1, text
        assert "nothing changed on it" in paragraph[0] and "ssh_hostname" in paragraph[0]
