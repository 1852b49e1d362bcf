#!/usr/bin/env bash
# A mutation-testing run (mutmut) of the code whose mistakes cost the most, on a copy of HEAD in a
# temporary folder (mutmut writes its mutants beside the code). Not part of CI: it takes 15-30 min.
#   scripts/mutation.sh                         geo/nearest.py and review/merge.py with their pure tests
#   TARGETS="a.py b.py" TESTS="tests/x.py" scripts/mutation.sh   (the runs so far: docs/mutation-testing.md)
# Shared CPU: JOBS=1 (default) and `nice`.
# Results: `cd <the folder printed> && ../main/.venv/bin/mutmut results`; written down in docs/mutation-testing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGETS=${TARGETS:-"geo/nearest.py directory_app/review/merge.py"}
TESTS=${TESTS:-"tests/geo/test_nearest.py tests/review/test_merge_property.py"}
WORK=$(mktemp -d /tmp/cammina-mutation.XXXX)
git archive HEAD | tar -x -C "$WORK"
quote() { printf '"%s", ' "$@" | sed 's/, $//'; }
# shellcheck disable=SC2086
cat >> "$WORK/pyproject.toml" <<TOML

[tool.mutmut]
source_paths = [$(quote $TARGETS)]
pytest_add_cli_args_test_selection = [$(quote $TESTS)]
pytest_add_cli_args = ["-p", "no:cacheprovider", "-x", "-q"]
also_copy = ["directory_app", "geo", "tests", "data", "templates", "static", "translations", "migrations", "scripts"]
TOML
echo "mutation run in $WORK"
cd "$WORK"
"$ROOT/.venv/bin/mutmut" run --max-children "${JOBS:-1}"
"$ROOT/.venv/bin/mutmut" results
