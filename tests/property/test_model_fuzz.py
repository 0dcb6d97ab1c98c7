"""Property tests for load_host_config: any value for any key either loads or is refused
with a HostDataError whose every line names the key, the value and a fix; nothing else
escapes (no pydantic ValidationError, TypeError, KeyError...)."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ovs_hypervisor.model import HostConfig, HostDataError, known_keys, load_host_config

BASE: dict[str, Any] = {
    "ovs_hv_mgmt_vlan": 1234,
    "ovs_hv_mgmt_ipv4": "192.0.2.10/24",
    "ovs_hv_mgmt_gateway": "192.0.2.1",
}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),  # nan and inf included
    st.text(max_size=20),
    st.binary(max_size=5),
    st.sampled_from(
        ["10", "0", "4095", "eth0", "ovsbr0", "vlan1234", "192.0.2.10/24", "192.0.2.1",
         "2001:db8::10/64", "fe80::1", "static", "slaac", "off", "netdev", "/tmp/x",
         "52:54:00:aa:bb:01", "bond_mode=balance-tcp", "qemu:///system", "\n", "a" * 300]
    ),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.frozensets(st.integers(0, 5), max_size=3),
        st.dictionaries(st.one_of(st.text(max_size=18), st.integers(0, 3)), inner, max_size=3),
    ),
    max_leaves=12,
)
nic_specs = st.one_of(
    values,
    st.fixed_dictionaries(
        {},
        optional={
            "vlan": values,
            "trunk": st.one_of(values, st.lists(st.integers(-2, 4097), max_size=4)),
            "native": values,
        },
    ),
)
domains = st.dictionaries(
    st.one_of(st.text(max_size=8), st.integers(0, 3)),
    st.one_of(
        values,
        st.dictionaries(
            st.one_of(st.sampled_from(["52:54:00:aa:bb:01", "52:54:00:AA:BB:01"]), scalars),
            nic_specs,
            max_size=3,
        ),
    ),
    max_size=3,
)
keys = st.sampled_from(known_keys())
near_keys = st.one_of(
    keys.map(lambda k: k[:-1]),
    keys.map(lambda k: k.upper()),
    keys.map(lambda k: k.replace("_", "-")),
    keys.map(lambda k: "ovs_hb_" + k[7:]),
    st.text(max_size=12).map(lambda s: "ovs_hv_" + s),
)


def check(data: dict[Any, Any]) -> None:
    try:
        config = load_host_config("fuzz-host", data)
    except HostDataError as exc:
        message = str(exc)
        assert message.startswith("host 'fuzz-host': invalid host data")
        assert "\n\n" not in message
        assert exc.problems
        for problem in exc.problems:
            assert "\n" not in problem, problem
            assert " = " in problem or ": required and not set" in problem, problem
            assert "; fix: " in problem, problem
            assert len(problem) < 700, problem
        return
    assert isinstance(config, HostConfig)
    # Whatever loads is usable: the derived values compute.
    assert config.mgmt_port_name and config.uplink_port and config.mgmt_interface
    assert not math.isnan(config.stop_timeout)


@SETTINGS
@given(key=keys, value=values)
def test_any_value_for_one_key(key: str, value: Any) -> None:
    check({**BASE, key: value})


@SETTINGS
@given(value=domains)
def test_any_domains_value(value: Any) -> None:
    check({**BASE, "ovs_hv_domains": value})


@SETTINGS
@given(data=st.dictionaries(st.one_of(keys, near_keys), values, max_size=6))
def test_any_set_of_keys(data: dict[str, Any]) -> None:
    check(data)
    check({**BASE, **data})
