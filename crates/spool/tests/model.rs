//! Model-based test: random sequences of begin / write / commit / abort /
//! ack / failure / reopen (with and without a simulated crash) run against
//! the spool and against a plain in-memory model; after every step the two
//! must agree, and the folder must hold exactly the files the model says.
//!
//! Sequences come from a seeded generator; a failure prints its seed and the
//! steps so far. `TRACEWELL_SPOOL_MODEL_SEEDS=n` runs more sequences.

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use common::*;
use tracewell_spool::*;

/// The blobs written: sealed segments of varied sizes (two with the same
/// segment id, one a byte-for-byte duplicate source) and things that are not
/// sealed segments.
struct Pool {
    blobs: Vec<Vec<u8>>,
    /// Whether blob `i`, written in full, is a valid sealed segment.
    valid: Vec<bool>,
}

fn pool(fx: &Fixture) -> Pool {
    let mut blobs = Vec::new();
    let mut valid = Vec::new();
    for (id, len) in [
        (1, 0),
        (2, 100),
        (3, 5_000),
        (4, 12_000),
        (5, 30_000),
        (6, 2_000),
        (6, 2_000),
        (7, 50_000),
    ] {
        blobs.push(fx.sealed(id, len));
        valid.push(true);
    }
    let truncated = blobs[4][..blobs[4].len() - 10].to_vec();
    blobs.push(truncated);
    valid.push(false);
    blobs.push(b"plain text, not sealed".repeat(50));
    valid.push(false);
    Pool { blobs, valid }
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Begin,
    Write,
    Commit,
    Abort,
    Ack,
    AckGone,
    Fail,
    Reopen,
    Crash,
}

struct LiveWriter {
    w: SpoolWriter,
    blob: usize,
    pos: usize,
}

#[derive(Default)]
struct Model {
    /// Entries in commit order, as the spool returned them.
    entries: Vec<Entry>,
    full: bool,
}

impl Model {
    fn bytes(&self) -> u64 {
        self.entries.iter().map(|e| e.len).sum()
    }
}

struct Run<'a> {
    pool: &'a Pool,
    dir: &'a Path,
    quota: u64,
    spool: Option<Spool>,
    writers: Vec<LiveWriter>,
    /// Partials of writers forgotten to simulate a crash, until reopen.
    leaked: usize,
    model: Model,
    /// The entries acked so far (for acks of things no longer there).
    gone: Vec<Entry>,
    log: Vec<String>,
}

impl Run<'_> {
    fn spool(&self) -> &Spool {
        self.spool.as_ref().unwrap()
    }

    fn reopen(&mut self) -> Spool {
        Spool::open(
            self.dir,
            SpoolOptions {
                quota_bytes: self.quota,
                full_verify_on_open: self.log.len().is_multiple_of(2),
            },
        )
        .unwrap()
    }

    /// Picks one of the operations that apply now, by weight.
    fn pick(&self, rng: &mut Rng) -> Op {
        let w = !self.writers.is_empty();
        let e = !self.model.entries.is_empty();
        let candidates = [
            (self.writers.len() < 3, 15, Op::Begin),
            (w, 30, Op::Write),
            (w, 15, Op::Commit),
            (w, 4, Op::Abort),
            (e, 6, Op::Ack),
            (!self.gone.is_empty(), 2, Op::AckGone),
            (e, 6, Op::Fail),
            (true, 3, Op::Reopen),
            (true, 2, Op::Crash),
        ];
        let total: u64 = candidates.iter().filter(|c| c.0).map(|c| c.1).sum();
        let mut x = rng.below(total);
        for (ok, weight, op) in candidates {
            if ok {
                if x < weight {
                    return op;
                }
                x -= weight;
            }
        }
        unreachable!()
    }

    fn step(&mut self, rng: &mut Rng) {
        match self.pick(rng) {
            Op::Begin => {
                let blob = rng.below(self.pool.blobs.len() as u64) as usize;
                self.log.push(format!("begin blob {blob}"));
                let w = self.spool().begin().unwrap();
                self.writers.push(LiveWriter { w, blob, pos: 0 });
            }
            Op::Write => {
                let i = rng.below(self.writers.len() as u64) as usize;
                let lw = &mut self.writers[i];
                let len = self.pool.blobs[lw.blob].len();
                let n = if rng.chance(50) {
                    len - lw.pos
                } else {
                    (rng.below(8_000) as usize).min(len - lw.pos)
                };
                self.log.push(format!("write {n} to writer {i}"));
                lw.w.write_all(&self.pool.blobs[lw.blob][lw.pos..lw.pos + n])
                    .unwrap();
                lw.pos += n;
            }
            Op::Commit => {
                let i = rng.below(self.writers.len() as u64) as usize;
                let mut lw = self.writers.remove(i);
                let len = self.pool.blobs[lw.blob].len();
                if lw.pos < len && rng.chance(80) {
                    self.log
                        .push(format!("write {} to writer {i}", len - lw.pos));
                    lw.w.write_all(&self.pool.blobs[lw.blob][lw.pos..]).unwrap();
                    lw.pos = len;
                }
                self.log.push(format!(
                    "commit writer {i} (blob {}, {} bytes)",
                    lw.blob, lw.pos
                ));
                let blob = &self.pool.blobs[lw.blob];
                let complete = lw.pos == blob.len() && self.pool.valid[lw.blob];
                let result = lw.w.commit();
                let hash = ContentHash::of(blob);
                let outcome = if !complete {
                    "not sealed"
                } else if self.model.entries.iter().any(|e| e.hash == hash) {
                    "duplicate"
                } else if self.model.bytes() + blob.len() as u64 > self.quota {
                    "over quota"
                } else {
                    "committed"
                };
                self.log
                    .last_mut()
                    .unwrap()
                    .push_str(&format!(": {outcome}"));
                if !complete {
                    assert!(matches!(result, Err(Error::NotSealed(_))), "{result:?}");
                } else if let Some(existing) = self.model.entries.iter().find(|e| e.hash == hash) {
                    assert_eq!(&result.unwrap(), existing, "idempotent commit");
                } else if self.model.bytes() + blob.len() as u64 > self.quota {
                    assert!(
                        matches!(result, Err(Error::QuotaExceeded { .. })),
                        "{result:?}"
                    );
                    self.model.full = true;
                } else {
                    let e = result.unwrap();
                    assert_eq!(e.hash, hash);
                    assert_eq!(e.len, blob.len() as u64);
                    if let Some(last) = self.model.entries.last() {
                        assert!(e.seq > last.seq);
                    }
                    self.model.entries.push(e);
                }
            }
            Op::Abort => {
                let i = rng.below(self.writers.len() as u64) as usize;
                self.log.push(format!("abort writer {i}"));
                let lw = self.writers.remove(i);
                if rng.chance(50) {
                    lw.w.abort().unwrap();
                } else {
                    drop(lw);
                }
            }
            Op::Ack => {
                let i = rng.below(self.model.entries.len() as u64) as usize;
                self.log.push(format!("ack entry {i}"));
                let e = self.model.entries.remove(i);
                self.spool().ack(&e).unwrap();
                self.model.full = false;
                self.gone.push(e);
            }
            Op::AckGone => {
                let i = rng.below(self.gone.len() as u64) as usize;
                self.log.push(format!("ack gone entry {i}"));
                let e = self.gone[i].clone();
                if self.model.entries.iter().any(|m| m.hash == e.hash) {
                    return; // committed again since
                }
                assert!(matches!(self.spool().ack(&e), Err(Error::NotFound(h)) if h == e.hash));
                assert!(matches!(
                    self.spool().record_failure(&e, "x"),
                    Err(Error::NotFound(_))
                ));
            }
            Op::Fail => {
                let i = rng.below(self.model.entries.len() as u64) as usize;
                let reason = format!("failure {}", self.log.len());
                self.log.push(format!("fail entry {i}"));
                let got = self
                    .spool()
                    .record_failure(&self.model.entries[i], &reason)
                    .unwrap();
                let m = &mut self.model.entries[i];
                m.attempts += 1;
                m.last_error = Some(reason);
                assert_eq!(&got, m);
            }
            Op::Reopen => {
                // Clean restart: writers dropped (aborted), spool closed.
                self.log.push("reopen".into());
                self.writers.clear();
                self.spool = None;
                self.spool = Some(self.reopen());
                self.model.full = false;
                assert!(self.spool().recovery_report().is_clean());
            }
            Op::Crash => {
                // Crash: writers vanish without cleaning up their partials.
                self.log
                    .push(format!("crash with {} writers", self.writers.len()));
                let n = self.writers.len();
                for lw in self.writers.drain(..) {
                    std::mem::forget(lw.w);
                }
                self.leaked += n;
                self.spool = None;
                self.spool = Some(self.reopen());
                self.model.full = false;
                let report = self.spool().recovery_report().clone();
                assert_eq!(
                    report,
                    RecoveryReport {
                        removed_partials: self.leaked,
                        ..RecoveryReport::default()
                    }
                );
                self.leaked = 0;
            }
        }
    }

    fn check(&self) {
        let spool = self.spool();
        assert_eq!(spool.pending(), self.model.entries);
        let bytes = self.model.bytes();
        assert_eq!(
            spool.usage(),
            Usage {
                bytes,
                entries: self.model.entries.len(),
                quota_bytes: self.quota
            }
        );
        assert_eq!(spool.is_full(), self.model.full || bytes >= self.quota);
        let mut expect = ready_files(self.model.entries.iter().map(|e| &e.hash));
        let on_disk = files(self.dir);
        let incoming: Vec<_> = on_disk
            .iter()
            .filter(|f| f.starts_with("incoming/"))
            .collect();
        assert_eq!(
            incoming.len(),
            self.writers.len() + self.leaked,
            "{incoming:?}"
        );
        expect.extend(incoming.into_iter().cloned());
        assert_eq!(on_disk, expect);
        let by_hash: HashMap<_, _> = self.model.entries.iter().map(|e| (e.hash, e)).collect();
        assert_eq!(by_hash.len(), self.model.entries.len(), "no duplicates");
    }
}

#[test]
fn spool_matches_the_model() {
    let fx = Fixture::new();
    let pool = pool(&fx);
    let seeds: u64 = std::env::var("TRACEWELL_SPOOL_MODEL_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24);
    let largest = pool.blobs.iter().map(|b| b.len() as u64).max().unwrap();
    for seed in 0..seeds {
        let mut rng = Rng::new(seed);
        // Room for a few segments, so the quota is hit often; never less
        // than the largest blob, so writes themselves are not refused.
        let quota = largest + rng.below(60_000);
        let dir = tempfile::tempdir().unwrap();
        let mut run = Run {
            pool: &pool,
            dir: dir.path(),
            quota,
            spool: None,
            writers: Vec::new(),
            leaked: 0,
            model: Model::default(),
            gone: Vec::new(),
            log: Vec::new(),
        };
        run.spool = Some(run.reopen());
        for _ in 0..150 {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                run.step(&mut rng);
                run.check();
            }));
            if let Err(panic) = outcome {
                eprintln!("model test failed: seed {seed}, quota {quota}, steps:");
                for (i, s) in run.log.iter().enumerate() {
                    eprintln!("  {i}: {s}");
                }
                std::panic::resume_unwind(panic);
            }
        }
    }
}
