"""A path with a newline would end up inside the host-side cutover script."""

DATA = {"ovs_hv_backup_dir": "/var/backups/ovs\n"}
EXPECT = [
    "ovs_hv_backup_dir = '/var/backups/ovs\\n'",
    "has characters a path here must not have: ['\\n']",
    "fix: write an absolute path",
]
