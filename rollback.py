"""Restore a backup of an earlier run:  pyinfra inventory.py rollback.py [--data rollback=NAME]

NAME is a directory under ovs_hv_backup_dir on the host (default: the latest).  Restores the
interfaces file, interfaces.d, the sysctl file and live IPv6 sysctls, the OVS database and the
domain XMLs of that run, brings the old network back and starts the domains that were running.
"""

from ovs_hypervisor.deploys import rollback

rollback()
