#!/usr/bin/env bash
# Set up (idempotently), log real runs to the embedded store (./rtruns), print what was
# stored, then serve the web UI on it until Ctrl-C (port 5000, or RTRACK_UI_PORT).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python scripts/demo.py
store=${RTRACK_TRACKING_URI:-./rtruns}
echo
exec .venv/bin/rtrack ui --backend-store-uri "$store" --port "${RTRACK_UI_PORT:-5000}"
