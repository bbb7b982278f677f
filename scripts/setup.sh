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
  "maturin>=1.9,<2" numpy pandas pillow pyyaml pytest mypy pandas-stubs scikit-learn plotly \
  ipython ipykernel nbclient nbformat
# The notebooks' tests run a "python3" kernel: this venv's Python, registered inside the venv
# (not in the user's Jupyter folders), so they never pick up another interpreter.
# pip's ipykernel ships a kernel.json that runs whatever "python" is on PATH; replace it.
if ! grep -qF "\"$PWD/.venv/bin/python" .venv/share/jupyter/kernels/python3/kernel.json 2>/dev/null; then
  .venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
fi
# No build isolation: the venv's maturin builds into ./target, shared with cargo.
export PATH="$PWD/.venv/bin:$PATH"
# The MLflow client the server tests talk through (and the benchmark compares against).
.venv/bin/python -m pip install --quiet --disable-pip-version-check "mlflow==3.17.2"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-build-isolation --force-reinstall --no-deps .
echo "setup: rtrack $(.venv/bin/python -c 'import rtrack; print(rtrack.__version__)') installed in .venv"
