#!/usr/bin/env bash
# Production: the CAMMINA Directory under gunicorn (several workers), on PostgreSQL, with sign-in rate
# limits counted in Redis. Configuration comes only from the environment (e.g. an EnvironmentFile of
# systemd), checked at start: a missing SECRET_KEY or PUBLIC_BASE_URL, an SQLite DATABASE_URL or
# memory:// rate limits stop the start with a clear message. See docs/deploy.md.
#
#   APP_ENV=production \
#   SECRET_KEY=$(openssl rand -hex 32) \
#   PUBLIC_BASE_URL=https://directory.example.org \
#   DATABASE_URL=postgresql+psycopg://cammina:PASSWORD@127.0.0.1/cammina \
#   RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 \
#   PAGE_CACHE_URL=redis://127.0.0.1:6379/1 \
#   TRUSTED_PROXIES=1 \
#   scripts/serve-production.sh
#
# MIGRATE=1 first brings the schema to the newest migration (do it on one host only, see docs/deploy.md).
# gunicorn's own settings (BIND, WEB_CONCURRENCY, ...) are described in gunicorn.conf.py.
set -euo pipefail
cd "$(dirname "$0")/.."

export APP_ENV="${APP_ENV:-production}"
export FLASK_APP=directory_app
VENV=${VENV:-.venv}

# The Spanish and French catalogs (.mo files are built from the committed .po files, not kept in git).
PY="$VENV/bin/python" scripts/i18n.sh compile >/dev/null

if [ "${MIGRATE:-0}" = 1 ]; then
  "$VENV/bin/flask" db upgrade heads
fi
exec "$VENV/bin/python" -m gunicorn --config gunicorn.conf.py "directory_app:create_app()"
