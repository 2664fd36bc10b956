//! Corruption, truncation and reordering must never go unnoticed.

mod common;

use common::*;
use tracewell_seal::*;

/// All three readers reject `bad`; returns the error `open` gave.
fn all_reject(bad: &[u8], k: &Keys, what: &str) -> Error {
    let mut out = Vec::new();
    let opened = open(bad, &k.alice, &mut out);
    let inspected = inspect(bad);
    let verified = verify(bad, &k.device.verifying_key());
    assert!(inspected.is_err(), "inspect accepted {what}");
    assert!(verified.is_err(), "verify accepted {what}");
    opened
        .err()
        .unwrap_or_else(|| panic!("open accepted {what}"))
}

#[test]
fn flipping_any_byte_of_a_small_segment_is_detected() {
    let k = keys();
    // 2 recipients, chunk size 16, 70 bytes: 5 chunks, about 700 bytes in all.
    let sealed = seal(&plaintext(70), &k, 16);
    assert!(open_bytes(&sealed, &k.alice).is_ok());
    for pos in 0..sealed.len() {
        for mask in [0x01u8, 0x80] {
            let mut bad = sealed.clone();
            bad[pos] ^= mask;
            all_reject(&bad, &k, &format!("a flip of bit {mask:#x} at byte {pos}"));
        }
    }
}

#[test]
fn flipping_bytes_in_each_part_of_a_large_segment_is_detected() {
    let k = keys();
    let sealed = seal(&plaintext(300_000), &k, 64 * 1024);
    let l = layout(&sealed);
    let mut positions = vec![0, 8, 12, 15, 16, 40, l.header_end - 1];
    for f in &l.frames {
        positions.extend([
            f.start,
            f.start + 1,
            f.start + 4,
            f.start + 5,
            f.start + 1000,
            f.end - 1,
        ]);
    }
    let t = l.trailer_start;
    positions.extend([t, t + 9, t + 17, t + 30, t + 56, t + 100, sealed.len() - 1]);
    for pos in positions {
        let mut bad = sealed.clone();
        bad[pos] ^= 0x20;
        let err = all_reject(&bad, &k, &format!("a flip at byte {pos}"));
        // Chunk bytes fail their tag while opening.
        if l.frames.iter().any(|f| f.start + 5 <= pos && pos < f.end) {
            assert!(matches!(err, Error::Tampered(_)), "byte {pos}: {err:?}");
        }
        // Signature bytes fail the signature.
        if pos >= t + 56 {
            assert!(matches!(err, Error::BadSignature), "byte {pos}: {err:?}");
        }
    }
}

#[test]
fn truncation_anywhere_is_detected() {
    let k = keys();
    let sealed = seal(&plaintext(70), &k, 16);
    for cut in 0..sealed.len() {
        let bad = &sealed[..cut];
        let err = all_reject(bad, &k, &format!("a cut at {cut}"));
        assert!(matches!(err, Error::Truncated), "cut at {cut}: {err:?}");
        assert!(
            matches!(inspect(bad), Err(Error::Truncated)),
            "cut at {cut}"
        );
    }
    // Larger segment, cuts around every frame boundary.
    let sealed = seal(&plaintext(200_000), &k, 64 * 1024);
    let l = layout(&sealed);
    for f in &l.frames {
        for cut in [f.start, f.start + 3, f.start + 5, f.end - 1, f.end] {
            if cut < sealed.len() {
                let err = all_reject(&sealed[..cut], &k, &format!("a cut at {cut}"));
                assert!(matches!(err, Error::Truncated), "cut at {cut}: {err:?}");
            }
        }
    }
}

#[test]
fn appended_bytes_are_rejected() {
    let k = keys();
    let mut sealed = seal(&plaintext(70), &k, 16);
    sealed.push(0);
    let err = all_reject(&sealed, &k, "an appended byte");
    assert!(matches!(err, Error::Malformed(_)), "{err:?}");
}

fn rebuild(sealed: &[u8], l: &Layout, order: &[usize]) -> Vec<u8> {
    let mut v = sealed[..l.header_end].to_vec();
    for &i in order {
        v.extend_from_slice(&sealed[l.frames[i].clone()]);
    }
    v.extend_from_slice(&sealed[l.trailer_start..]);
    v
}

#[test]
fn reordered_dropped_or_duplicated_chunks_are_detected() {
    let k = keys();
    let sealed = seal(&plaintext(16 * 5 + 3), &k, 16); // 6 chunks
    let l = layout(&sealed);
    assert_eq!(l.frames.len(), 6);
    assert_eq!(rebuild(&sealed, &l, &[0, 1, 2, 3, 4, 5]), sealed);
    for order in [
        vec![1, 0, 2, 3, 4, 5],
        vec![0, 1, 3, 2, 4, 5],
        vec![0, 2, 1, 3, 4, 5],
        vec![0, 0, 1, 2, 3, 4, 5],
        vec![0, 1, 2, 3, 5],
        vec![1, 2, 3, 4, 5],
        vec![0, 1, 2, 3, 4, 4, 5],
    ] {
        let bad = rebuild(&sealed, &l, &order);
        let err = all_reject(&bad, &k, &format!("order {order:?}"));
        assert!(
            matches!(err, Error::Tampered(_)),
            "order {order:?}: {err:?}"
        );
    }
    // Dropping the final chunk: the stream never ends properly.
    let bad = rebuild(&sealed, &l, &[0, 1, 2, 3, 4]);
    all_reject(&bad, &k, "a dropped final chunk");
}

#[test]
fn chunks_from_another_segment_do_not_splice_in() {
    let k = keys();
    let data = plaintext(16 * 4);
    let a = seal(&data, &k, 16);
    let b = seal(&data, &k, 16);
    let (la, lb) = (layout(&a), layout(&b));
    let mut bad = a[..la.frames[1].start].to_vec();
    bad.extend_from_slice(&b[lb.frames[1].clone()]);
    bad.extend_from_slice(&a[la.frames[2].start..]);
    let err = all_reject(&bad, &k, "a spliced chunk");
    assert!(matches!(err, Error::Tampered(_)), "{err:?}");
}

#[test]
fn re_flagging_a_chunk_as_final_is_detected() {
    let k = keys();
    let sealed = seal(&plaintext(16 * 3 + 1), &k, 16);
    let l = layout(&sealed);
    // Mark chunk 1 final and cut the stream after it.
    let mut bad = sealed[..l.frames[1].end].to_vec();
    bad[l.frames[1].start] = 1;
    bad.extend_from_slice(&sealed[l.trailer_start..]);
    let err = all_reject(&bad, &k, "a re-flagged chunk");
    assert!(matches!(err, Error::Tampered(_)), "{err:?}");
}
