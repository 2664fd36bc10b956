//! A fast 128-bit fingerprint for change detection between frames.
//!
//! Not cryptographic: it answers "did these pixels change since the last
//! frame?" for tiles and bands of a screen, where the inputs are natural
//! images, not adversarial ones. Two independent 64-bit multiply-rotate
//! lanes over 16-byte blocks, finished with the 64-bit MurmurHash3 mixer.

const K1: u64 = 0x9e37_79b9_7f4a_7c15;
const K2: u64 = 0xc2b2_ae3d_27d4_eb4f;

/// An incremental fingerprint over byte slices fed in order.
#[derive(Clone, Copy, Debug)]
pub struct Fingerprint {
    a: u64,
    b: u64,
    len: u64,
}

impl Default for Fingerprint {
    fn default() -> Fingerprint {
        Fingerprint { a: K1, b: K2, len: 0 }
    }
}

impl Fingerprint {
    /// Feeds bytes. Slices are fingerprinted as if concatenated only when
    /// each but the last is a multiple of 16 bytes long (pixel rows are).
    pub fn update(&mut self, bytes: &[u8]) {
        let mut blocks = bytes.chunks_exact(16);
        for block in &mut blocks {
            let w0 = u64::from_le_bytes(block[..8].try_into().expect("8 bytes"));
            let w1 = u64::from_le_bytes(block[8..].try_into().expect("8 bytes"));
            self.a = (self.a ^ w0).wrapping_mul(K1).rotate_left(31);
            self.b = (self.b ^ w1).wrapping_mul(K2).rotate_left(29);
        }
        let rest = blocks.remainder();
        if !rest.is_empty() {
            let mut tail = [0u8; 16];
            tail[..rest.len()].copy_from_slice(rest);
            self.a = (self.a ^ u64::from_le_bytes(tail[..8].try_into().expect("8 bytes"))).wrapping_mul(K2);
            self.b = (self.b ^ u64::from_le_bytes(tail[8..].try_into().expect("8 bytes"))).wrapping_mul(K1);
        }
        self.len += bytes.len() as u64;
    }

    /// The 128-bit result.
    pub fn finish(&self) -> u128 {
        let a = mix(self.a ^ self.len);
        let b = mix(self.b ^ a);
        (u128::from(mix(a ^ b)) << 64) | u128::from(b)
    }

    /// The fingerprint of one slice.
    pub fn of(bytes: &[u8]) -> u128 {
        let mut f = Fingerprint::default();
        f.update(bytes);
        f.finish()
    }
}

fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_single_byte_change_changes_the_fingerprint() {
        let base: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
        let f0 = Fingerprint::of(&base);
        assert_eq!(f0, Fingerprint::of(&base));
        for i in (0..base.len()).step_by(13) {
            let mut changed = base.clone();
            changed[i] ^= 1;
            assert_ne!(Fingerprint::of(&changed), f0, "byte {i}");
        }
        // Length matters, and so does a tail shorter than a block.
        assert_ne!(Fingerprint::of(&base[..4095]), f0);
        assert_ne!(Fingerprint::of(&[0u8; 3]), Fingerprint::of(&[0u8; 4]));
    }

    #[test]
    fn incremental_equals_whole_for_block_aligned_pieces() {
        let data: Vec<u8> = (0..1024u32).map(|i| i as u8).collect();
        let mut f = Fingerprint::default();
        for piece in data.chunks(128) {
            f.update(piece);
        }
        assert_eq!(f.finish(), Fingerprint::of(&data));
    }
}
