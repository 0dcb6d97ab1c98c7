"""How long the controller waits for a host's cutover when other hosts' windows run
(ovs_hypervisor/operations/network.py: give_up_at)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ovs_hypervisor.operations.network import give_up_at


def test_alone_a_host_gets_its_whole_wait() -> None:
    assert give_up_at(1115.0, [], 120) == 1115.0
    assert give_up_at(1115.0, [1000.0], None) == 1115.0


def test_once_another_host_applied_a_silent_host_gets_a_third_of_that_window() -> None:
    # hv1 applied at t=1003 with a 120 s window; hv3 (started at 1000) is unreachable
    assert give_up_at(1115.0, [1003.0, 1010.0], 120) == 1043.0


@given(
    deadline=st.floats(0, 1e6),
    applied=st.lists(st.floats(0, 1e6), max_size=5),
    window=st.integers(15, 3600),
)
def test_never_later_than_the_own_deadline_nor_the_first_windows_third(
    deadline: float, applied: list[float], window: int
) -> None:
    at = give_up_at(deadline, applied, window)
    assert at <= deadline
    if applied:
        assert at <= min(applied) + window / 3
