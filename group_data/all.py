"""Data for every host of this checkout's inventory (pyinfra's group `all`).

Empty on purpose: the product defaults live in the package (``ovs_hypervisor.deploys
.DATA_DEFAULTS``, below every inventory and group data file), so any group of yours overrides
them.  Site-wide values (e.g. ``ovs_hv_mgmt_dns``) can go here; the lab's values are in the
lab's group in inventory.py.  The README lists every key with its default.
"""
