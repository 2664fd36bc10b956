//! Sealing throughput, single thread, in memory, compared with OpenSSL's
//! ChaCha20-Poly1305 on the same machine.
//!
//! Run with `cargo bench -p tracewell-seal --bench seal`.
//! Environment: `SEAL_BENCH_MIB` (default 64) sets the segment size.

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use chacha20poly1305::aead::AeadInOut;
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use tracewell_seal::*;

const ITERATIONS: usize = 7;

fn data(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn mb_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64() / 1e6
}

/// CPU time this thread has run (`CLOCK_THREAD_CPUTIME_ID`, exact at any
/// moment; `/proc/thread-self/schedstat`, used before, advances only at
/// scheduler ticks while the thread runs). `openssl speed` divides by CPU
/// time too (unless given `-elapsed`), so this is the fair comparison on a
/// shared, busy machine.
fn thread_cpu_time() -> Option<Duration> {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime fills the struct it is given.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    (rc == 0).then(|| Duration::new(t.tv_sec as u64, t.tv_nsec as u32))
}

struct Rates {
    wall_best: f64,
    wall_median: f64,
    cpu_best: Option<f64>,
    cpu_median: Option<f64>,
}

impl std::fmt::Display for Rates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "wall best {:7.1} median {:7.1} MB/s",
            self.wall_best, self.wall_median
        )?;
        if let (Some(b), Some(m)) = (self.cpu_best, self.cpu_median) {
            write!(f, " | per CPU-second best {b:7.1} median {m:7.1} MB/s")?;
        }
        Ok(())
    }
}

fn best_and_median(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (v[v.len() - 1], v[v.len() / 2])
}

/// Throughput over `ITERATIONS` runs of `f` (after one warm-up), by wall
/// clock and by this thread's CPU time.
fn measure(bytes: usize, mut f: impl FnMut()) -> Rates {
    f();
    let mut wall = Vec::new();
    let mut cpu = Vec::new();
    for _ in 0..ITERATIONS {
        let c = thread_cpu_time();
        let t = Instant::now();
        f();
        wall.push(mb_per_s(bytes, t.elapsed()));
        if let (Some(a), Some(b)) = (c, thread_cpu_time()) {
            cpu.push(mb_per_s(bytes, b - a));
        }
    }
    let (wall_best, wall_median) = best_and_median(wall);
    let (cpu_best, cpu_median) = if cpu.len() == ITERATIONS {
        let (b, m) = best_and_median(cpu);
        (Some(b), Some(m))
    } else {
        (None, None)
    };
    Rates {
        wall_best,
        wall_median,
        cpu_best,
        cpu_median,
    }
}

/// OpenSSL's single-core ChaCha20-Poly1305 rate in MB/s (10^6 bytes/s), if
/// `openssl` is installed.
fn openssl_rate() -> Option<(f64, String)> {
    let out = Command::new("openssl")
        .args([
            "speed",
            "-evp",
            "chacha20-poly1305",
            "-seconds",
            "3",
            "-bytes",
            "16384",
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // The last line reads e.g. "ChaCha20-Poly1305  2345678.90k" (1000s of bytes/s).
    let last = text.lines().rev().find(|l| !l.trim().is_empty())?;
    let k = last.split_whitespace().last()?.strip_suffix('k')?;
    let rate = k.parse::<f64>().ok()? / 1000.0;
    Some((rate, last.trim().to_string()))
}

fn main() {
    let mib: usize = std::env::var("SEAL_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let len = mib * 1024 * 1024;
    let plain = data(len);
    let recipient = RecipientIdentity::generate().unwrap();
    let device = DeviceSigningKey::generate().unwrap();
    let fields = HeaderFields {
        segment_id: SegmentId::from_bytes([1; 16]),
        device_id: "bench-device".into(),
        subject_id: "bench-subject".into(),
        start_ns: 0,
    };
    let recipients = [recipient.public_key().clone()];

    println!(
        "segment: {mib} MiB in memory, 64 KiB chunks, 1 MiB writes, single thread, {ITERATIONS} runs"
    );

    let mut sealed = Vec::with_capacity(len + len / 1000 + 4096);
    let seal = measure(len, || {
        sealed.clear();
        let mut sealer = Sealer::new(&mut sealed, &recipients, fields.clone(), &device).unwrap();
        for piece in plain.chunks(1024 * 1024) {
            sealer.write_all(piece).unwrap();
        }
        sealer.finish(1).unwrap();
    });
    println!("seal    (HPKE wrap + XChaCha20-Poly1305 STREAM + BLAKE3 + Ed25519): {seal}");

    let mut opened = Vec::with_capacity(len);
    let open_rates = measure(len, || {
        opened.clear();
        open(&sealed[..], &recipient, &mut opened).unwrap();
    });
    assert_eq!(opened, plain);
    println!("open    (every check, signature included):                          {open_rates}");

    let verify_rates = measure(len, || {
        verify(&sealed[..], &device.verifying_key()).unwrap();
    });
    println!("verify  (BLAKE3 + Ed25519, no decryption):                          {verify_rates}");

    // The body cipher alone, same chunking and associated-data length, as a
    // reference for the overhead of the rest of the pipeline.
    let cipher = XChaCha20Poly1305::new_from_slice(&[7; 32]).unwrap();
    let mut buf = plain.clone();
    let aead = measure(len, || {
        let nonce = XNonce::default();
        for chunk in buf.chunks_mut(64 * 1024) {
            cipher
                .encrypt_inout_detached(&nonce, &[0; 64], chunk.into())
                .unwrap();
        }
    });
    println!("reference: XChaCha20-Poly1305 alone (RustCrypto), 64 KiB chunks:     {aead}");
    let hash = measure(len, || {
        std::hint::black_box(blake3::hash(&plain));
    });
    println!("reference: BLAKE3 alone, one thread:                                 {hash}");

    match openssl_rate() {
        Some((rate, line)) => {
            println!("openssl speed -evp chacha20-poly1305 -seconds 3 -bytes 16384: {line}");
            println!(
                "openssl ChaCha20-Poly1305, 16 KiB blocks, one core (per CPU-second): {rate:8.1} MB/s"
            );
            let (best, median) = match (seal.cpu_best, seal.cpu_median) {
                (Some(b), Some(m)) => (b, m),
                _ => (seal.wall_best, seal.wall_median),
            };
            println!(
                "ratio seal / openssl: {:.0}% (best), {:.0}% (median); target >= 80%",
                100.0 * best / rate,
                100.0 * median / rate
            );
        }
        None => println!("openssl not available or its output was not understood; no comparison"),
    }
}
