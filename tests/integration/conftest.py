"""Fixtures shared by the integration tier (helpers are in labctl.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.labctl import fresh_lab


@pytest.fixture(scope="module")
def legacy_lab() -> Iterator[dict[str, str]]:
    """A lab built from zero in its legacy state for this module (its snapshot given)."""
    with fresh_lab() as before:
        yield before
