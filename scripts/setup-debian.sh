#!/usr/bin/env bash
# Installs what Tracewell's build, demo and tests need on Debian 12 (or a
# derivative): an X server for tests (Xvfb), a window manager (openbox),
# xterm for the demo and benchmark, keyboard data, and the Python `mcap`
# package the format test reads segments with. Idempotent: installs only
# what is missing.
set -euo pipefail

packages=(xvfb openbox xterm x11-xkb-utils xkb-data fonts-dejavu-core python3 python3-pip)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! python3 -c "import mcap" 2>/dev/null; then
    echo "setup: installing the Python mcap reader"
    python3 -m pip install --quiet --disable-pip-version-check mcap \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages mcap
fi
