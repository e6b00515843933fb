#!/usr/bin/env bash
# npm test: unit and integration tests (Vitest), then end-to-end tests in real browsers
# (Playwright, inside a private network namespace). Both run; either failing fails.
set -uo pipefail
cd "$(dirname "$0")/.."
npx vitest run
unit=$?
bash e2e/run.sh
e2e=$?
[ $unit -eq 0 ] && [ $e2e -eq 0 ]
