//! The committed golden segment must keep opening with the fixed test keys it
//! was made with (see `src/golden.rs` for how it is produced).

use tracewell_seal::*;

const GOLDEN: &[u8] = include_bytes!("data/golden-v1.seal");

#[test]
fn golden_segment_opens_and_verifies() {
    let device = DeviceSigningKey::from_bytes(&[0x33; 32]).verifying_key();
    let info = verify(GOLDEN, &device).unwrap();
    assert_eq!(info.header.version, 1);
    assert_eq!(
        info.segment_id().to_string(),
        "0192d3a45b6c7d8e9fa0b1c2d3e4f506"
    );
    assert_eq!(info.header.device_id, "golden-device");
    assert_eq!(info.header.subject_id, "subject-0001");
    assert_eq!(info.header.start_ns, 1_767_225_600_000_000_000);
    assert_eq!(info.end_ns, 1_767_225_660_000_000_000);
    assert_eq!(info.header.chunk_size, 64);
    assert_eq!(info.plaintext_len, 200);
    assert_eq!(info.chunk_count, 4);
    assert_eq!(info.sealed_len, GOLDEN.len() as u64);

    let expected: Vec<u8> = (0..200u32).map(|i| (i * 7 + 3) as u8).collect();
    for secret in [[0x11u8; 32], [0x22; 32]] {
        let id = RecipientIdentity::from_bytes(&secret);
        let mut plain = Vec::new();
        let opened = Opener::new(&id)
            .expect_device(&device)
            .open(GOLDEN, &mut plain)
            .unwrap();
        assert_eq!(plain, expected);
        assert_eq!(opened, info);
    }
    let stranger = RecipientIdentity::from_bytes(&[0x44; 32]);
    assert!(matches!(
        open(GOLDEN, &stranger, Vec::new()),
        Err(Error::NotARecipient)
    ));
}

#[test]
fn golden_prelude_is_pinned() {
    assert_eq!(&GOLDEN[..8], b"TWSEAL\r\n");
    assert_eq!(&GOLDEN[8..12], &[0, 1, 0, 0]);
}
