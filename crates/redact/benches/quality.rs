//! Quality and speed on a seeded synthetic labelled corpus
//! ([`corpus`]: prose, code, log, terminal and form documents with labelled
//! values, and PII-free documents of the same styles).
//!
//! Prints recall per kind (a label counts as found when spans of its kind
//! cover at least 90% of its bytes), person recall per name list and per
//! context set, unlabelled spans in PII documents, false detections per kB
//! of PII-free text, and throughput in MB per CPU-second on one thread.
//!
//! Run: `cargo bench -p tracewell-redact --bench quality`
//!
//! Options (after `--`):
//! * `--misses`: print a few missed values and false detections;
//! * `--write-corpus DIR`: also write `DIR/corpus.jsonl`,
//!   `DIR/tracewell_spans.jsonl` and `DIR/tracewell_summary.json`, for the
//!   side-by-side comparison in `bench-baseline/`;
//! * `--ocr`: scan with the OCR-tolerant scanner ([`Scanner::builtin_ocr`]);
//! * `--profile SECONDS`: after the figures, scan the corpus over and over
//!   for that long (for a sampling profiler), print the work counters and
//!   accepted spans per detector, and time the scanner's combined automaton
//!   alone, and with each of its detectors left out, and each anchored
//!   finder alone;
//! * `--only CATEGORY`: with `--profile`, scan only the documents of one
//!   category (`pii_free`, `prose`, `code`, `log`, `terminal`, `form`).

mod corpus;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use corpus::{Cat, Doc};
use tracewell_redact::{Scanner, Span};

/// CPU time of the calling thread, in seconds: `CLOCK_THREAD_CPUTIME_ID`,
/// exact at any moment. (`/proc/thread-self/schedstat`, used before, and
/// `getrusage(RUSAGE_THREAD)` advance only at scheduler ticks while the
/// thread runs: a 2.5 ms busy loop measured 0.03–0.9 ms with them, so one
/// 80 ms round of the corpus was off by up to a tick, 4 ms.)
fn thread_cpu_seconds() -> f64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime fills the struct it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
}

/// Scans each document separately, `rounds` times; returns bytes, the
/// median CPU seconds of one round, and the median wall seconds.
fn time_scan(scanner: &Scanner, docs: &[&Doc], rounds: usize) -> (usize, f64, f64) {
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let mut cpu = Vec::new();
    let mut wall = Vec::new();
    for _ in 0..rounds {
        let c0 = thread_cpu_seconds();
        let w0 = Instant::now();
        let mut n = 0usize;
        for d in docs {
            n += scanner.find(&d.text).len();
        }
        std::hint::black_box(n);
        wall.push(w0.elapsed().as_secs_f64());
        cpu.push(thread_cpu_seconds() - c0);
    }
    cpu.sort_by(f64::total_cmp);
    wall.sort_by(f64::total_cmp);
    (bytes, cpu[rounds / 2], wall[rounds / 2])
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let value_of = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let show = flag("--misses");
    let write_dir = value_of("--write-corpus").map(PathBuf::from);
    let profile_secs: Option<f64> = value_of("--profile").and_then(|s| s.parse().ok());

    // `--ocr`: the OCR-tolerant scanner instead (for comparing builds'
    // spans; its recall is not what the targets are about).
    let scanner = if flag("--ocr") { Scanner::builtin_ocr() } else { Scanner::builtin() };
    let docs = corpus::generate(corpus::SEED, corpus::DEFAULT_SIZES);
    let all_spans: Vec<Vec<Span>> = docs.iter().map(|d| scanner.find(&d.text)).collect();
    let (pii, clean): (Vec<usize>, Vec<usize>) =
        (0..docs.len()).partition(|&i| !docs[i].labels.is_empty());

    // Recall over labelled values.
    let mut tally: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut wrong_kind: BTreeMap<String, u32> = BTreeMap::new();
    let mut misses: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut extra_spans = 0u32;
    let mut pii_bytes = 0usize;
    for &i in &pii {
        let (doc, spans) = (&docs[i], &all_spans[i]);
        pii_bytes += doc.text.len();
        for l in &doc.labels {
            let hit = corpus::covered(spans, l.kind, l.start, l.end);
            for g in l.groups() {
                let t = tally.entry(g).or_default();
                t.1 += 1;
                t.0 += u32::from(hit);
            }
            if hit {
                continue;
            }
            if let Some(sp) = spans.iter().find(|sp| sp.start < l.end && sp.end > l.start) {
                *wrong_kind
                    .entry(format!("{} as {}", l.kind.name(), sp.kind.name()))
                    .or_default() += 1;
            }
            let m = misses.entry(l.groups().pop().unwrap()).or_default();
            if m.len() < 4 {
                let t = &doc.text;
                let ls = t[..l.start].rfind('\n').map_or(0, |i| i + 1);
                let le = t[l.end..].find('\n').map_or(t.len(), |i| l.end + i);
                m.push(t[ls..le].to_string());
            }
        }
        extra_spans += spans
            .iter()
            .filter(|sp| {
                !doc.labels
                    .iter()
                    .any(|l| sp.start < l.end && sp.end > l.start)
            })
            .count() as u32;
    }
    println!(
        "recall per kind ({} PII documents, {:.2} MB; found = spans of the kind cover >= 90% of the value)",
        pii.len(),
        pii_bytes as f64 / 1e6
    );
    for (label, (hit, total)) in &tally {
        println!(
            "  {label:<28} {:>6.3}  ({hit}/{total})",
            f64::from(*hit) / f64::from(*total)
        );
    }
    println!(
        "  spans in PII documents that match no label: {extra_spans} ({:.3} per kB)",
        f64::from(extra_spans) / (pii_bytes as f64 / 1024.0)
    );
    if !wrong_kind.is_empty() {
        println!("  found with another kind: {wrong_kind:?}");
    }
    if show {
        for (label, ex) in &misses {
            for e in ex {
                println!("  MISS {label}: {e:?}");
            }
        }
    }

    // False detections on PII-free documents.
    let mut clean_bytes = 0usize;
    let mut by_kind: BTreeMap<&str, u32> = BTreeMap::new();
    let mut by_style: BTreeMap<&str, (u32, usize)> = BTreeMap::new();
    let mut examples: BTreeMap<String, u32> = BTreeMap::new();
    for &i in &clean {
        let (doc, spans) = (&docs[i], &all_spans[i]);
        clean_bytes += doc.text.len();
        let st = by_style.entry(doc.style.name()).or_default();
        st.0 += spans.len() as u32;
        st.1 += doc.text.len();
        for s in spans {
            *by_kind.entry(s.kind.name()).or_default() += 1;
            *examples
                .entry(format!(
                    "{}: {:?}",
                    s.kind.name(),
                    &doc.text[s.start..s.end]
                ))
                .or_default() += 1;
        }
    }
    let n_false: u32 = by_kind.values().sum();
    println!(
        "false detections in PII-free text: {n_false} in {:.1} kB ({} documents) = {:.3} per kB  {by_kind:?}",
        clean_bytes as f64 / 1024.0,
        clean.len(),
        f64::from(n_false) / (clean_bytes as f64 / 1024.0)
    );
    for (style, (n, b)) in &by_style {
        println!(
            "  {style:<9} {n:>5} in {:>7.1} kB = {:.3} per kB",
            *b as f64 / 1024.0,
            f64::from(*n) / (*b as f64 / 1024.0)
        );
    }
    if show {
        let mut ex: Vec<_> = examples.into_iter().collect();
        ex.sort_by_key(|e| std::cmp::Reverse(e.1));
        for (e, n) in ex.iter().take(30) {
            println!("  FALSE x{n} {e}");
        }
    }

    // Throughput: each document scanned on its own, one thread, CPU time.
    let all: Vec<&Doc> = docs.iter().collect();
    let _ = time_scan(scanner, &all, 1); // warm the automaton's cache
    let mut rows: Vec<(String, usize, f64, f64)> = Vec::new();
    let mut groups: Vec<(String, Vec<&Doc>)> = vec![
        ("whole corpus".into(), all.clone()),
        (
            "PII documents".into(),
            pii.iter().map(|&i| &docs[i]).collect(),
        ),
        (
            "PII-free documents".into(),
            clean.iter().map(|&i| &docs[i]).collect(),
        ),
    ];
    for cat in Cat::ALL {
        groups.push((
            format!("style {}", cat.name()),
            docs.iter().filter(|d| d.style == cat).collect(),
        ));
    }
    for (name, ds) in &groups {
        let rounds = if name == "whole corpus" { 7 } else { 3 };
        let (bytes, cpu, wall) = time_scan(scanner, ds, rounds);
        println!(
            "throughput {name:<20} {:>6.2} MB: {:>6.1} MB per CPU-second ({:.1} MB/s wall), one thread",
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / cpu,
            bytes as f64 / 1e6 / wall
        );
        rows.push((name.clone(), bytes, cpu, wall));
    }

    if let Some(dir) = write_dir {
        corpus::write(&dir, &docs, Some(&all_spans)).expect("write corpus");
        let summary = serde_json::json!({
            "seed": corpus::SEED,
            "documents": docs.len(),
            "throughput": rows.iter().map(|(n, b, c, w)| serde_json::json!({
                "name": n, "bytes": b, "cpu_seconds": c, "wall_seconds": w,
                "mb_per_cpu_second": *b as f64 / 1e6 / c,
            })).collect::<Vec<_>>(),
        });
        std::fs::write(
            dir.join("tracewell_summary.json"),
            serde_json::to_string_pretty(&summary).unwrap(),
        )
        .expect("write summary");
        println!("corpus written to {}", dir.display());
    }

    if let Some(secs) = profile_secs {
        let only = value_of("--only");
        let chosen: Vec<&Doc> =
            docs.iter().filter(|d| only.as_deref().is_none_or(|c| d.category == c)).collect();
        assert!(!chosen.is_empty(), "no document of category {only:?}");
        profile(scanner, &chosen, secs);
        finder_costs(&chosen);
        automaton_costs(&docs);
    }
}

/// Scans the corpus repeatedly for `secs` seconds (for `perf record`), then
/// prints per-detector counts of accepted spans and the work counters.
fn profile(scanner: &Scanner, docs: &[&Doc], secs: f64) {
    let start = Instant::now();
    let mut rounds = 0u32;
    while start.elapsed().as_secs_f64() < secs {
        for d in docs {
            std::hint::black_box(scanner.find(&d.text));
        }
        rounds += 1;
    }
    let mut searches = 0u64;
    let mut candidates = 0u64;
    let mut candidate_bytes = 0u64;
    let mut by_det: BTreeMap<&str, u64> = BTreeMap::new();
    let mut bytes = 0usize;
    for d in docs {
        let (spans, st) = scanner.find_with_stats(&d.text);
        bytes += d.text.len();
        searches += st.searches;
        candidates += st.candidates;
        candidate_bytes += st.candidate_bytes;
        for s in spans {
            *by_det.entry(s.detector).or_default() += 1;
        }
    }
    println!(
        "profile: {rounds} rounds; per MB: {:.0} searches, {:.0} candidates ({:.0} candidate bytes), accepted per detector {by_det:?}",
        searches as f64 / (bytes as f64 / 1e6),
        candidates as f64 / (bytes as f64 / 1e6),
        candidate_bytes as f64 / (bytes as f64 / 1e6),
    );
}

/// Cost of each anchored finder alone: every candidate it offers over the
/// documents, each document scanned from its start to its end, in MB per
/// second of wall time (best of 5: CPU time here is counted in whole
/// milliseconds, too coarse for one pass). What a finder costs the scanner
/// beyond this is the validation of its candidates.
fn finder_costs(docs: &[&Doc]) {
    use tracewell_redact::anchors::{
        AssignmentFinder, AssignmentKeywords, AwsSecretFinder, EmailFinder, UrlCredentialsFinder,
    };
    use tracewell_redact::numbers::RunFinder;
    use tracewell_redact::pairs::PairFinder;

    /// Every candidate in turn: asked again just after the last one.
    fn all(mut next: impl FnMut(usize) -> Option<usize>) -> usize {
        let (mut pos, mut n) = (0, 0);
        while let Some(s) = next(pos) {
            n += 1;
            pos = s + 1;
        }
        n
    }

    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let keywords = AssignmentKeywords::new().expect("keywords");
    let time = |name: &str, scan: &dyn Fn(&[u8]) -> usize| {
        let mut best = f64::MAX;
        let mut found = 0;
        for _ in 0..5 {
            let t0 = Instant::now();
            found = docs.iter().map(|d| scan(d.text.as_bytes())).sum::<usize>();
            best = best.min(t0.elapsed().as_secs_f64());
        }
        println!("  {name:<24} {:>6.0} MB/s, {found} candidates", bytes as f64 / 1e6 / best);
    };
    println!("finders alone, each over the documents:");
    time("email", &|h| {
        let mut f = EmailFinder::default();
        all(|p| f.next(h, p, &mut 0).map(|c| c.0))
    });
    time("assignment", &|h| {
        let mut f = AssignmentFinder::default();
        all(|p| f.next(&keywords, h, p, &mut 0).map(|c| c.0))
    });
    time("aws secret", &|h| {
        let mut f = AwsSecretFinder::default();
        all(|p| f.next(h, p, &mut 0).map(|c| c.0))
    });
    time("url credentials", &|h| {
        let mut f = UrlCredentialsFinder::default();
        all(|p| f.next(h, p, &mut 0).map(|c| c.0))
    });
    time("name pairs", &|h| {
        let mut f = PairFinder::default();
        all(|p| f.next(h, p, &mut 0).map(|c| c.0))
    });
    time("number runs", &|h| {
        let mut f = RunFinder::default();
        all(|p| f.next(h, p, false, &mut 0))
    });
}

/// Cost of the combined automaton alone (no validators, no anchored
/// finders), over the corpus joined into one text: the scanner's
/// automaton ([`AUTOMATON`]), and with each of its detectors and the name
/// detectors left out. Uses the scanner's own patterns and regex settings.
fn automaton_costs(docs: &[Doc]) {
    use regex_automata::meta::{self, Regex};
    use regex_automata::util::syntax;
    use tracewell_redact::patterns::{AUTOMATON, Det, pattern};

    let text: String = docs.iter().map(|d| d.text.as_str()).collect();
    let build_with = |dets: &[Det], cache: usize| {
        let pats: Vec<String> = dets.iter().map(|&d| pattern(d, false)).collect();
        Regex::builder()
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .configure(
                meta::Config::new()
                    .utf8_empty(false)
                    .hybrid_cache_capacity(cache)
                    .nfa_size_limit(Some(64 << 20)),
            )
            .build_many(&pats)
            .expect("patterns compile")
    };
    let build = |dets: &[Det]| build_with(dets, 32 << 20);
    let run = |re: &Regex| {
        let _ = re.find_iter(text.as_bytes()).count(); // warm the lazy DFA
        let mut best = f64::MAX;
        let mut n = 0;
        for _ in 0..3 {
            let t0 = Instant::now();
            n = re.find_iter(text.as_bytes()).count();
            best = best.min(t0.elapsed().as_secs_f64());
        }
        (text.len() as f64 / 1e6 / best, n)
    };
    let (all, n) = run(&build(&AUTOMATON));
    println!(
        "automaton alone (find_iter over the corpus joined, MB/s wall, best of 3), its {} detectors: {all:.0} MB/s ({n} matches)",
        AUTOMATON.len()
    );
    let (big, _) = run(&build_with(&AUTOMATON, 1 << 30));
    println!("  same with a 1 GiB lazy-DFA cache instead of 32 MiB: {big:.0} MB/s");
    for d in AUTOMATON {
        let rest: Vec<Det> = AUTOMATON.iter().copied().filter(|&x| x != d).collect();
        let (mbs, _) = run(&build(&rest));
        let (alone, _) = run(&build(&[d]));
        println!(
            "  without {:<18} {mbs:>6.0} MB/s   alone {alone:>7.0} MB/s",
            d.name()
        );
    }
    let names = [
        Det::NameTitle,
        Det::NameLabel,
        Det::NameGreeting,
        Det::NamePair,
    ];
    let rest: Vec<Det> = AUTOMATON
        .iter()
        .copied()
        .filter(|x| !names.contains(x))
        .collect();
    let (mbs, _) = run(&build(&rest));
    println!("  without the four name detectors: {mbs:.0} MB/s");
}
