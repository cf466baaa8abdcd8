#!/usr/bin/env bash
# The demo: the main job against the local stack (scripts/demo.ts), after showing what a reviewer
# sees when a tenant file is wrong.
set -uo pipefail
cd "$(dirname "$0")/.."
cli="node $PWD/bin/sftp-tenants.js"

echo "== validate a tenant file with mistakes (a copy in a temporary directory)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/tenants"
cp platform.yaml "$tmp/"
sed -e 's#198.51.100.0/28#0.0.0.0/0#' -e 's#access: read-only#access: read-write-delete#' -e 's#^description:#descripton:#' \
  tenants/northwind-clearing.yaml > "$tmp/tenants/northwind-clearing.yaml"
(cd "$tmp" && $cli validate 2>&1)
code=$?
[ "$code" -eq 1 ] || { echo "expected exit code 1, got $code" >&2; exit 1; }
echo "(exit code 1, as expected: an invalid configuration changes nothing)"

node_modules/.bin/tsx scripts/demo.ts
