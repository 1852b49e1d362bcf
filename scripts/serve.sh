#!/usr/bin/env bash
# One command on a fresh machine: virtualenv, dependencies, database (embedded SQLite under
# instance/), boundaries, consulates, districts and demo data; then serve the app at
# http://127.0.0.1:5000. Safe to run again: nothing is loaded twice.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtualenv in .venv ..."
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements.txt
.venv/bin/python scripts/vendor_assets.py
# The Spanish and French catalogs, compiled from the committed .po files (the .mo files are not kept).
PY=.venv/bin/python scripts/i18n.sh compile

export FLASK_APP=directory_app
.venv/bin/flask setup
.venv/bin/flask demo --count "${DEMO_COUNT:-300}"
.venv/bin/flask stats
echo "Serving the CAMMINA Directory at http://127.0.0.1:${PORT:-5000} (Ctrl+C to stop)"
exec .venv/bin/flask run --host 127.0.0.1 --port "${PORT:-5000}"
