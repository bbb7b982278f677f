#!/usr/bin/env bash
# Idempotent: Debian's chromium and chromedriver for the UI's browser tests, and the
# selenium client in .venv. Nothing is downloaded from outside the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check "selenium>=4.20,<5"
echo "install_browser: $(chromium --version 2>/dev/null | head -1), $(chromedriver --version | head -1)"
