"""The one rule for a lab tier that cannot run: fail with the reason (a skipped tier proves
nothing), unless its SKIP variable asks to skip it on purpose."""

from __future__ import annotations

import os

import pytest


def require(tier: str, skip_env: str, reason: str | None, leave_out: str) -> None:
    """Skip when $skip_env is 1; fail naming `reason` and how to leave the tier out."""
    if os.environ.get(skip_env) == "1":
        pytest.skip(f"{skip_env}=1: {tier} is skipped on request")
    if reason is not None:
        pytest.fail(f"{tier} cannot run: {reason}. {leave_out}", pytrace=False)
