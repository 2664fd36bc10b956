//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::io::Write;

use tracewell_seal::*;

pub struct Keys {
    pub alice: RecipientIdentity,
    pub bob: RecipientIdentity,
    pub mallory: RecipientIdentity,
    pub device: DeviceSigningKey,
    pub other_device: DeviceSigningKey,
}

pub fn keys() -> Keys {
    Keys {
        alice: RecipientIdentity::generate().unwrap(),
        bob: RecipientIdentity::generate().unwrap(),
        mallory: RecipientIdentity::generate().unwrap(),
        device: DeviceSigningKey::generate().unwrap(),
        other_device: DeviceSigningKey::generate().unwrap(),
    }
}

pub const START: u64 = 1_767_225_600_000_000_000;
pub const END: u64 = START + 60_000_000_000;

pub fn fields() -> HeaderFields {
    HeaderFields {
        segment_id: SegmentId::from_bytes(*b"segment-id-16byt"),
        device_id: "device-a1".into(),
        subject_id: "subj-9f3c".into(),
        start_ns: START,
    }
}

/// Deterministic, non-repeating test plaintext.
pub fn plaintext(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15 ^ len as u64;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Seals `data` to `recipients`, writing it in `piece`-sized writes.
pub fn seal_with(
    data: &[u8],
    recipients: &[&RecipientIdentity],
    device: &DeviceSigningKey,
    chunk_size: u32,
    piece: usize,
) -> (Vec<u8>, SealedInfo) {
    let publics: Vec<RecipientPublicKey> =
        recipients.iter().map(|r| r.public_key().clone()).collect();
    let mut sealer =
        Sealer::with_chunk_size(Vec::new(), &publics, fields(), device, chunk_size).unwrap();
    for part in data.chunks(piece.max(1)) {
        sealer.write_all(part).unwrap();
    }
    let summary = sealer.finish(END).unwrap();
    (summary.writer, summary.info)
}

pub fn seal(data: &[u8], k: &Keys, chunk_size: u32) -> Vec<u8> {
    seal_with(data, &[&k.alice, &k.bob], &k.device, chunk_size, usize::MAX).0
}

pub fn open_bytes(sealed: &[u8], id: &RecipientIdentity) -> Result<(Vec<u8>, SealedInfo)> {
    let mut out = Vec::new();
    let info = open(sealed, id, &mut out)?;
    Ok((out, info))
}

/// Byte ranges of the parts of a sealed segment: (header end, frame ranges,
/// trailer start). Parsed independently of the crate as a cross-check of the
/// documented layout.
pub struct Layout {
    pub header_end: usize,
    pub frames: Vec<std::ops::Range<usize>>,
    pub trailer_start: usize,
}

pub fn layout(sealed: &[u8]) -> Layout {
    let header_a_len = u32::from_be_bytes(sealed[12..16].try_into().unwrap()) as usize;
    let header_end = 16 + header_a_len;
    let mut pos = header_end;
    let mut frames = Vec::new();
    loop {
        let flag = sealed[pos];
        let len = u32::from_be_bytes(sealed[pos + 1..pos + 5].try_into().unwrap()) as usize;
        frames.push(pos..pos + 5 + len);
        pos += 5 + len;
        if flag == 1 {
            break;
        }
        assert_eq!(flag, 0);
    }
    assert_eq!(sealed.len() - pos, 120, "trailer is 120 bytes");
    Layout {
        header_end,
        frames,
        trailer_start: pos,
    }
}
