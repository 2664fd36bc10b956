//! Real crashes: a child process (this test binary, re-executed with
//! `TRACEWELL_SPOOL_CRASH_CHILD` set) seals segments straight into the spool,
//! acknowledges and fails some, and reports each finished operation on its
//! stdout; it is SIGKILLed at a random moment, many times over the same
//! folder. After each kill the reopened spool must hold only complete
//! entries that verify in full, every entry reported committed and not
//! acknowledged, and none reported acknowledged.
//!
//! A killed process loses nothing the kernel already holds, so this checks
//! the order of renames and unlinks, not the fsyncs (only a power cut does).
//!
//! `TRACEWELL_SPOOL_CRASH_ROUNDS=n` changes the number of kills (30).

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use tracewell_spool::*;

const CHILD_ENV: &str = "TRACEWELL_SPOOL_CRASH_CHILD";
const COMMITTED: &str = "@@committed ";
const ACKING: &str = "@@acking ";
const ACKED: &str = "@@acked ";

/// The child's work loop; does nothing unless re-executed by the parent.
#[test]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let round: u64 = std::env::var("TRACEWELL_SPOOL_CRASH_ROUND")
        .unwrap()
        .parse()
        .unwrap();
    let fx = Fixture::new();
    let spool = Spool::open(&dir, SpoolOptions::default()).unwrap();
    let mut rng = Rng::new(round + 1);
    for i in 0..100_000u64 {
        let id = round << 32 | i;
        let len = rng.below(300_000) as usize;
        if rng.chance(10) {
            // Abandon a segment half-way (dropped writer).
            let mut w = spool.begin().unwrap();
            std::io::Write::write_all(&mut w, &fx.sealed(id, len)[..len / 2]).unwrap();
            continue;
        }
        let e = fx.seal_into(&spool, id, len).unwrap();
        println!("{COMMITTED}{}", e.hash);
        let pending = spool.pending();
        if rng.chance(40) {
            let oldest = &pending[0];
            println!("{ACKING}{}", oldest.hash);
            spool.ack(oldest).unwrap();
            println!("{ACKED}{}", oldest.hash);
        }
        if rng.chance(30) {
            let some = &pending[rng.below(pending.len() as u64) as usize];
            if spool.get(&some.hash).is_some() {
                spool.record_failure(some, "upload timed out").unwrap();
            }
        }
    }
}

#[test]
fn survives_sigkill_at_random_points() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let rounds: u64 = std::env::var("TRACEWELL_SPOOL_CRASH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = Rng::new(0xc0ffee);
    let mut committed: BTreeSet<ContentHash> = BTreeSet::new();
    let mut acked: BTreeSet<ContentHash> = BTreeSet::new();
    // Ack started; it may or may not have finished before the kill.
    let mut acking: BTreeSet<ContentHash> = BTreeSet::new();
    let mut total_reported = 0;
    let mut partials_removed = 0;

    for round in 0..rounds {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, dir.path())
            .env("TRACEWELL_SPOOL_CRASH_ROUND", round.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::<String>::new()));
        let reader = {
            let lines = lines.clone();
            let out = child.stdout.take().unwrap();
            thread::spawn(move || {
                for line in BufReader::new(out).lines() {
                    let Ok(line) = line else { break };
                    lines.lock().unwrap().push(line);
                }
            })
        };

        if round == 0 {
            // While the child holds the spool, nobody else may open it.
            let deadline = Instant::now() + Duration::from_secs(30);
            // The test harness prints its own lines first: wait for the
            // child's, which come after it opened the spool.
            while !lines.lock().unwrap().iter().any(|l| l.contains(COMMITTED)) {
                assert!(Instant::now() < deadline, "child reported nothing");
                thread::sleep(Duration::from_millis(5));
            }
            assert!(matches!(
                Spool::open(dir.path(), SpoolOptions::default()),
                Err(Error::Locked { .. })
            ));
        }
        thread::sleep(Duration::from_millis(20 + rng.below(300)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();

        for line in lines.lock().unwrap().iter() {
            if let Some(at) = line.find(COMMITTED) {
                let hash: ContentHash = line[at + COMMITTED.len()..][..64].parse().unwrap();
                committed.insert(hash);
                total_reported += 1;
            }
            if let Some(at) = line.find(ACKING) {
                let hash: ContentHash = line[at + ACKING.len()..][..64].parse().unwrap();
                acking.insert(hash);
            }
            if let Some(at) = line.find(ACKED) {
                let hash: ContentHash = line[at + ACKED.len()..][..64].parse().unwrap();
                acked.insert(hash);
            }
        }

        let spool = Spool::open(
            dir.path(),
            SpoolOptions {
                full_verify_on_open: true,
                ..SpoolOptions::default()
            },
        )
        .unwrap();
        let report = spool.recovery_report().clone();
        assert!(report.quarantined.is_empty(), "round {round}: {report:?}");
        assert!(report.unknown_files.is_empty(), "round {round}: {report:?}");
        partials_removed += report.removed_partials;

        let pending = spool.pending();
        let present: BTreeSet<ContentHash> = pending.iter().map(|e| e.hash).collect();
        for h in committed
            .iter()
            .filter(|h| !acked.contains(h) && !acking.contains(h))
        {
            assert!(
                present.contains(h),
                "round {round}: committed {h} is missing"
            );
        }
        // Resolve the acks the kill interrupted: gone means done (and must
        // stay gone), present means not done (and must stay until acked).
        for h in std::mem::take(&mut acking) {
            if !present.contains(&h) {
                acked.insert(h);
            }
        }
        for h in &acked {
            assert!(!present.contains(h), "round {round}: acked {h} came back");
        }
        for e in &pending {
            spool.verify_entry(e).unwrap();
            let bytes = std::fs::read(&e.path).unwrap();
            assert_eq!(ContentHash::of(&bytes), e.hash);
            assert_eq!(bytes.len() as u64, e.len);
        }
        // Sorted oldest first, no duplicates in order.
        assert!(pending.windows(2).all(|w| w[0].seq < w[1].seq));
        assert_eq!(count_in(dir.path(), "incoming"), 0);
        assert_eq!(count_in(dir.path(), "corrupt"), 0);
        assert_eq!(count_in(dir.path(), "ready"), 2 * pending.len());
        assert_eq!(
            spool.usage().bytes,
            pending.iter().map(|e| e.len).sum::<u64>()
        );
    }
    assert!(
        total_reported >= 10,
        "the child committed too little to test anything: {total_reported}"
    );
    eprintln!(
        "{rounds} kills, {total_reported} commits reported, {} acks, {partials_removed} partials removed",
        acked.len()
    );
}
