"""Host data keys: the ``ovs_hv_`` prefix and, per key, what a valid value looks like.

pyinfra host data is a flat namespace, so every key of ours carries the prefix (see
``model.py``).  The fixes here are printed for type and range errors, and for a missing key.
"""

from __future__ import annotations

PREFIX = "ovs_hv_"

# Field -> what a valid value looks like, for type and range errors.
KEY_FIX: dict[str, str] = {
    "bridge": "write the bridge name as a string, e.g. 'ovsbr0'",
    "datapath_type": "use 'system' (kernel datapath) or 'netdev' (userspace)",
    "uplinks": "write a list of NIC names, e.g. ['eth0'] or ['eth0', 'eth1'] for a bond",
    "bond_name": "write the bond's port name as a string, e.g. 'bond0'",
    "bond_options": "write OVS bond options as one string, e.g. 'bond_mode=balance-tcp'",
    "mgmt_vlan": "set ovs_hv_mgmt_vlan to the management VLAN id, a whole number 1-4094 "
    "(e.g. 1234, not '1234')",
    "mgmt_port": "write the management port name as a string, e.g. 'vlan1234', or leave it out",
    "mgmt_ipv4": "set ovs_hv_mgmt_ipv4 to ADDRESS/PREFIX, e.g. '192.0.2.10/24'",
    "mgmt_gateway": "write the IPv4 gateway as a string, e.g. '192.0.2.1', or leave it out",
    "mgmt_dns": "write a list of IP addresses, e.g. ['192.0.2.53']",
    "mgmt_ipv6": "use 'off', 'slaac' or 'static'",
    "mgmt_ipv6_address": "write ADDRESS/PREFIX as a string, e.g. '2001:db8::10/64'",
    "mgmt_ipv6_gateway": "write the IPv6 gateway as a string, e.g. 'fe80::1'",
    "disable_ipv6_elsewhere": "use True or False (Python booleans, not strings)",
    "domains": "write {domain: {MAC: spec}}, e.g. {'web01': {'52:54:00:aa:bb:01': {'vlan': 1011}}}",
    "legacy_bridge_pattern": r"write a regular expression as a string, e.g. '^bridge(\d+)$'",
    "legacy_bridges": "write {bridge name: VLAN id}, e.g. {'br-dmz': 77}",
    "legacy_trunk_bridges": "write a list of bridge names, e.g. ['br0']",
    "remove_legacy": "use True or False (Python booleans, not strings)",
    "extra_interfaces": "write the extra stanzas as one (multi-line) string",
    "stop_timeout": "use a whole number of seconds, 1-3600 (default 60)",
    "destroy_on_timeout": "use True or False (Python booleans, not strings)",
    "domain_move": "use 'save' (managed save, guests resume without rebooting) or 'restart'",
    "save_fallback": "use 'restart' (restart a domain that cannot be saved) or 'stop' (stop "
    "the run)",
    "confirm_window": "use a whole number of seconds, 15-3600 (default 120)",
    "cutover_mode": "use 'fast' (make before break, the default) or 'classic'",
    "libvirt_uri": "write the URI as a string, e.g. 'qemu:///system'",
    "backup_dir": "write an absolute path as a string, e.g. '/var/lib/ovs-hypervisor/backups'",
    "sysctl_file": "write an absolute path as a string ending in .conf",
    "packages": "write a list of package names, e.g. ['openvswitch-switch']",
}
# Keys whose value is a list of strings.
LIST_FIELDS = ("uplinks", "mgmt_dns", "packages")
# The keys of one NIC spec in ovs_hv_domains.
NIC_KEYS = ("vlan", "trunk", "native")
