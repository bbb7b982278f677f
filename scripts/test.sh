#!/usr/bin/env bash
# Set up (idempotently), then run every test: Rust unit, integration and doc tests, then
# the Python tests against the freshly built module.
set -euo pipefail
cd "$(dirname "$0")/.."
# The lint gate first (rustfmt, clippy, ruff), before anything is built for tests.
bash scripts/lint.sh
node --test tests/js/
bash scripts/setup.sh
# The UI tests drive Debian's chromium headless.
bash scripts/install_browser.sh
bash scripts/setup_evcxr.sh
# The metrics and plots features too; `python` is left to maturin (it links libpython).
cargo test --all-targets --no-fail-fast --features metrics,plots
cargo test --doc --features metrics,plots
# linfa models (the rust_linfa flavor, served by the rtrack binary): tests and doc examples.
cargo test --features linfa-datasets --lib --test linfa
cargo test --features linfa-datasets --doc linfa
.venv/bin/python -m pytest tests/python -q
