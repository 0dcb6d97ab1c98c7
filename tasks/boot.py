"""Make the host raise the OVS stanzas at boot (see templates/ovs-hypervisor-ifup.service)."""

from pyinfra.operations import files, server

from ovs_hypervisor.render import TEMPLATE_DIR

UNIT = "ovs-hypervisor-ifup.service"
unit = files.put(
    name="Boot: raise allow-ovs stanzas (systemd unit)",
    src=str(TEMPLATE_DIR / UNIT),
    dest=f"/etc/systemd/system/{UNIT}",
    mode="644",
)
# What `systemctl enable` does, without needing a running systemd (and so also in the lab).
for target in ("multi-user.target", "network-online.target"):
    files.link(
        name=f"Boot: enable {UNIT} for {target}",
        path=f"/etc/systemd/system/{target}.wants/{UNIT}",
        target=f"/etc/systemd/system/{UNIT}",
        create_remote_dir=True,
    )
server.shell(
    name="Boot: systemctl daemon-reload",
    commands=["if command -v systemctl >/dev/null; then systemctl daemon-reload || true; fi"],
    _if=unit.did_change,
)
