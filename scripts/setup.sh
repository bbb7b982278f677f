#!/usr/bin/env bash
# Idempotent set-up for a fresh machine: a virtualenv in .venv holding the build and test
# tools, and rtrack itself built from this checkout (maturin, release profile) into it.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo >/dev/null || { echo "setup: cargo (Rust) is required" >&2; exit 1; }
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
  "maturin>=1.9,<2" numpy pandas pillow pyyaml pytest mypy pandas-stubs scikit-learn plotly
# No build isolation: the venv's maturin builds into ./target, shared with cargo.
export PATH="$PWD/.venv/bin:$PATH"
# The MLflow client the server tests talk through (and the benchmark compares against).
.venv/bin/python -m pip install --quiet --disable-pip-version-check "mlflow==3.17.2"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-build-isolation --force-reinstall --no-deps .
echo "setup: rtrack $(.venv/bin/python -c 'import rtrack; print(rtrack.__version__)') installed in .venv"
