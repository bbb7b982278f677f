#!/usr/bin/env bash
# rtrack beside MLflow, trackio and Aim on this machine, in one run: builds and installs rtrack
# from this checkout (scripts/setup.sh), adds a pinned MLflow to the same .venv, puts pinned
# trackio and Aim each in its own venv (bench/.venvs/NAME, from bench/requirements-NAME.txt),
# runs bench/bench.py. Prints the table; the figures also land in bench/out/results.json.
#   bash scripts/bench.sh            # the benchmark (about 15-20 minutes on 2 cores)
#   bash scripts/bench.sh --quick    # a few minutes' smoke run of the same pipeline
set -euo pipefail
cd "$(dirname "$0")/.."

# The MLflow that DESIGN.md's numbers come from.
MLFLOW_VERSION=3.17.2

bash scripts/setup.sh
if [ "$(.venv/bin/python -c 'import importlib.metadata as m; print(m.version("mlflow"))' 2>/dev/null)" != "$MLFLOW_VERSION" ]; then
  echo "bench: installing mlflow==$MLFLOW_VERSION into .venv"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "mlflow==$MLFLOW_VERSION"
fi

# A venv per comparator, on the interpreter .venv is made from, so every library runs on the
# same Python. Reinstalled only when its requirements file changes (the venv keeps the file's
# hash). A failed install leaves bench/.venvs/NAME.unavailable with pip's last lines, and the
# bench prints that library as left out, with that reason.
BASE_PYTHON=$(.venv/bin/python -c 'import sys; print(sys._base_executable)')
comparator_venv() {
  local name=$1 requirements=bench/requirements-$1.txt dir=bench/.venvs/$1 sum
  sum=$(sha256sum "$requirements" | cut -d' ' -f1)
  if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.requirements.sha256" 2>/dev/null)" = "$sum" ]; then
    return
  fi
  echo "bench: installing $name into $dir (pinned in $requirements)"
  rm -rf "$dir" "bench/.venvs/$name.unavailable"
  mkdir -p bench/.venvs
  if "$BASE_PYTHON" -m venv "$dir" \
    && "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" \
      >"bench/.venvs/$name.install.log" 2>&1; then
    echo "$sum" >"$dir/.requirements.sha256"
  else
    { echo "pip install -r $requirements on Python $("$BASE_PYTHON" -V 2>&1 | cut -d' ' -f2) failed:";
      tail -n 5 "bench/.venvs/$name.install.log"; } >"bench/.venvs/$name.unavailable"
    rm -rf "$dir"
    echo "bench: $name could not be installed, it will be left out; see bench/.venvs/$name.install.log" >&2
  fi
}
comparator_venv trackio
comparator_venv aim

mkdir -p bench/out
.venv/bin/python bench/bench.py "$@" | tee bench/out/table.txt
