#!/usr/bin/env bash
# Idempotent set-up of the Rust notebook kernel: evcxr_jupyter (built from crates.io into
# ~/.cargo/bin, about 10 minutes once) registered as the "rust" kernel inside .venv.
# Run after scripts/setup.sh (it needs .venv).
set -euo pipefail
cd "$(dirname "$0")/.."

EVCXR_VERSION=0.22.0
if ! cargo install --list | grep -qx "evcxr_jupyter v$EVCXR_VERSION:"; then
  cargo install --locked evcxr_jupyter --version "$EVCXR_VERSION"
fi
EVCXR_BIN=$(command -v evcxr_jupyter || echo "$HOME/.cargo/bin/evcxr_jupyter")
# Inside the venv, as setup.sh does for the python3 kernel, so tests never use another one.
if ! grep -qF "\"$EVCXR_BIN\"" .venv/share/jupyter/kernels/rust/kernel.json 2>/dev/null; then
  JUPYTER_PATH="$PWD/.venv/share/jupyter" "$EVCXR_BIN" --install >/dev/null
fi
# No rust-src on purpose: evcxr runs without it (the compiler tells it variable types), while
# sources of another release (Debian's rust-src 1.63) make its rust-analyzer panic.
echo "setup: evcxr_jupyter $EVCXR_VERSION registered as the 'rust' kernel in .venv"
