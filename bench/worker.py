"""Run one measure for one library in this (fresh) process and write its figures as JSON.

    python bench/worker.py LIB MEASURE PARAMS_JSON OUT_JSON

The current directory is a fresh temporary folder made by bench.py; the store goes there.
Each measure gets its own process so neither library's import, caches or threads can
touch the other's figures."""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from measures import MEASURES  # noqa: E402
from sides import SIDES  # noqa: E402


def main():
    lib, measure, params, out = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
    side = SIDES[lib](os.getcwd())
    began = time.perf_counter()
    figures = MEASURES[measure](side, **params)
    result = {
        "lib": lib,
        "version": side.version,
        "measure": measure,
        "params": params,
        "figures": figures,
        "wall_s": time.perf_counter() - began,
    }
    with open(out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
