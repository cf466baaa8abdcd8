#!/usr/bin/env bash
# Everything the demo and the tests need, from a fresh clone: npm packages (from the lockfile),
# the emulator's virtual environment, and the compiled CLI. Quick when all is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund
fi
bash scripts/setup-emulator.sh
node_modules/.bin/tsc -p tsconfig.build.json
