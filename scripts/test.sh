#!/usr/bin/env bash
# Set up (idempotently), then run every test: Rust unit, integration and doc tests, then
# the Python tests against the freshly built module.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo test --all-targets --no-fail-fast
cargo test --doc
.venv/bin/python -m pytest tests/python -q
