//! Crash test: the real collector binary is killed with SIGKILL at random
//! moments while a client uploads (one-shot and resumable), then restarted;
//! the client re-sends everything it has no acknowledgement for. In the end
//! every acknowledged segment is stored byte for byte, recorded once, and
//! every stored object passes `tracewell_seal::verify`.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};
use tracewell_protocol::{RequestSigner, content_hash};
use tracewell_seal::{DeviceSigningKey, RecipientIdentity};
use tracewell_store::{MetadataStore, SqliteStore};

const ITERATIONS: usize = 20;
const PART: usize = 256 * 1024;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

fn start_server(data: &Path, recipient: &RecipientIdentity, log: &Path) -> (Child, String) {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tracewell-collector"))
        .arg("--data")
        .arg(data)
        .args(["--listen", "127.0.0.1:0", "--recipient"])
        .arg(recipient.public_key().to_string())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (child, format!("http://{addr}"))
}

fn new_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

/// Sends one signed request; `Err` on any transport failure.
fn send(
    agent: &ureq::Agent,
    base: &str,
    signer: &RequestSigner,
    method: &str,
    path: &str,
    body: &[u8],
    range: Option<&str>,
) -> Result<(u16, Option<u64>), ureq::Error> {
    let h = signer
        .sign(method, path, &content_hash(body), range)
        .unwrap();
    let url = format!("{base}{path}");
    let resp = match method {
        "HEAD" => {
            let mut req = agent.head(&url);
            for (k, v) in h.pairs() {
                req = req.header(k, v);
            }
            req.call()?
        }
        _ => {
            let mut req = agent.put(&url);
            for (k, v) in h.pairs() {
                req = req.header(k, v);
            }
            if let Some(r) = range {
                req = req.header("content-range", r);
            }
            req.send(body)?
        }
    };
    let offset = resp
        .headers()
        .get("upload-offset")
        .and_then(|v| v.to_str().ok()?.parse().ok());
    let mut resp = resp;
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    let status = resp.status().as_u16();
    assert!(
        status < 400 || status == 404 || status == 409,
        "{method} {range:?} answered {status}: {text}"
    );
    Ok((status, offset))
}

/// Uploads one segment (resumably if large). `Ok(true)` once acknowledged.
fn upload(
    agent: &ureq::Agent,
    base: &str,
    signer: &RequestSigner,
    sealed: &[u8],
) -> Result<bool, ureq::Error> {
    let hash = content_hash(sealed);
    let path = segment_path(&hash);
    if sealed.len() <= PART {
        let (status, _) = send(agent, base, signer, "PUT", &path, sealed, None)?;
        assert!(
            matches!(status, 200 | 201),
            "one-shot upload answered {status}"
        );
        return Ok(true);
    }
    let (status, offset) = send(agent, base, signer, "HEAD", &path, b"", None)?;
    if status == 200 {
        return Ok(true);
    }
    assert_eq!(status, 404);
    // All bytes held but unchecked: re-send the last part to complete.
    let mut at = (offset.unwrap() as usize).min(sealed.len() - PART);
    loop {
        let end = (at + PART).min(sealed.len());
        let range = format!("bytes {at}-{}/{}", end - 1, sealed.len());
        let (status, offset) = send(
            agent,
            base,
            signer,
            "PUT",
            &path,
            &sealed[at..end],
            Some(&range),
        )?;
        match status {
            200 | 201 => return Ok(true),
            202 => at = offset.unwrap() as usize,
            409 => at = offset.unwrap() as usize,
            other => panic!("part upload answered {other}"),
        }
    }
}

#[test]
fn kill_9_during_uploads_loses_no_acknowledged_segment() {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("crash test seed {seed}");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let recipient = RecipientIdentity::generate().unwrap();

    let (mut server, mut base) = start_server(&data, &recipient, &log);
    let admin = std::fs::read_to_string(data.join("admin.token")).unwrap();
    let agent = new_agent();
    let token: Value = agent
        .post(format!("{base}/v1/admin/enrollment-tokens"))
        .header("authorization", format!("Bearer {}", admin.trim()))
        .send(json!({"ttl_secs": 600}).to_string().as_bytes())
        .unwrap()
        .body_mut()
        .read_to_string()
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    let key = DeviceSigningKey::generate().unwrap();
    let enrolled: Value = agent
        .post(format!("{base}/v1/enroll"))
        .send(
            json!({"token": token["token"], "device_key": key.verifying_key().to_string()})
                .to_string()
                .as_bytes(),
        )
        .unwrap()
        .body_mut()
        .read_to_string()
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    let device_id = enrolled["device_id"].as_str().unwrap().to_owned();
    let device = Device {
        signer: RequestSigner::new(device_id.clone(), &key),
        id: device_id,
        key,
    };

    // All segments, by hash; each iteration adds a batch to the queue.
    let mut all: BTreeMap<String, Arc<Vec<u8>>> = BTreeMap::new();
    let acked: Arc<Mutex<HashSet<String>>> = Arc::default();
    let mut queue: Vec<String> = Vec::new();
    let signer = Arc::new(device.signer);
    let mut kills = 0;
    let mut interrupted = 0;
    for iteration in 0..=ITERATIONS {
        if iteration < ITERATIONS {
            for _ in 0..6 {
                let size = if rng.range(0, 4) == 0 {
                    rng.range(600_000, 1_500_000)
                } else {
                    rng.range(1_000, 200_000)
                } as usize;
                let sealed = seal_as(
                    &device.key,
                    &device.id,
                    &recipient,
                    &pseudo_random(size, rng.next()),
                );
                let hash = content_hash(&sealed);
                queue.push(hash.clone());
                all.insert(hash, Arc::new(sealed));
            }
        }
        let pending: Vec<(String, Arc<Vec<u8>>)> = {
            let acked = acked.lock().unwrap();
            queue
                .iter()
                .filter(|h| !acked.contains(*h))
                .map(|h| (h.clone(), Arc::clone(&all[h])))
                .collect()
        };
        let before = acked.lock().unwrap().len();
        let pending_count = pending.len();
        let client = {
            let (acked, signer, base) = (Arc::clone(&acked), Arc::clone(&signer), base.clone());
            std::thread::spawn(move || {
                let agent = new_agent();
                for (hash, sealed) in pending {
                    match upload(&agent, &base, &signer, &sealed) {
                        Ok(true) => {
                            acked.lock().unwrap().insert(hash);
                        }
                        Ok(false) | Err(_) => return false,
                    }
                }
                true
            })
        };
        if iteration == ITERATIONS {
            // Final round: no crash; everything must get through.
            assert!(
                client.join().unwrap(),
                "final uploads failed; see {}",
                log.display()
            );
            break;
        }
        // Kill after a random number of acknowledgements, plus a random
        // few milliseconds, so that most kills land inside an upload.
        let target = before + rng.range(0, pending_count as u64 + 1) as usize;
        let deadline = Instant::now() + Duration::from_secs(20);
        while acked.lock().unwrap().len() < target
            && !client.is_finished()
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_micros(200));
        }
        std::thread::sleep(Duration::from_micros(rng.range(0, 4_000)));
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        kills += 1;
        let started = Instant::now();
        let finished_all = client.join().unwrap();
        assert!(started.elapsed() < Duration::from_secs(30));
        if !finished_all {
            interrupted += 1;
        }
        (server, base) = start_server(&data, &recipient, &log);
    }
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(kills, ITERATIONS);
    assert!(
        interrupted >= ITERATIONS / 2,
        "only {interrupted} kills hit an upload"
    );

    let acked = acked.lock().unwrap().clone();
    assert_eq!(
        acked.len(),
        all.len(),
        "every segment acknowledged in the end"
    );

    // Every acknowledged segment is present, byte-identical and recorded once.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let store = SqliteStore::open(data.join("metadata.sqlite")).unwrap();
    let rows = rt.block_on(store.list_segments(None, 100_000)).unwrap();
    assert_eq!(rows.len(), all.len(), "one metadata row per segment");
    let vk = device.key.verifying_key();
    for row in &rows {
        let sealed = all
            .get(&row.hash)
            .expect("row for a segment the client sent");
        let object = std::fs::read(data.join("objects").join(&row.object_key)).unwrap();
        assert_eq!(&object, &**sealed, "object {} is byte-identical", row.hash);
        assert_eq!(row.size as usize, sealed.len());
    }
    // No object is corrupt, none is unaccounted for.
    let mut files = Vec::new();
    walk(&data.join("objects/segments"), &mut files);
    assert_eq!(files.len(), all.len());
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        tracewell_seal::verify(&bytes[..], &vk)
            .unwrap_or_else(|e| panic!("{} does not verify: {e}", f.display()));
        assert!(all.contains_key(&content_hash(&bytes)));
    }
    println!(
        "crash test: {} segments, {} kills ({} during uploads), {} bytes",
        all.len(),
        kills,
        interrupted,
        all.values().map(|s| s.len()).sum::<usize>()
    );
}
