"""pyinfra fact: the interfaces files that /etc/network/interfaces sources."""

from __future__ import annotations

import base64
import re
import shlex

from pyinfra.api.command import StringCommand
from pyinfra.api.exceptions import FactProcessError
from pyinfra.api.facts import FactBase

# Globs are expanded by the host's shell: allow glob characters, nothing that could run code.
SAFE_GLOB = re.compile(r"^[A-Za-z0-9_./*?\[\]-]+$")
EMIT = 'if [ -f "$f" ]; then printf "%s %s\\n" "$f" "$(base64 -w0 "$f")"; fi'


class SourcedFiles(FactBase[dict[str, str]]):
    """
    Text of every file matched by ``source PATTERN`` / ``source-directory DIR`` lines:

    .. code:: python

        {"/etc/network/interfaces.d/storage": "auto eth1\\niface eth1 inet dhcp\\n"}
    """

    def command(self, sources: list[str], directories: list[str]) -> StringCommand:
        # ifupdown takes the first word of a `source` line only.
        sources = [p.split()[0] for p in sources if p.split()]
        for pattern in sources:
            if not SAFE_GLOB.match(pattern):
                raise FactProcessError(f"unsupported characters in `source {pattern}`")
        # Relative to /etc/network, as ifupdown does; source-directory takes the file names
        # run-parts would (letters, digits, _ and -).
        loops = ["cd /etc/network || exit 0"]
        if sources:
            loops.append(f"for f in {' '.join(sources)}; do {EMIT}; done")
        for d in directories:
            loops.append(
                f"for f in {shlex.quote(d)}/*; do "
                'case "${f##*/}" in *[!A-Za-z0-9_-]*) continue;; esac; '
                f"{EMIT}; done"
            )
        return StringCommand("; ".join(loops))

    def process(self, output: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        try:
            for line in output:
                path, _, data = line.partition(" ")
                out[path] = base64.b64decode(data).decode("utf-8")
        except (ValueError, UnicodeDecodeError) as exc:
            raise FactProcessError(f"cannot read sourced interfaces files: {exc}") from exc
        return out
