#!/usr/bin/env bash
# rtrack against MLflow on this machine, in one run: builds and installs rtrack from this
# checkout (scripts/setup.sh), adds a pinned MLflow to the same .venv, runs bench/bench.py.
# Prints the table; the figures also land in bench/out/results.json.
#   bash scripts/bench.sh            # the benchmark (under 10 minutes on 2 cores)
#   bash scripts/bench.sh --quick    # a one-minute smoke run of the same pipeline
set -euo pipefail
cd "$(dirname "$0")/.."

# The MLflow that DESIGN.md's numbers come from.
MLFLOW_VERSION=3.17.2

bash scripts/setup.sh
if [ "$(.venv/bin/python -c 'import importlib.metadata as m; print(m.version("mlflow"))' 2>/dev/null)" != "$MLFLOW_VERSION" ]; then
  echo "bench: installing mlflow==$MLFLOW_VERSION into .venv"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "mlflow==$MLFLOW_VERSION"
fi
mkdir -p bench/out
.venv/bin/python bench/bench.py "$@" | tee bench/out/table.txt
