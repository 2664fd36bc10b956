//! The spool's operations on a healthy disk: round trip, quota, idempotency,
//! the lock, failures, refusal of anything that is not a sealed segment.

mod common;

use std::fs;
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};

use common::*;
use tracewell_spool::*;

fn opts(quota: u64) -> SpoolOptions {
    SpoolOptions {
        quota_bytes: quota,
        ..SpoolOptions::default()
    }
}

#[test]
fn round_trip_commit_pending_ack() {
    let fx = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path(), SpoolOptions::default()).unwrap();
    assert!(spool.recovery_report().is_clean());
    assert!(spool.pending().is_empty());

    let segs: Vec<Vec<u8>> = (0..3).map(|i| fx.sealed(i, 10_000 * i as usize)).collect();
    let entries: Vec<Entry> = segs
        .iter()
        .map(|s| commit_bytes(&spool, s).unwrap())
        .collect();
    for (i, (e, s)) in entries.iter().zip(&segs).enumerate() {
        assert_eq!(e.hash, ContentHash::of(s));
        assert_eq!(e.len, s.len() as u64);
        assert_eq!(e.segment_id, fx.fields(i as u64).segment_id);
        assert_eq!(e.attempts, 0);
        assert_eq!(e.last_error, None);
        assert_eq!(e.path, dir.path().join(format!("ready/{}.seal", e.hash)));
        assert_eq!(fs::read(&e.path).unwrap(), *s);
    }
    assert_eq!(spool.pending(), entries, "oldest first");
    let total: u64 = segs.iter().map(|s| s.len() as u64).sum();
    assert_eq!(
        spool.usage(),
        Usage {
            bytes: total,
            entries: 3,
            quota_bytes: DEFAULT_QUOTA_BYTES
        }
    );
    assert_eq!(
        files(dir.path()),
        ready_files(entries.iter().map(|e| &e.hash))
    );

    // The uploader reads, resumes at an offset, verifies.
    let mut f = spool.open_entry(&entries[2]).unwrap();
    f.seek(SeekFrom::Start(100)).unwrap();
    let mut tail = Vec::new();
    f.read_to_end(&mut tail).unwrap();
    assert_eq!(tail, segs[2][100..]);
    spool.verify_entry(&entries[2]).unwrap();

    spool.ack(&entries[1]).unwrap();
    assert_eq!(
        spool.pending(),
        vec![entries[0].clone(), entries[2].clone()]
    );
    assert_eq!(spool.usage().bytes, total - segs[1].len() as u64);
    assert_eq!(
        files(dir.path()),
        ready_files([&entries[0].hash, &entries[2].hash])
    );
    assert!(matches!(spool.ack(&entries[1]), Err(Error::NotFound(h)) if h == entries[1].hash));
    assert!(matches!(
        spool.open_entry(&entries[1]),
        Err(Error::NotFound(_))
    ));

    // Reopening finds exactly the same entries, and appends after them.
    drop(spool);
    let spool = Spool::open(dir.path(), SpoolOptions::default()).unwrap();
    assert!(spool.recovery_report().is_clean());
    assert_eq!(
        spool.pending(),
        vec![entries[0].clone(), entries[2].clone()]
    );
    let e3 = commit_bytes(&spool, &fx.sealed(3, 5)).unwrap();
    assert!(e3.seq > entries[2].seq);
    assert_eq!(spool.pending().last(), Some(&e3));
    for e in spool.pending() {
        spool.ack(&e).unwrap();
    }
    assert!(files(dir.path()).is_empty());
    assert_eq!(spool.usage().entries, 0);
}

#[test]
fn streaming_from_the_sealer() {
    let fx = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path(), SpoolOptions::default()).unwrap();
    let e = fx.seal_into(&spool, 9, 300_000).unwrap();
    let bytes = fs::read(&e.path).unwrap();
    assert_eq!(ContentHash::of(&bytes), e.hash);
    let info = tracewell_seal::inspect(&bytes[..]).unwrap();
    assert_eq!(info.segment_id(), e.segment_id);
    let mut plain = Vec::new();
    tracewell_seal::open(&bytes[..], &fx.recipient, &mut plain).unwrap();
    assert_eq!(plain, plaintext(9, 300_000));
}

#[test]
fn quota_refuses_and_reports_full_without_evicting() {
    let fx = Fixture::new();
    let a = fx.sealed(1, 20_000);
    let b = fx.sealed(2, 20_000);
    let quota = (a.len() + b.len() - 1) as u64;
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path(), opts(quota)).unwrap();

    assert!(!spool.would_exceed(quota));
    assert!(spool.would_exceed(quota + 1));
    let ea = commit_bytes(&spool, &a).unwrap();
    assert!(!spool.is_full());
    assert_eq!(spool.state(), SpoolState::Accepting);
    assert!(spool.would_exceed(b.len() as u64));

    match commit_bytes(&spool, &b) {
        Err(Error::QuotaExceeded {
            needed,
            used,
            quota: q,
        }) => {
            assert_eq!((needed, used, q), (b.len() as u64, a.len() as u64, quota));
        }
        other => panic!("expected QuotaExceeded, got {other:?}"),
    }
    assert!(spool.is_full());
    assert_eq!(spool.state(), SpoolState::Full);
    // Nothing was evicted, nothing was left behind.
    assert_eq!(spool.pending(), vec![ea.clone()]);
    assert_eq!(files(dir.path()), ready_files([&ea.hash]));

    // A re-commit of what is already spooled is still accepted when full.
    assert_eq!(commit_bytes(&spool, &a).unwrap(), ea);

    // Freeing space clears the state, and the refused segment now fits.
    spool.ack(&ea).unwrap();
    assert!(!spool.is_full());
    let eb = commit_bytes(&spool, &b).unwrap();
    assert_eq!(spool.pending(), vec![eb]);
}

#[test]
fn quota_reached_exactly_is_full() {
    let fx = Fixture::new();
    let a = fx.sealed(1, 100);
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path(), opts(a.len() as u64)).unwrap();
    commit_bytes(&spool, &a).unwrap();
    assert!(spool.is_full());
    assert!(!spool.would_exceed(0));
    assert!(spool.would_exceed(1));
}

#[test]
fn a_segment_larger_than_the_quota_is_refused_while_writing() {
    let fx = Fixture::new();
    let a = fx.sealed(1, 50_000);
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path(), opts(10_000)).unwrap();
    let mut w = spool.begin().unwrap();
    w.write_all(&a[..9_000]).unwrap();
    let err = w.write_all(&a[9_000..]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StorageFull);
    assert!(spool.is_full());
    assert!(w.write_all(b"x").is_err(), "the writer stays failed");
    assert!(matches!(w.commit(), Err(Error::QuotaExceeded { .. })));
    assert!(files(dir.path()).is_empty(), "partial removed");
}

#[test]
fn recommitting_the_same_content_is_a_no_op() {
    let fx = Fixture::new();
    let a = fx.sealed(1, 7_000);
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path(), SpoolOptions::default()).unwrap();
    let e1 = commit_bytes(&spool, &a).unwrap();
    let e1 = spool.record_failure(&e1, "offline").unwrap();
    let e2 = commit_bytes(&spool, &a).unwrap();
    assert_eq!(e1, e2, "the existing entry, attempts included");
    assert_eq!(spool.pending(), vec![e1.clone()]);
    assert_eq!(spool.usage().bytes, a.len() as u64);
    assert_eq!(files(dir.path()), ready_files([&e1.hash]));

    // Same plaintext and id sealed again is different ciphertext: a new entry.
    let a2 = fx.sealed(1, 7_000);
    assert_ne!(a, a2);
    let e3 = commit_bytes(&spool, &a2).unwrap();
    assert_ne!(e3.hash, e1.hash);
    assert_eq!(spool.pending().len(), 2);
}

#[test]
fn second_open_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path(), SpoolOptions::default()).unwrap();
    match Spool::open(dir.path(), SpoolOptions::default()) {
        Err(e @ Error::Locked { .. }) => {
            let Error::Locked { path } = &e else {
                unreachable!()
            };
            assert_eq!(path, dir.path());
            assert!(e.to_string().contains("in use"), "{e}");
        }
        other => panic!("expected Locked, got {other:?}"),
    }
    drop(spool);
    Spool::open(dir.path(), SpoolOptions::default()).unwrap();
}

#[test]
fn only_complete_sealed_segments_are_accepted() {
    let fx = Fixture::new();
    let a = fx.sealed(1, 10_000);
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path(), SpoolOptions::default()).unwrap();
    for bad in [
        &b"not a sealed segment at all"[..],
        &a[..a.len() - 1],
        &a[..100],
        &[][..],
    ] {
        assert!(
            matches!(commit_bytes(&spool, bad), Err(Error::NotSealed(_))),
            "{} bytes",
            bad.len()
        );
    }
    let mut extra = a.clone();
    extra.push(0);
    assert!(matches!(
        commit_bytes(&spool, &extra),
        Err(Error::NotSealed(_))
    ));
    let mut flipped = a.clone();
    flipped[a.len() / 2] ^= 1;
    assert!(matches!(
        commit_bytes(&spool, &flipped),
        Err(Error::NotSealed(_))
    ));
    assert!(spool.pending().is_empty());
    assert!(files(dir.path()).is_empty());
}

#[test]
fn failures_are_counted_and_persist() {
    let fx = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path(), SpoolOptions::default()).unwrap();
    let e = commit_bytes(&spool, &fx.sealed(1, 100)).unwrap();
    let other = commit_bytes(&spool, &fx.sealed(2, 100)).unwrap();
    spool.record_failure(&e, "connection refused").unwrap();
    let long = "é".repeat(2000);
    let e2 = spool.record_failure(&e, &long).unwrap();
    assert_eq!(e2.attempts, 2);
    let kept = e2.last_error.clone().unwrap();
    assert!(kept.len() <= 1024 && long.starts_with(&kept) && !kept.is_empty());
    assert_eq!(
        spool.pending(),
        vec![e2.clone(), other.clone()],
        "order unchanged"
    );

    drop(spool);
    let spool = Spool::open(dir.path(), SpoolOptions::default()).unwrap();
    assert!(spool.recovery_report().is_clean());
    assert_eq!(spool.pending(), vec![e2.clone(), other]);
    spool.ack(&e2).unwrap();
    assert!(matches!(
        spool.record_failure(&e2, "x"),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn dropping_or_aborting_a_writer_leaves_nothing() {
    let fx = Fixture::new();
    let a = fx.sealed(1, 10_000);
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path(), SpoolOptions::default()).unwrap();
    let mut w = spool.begin().unwrap();
    w.write_all(&a).unwrap();
    assert_eq!(w.len(), a.len() as u64);
    assert_eq!(count_in(dir.path(), "incoming"), 1);
    drop(w);
    assert!(files(dir.path()).is_empty());

    let mut w = spool.begin().unwrap();
    w.write_all(&a).unwrap();
    w.abort().unwrap();
    assert!(files(dir.path()).is_empty());
    assert!(spool.pending().is_empty());
}

#[test]
fn a_writer_cannot_commit_after_its_spool_closed() {
    let fx = Fixture::new();
    let a = fx.sealed(1, 1_000);
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path(), SpoolOptions::default()).unwrap();
    let mut w = spool.begin().unwrap();
    w.write_all(&a).unwrap();
    drop(spool);
    // Another owner may hold the folder now.
    let spool2 = Spool::open(dir.path(), SpoolOptions::default()).unwrap();
    assert_eq!(spool2.recovery_report().removed_partials, 1);
    assert!(matches!(w.commit(), Err(Error::Closed)));
    assert!(spool2.pending().is_empty());
    assert!(files(dir.path()).is_empty());
}

#[test]
fn an_unknown_layout_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(Spool::open(dir.path(), SpoolOptions::default()).unwrap());
    assert_eq!(
        fs::read_to_string(dir.path().join("SPOOL")).unwrap(),
        "tracewell-spool layout 1\n"
    );
    fs::write(dir.path().join("SPOOL"), "tracewell-spool layout 2\n").unwrap();
    match Spool::open(dir.path(), SpoolOptions::default()) {
        Err(Error::UnsupportedLayout { found, .. }) => {
            assert_eq!(found, "tracewell-spool layout 2\n")
        }
        other => panic!("expected UnsupportedLayout, got {other:?}"),
    }
}

#[test]
fn verify_entry_quarantines_a_damaged_file() {
    let fx = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let spool = Spool::open(dir.path(), SpoolOptions::default()).unwrap();
    let a = commit_bytes(&spool, &fx.sealed(1, 30_000)).unwrap();
    let b = commit_bytes(&spool, &fx.sealed(2, 30_000)).unwrap();
    let original = fs::read(&a.path).unwrap();
    let mut bytes = original.clone();
    bytes[20_000] ^= 0x40;
    fs::write(&a.path, &bytes).unwrap();

    match spool.verify_entry(&a) {
        Err(Error::Corrupt { hash, reason }) => {
            assert_eq!(hash, a.hash);
            assert!(reason.contains("sealed-format check failed"), "{reason}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert_eq!(spool.pending(), vec![b.clone()]);
    assert_eq!(spool.usage().bytes, b.len);
    assert!(matches!(spool.verify_entry(&a), Err(Error::NotFound(_))));

    // Kept, byte for byte, with its sidecar and the reason.
    let corrupt = files(dir.path())
        .into_iter()
        .filter(|f| f.starts_with("corrupt/"))
        .collect::<Vec<_>>();
    assert_eq!(corrupt.len(), 3, "{corrupt:?}");
    let seal = corrupt.iter().find(|f| f.ends_with(".seal")).unwrap();
    assert!(seal.starts_with(&format!("corrupt/{}.", a.hash)));
    assert_eq!(fs::read(dir.path().join(seal)).unwrap(), bytes);
    assert!(corrupt.iter().any(|f| f.ends_with(".json")));
    assert!(corrupt.iter().any(|f| f.ends_with(".reason")));

    drop(spool);
    let spool = Spool::open(dir.path(), SpoolOptions::default()).unwrap();
    assert!(spool.recovery_report().is_clean());
    assert_eq!(spool.pending(), vec![b]);
}
