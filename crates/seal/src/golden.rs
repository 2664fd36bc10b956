//! Golden file: sealing fixed input with fixed keys and a seeded generator
//! must reproduce `tests/data/golden-v1.seal` byte for byte. Any change to
//! the written format shows up here (and then needs a new format version).
//!
//! To regenerate after a deliberate format change:
//! `TRACEWELL_SEAL_BLESS=1 cargo test -p tracewell-seal golden`.

use std::convert::Infallible;
use std::io::Write;

use hpke::rand_core::{TryCryptoRng, TryRng};

use crate::*;

const GOLDEN_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/golden-v1.seal");

/// A deterministic generator for tests only: the BLAKE3 extendable output of
/// a fixed seed.
struct SeededRng(blake3::OutputReader);

impl SeededRng {
    fn new(seed: &[u8]) -> Self {
        SeededRng(blake3::Hasher::new().update(seed).finalize_xof())
    }
}

impl TryRng for SeededRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.0.fill(&mut b);
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.0.fill(&mut b);
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.0.fill(dst);
        Ok(())
    }
}

impl TryCryptoRng for SeededRng {}

/// The inputs the golden file was made from; `tests/golden.rs` repeats them.
fn golden_inputs() -> (
    Vec<RecipientPublicKey>,
    DeviceSigningKey,
    HeaderFields,
    Vec<u8>,
) {
    let a = RecipientIdentity::from_bytes(&[0x11; 32]);
    let b = RecipientIdentity::from_bytes(&[0x22; 32]);
    let device = DeviceSigningKey::from_bytes(&[0x33; 32]);
    let fields = HeaderFields {
        segment_id: "0192d3a4-5b6c-7d8e-9fa0-b1c2d3e4f506".parse().unwrap(),
        device_id: "golden-device".into(),
        subject_id: "subject-0001".into(),
        start_ns: 1_767_225_600_000_000_000,
    };
    let plaintext: Vec<u8> = (0..200u32).map(|i| (i * 7 + 3) as u8).collect();
    (
        vec![a.public_key().clone(), b.public_key().clone()],
        device,
        fields,
        plaintext,
    )
}

fn seal_golden() -> Vec<u8> {
    let (recipients, device, fields, plaintext) = golden_inputs();
    let mut rng = SeededRng::new(b"tracewell-seal golden v1");
    let mut sealer =
        Sealer::with_rng(Vec::new(), &recipients, fields, &device, 64, &mut rng).unwrap();
    sealer.write_all(&plaintext).unwrap();
    sealer.finish(1_767_225_660_000_000_000).unwrap().writer
}

#[test]
fn golden_file_is_reproduced_exactly() {
    let sealed = seal_golden();
    if std::env::var_os("TRACEWELL_SEAL_BLESS").is_some() {
        std::fs::create_dir_all(std::path::Path::new(GOLDEN_PATH).parent().unwrap()).unwrap();
        std::fs::write(GOLDEN_PATH, &sealed).unwrap();
    }
    let golden = std::fs::read(GOLDEN_PATH).expect("golden file present");
    assert_eq!(
        sealed, golden,
        "the sealed format changed; bump FORMAT_VERSION and re-bless deliberately"
    );
}

#[test]
fn seeded_sealing_is_deterministic_and_opens() {
    // Guards the golden test itself: same seed, same bytes; and the result opens.
    let a = seal_golden();
    assert_eq!(a, seal_golden());
    let id = RecipientIdentity::from_bytes(&[0x22; 32]);
    let mut plain = Vec::new();
    open(&a[..], &id, &mut plain).unwrap();
    assert_eq!(plain, golden_inputs().3);
}
