#!/usr/bin/env bash
# Runs the benchmarks inside a private network namespace, like the e2e suite.
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash e2e/netns.sh node bench/dist/run.js "$@"
