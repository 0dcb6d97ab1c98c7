"""Render the files the deploy writes (interfaces, sysctl) from a validated HostConfig."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import jinja2

from ovs_hypervisor.model import HostConfig

# Package data (ovs_hypervisor/templates/): found the same way from a checkout or a wheel.
TEMPLATE_DIR = Path(str(files("ovs_hypervisor").joinpath("templates")))


def _env(template_dir: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,  # a typo in the template fails loudly
        keep_trailing_newline=True,
        autoescape=False,
    )


def render_interfaces(config: HostConfig, host: str = "", template_dir: Path = TEMPLATE_DIR) -> str:
    text = (
        _env(template_dir)
        .get_template("interfaces.j2")
        .render(c=config, host=host or "this host", backup_dir=config.backup_dir)
    )
    return text.rstrip("\n") + "\n"


def render_sysctl(config: HostConfig, template_dir: Path = TEMPLATE_DIR) -> str | None:
    """The sysctl.d file that disables IPv6 off the management port, or None if not wanted."""
    if not config.disable_ipv6_elsewhere:
        return None
    return _env(template_dir).get_template("sysctl-ipv6.conf.j2").render().rstrip("\n") + "\n"
