"""Shell metacharacters in a path used in remote commands."""

DATA = {"ovs_hv_backup_dir": "/var/backups; rm -rf /"}
EXPECT = [
    "ovs_hv_backup_dir = '/var/backups; rm -rf /'",
    "has characters a path here must not have: [' ', ';']",
    "fix:",
]
