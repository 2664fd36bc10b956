//! Round trips, recipients, header contents and input validation.

mod common;

use std::io::Write;

use common::*;
use tracewell_seal::*;

fn expected_chunks(len: usize, chunk: usize) -> u64 {
    len.div_ceil(chunk).max(1) as u64
}

#[test]
fn round_trip_sizes_default_chunk() {
    let k = keys();
    let chunk = 64 * 1024;
    for len in [
        0,
        1,
        chunk - 1,
        chunk,
        chunk + 1,
        3 * chunk,
        1024 * 1024 + 17,
    ] {
        let data = plaintext(len);
        let (sealed, info) = seal_with(&data, &[&k.alice], &k.device, chunk as u32, 10_007);
        let (back, opened) = open_bytes(&sealed, &k.alice).unwrap();
        assert_eq!(back, data, "len {len}");
        assert_eq!(opened, info, "len {len}");
        assert_eq!(info.plaintext_len, len as u64);
        assert_eq!(info.chunk_count, expected_chunks(len, chunk), "len {len}");
        assert_eq!(info.sealed_len, sealed.len() as u64);
        let l = layout(&sealed);
        assert_eq!(l.frames.len() as u64, info.chunk_count);
        assert_eq!(info.ciphertext_len, (l.trailer_start - l.header_end) as u64);
        assert_eq!(
            info.ciphertext_len,
            info.plaintext_len + info.chunk_count * (5 + 16)
        );
    }
}

#[test]
fn round_trip_small_chunks_and_write_patterns() {
    let k = keys();
    for chunk in [1u32, 7, 16, 100] {
        for len in [0usize, 1, 15, 16, 17, 99, 100, 101, 1000] {
            let data = plaintext(len);
            for piece in [1usize, 3, 16, 4096] {
                let (sealed, info) = seal_with(&data, &[&k.alice], &k.device, chunk, piece);
                assert_eq!(info.chunk_count, expected_chunks(len, chunk as usize));
                let (back, _) = open_bytes(&sealed, &k.alice).unwrap();
                assert_eq!(back, data, "chunk {chunk} len {len} piece {piece}");
            }
        }
    }
}

#[test]
fn every_recipient_can_open_and_others_cannot() {
    let k = keys();
    let carol = RecipientIdentity::generate().unwrap();
    let data = plaintext(5000);
    let (sealed, info) = seal_with(&data, &[&k.alice, &k.bob, &carol], &k.device, 1024, 777);
    let ids: Vec<_> = info.header.recipient_ids().collect();
    assert_eq!(ids, vec![k.alice.key_id(), k.bob.key_id(), carol.key_id()]);
    for id in [&k.alice, &k.bob, &carol] {
        assert_eq!(open_bytes(&sealed, id).unwrap().0, data);
    }
    let mut out = Vec::new();
    let err = open(&sealed[..], &k.mallory, &mut out).unwrap_err();
    assert!(matches!(err, Error::NotARecipient), "{err:?}");
    assert!(out.is_empty(), "no plaintext for a non-recipient");
}

#[test]
fn inspect_and_verify_need_no_private_key() {
    let k = keys();
    let data = plaintext(3000);
    let (sealed, info) = seal_with(&data, &[&k.alice], &k.device, 1000, 3000);

    let inspected = inspect(&sealed[..]).unwrap();
    assert_eq!(inspected, info);
    assert_eq!(inspected.header.device_id, "device-a1");
    assert_eq!(inspected.header.subject_id, "subj-9f3c");
    assert_eq!(inspected.segment_id(), fields().segment_id);
    assert_eq!((inspected.header.start_ns, inspected.end_ns), (START, END));
    assert_eq!(inspected.plaintext_len, 3000);
    assert_eq!(inspected.header.chunk_size, 1000);
    assert_eq!(*inspected.device_key(), k.device.verifying_key());

    let verified = verify(&sealed[..], &k.device.verifying_key()).unwrap();
    assert_eq!(verified, info);

    let header = read_header(&sealed[..]).unwrap();
    assert_eq!(header, info.header);
}

#[test]
fn wrong_device_key_is_rejected() {
    let k = keys();
    let sealed = seal(&plaintext(100), &k, 64);
    let err = verify(&sealed[..], &k.other_device.verifying_key()).unwrap_err();
    assert!(matches!(err, Error::WrongDevice), "{err:?}");

    let mut out = Vec::new();
    let other = k.other_device.verifying_key();
    let err = Opener::new(&k.alice)
        .expect_device(&other)
        .open(&sealed[..], &mut out)
        .unwrap_err();
    assert!(matches!(err, Error::WrongDevice), "{err:?}");
    assert!(out.is_empty());

    let device = k.device.verifying_key();
    Opener::new(&k.alice)
        .expect_device(&device)
        .open(&sealed[..], &mut out)
        .unwrap();
    assert_eq!(out, plaintext(100));
}

#[test]
fn a_different_device_signing_the_same_header_is_detected() {
    // Re-sign a segment with another key but keep the embedded device key: the
    // signature no longer verifies under the embedded key.
    let k = keys();
    let a = seal(&plaintext(50), &k, 16);
    let mut b = a.clone();
    let other = seal_with(&plaintext(50), &[&k.alice], &k.other_device, 16, 50).0;
    let n = b.len();
    b[n - 64..].copy_from_slice(&other[other.len() - 64..]);
    assert!(matches!(inspect(&b[..]), Err(Error::BadSignature)));
    assert!(matches!(
        verify(&b[..], &k.device.verifying_key()),
        Err(Error::BadSignature)
    ));
    assert!(matches!(open_bytes(&b, &k.alice), Err(Error::BadSignature)));
}

#[test]
fn sealer_streams_with_bounded_buffering() {
    use std::cell::Cell;
    use std::rc::Rc;
    struct Counting(Rc<Cell<usize>>);
    impl Write for Counting {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.set(self.0.get() + b.len());
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let k = keys();
    let written = Rc::new(Cell::new(0));
    let mut sealer = Sealer::new(
        Counting(written.clone()),
        &[k.alice.public_key().clone()],
        fields(),
        &k.device,
    )
    .unwrap();
    let header_len = written.get();
    assert!(header_len > 16);
    let chunk = 64 * 1024;
    // A full chunk stays buffered until more data arrives...
    sealer.write_all(&plaintext(chunk)).unwrap();
    assert_eq!(written.get(), header_len);
    // ...and then goes out, so at most one chunk is ever held: 11 full chunks
    // in, 1 byte pending.
    sealer.write_all(&plaintext(10 * chunk + 1)).unwrap();
    assert_eq!(written.get(), header_len + 11 * (5 + chunk + 16));
    let summary = sealer.finish(END).unwrap();
    assert_eq!(written.get() as u64, summary.info.sealed_len);
}

#[test]
fn unfinished_segment_reads_as_truncated() {
    let k = keys();
    let mut out = Vec::new();
    {
        let mut sealer = Sealer::with_chunk_size(
            &mut out,
            &[k.alice.public_key().clone()],
            fields(),
            &k.device,
            16,
        )
        .unwrap();
        sealer.write_all(&plaintext(100)).unwrap();
        // dropped without finish
    }
    assert!(matches!(inspect(&out[..]), Err(Error::Truncated)));
    assert!(matches!(open_bytes(&out, &k.alice), Err(Error::Truncated)));
}

#[test]
fn write_errors_poison_the_sealer() {
    struct FailAfter(usize);
    impl Write for FailAfter {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            if self.0 < b.len() {
                return Err(std::io::Error::other("disk full"));
            }
            self.0 -= b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let k = keys();
    let mut sealer = Sealer::with_chunk_size(
        FailAfter(1000),
        &[k.alice.public_key().clone()],
        fields(),
        &k.device,
        100,
    )
    .unwrap();
    let err = sealer.write_all(&plaintext(5000)).unwrap_err();
    assert_eq!(err.to_string(), "disk full");
    assert!(sealer.write_all(b"more").is_err());
    assert!(matches!(sealer.finish(END), Err(Error::Poisoned)));
}

#[test]
fn invalid_inputs_are_refused() {
    let k = keys();
    let alice = [k.alice.public_key().clone()];
    let new = |recipients: &[RecipientPublicKey], f: HeaderFields, chunk: u32| {
        Sealer::with_chunk_size(Vec::new(), recipients, f, &k.device, chunk).map(|_| ())
    };
    assert!(matches!(
        new(&[], fields(), 64),
        Err(Error::InvalidInput(_))
    ));
    let dup = [k.alice.public_key().clone(), k.alice.public_key().clone()];
    assert!(matches!(
        new(&dup, fields(), 64),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        new(&alice, fields(), 0),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        new(&alice, fields(), 16 * 1024 * 1024 + 1),
        Err(Error::InvalidInput(_))
    ));
    let mut f = fields();
    f.device_id = String::new();
    assert!(matches!(new(&alice, f, 64), Err(Error::InvalidInput(_))));
    let mut f = fields();
    f.subject_id = "x".repeat(256);
    assert!(matches!(new(&alice, f, 64), Err(Error::InvalidInput(_))));

    let sealer = Sealer::new(Vec::new(), &alice, fields(), &k.device).unwrap();
    assert!(matches!(
        sealer.finish(START - 1),
        Err(Error::InvalidInput(_))
    ));
}

#[test]
fn not_sealed_and_unknown_versions() {
    assert!(matches!(
        inspect(&b"hello world, not sealed"[..]),
        Err(Error::NotSealed)
    ));
    let k = keys();
    let mut sealed = seal(b"x", &k, 64);
    sealed[9] = 2;
    assert!(matches!(
        inspect(&sealed[..]),
        Err(Error::UnsupportedVersion(2))
    ));
}
