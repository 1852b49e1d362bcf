#!/usr/bin/env bash
# Message catalogs in one command: extract every msgid (babel.cfg), merge it into the Spanish and
# French catalogs (translations/{es,fr}/LC_MESSAGES/messages.po), compile them to .mo and list what
# is still untranslated or fuzzy (exit 1 when something is). Steps can be named:
#   scripts/i18n.sh                  extract, update, compile, check
#   scripts/i18n.sh compile          only compile (what serve.sh and test.sh do)
#   scripts/i18n.sh extract update   catch up with new strings, then translate the empty msgstr
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
exec "$PY" scripts/i18n_catalogs.py "$@"
