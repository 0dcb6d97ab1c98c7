#!/usr/bin/env bash
# All checks: lint, types, unit tests, then the integration tier against the real lab.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. .venv/bin/activate
ruff check .
ruff format --check .
mypy  # all Python in the repo (pyproject: files = ["."])
python scripts/sizes.py  # files <= 600 lines, classes <= 250, functions <= 80
# Leftovers of a crashed earlier run must not leak into this one.
lab/ovslab down >/dev/null 2>&1 || true
lab/vmlab/vmlab down >/dev/null 2>&1 || true
# The VM tier's image (cached; minutes when cold) builds while the other tiers run; the tier's
# `vmlab up` waits for it, or builds it itself if this failed (and then fails loudly).
if [ "${VMLAB_SKIP:-}" != 1 ]; then
    mkdir -p "${VMLAB_CACHE:-/var/tmp/ovs-hv-vmlab-cache}"
    lab/vmlab/vmlab build >"${VMLAB_CACHE:-/var/tmp/ovs-hv-vmlab-cache}/prebuild.log" 2>&1 &
fi
exec python -m pytest -ra "$@"
