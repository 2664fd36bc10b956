//! Crash recovery: files cut at any byte, and writers that never finish.

mod common;

use std::time::Duration;

use common::*;
use tracewell_segment::*;

/// Top-level records of an MCAP file: (opcode, start offset, end offset).
fn top_level_records(bytes: &[u8]) -> Vec<(u8, usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 8;
    while pos + 9 <= bytes.len() {
        let op = bytes[pos];
        let len = u64::from_le_bytes(bytes[pos + 1..pos + 9].try_into().unwrap()) as usize;
        let end = pos + 9 + len;
        out.push((op, pos, end));
        pos = end;
        if op == 0x02 {
            break; // footer
        }
    }
    out
}

const OP_METADATA: u8 = 0x0C;
const OP_CHUNK: u8 = 0x06;

/// A segment with chunks of known sizes: groups of 1, 4, 2, 7 and 3 records.
fn chunked_segment(path: &std::path::Path) -> (Vec<Record>, Vec<usize>) {
    let opts = WriterOptions { flush_interval: Duration::from_secs(3600), ..WriterOptions::default() };
    let mut w = SegmentWriter::create_with_options(path, meta(0), opts).unwrap();
    let groups = [1usize, 4, 2, 7, 3];
    let mut all = Vec::new();
    let mut t = 1_000_000_000u64;
    for (g, &n) in groups.iter().enumerate() {
        for i in 0..n {
            t += 1_000;
            let r = match (g + i) % 5 {
                0 => key(t, "x"),
                1 => motion(t),
                2 => frame(t, (g * 10 + i) as u8),
                3 => window(t, &format!("title {g}/{i}")),
                _ => scroll(t),
            };
            w.write(&r).unwrap();
            all.push(r);
        }
        w.flush().unwrap();
    }
    w.finish().unwrap();
    (all, groups.to_vec())
}

#[test]
fn truncation_at_any_offset_recovers_exactly_the_complete_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.mcap");
    let (records, groups) = chunked_segment(&path);
    let bytes = std::fs::read(&path).unwrap();

    let recs = top_level_records(&bytes);
    let meta_end = recs.iter().find(|r| r.0 == OP_METADATA).unwrap().2;
    let chunk_ends: Vec<usize> = recs.iter().filter(|r| r.0 == OP_CHUNK).map(|r| r.2).collect();
    assert_eq!(chunk_ends.len(), groups.len(), "one chunk per flushed group");

    let expected_for = |cut: usize| -> usize {
        chunk_ends.iter().zip(&groups).filter(|(end, _)| **end <= cut).map(|(_, n)| n).sum()
    };

    // Every 97th byte, plus every chunk boundary and its neighbours, plus the ends.
    let mut cuts: Vec<usize> = (0..bytes.len()).step_by(97).collect();
    for &e in chunk_ends.iter().chain([meta_end].iter()) {
        cuts.extend([e - 1, e, e + 1]);
    }
    cuts.extend([bytes.len() - 1, bytes.len()]);
    cuts.sort();
    cuts.dedup();

    let mut previous = 0;
    for cut in cuts {
        let result = read_segment_bytes(&bytes[..cut]);
        if cut < meta_end {
            assert!(
                matches!(result, Err(Error::TruncatedBeforeMeta { len }) if len == cut as u64),
                "cut {cut}: {result:?}"
            );
            continue;
        }
        let c = result.unwrap_or_else(|e| panic!("cut {cut}: {e}"));
        assert_eq!(c.meta, meta(0));
        let n = expected_for(cut);
        assert_eq!(c.messages.len(), n, "cut {cut}");
        let got: Vec<&Record> = c.messages.iter().map(|m| &m.record).collect();
        let want: Vec<&Record> = records[..n].iter().collect();
        assert_eq!(got, want, "cut {cut}");
        assert_eq!(c.recovered_chunks as usize, chunk_ends.iter().filter(|e| **e <= cut).count());
        assert!(n >= previous, "monotone in the cut point");
        previous = n;
        if cut == bytes.len() {
            assert!(!c.truncated);
        } else {
            assert!(c.truncated, "cut {cut}");
            assert!(c.stop_reason.is_some());
        }
        if cut >= *chunk_ends.last().unwrap() {
            assert_eq!(c.messages.len(), records.len());
        }
    }
}

#[test]
fn a_corrupted_chunk_stops_reading_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.mcap");
    let (records, groups) = chunked_segment(&path);
    let bytes = std::fs::read(&path).unwrap();
    let chunks: Vec<_> = top_level_records(&bytes).into_iter().filter(|r| r.0 == OP_CHUNK).collect();
    // Flip a byte in the middle of the third chunk's compressed data.
    let (_, start, end) = chunks[2];
    let mut bad = bytes.clone();
    bad[(start + end) / 2] ^= 0x55;
    let c = read_segment_bytes(&bad).unwrap();
    assert!(c.truncated);
    assert_eq!(c.recovered_chunks, 2);
    assert_eq!(c.messages.len(), groups[0] + groups[1]);
    assert_eq!(c.messages.last().unwrap().record, records[groups[0] + groups[1] - 1]);
}

#[test]
fn writer_killed_after_sync_leaves_a_readable_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("killed.mcap");
    let opts = WriterOptions { flush_interval: Duration::from_secs(3600), ..WriterOptions::default() };
    let mut w = SegmentWriter::create_with_options(&path, meta(0), opts).unwrap();
    let first: Vec<Record> = every_kind(1_000_000_000);
    for r in &first {
        w.write(r).unwrap();
    }
    w.sync().unwrap();
    let synced_bytes = w.bytes_written();
    assert_eq!(synced_bytes, std::fs::metadata(&path).unwrap().len());
    // These stay in the open chunk, in memory, and die with the process.
    w.write(&key(2_000_000_000, "lost")).unwrap();
    w.write(&motion(2_000_000_001)).unwrap();
    std::mem::forget(w); // no finish, no Drop: as after kill -9

    let c = read_segment(&path).unwrap();
    assert!(c.truncated);
    assert_eq!(c.recovered_chunks, 1);
    let got: Vec<Record> = c.messages.into_iter().map(|m| m.record).collect();
    assert_eq!(got, first);
}

#[test]
fn flush_interval_closes_chunks_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.mcap");
    let opts = WriterOptions { flush_interval: Duration::from_millis(30), ..WriterOptions::default() };
    let mut w = SegmentWriter::create_with_options(&path, meta(0), opts).unwrap();
    w.write(&key(1, "a")).unwrap();
    assert!(!w.flush_if_due().unwrap(), "not yet due");
    let before = w.bytes_written();
    std::thread::sleep(Duration::from_millis(40));
    assert!(w.flush_if_due().unwrap());
    assert!(w.bytes_written() > before);
    assert!(!w.flush_if_due().unwrap(), "nothing open");
    // A write after the interval closes its chunk at once.
    w.write(&key(2, "b")).unwrap();
    std::thread::sleep(Duration::from_millis(40));
    w.write(&key(3, "c")).unwrap();
    let on_disk = w.bytes_written();
    std::mem::forget(w);
    let c = read_segment(&path).unwrap();
    assert_eq!(on_disk, std::fs::metadata(&path).unwrap().len());
    assert_eq!(c.recovered_chunks, 2);
    assert_eq!(c.messages.len(), 3);
}

#[test]
fn chunks_close_by_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.mcap");
    let opts = WriterOptions { chunk_size: 1024, flush_interval: Duration::from_secs(3600), ..WriterOptions::default() };
    let mut w = SegmentWriter::create_with_options(&path, meta(0), opts).unwrap();
    for i in 0..20 {
        w.write(&key(i, &"x".repeat(1100))).unwrap(); // each message is over 1 KiB
    }
    w.finish().unwrap();
    let c = read_segment(&path).unwrap();
    assert!(!c.truncated);
    // Every message overflows the chunk on its own: one chunk each.
    assert!(c.recovered_chunks >= 20, "{}", c.recovered_chunks);
    assert_eq!(c.messages.len(), 20);
}
