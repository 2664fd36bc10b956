//! Recovery on open after simulated crashes at each step of the protocol,
//! and after outside damage: the exact resulting state is asserted.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;

use common::*;
use tracewell_spool::*;

fn open(dir: &Path) -> Spool {
    Spool::open(dir, SpoolOptions::default()).unwrap()
}

/// A spool with two committed entries, closed again.
fn two_entries(fx: &Fixture, dir: &Path) -> (Entry, Entry) {
    let spool = open(dir);
    let a = commit_bytes(&spool, &fx.sealed(1, 20_000)).unwrap();
    let b = commit_bytes(&spool, &fx.sealed(2, 30_000)).unwrap();
    (a, b)
}

fn corrupt_files(dir: &Path) -> Vec<String> {
    files(dir)
        .into_iter()
        .filter(|f| f.starts_with("corrupt/"))
        .collect()
}

#[test]
fn crash_while_writing_leaves_partials_that_recovery_removes() {
    let fx = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_entries(&fx, dir.path());
    {
        let spool = open(dir.path());
        // A segment half written, its writer never dropped (the process died).
        let c = fx.sealed(3, 20_000);
        let mut w = spool.begin().unwrap();
        w.write_all(&c[..c.len() / 2]).unwrap();
        w.flush().unwrap();
        std::mem::forget(w);
        // A complete segment written and fsynced but not yet renamed (died
        // between steps 2 and 3), and a sidecar update that never got renamed.
        fs::write(dir.path().join("incoming/1-1-1.partial"), &c).unwrap();
        fs::write(dir.path().join("incoming/1-1-2.partial"), b"{\"v\":1").unwrap();
        assert_eq!(count_in(dir.path(), "incoming"), 3);
    }
    let spool = open(dir.path());
    assert_eq!(
        spool.recovery_report(),
        &RecoveryReport {
            removed_partials: 3,
            ..RecoveryReport::default()
        }
    );
    assert_eq!(spool.pending(), vec![a.clone(), b.clone()]);
    assert_eq!(files(dir.path()), ready_files([&a.hash, &b.hash]));
}

#[test]
fn crash_after_the_sidecar_before_the_rename_drops_the_sidecar() {
    // Commit step 3 done, step 4 not: ready/<hash>.json without its data;
    // the same state an ack leaves when it dies between its two unlinks.
    let fx = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_entries(&fx, dir.path());
    fs::remove_file(&b.path).unwrap();
    let spool = open(dir.path());
    assert_eq!(
        spool.recovery_report(),
        &RecoveryReport {
            dropped_sidecars: 1,
            ..RecoveryReport::default()
        }
    );
    assert_eq!(spool.pending(), vec![a.clone()]);
    assert_eq!(spool.usage().bytes, a.len);
    assert_eq!(files(dir.path()), ready_files([&a.hash]));
}

#[test]
fn a_ready_file_without_sidecar_is_adopted_after_the_others() {
    let fx = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_entries(&fx, dir.path());
    // a loses its sidecar: it is verified in full and re-adopted, now after b.
    fs::remove_file(dir.path().join(format!("ready/{}.json", a.hash))).unwrap();
    // And a sealed segment dropped into ready/ under its hash from outside.
    let c = fx.sealed(3, 5_000);
    let ch = ContentHash::of(&c);
    fs::write(dir.path().join(format!("ready/{ch}.seal")), &c).unwrap();

    let spool = open(dir.path());
    let report = spool.recovery_report().clone();
    assert_eq!(report.removed_partials, 0);
    assert_eq!(report.dropped_sidecars, 0);
    assert!(report.quarantined.is_empty());
    let mut adopted = report.adopted.clone();
    adopted.sort();
    let mut expect = vec![a.hash, ch];
    expect.sort();
    assert_eq!(adopted, expect);

    let pending = spool.pending();
    assert_eq!(pending.len(), 3);
    assert_eq!(pending[0], b);
    let tail: Vec<ContentHash> = pending[1..].iter().map(|e| e.hash).collect();
    assert!(tail.contains(&a.hash) && tail.contains(&ch));
    for e in &pending[1..] {
        assert!(e.seq > b.seq);
        assert_eq!(e.attempts, 0);
        assert_eq!(e.last_error, None);
    }
    let ea = pending.iter().find(|e| e.hash == a.hash).unwrap();
    assert_eq!((ea.len, ea.segment_id), (a.len, a.segment_id));
    let ec = pending.iter().find(|e| e.hash == ch).unwrap();
    assert_eq!(ec.segment_id, fx.fields(3).segment_id);
    assert_eq!(ec.len, c.len() as u64);
    assert_eq!(files(dir.path()), ready_files([&a.hash, &b.hash, &ch]));

    // The new sidecars are durable: the next open is clean and identical.
    drop(spool);
    let spool = open(dir.path());
    assert!(spool.recovery_report().is_clean());
    assert_eq!(spool.pending(), pending);
}

#[test]
fn a_truncated_ready_file_is_quarantined_not_deleted() {
    let fx = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_entries(&fx, dir.path());
    let bytes = fs::read(&b.path).unwrap();
    fs::write(&b.path, &bytes[..bytes.len() - 1000]).unwrap();

    let spool = open(dir.path());
    let report = spool.recovery_report();
    assert_eq!(report.quarantined.len(), 1);
    assert_eq!(report.quarantined[0].0, b.hash);
    assert!(report.quarantined[0].1.contains("size"), "{report:?}");
    assert_eq!((report.removed_partials, report.dropped_sidecars), (0, 0));
    assert!(report.adopted.is_empty());
    assert_eq!(spool.pending(), vec![a.clone()]);
    assert_eq!(spool.usage().bytes, a.len);

    let corrupt = corrupt_files(dir.path());
    assert_eq!(corrupt.len(), 3, "{corrupt:?}");
    for f in &corrupt {
        assert!(f.starts_with(&format!("corrupt/{}.", b.hash)), "{f}");
    }
    let seal = corrupt.iter().find(|f| f.ends_with(".seal")).unwrap();
    assert_eq!(
        fs::read(dir.path().join(seal)).unwrap(),
        bytes[..bytes.len() - 1000]
    );
    let reason = corrupt.iter().find(|f| f.ends_with(".reason")).unwrap();
    assert!(
        fs::read_to_string(dir.path().join(reason))
            .unwrap()
            .contains("size")
    );
    let mut expect = ready_files([&a.hash]);
    expect.extend(corrupt);
    assert_eq!(files(dir.path()), expect);
}

#[test]
fn a_truncated_orphan_is_quarantined() {
    // Truncated and without sidecar: the full check fails (the name no longer
    // matches the content, and the sealed format is incomplete).
    let fx = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_entries(&fx, dir.path());
    let bytes = fs::read(&b.path).unwrap();
    fs::write(&b.path, &bytes[..bytes.len() / 2]).unwrap();
    fs::remove_file(dir.path().join(format!("ready/{}.json", b.hash))).unwrap();
    // And garbage named by its own hash: the hash matches, inspect fails.
    let junk = b"definitely not sealed".to_vec();
    let jh = ContentHash::of(&junk);
    fs::write(dir.path().join(format!("ready/{jh}.seal")), &junk).unwrap();

    let spool = open(dir.path());
    let report = spool.recovery_report();
    let mut q: Vec<ContentHash> = report.quarantined.iter().map(|(h, _)| *h).collect();
    q.sort();
    let mut expect = vec![b.hash, jh];
    expect.sort();
    assert_eq!(q, expect);
    let junk_reason = &report.quarantined.iter().find(|(h, _)| *h == jh).unwrap().1;
    assert!(junk_reason.contains("sealed-format"), "{junk_reason}");
    assert!(report.adopted.is_empty());
    assert_eq!(spool.pending(), vec![a.clone()]);
    // Two .seal and two .reason files; neither had a sidecar.
    assert_eq!(corrupt_files(dir.path()).len(), 4);
}

#[test]
fn same_size_damage_is_found_by_full_verification() {
    let fx = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_entries(&fx, dir.path());
    let mut bytes = fs::read(&b.path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    fs::write(&b.path, &bytes).unwrap();

    // The cheap check on open does not read the body ...
    {
        let spool = open(dir.path());
        assert!(spool.recovery_report().is_clean());
        assert_eq!(spool.pending(), vec![a.clone(), b.clone()]);
    }
    // ... full verification on open does.
    let spool = Spool::open(
        dir.path(),
        SpoolOptions {
            full_verify_on_open: true,
            ..SpoolOptions::default()
        },
    )
    .unwrap();
    let report = spool.recovery_report();
    assert_eq!(report.quarantined.len(), 1);
    assert_eq!(report.quarantined[0].0, b.hash);
    assert_eq!(spool.pending(), vec![a]);
}

#[test]
fn damaged_headers_and_sidecars() {
    let fx = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_entries(&fx, dir.path());
    // a's sidecar is unreadable: dropped, and a is adopted from its file.
    let a_side = dir.path().join(format!("ready/{}.json", a.hash));
    fs::write(&a_side, b"{ not json").unwrap();
    // b's sidecar names another segment id: the header check catches it.
    let b_side = dir.path().join(format!("ready/{}.json", b.hash));
    let text = fs::read_to_string(&b_side).unwrap();
    let wrong = text.replace(&b.segment_id.to_string(), &"0".repeat(32));
    assert_ne!(text, wrong);
    fs::write(&b_side, wrong).unwrap();

    let spool = open(dir.path());
    let report = spool.recovery_report();
    assert_eq!(report.dropped_sidecars, 1);
    assert_eq!(report.adopted, vec![a.hash]);
    assert_eq!(report.quarantined.len(), 1);
    assert_eq!(report.quarantined[0].0, b.hash);
    assert!(report.quarantined[0].1.contains("segment id"), "{report:?}");
    let pending = spool.pending();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        (pending[0].hash, pending[0].len, pending[0].segment_id),
        (a.hash, a.len, a.segment_id)
    );
}

#[test]
fn a_mangled_header_is_quarantined_by_the_cheap_check() {
    let fx = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_entries(&fx, dir.path());
    let mut bytes = fs::read(&a.path).unwrap();
    bytes[0] = b'X'; // magic
    fs::write(&a.path, &bytes).unwrap();
    let spool = open(dir.path());
    let report = spool.recovery_report();
    assert_eq!(report.quarantined.len(), 1);
    assert_eq!(report.quarantined[0].0, a.hash);
    assert_eq!(spool.pending(), vec![b]);
}

#[test]
fn unknown_files_are_left_alone() {
    let fx = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_entries(&fx, dir.path());
    fs::write(dir.path().join("ready/notes.txt"), b"hello").unwrap();
    fs::write(dir.path().join("incoming/other"), b"hello").unwrap();
    let spool = open(dir.path());
    let report = spool.recovery_report();
    assert!(report.is_clean());
    assert_eq!(report.unknown_files.len(), 2);
    assert_eq!(spool.pending(), vec![a.clone(), b.clone()]);
    let mut expect = ready_files([&a.hash, &b.hash]);
    expect.insert("ready/notes.txt".into());
    expect.insert("incoming/other".into());
    assert_eq!(files(dir.path()), expect);
}

#[test]
fn a_missing_marker_is_recreated() {
    // A crash while the spool was first created, before the marker existed.
    let fx = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_entries(&fx, dir.path());
    fs::remove_file(dir.path().join("SPOOL")).unwrap();
    let spool = open(dir.path());
    assert_eq!(spool.pending(), vec![a, b]);
    assert!(dir.path().join("SPOOL").exists());
}
