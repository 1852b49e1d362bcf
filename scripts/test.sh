#!/usr/bin/env bash
# The test command: installs what the tests need (Python packages into .venv; Debian's chromium for
# the browser tests when /usr/bin/chromium is missing) and runs the whole suite on SQLite and
# PostgreSQL. PostgreSQL must be reachable at TEST_POSTGRES_URL (default: the local server, user
# postgres). With CI=true a missing PostgreSQL or Chromium fails the run instead of skipping tests.
# Arguments go to pytest: ./scripts/test.sh tests/accounts -x, ./scripts/test.sh -n 2
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements-dev.txt
# The browser libraries the maps load (pinned npm tarballs, checked; nothing to do when present).
.venv/bin/python scripts/vendor_assets.py
# The Spanish and French catalogs, compiled from the committed .po files (tests/i18n compile their own
# copy too, so they never read a stale .mo).
PY=.venv/bin/python scripts/i18n.sh compile

# The referral sheet's PDF (WeasyPrint) needs Pango from Debian; installed when missing and root.
if ! .venv/bin/python -c "import weasyprint" >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's Pango for WeasyPrint ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
  else
    echo "WeasyPrint cannot load Pango: install Debian's libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core" >&2
  fi
fi

# Browser tests drive Debian's Chromium through Playwright (never `playwright install`, which downloads
# a browser of its own).
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the browser tests ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q chromium chromium-driver
  else
    echo "No Chromium at $CHROMIUM and not root: install Debian's chromium and chromium-driver" \
      "(apt-get install chromium chromium-driver); until then the browser tests are skipped (they fail under CI=true)." >&2
  fi
fi
exec .venv/bin/python -m pytest "$@"
