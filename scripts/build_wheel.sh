#!/usr/bin/env bash
# Build the release wheel a user installs without Rust: one abi3 wheel (CPython 3.9 and later)
# with a manylinux tag, into dist/ (or the folder given as the first argument).
# Needs scripts/setup.sh first (maturin in .venv); builds into the target/ folder shared with
# cargo, so a build after `cargo build --release` or a pip install of the checkout is quick.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}
[ -x .venv/bin/maturin ] || { echo "build_wheel: run scripts/setup.sh first (maturin in .venv)" >&2; exit 1; }
export PATH="$PWD/.venv/bin:$PATH"
# manylinux_2_34: the oldest tag this machine's build passes (maturin checks the extension's
# glibc symbols: built against Debian 12's glibc it needs 2.34, so 2.28 is refused). The wheel
# installs on glibc 2.34 or later (Debian 12, Ubuntu 22.04, RHEL 9); the release workflow
# (.github/workflows/wheels.yml) builds in manylinux containers for older systems.
# RTRACK_WHEEL_COMPATIBILITY overrides the tag (e.g. "linux" for a wheel for this machine only).
maturin build --release --out "$out" --compatibility "${RTRACK_WHEEL_COMPATIBILITY:-manylinux_2_34}"
ls -l "$out"/rtrack-*.whl
