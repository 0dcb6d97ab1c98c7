"""pyinfra loads this before it connects: an unreachable host gets one paragraph saying what
to check, without paramiko's traceback (ovs_hypervisor/connect.py)."""

from ovs_hypervisor.connect import install

install()
