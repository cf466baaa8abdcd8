#!/usr/bin/env bash
# Lints the GitHub Actions workflows with actionlint (with shellcheck for the run: scripts) and
# zizmor, and fails on any finding. Installs pinned versions of the three on first use: actionlint
# from the Go module proxy into .tools/, zizmor from PyPI into .venv-lint/, shellcheck from apt.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_VERSION=v1.7.12
ZIZMOR_VERSION=1.32.0

if ! command -v shellcheck >/dev/null 2>&1; then
  echo "lint-workflows: installing shellcheck (apt)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
fi

actionlint=.tools/bin/actionlint
if ! { [ -x "$actionlint" ] && "$actionlint" -version | head -n 1 | grep -qx "$ACTIONLINT_VERSION"; }; then
  echo "lint-workflows: installing actionlint $ACTIONLINT_VERSION (go install)" >&2
  GOBIN="$PWD/.tools/bin" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi

zizmor=.venv-lint/bin/zizmor
if ! { [ -x "$zizmor" ] && "$zizmor" --version | grep -qx "zizmor $ZIZMOR_VERSION"; }; then
  echo "lint-workflows: installing zizmor $ZIZMOR_VERSION (pip)" >&2
  python3 -m venv .venv-lint
  .venv-lint/bin/pip install --quiet --disable-pip-version-check "zizmor==$ZIZMOR_VERSION"
fi

"$actionlint" -no-color
# --offline: no GitHub API here; every audit that needs none still runs. Pedantic: even
# informational findings fail the lint.
"$zizmor" --offline --persona=pedantic --no-progress .github/workflows
echo "lint-workflows: actionlint and zizmor found nothing in .github/workflows"
