#!/usr/bin/env bash
# AWS's own tools over this project: cfn-lint (every rule, informational included), `sam validate --lint`,
# `sam build`, checkov, and the contract tests that run the local fakes against moto server.
#   scripts/aws-tools.sh install   create .venv/ and install requirements.txt (only when it changed)
#   scripts/aws-tools.sh check     install, then run every layer; fails if any layer fails or cannot run
set -euo pipefail
cd "$(dirname "$0")/.."

VENV_DIR=.venv
TOOLS="$VENV_DIR/aws"
CHECKOV="$VENV_DIR/checkov"
STAMP="$VENV_DIR/requirements.sha256"

install() {
  local python
  python=$(command -v python3.11 || command -v python3 || true)
  if [ -z "$python" ]; then
    echo "aws-tools: python3 not found; install Python 3.11 to run these layers" >&2
    exit 1
  fi
  local wanted
  wanted=$(sha256sum requirements.txt | cut -d' ' -f1)
  if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ] && [ -x "$TOOLS/bin/sam" ] && [ -x "$CHECKOV/bin/checkov" ]; then
    return 0
  fi
  echo "aws-tools: installing requirements.txt into $VENV_DIR (takes a few minutes the first time)"
  rm -rf "$TOOLS" "$CHECKOV"
  "$python" -m venv "$TOOLS"
  "$python" -m venv "$CHECKOV"
  "$TOOLS/bin/pip" install --quiet --disable-pip-version-check -r <(grep -v '^checkov' requirements.txt)
  "$CHECKOV/bin/pip" install --quiet --disable-pip-version-check "$(grep '^checkov==' requirements.txt)"
  echo "$wanted" > "$STAMP"
}

layer() {
  local name=$1
  shift
  echo "== $name"
  local started=$SECONDS
  if ! "$@"; then
    echo "aws-tools: $name FAILED" >&2
    exit 1
  fi
  echo "== $name passed in $((SECONDS - started)) s"
}

check() {
  install
  # esbuild (a development dependency) comes from the project; SAM looks for it on PATH.
  export PATH="$PWD/$TOOLS/bin:$PWD/node_modules/.bin:$PATH"
  export SAM_CLI_TELEMETRY=0
  layer "cfn-lint (all rules, informational included)" cfn-lint --include-checks I -- template.yaml
  layer "sam validate --lint" sam validate --lint --template-file template.yaml --region us-east-1
  # samconfig.toml builds from CodeUri functions/ (its own package.json), cached and in parallel.
  layer "sam build" sam build
  layer "checkov" "$CHECKOV/bin/checkov" --quiet --compact --framework cloudformation --file template.yaml
  # The Jest files that need these tools; REQUIRE_AWS_TOOLS makes a missing tool a failure, not a skip.
  layer "contract tests against moto server and the SAM translator" \
    env REQUIRE_AWS_TOOLS=1 npx jest --coverage=false tests/aws-tools
}

case "${1:-check}" in
  install) install ;;
  check) check ;;
  *)
    echo "usage: scripts/aws-tools.sh [install|check]" >&2
    exit 2
    ;;
esac
