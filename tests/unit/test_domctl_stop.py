"""domctl's shutdown wait (stop_many) against guests that ignore, or only later hear, the
ACPI power button: libvirt domains stood in by small fakes, time by a fake clock."""

from __future__ import annotations

import pytest

libvirt = pytest.importorskip("libvirt")

from ovs_hypervisor.remote import domctl  # noqa: E402


class DeafDomain:
    """A running guest that ignores ACPI (like the lab's diskless TCG guests)."""

    def __init__(self) -> None:
        self.code = libvirt.VIR_DOMAIN_RUNNING
        self.shutdowns = 0
        self.destroyed = False

    def state(self) -> list[int]:
        return [self.code, 1]

    def shutdown(self) -> int:
        self.shutdowns += 1
        return 0

    def destroy(self) -> int:
        self.destroyed = True
        self.code = libvirt.VIR_DOMAIN_SHUTOFF
        return 0


class FakeConn:
    def __init__(self, dom: DeafDomain) -> None:
        self.dom = dom

    def lookupByName(self, name: str) -> DeafDomain:
        return self.dom


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s


def test_stop_timeout_without_destroy_exit_3() -> None:
    dom, clock = DeafDomain(), FakeClock()
    with pytest.raises(domctl.DomctlError) as err:
        domctl.stop_many(FakeConn(dom), ["web01"], 2, False, sleep=clock.sleep, clock=clock)[0]
    assert err.value.code == 3
    assert str(err.value) == (
        "domain web01 did not shut down within 2 s (guest ignores ACPI?); "
        "allow destroy or stop it by hand"
    )
    assert dom.shutdowns == 1 and not dom.destroyed  # 2 s: no second press yet
    assert set(clock.sleeps) == {0.2} and 9 <= len(clock.sleeps) <= 11


class LateListener(DeafDomain):
    """A guest still booting: it acts on the power button only from the second press on."""

    def shutdown(self) -> int:
        super().shutdown()
        if self.shutdowns > 1:
            self.code = libvirt.VIR_DOMAIN_SHUTOFF
        return 0


def test_stop_presses_the_power_button_again_while_it_waits() -> None:
    dom, clock = LateListener(), FakeClock()
    res = domctl.stop_many(FakeConn(dom), ["web01"], 60, False, sleep=clock.sleep, clock=clock)
    assert res[0]["result"] == "shutdown" and dom.shutdowns == 2 and not dom.destroyed
    assert domctl.REPRESS <= res[0]["waited"] <= domctl.REPRESS + 1


def test_stop_timeout_with_destroy() -> None:
    dom, clock = DeafDomain(), FakeClock()
    res = domctl.stop_many(FakeConn(dom), ["web01"], 2, True, sleep=clock.sleep, clock=clock)[0]
    assert res == {"name": "web01", "result": "destroyed", "waited": 2.0}
    assert dom.destroyed


class TwoConn:
    def __init__(self, **doms: DeafDomain) -> None:
        self.doms = doms

    def lookupByName(self, name: str) -> DeafDomain:
        return self.doms[name]


def test_stop_many_waits_once_and_names_every_hung_guest() -> None:
    a, b, clock = DeafDomain(), DeafDomain(), FakeClock()
    conn = TwoConn(a=a, b=b)
    with pytest.raises(domctl.DomctlError) as err:
        domctl.stop_many(conn, ["a", "b"], 2, False, sleep=clock.sleep, clock=clock)
    assert err.value.code == 3
    assert "domain a did not shut down" in str(err.value)
    assert "domain b did not shut down" in str(err.value)
    assert (a.shutdowns, b.shutdowns) == (1, 1) and not (a.destroyed or b.destroyed)
    assert sum(clock.sleeps) <= 2.2  # one shared timeout, not one per domain
