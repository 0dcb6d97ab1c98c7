#!/usr/bin/env python3
"""Figures of the real-machine tier (issue 11 point 8), measured by one run of tests/vm:

    .venv/bin/python lab/vmlab/bench.py        # as root; runs `pytest -m vm tests/vm`

Prints: time from power-on to the management address after a reboot; per power-loss stage,
the outcome (test passed = the boot ended where it must) and the time from power-on to the
management address; the tier's total time; then every other figure the tests recorded (the
bond's failovers, the bonded host's power loss). The tests record figures, never assert them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STAGES = [
    (
        "files replaced, ifup running",
        "test_power_loss_while_files_are_replaced",
        "power_loss_files_power_on_to_mgmt_s",
        "old network (unconfirmed)",
    ),
    (
        "applied, before confirmation",
        "test_power_loss_after_applied_before_confirmation",
        "power_loss_applied_power_on_to_mgmt_s",
        "old network (unconfirmed)",
    ),
    (
        "right after confirmation",
        "test_power_loss_right_after_confirmation",
        "power_loss_confirmed_power_on_to_mgmt_s",
        "new network (confirmed)",
    ),
]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        figures = Path(tmp) / "figures.jsonl"
        report = Path(tmp) / "report.xml"
        started = time.monotonic()
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-m",
                "vm",
                "tests/vm",
                "-v",
                f"--junitxml={report}",
                *sys.argv[1:],
            ],
            cwd=ROOT,
            env={**os.environ, "VMLAB_FIGURES": str(figures)},
            check=False,
        )
        total = time.monotonic() - started
        values: dict[str, list[float]] = {}
        if figures.exists():
            for line in figures.read_text().splitlines():
                item = json.loads(line)
                values.setdefault(item["name"], []).append(item["value"])
        outcome = report.read_text() if report.exists() else ""
    print(f"\ntier total: {total:.0f} s (pytest exit {run.returncode})")
    reboots = values.get("reboot_power_on_to_mgmt_s", [])
    print(
        "reboot, power-on to management address: "
        + (", ".join(f"{v:.0f} s" for v in reboots) or "not measured")
    )
    print("\n| power cut at | expected boot | outcome | power-on to mgmt address |")
    print("|---|---|---|---|")
    for label, test, figure, expected in STAGES:
        failed = f'name="{test}"' in outcome and (
            outcome.split(f'name="{test}"', 1)[1].split("</testcase>", 1)[0].find("<failure") >= 0
        )
        ran = f'name="{test}"' in outcome
        result = "not run" if not ran else ("FAILED" if failed else "as expected")
        secs = values.get(figure)
        print(f"| {label} | {expected} | {result} | {f'{secs[-1]:.0f} s' if secs else '-'} |")
    shown = {"reboot_power_on_to_mgmt_s", *(figure for _, _, figure, _ in STAGES)}
    others = {name: v for name, v in values.items() if name not in shown}
    if others:
        print("\nother figures (s):")
        for name, vals in sorted(others.items()):
            print(f"  {name}: {', '.join(str(v) for v in vals)}")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
