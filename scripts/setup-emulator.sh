#!/usr/bin/env bash
# Installs the AWS API emulator (moto, server mode) at the version pinned in
# scripts/emulator-requirements.txt into .venv-emulator/. Idempotent: a second run with the same
# pin only checks a stamp file and returns at once.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-emulator
req=scripts/emulator-requirements.txt
stamp="$venv/.installed-requirements"

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && cmp -s "$req" "$stamp"; then
  exit 0
fi

python=${PYTHON:-python3}
command -v "$python" >/dev/null || { echo "setup-emulator: $python not found; install Python 3.9 or newer" >&2; exit 1; }
echo "setup-emulator: installing $(grep -v '^#' "$req" | tr '\n' ' ')into $venv" >&2
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
cp "$req" "$stamp"
