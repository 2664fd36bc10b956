//! Ingest benchmark: concurrent clients upload pre-sealed segments to a
//! collector over loopback HTTP, with durable writes (fsync) on.
//!
//! ```text
//! cargo bench -p tracewell-server --bench ingest
//! ```
//!
//! Workloads: 8 MiB segments (throughput, MB/s of sealed bytes) and 64 KiB
//! segments (uploads/s), 8 clients each, on the embedded defaults (SQLite +
//! local directory in a temp dir); also on PostgreSQL + S3 when
//! `TRACEWELL_TEST_POSTGRES_URL` and `TRACEWELL_TEST_S3_URL` are set.
//! Clients and server share this process and the machine's cores; the table
//! shows the CPU time used and the load average so the figures can be read
//! against what else was running. `TRACEWELL_BENCH_QUICK=1` runs a smaller
//! set.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tracewell_protocol::{RequestSigner, content_hash};
use tracewell_seal::{DeviceSigningKey, HeaderFields, RecipientIdentity, Sealer, SegmentId};
use tracewell_server::{Server, ServerConfig};

const CLIENTS: usize = 8;

fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// Seals plaintext so that the sealed file is about `target` bytes.
fn seal(
    key: &DeviceSigningKey,
    device_id: &str,
    recipient: &RecipientIdentity,
    target: usize,
    seed: u64,
) -> Vec<u8> {
    // Overhead: header (~300 B) + 21 B per 64 KiB chunk + trailer (~120 B).
    let chunks = target.div_ceil(65_536);
    let plain = target.saturating_sub(450 + 21 * chunks).max(1);
    let mut id = [0u8; 16];
    id[..8].copy_from_slice(&seed.to_le_bytes());
    let fields = HeaderFields {
        segment_id: SegmentId::from_bytes(id),
        device_id: device_id.to_owned(),
        subject_id: "subject-bench".into(),
        start_ns: 1_760_000_000_000_000_000,
    };
    let mut sealer = Sealer::new(
        Vec::with_capacity(target + 4096),
        &[recipient.public_key().clone()],
        fields,
        key,
    )
    .unwrap();
    std::io::Write::write_all(&mut sealer, &pseudo_random(plain, seed)).unwrap();
    sealer.finish(1_760_000_060_000_000_000).unwrap().writer
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

fn cpu_seconds() -> f64 {
    // utime + stime of this process, in clock ticks (100 Hz on Linux).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or("?")
        .to_owned()
}

struct Row {
    backend: &'static str,
    workload: String,
    uploads: usize,
    bytes: usize,
    secs: f64,
    cpu: f64,
    load: String,
}

struct Bench {
    base: String,
    devices: Vec<(String, DeviceSigningKey)>,
    recipient: RecipientIdentity,
}

fn setup(base: String, admin: &str, recipient: RecipientIdentity) -> Bench {
    let agent = agent();
    let mut devices = Vec::new();
    for _ in 0..CLIENTS {
        let t: Value = serde_json::from_str(
            &agent
                .post(format!("{base}/v1/admin/enrollment-tokens"))
                .header("authorization", format!("Bearer {admin}"))
                .send(json!({"ttl_secs": 600}).to_string().as_bytes())
                .unwrap()
                .body_mut()
                .read_to_string()
                .unwrap(),
        )
        .unwrap();
        let key = DeviceSigningKey::generate().unwrap();
        let e: Value = serde_json::from_str(
            &agent
                .post(format!("{base}/v1/enroll"))
                .send(
                    json!({"token": t["token"], "device_key": key.verifying_key().to_string()})
                        .to_string()
                        .as_bytes(),
                )
                .unwrap()
                .body_mut()
                .read_to_string()
                .unwrap(),
        )
        .unwrap();
        devices.push((e["device_id"].as_str().unwrap().to_owned(), key));
    }
    Bench {
        base,
        devices,
        recipient,
    }
}

fn run(
    bench: &Bench,
    backend: &'static str,
    label: &str,
    size: usize,
    count: usize,
    seed: u64,
) -> Row {
    // Seal first (not timed): `count` segments spread over the clients.
    let per_client: Vec<Vec<(String, Vec<u8>)>> = bench
        .devices
        .iter()
        .enumerate()
        .map(|(c, (id, key))| {
            (0..count / CLIENTS)
                .map(|i| {
                    let sealed = seal(
                        key,
                        id,
                        &bench.recipient,
                        size,
                        seed + (c * count + i) as u64,
                    );
                    (content_hash(&sealed), sealed)
                })
                .collect()
        })
        .collect();
    let uploads: usize = per_client.iter().map(Vec::len).sum();
    let bytes: usize = per_client.iter().flatten().map(|(_, s)| s.len()).sum();
    let done = Arc::new(AtomicUsize::new(0));
    let cpu0 = cpu_seconds();
    let start = Instant::now();
    std::thread::scope(|scope| {
        for (c, segments) in per_client.iter().enumerate() {
            let (id, key) = &bench.devices[c];
            let signer = RequestSigner::new(id.clone(), key);
            let base = bench.base.clone();
            let done = Arc::clone(&done);
            scope.spawn(move || {
                let agent = agent();
                for (hash, sealed) in segments {
                    let path = format!("/v1/segments/{hash}");
                    let h = signer.sign("PUT", &path, hash, None).unwrap();
                    let mut req = agent.put(format!("{base}{path}"));
                    for (k, v) in h.pairs() {
                        req = req.header(k, v);
                    }
                    let mut resp = req.send(&sealed[..]).unwrap();
                    let status = resp.status().as_u16();
                    let _ = resp.body_mut().read_to_vec();
                    assert_eq!(status, 201, "upload failed");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(done.load(Ordering::Relaxed), uploads);
    Row {
        backend,
        workload: label.to_owned(),
        uploads,
        bytes,
        secs,
        cpu: cpu_seconds() - cpu0,
        load: loadavg(),
    }
}

fn bench_backend(
    rt: &tokio::runtime::Runtime,
    backend: &'static str,
    config: ServerConfig,
    dir: &std::path::Path,
    recipient: RecipientIdentity,
    quick: bool,
    rows: &mut Vec<Row>,
) {
    let server = rt.block_on(Server::bind(config)).unwrap();
    let base = format!("http://{}", server.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = rt.spawn(server.run(async {
        let _ = stopped.await;
    }));
    let admin = std::fs::read_to_string(dir.join("admin.token")).unwrap();
    let bench = setup(base, admin.trim(), recipient);
    let (big, small) = if quick { (16, 800) } else { (48, 4000) };
    rows.push(run(&bench, backend, "8 MiB segments", 8 << 20, big, 1));
    rows.push(run(
        &bench,
        backend,
        "64 KiB segments",
        64 << 10,
        small,
        1_000_000,
    ));
    let _ = stop.send(());
    let _ = rt.block_on(task);
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` does not run us.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let quick = std::env::var("TRACEWELL_BENCH_QUICK").is_ok_and(|v| v == "1");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut rows = Vec::new();

    let dir = tempfile::tempdir().unwrap();
    let recipient = RecipientIdentity::generate().unwrap();
    let mut config = ServerConfig::new(dir.path());
    config.recipients = vec![recipient.public_key().clone()];
    config.listen = "127.0.0.1:0".parse().unwrap();
    bench_backend(
        &rt,
        "SQLite + local dir",
        config,
        dir.path(),
        recipient,
        quick,
        &mut rows,
    );

    match (
        std::env::var("TRACEWELL_TEST_POSTGRES_URL"),
        std::env::var("TRACEWELL_TEST_S3_URL"),
    ) {
        (Ok(pg), Ok(s3)) if !pg.is_empty() && !s3.is_empty() => {
            let dir = tempfile::tempdir().unwrap();
            let recipient = RecipientIdentity::generate().unwrap();
            let mut config = ServerConfig::new(dir.path());
            config.recipients = vec![recipient.public_key().clone()];
            config.listen = "127.0.0.1:0".parse().unwrap();
            config.database = tracewell_server::config::parse_database(&pg, 16).unwrap();
            let (b, q) = s3.split_once('?').unwrap_or((&s3, ""));
            let prefix = format!("bench-{}", std::process::id());
            config.objects =
                tracewell_server::config::parse_objects(&format!("{b}/{prefix}?{q}")).unwrap();
            bench_backend(
                &rt,
                "PostgreSQL + S3",
                config,
                dir.path(),
                recipient,
                quick,
                &mut rows,
            );
        }
        _ => println!(
            "PostgreSQL + S3: skipped (set TRACEWELL_TEST_POSTGRES_URL and TRACEWELL_TEST_S3_URL, scripts/test-services/)"
        ),
    }

    println!();
    println!(
        "ingest over loopback, {CLIENTS} concurrent clients, fsync on, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<20} {:<16} {:>8} {:>10} {:>8} {:>10} {:>12} {:>8} {:>6}",
        "backend", "workload", "uploads", "MB", "secs", "MB/s", "uploads/s", "CPU s", "load"
    );
    for r in rows {
        let mb = r.bytes as f64 / 1e6;
        println!(
            "{:<20} {:<16} {:>8} {:>10.1} {:>8.2} {:>10.1} {:>12.0} {:>8.2} {:>6}",
            r.backend,
            r.workload,
            r.uploads,
            mb,
            r.secs,
            mb / r.secs,
            r.uploads as f64 / r.secs,
            r.cpu,
            r.load
        );
    }
}
