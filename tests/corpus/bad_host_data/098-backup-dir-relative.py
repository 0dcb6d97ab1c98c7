"""A relative backup directory."""

DATA = {"ovs_hv_backup_dir": "backups"}
EXPECT = ["ovs_hv_backup_dir = 'backups'", "is not an absolute path", "fix: write an absolute path"]
