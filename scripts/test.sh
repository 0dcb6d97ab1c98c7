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
exec python -m pytest -ra "$@"
