#!/usr/bin/env bash
# The lint gate, before anything is built for tests: Rust formatting and clippy on every
# target (the Python extension crate too), then ruff over the Python sources, tests and bench.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --check
cargo clippy --all-targets --features metrics,plots -- -D warnings
cargo clippy -p rtrack-python -- -D warnings

RUFF_VERSION=0.17.6
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
if [ "$(.venv/bin/ruff --version 2>/dev/null)" != "ruff $RUFF_VERSION" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "ruff==$RUFF_VERSION"
fi
.venv/bin/ruff check python tests/python bench
.venv/bin/ruff format --check python tests/python bench
echo "lint: rustfmt, clippy and ruff $RUFF_VERSION found nothing"
