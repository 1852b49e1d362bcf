#!/usr/bin/env bash
# The project's lint, run by .ci/run before the tests: ruff (style and errors), bandit (security
# patterns: markup over data, SQL built from strings, shells, weak randomness...) and lint-imports (the
# floors of directory_app and a pure geo/, contracts in pyproject.toml). Each bandit finding
# that is not a hole is silenced in place with `# nosec BXXX` and the reason beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
"$BIN/ruff" check directory_app geo tests
"$BIN/ruff" format --check directory_app geo tests
"$BIN/bandit" --quiet --configfile pyproject.toml --recursive directory_app geo
"$BIN/lint-imports"
