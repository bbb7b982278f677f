#!/usr/bin/env bash
# Set up (idempotently), then log real runs to the embedded store and print what was stored.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python scripts/demo.py
