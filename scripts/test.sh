#!/usr/bin/env bash
# The test command: installs what the tests need into .venv and runs the whole suite on
# SQLite and PostgreSQL. PostgreSQL must be reachable at TEST_POSTGRES_URL (default: the local
# server, user postgres); with CI=true its absence fails the run instead of skipping tests.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements-dev.txt
.venv/bin/python scripts/vendor_assets.py
exec .venv/bin/python -m pytest "$@"
