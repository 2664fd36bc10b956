//! Test helpers: an in-process collector on embedded defaults, enrolled
//! devices with real keys, real sealed segments, signed requests.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;
use tracewell_protocol::{RequestSigner, content_hash};
use tracewell_seal::{DeviceSigningKey, HeaderFields, RecipientIdentity, Sealer, SegmentId};
use tracewell_server::{AppState, Limits, ServerConfig};

pub struct TestServer {
    pub dir: tempfile::TempDir,
    pub state: AppState,
    pub router: Router,
    pub admin: String,
    pub recipient: RecipientIdentity,
}

pub struct Device {
    pub id: String,
    pub key: DeviceSigningKey,
    pub signer: RequestSigner,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
}

impl Reply {
    pub fn error(&self) -> &str {
        self.json["error"].as_str().unwrap_or("")
    }
    pub fn offset(&self) -> Option<u64> {
        self.headers
            .get("upload-offset")
            .map(|v| v.to_str().unwrap().parse().unwrap())
    }
}

pub fn config_in(dir: &Path, recipient: &RecipientIdentity) -> ServerConfig {
    let mut config = ServerConfig::new(dir);
    config.recipients = vec![recipient.public_key().clone()];
    config.listen = "127.0.0.1:0".parse().unwrap();
    config
}

pub fn env_or_skip(var: &str, script: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            println!("skipped: set {var} (scripts/test-services/{script}) to run this test");
            None
        }
    }
}

pub fn unique(tag: &str) -> String {
    let mut raw = [0u8; 6];
    getrandom::fill(&mut raw).unwrap();
    format!("{tag}{}", tracewell_protocol::hex(&raw))
}

/// A fresh database on the test PostgreSQL server; returns its URL.
pub async fn fresh_postgres_database(url: &str) -> String {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to TRACEWELL_TEST_POSTGRES_URL");
    tokio::spawn(conn);
    let name = unique("tw_test_");
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    format!("{base}/{name}{query}")
}

/// The test S3 URL with a fresh key prefix.
pub fn fresh_s3_prefix(url: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    format!("{}/{}?{query}", base.trim_end_matches('/'), unique("run-"))
}

/// Scale-out backends, or `None` (after printing why) when the test
/// services are not configured.
pub async fn scale_out_config(dir: &Path, recipient: &RecipientIdentity) -> Option<ServerConfig> {
    let pg = env_or_skip("TRACEWELL_TEST_POSTGRES_URL", "start-postgres.sh")?;
    let s3 = env_or_skip("TRACEWELL_TEST_S3_URL", "start-s3.sh")?;
    let mut config = config_in(dir, recipient);
    config.database =
        tracewell_server::config::parse_database(&fresh_postgres_database(&pg).await, 8).unwrap();
    config.objects = tracewell_server::config::parse_objects(&fresh_s3_prefix(&s3)).unwrap();
    Some(config)
}

impl TestServer {
    pub async fn new() -> Self {
        Self::embedded(Limits::default()).await
    }

    pub async fn embedded(limits: Limits) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let recipient = RecipientIdentity::generate().unwrap();
        let mut config = config_in(dir.path(), &recipient);
        config.limits = limits;
        Self::start(dir, recipient, config).await
    }

    pub async fn scale_out(limits: Limits) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let recipient = RecipientIdentity::generate().unwrap();
        let mut config = scale_out_config(dir.path(), &recipient).await?;
        config.limits = limits;
        let ts = Self::start(dir, recipient, config).await;
        assert!(ts.state.objects().describe().starts_with("S3"));
        assert!(ts.state.metadata().describe().starts_with("PostgreSQL"));
        Some(ts)
    }

    async fn start(
        dir: tempfile::TempDir,
        recipient: RecipientIdentity,
        config: ServerConfig,
    ) -> Self {
        let state = AppState::open(&config).await.unwrap();
        let admin = std::fs::read_to_string(dir.path().join("admin.token"))
            .unwrap()
            .trim()
            .to_owned();
        TestServer {
            router: tracewell_server::app(state.clone()),
            dir,
            state,
            admin,
            recipient,
        }
    }

    /// The stored object of a segment.
    pub async fn object(&self, hash: &str) -> Option<Vec<u8>> {
        self.state
            .objects()
            .get(&tracewell_store::segment_object_key(hash))
            .await
            .unwrap()
            .map(|b| b.to_vec())
    }

    /// Every stored object key.
    pub async fn object_keys(&self) -> Vec<String> {
        self.state.objects().list("").await.unwrap()
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap();
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                panic!("response is not JSON: {}", String::from_utf8_lossy(&bytes))
            })
        };
        if (status.is_client_error() || status.is_server_error()) && !bytes.is_empty() {
            assert!(
                json["error"].as_str().is_some_and(|e| !e.is_empty()),
                "error bodies are {{\"error\": …}}: {json}"
            );
        }
        Reply {
            status,
            headers,
            json,
        }
    }

    pub fn admin_post(&self, path: &str, body: &Value) -> Request<Body> {
        Request::post(path)
            .header("authorization", format!("Bearer {}", self.admin))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    }

    pub async fn new_token(&self) -> String {
        let r = self
            .send(self.admin_post("/v1/admin/enrollment-tokens", &json!({"ttl_secs": 3600})))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        r.json["token"].as_str().unwrap().to_owned()
    }

    pub async fn enroll_key(&self, token: &str, key: &DeviceSigningKey) -> Reply {
        self.send(
            Request::post("/v1/enroll")
                .header("content-type", "application/json")
                .body(Body::from(
                    json!({"token": token, "device_key": key.verifying_key().to_string()})
                        .to_string(),
                ))
                .unwrap(),
        )
        .await
    }

    pub async fn enroll(&self) -> Device {
        let token = self.new_token().await;
        let key = DeviceSigningKey::generate().unwrap();
        let r = self.enroll_key(&token, &key).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        let id = r.json["device_id"].as_str().unwrap().to_owned();
        Device {
            signer: RequestSigner::new(id.clone(), &key),
            id,
            key,
        }
    }

    pub fn objects_dir(&self) -> PathBuf {
        self.dir.path().join("objects")
    }

    pub async fn segment_count(&self) -> usize {
        self.state
            .metadata()
            .list_segments(None, 100_000)
            .await
            .unwrap()
            .len()
    }

    pub async fn revoke(&self, device: &Device) {
        let r = self
            .send(self.admin_post(
                &format!("/v1/admin/devices/{}/revoke", device.id),
                &json!({}),
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    }
}

pub fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Seals `plaintext` for `device` (header device id = `header_device`).
pub fn seal_as(
    key: &DeviceSigningKey,
    header_device: &str,
    recipient: &RecipientIdentity,
    plaintext: &[u8],
) -> Vec<u8> {
    let mut id = [0u8; 16];
    getrandom::fill(&mut id).unwrap();
    let fields = HeaderFields {
        segment_id: SegmentId::from_bytes(id),
        device_id: header_device.to_owned(),
        subject_id: "subject-7c1e".into(),
        start_ns: 1_760_000_000_000_000_000,
    };
    let mut sealer =
        Sealer::new(Vec::new(), &[recipient.public_key().clone()], fields, key).unwrap();
    sealer.write_all(plaintext).unwrap();
    sealer.finish(1_760_000_060_000_000_000).unwrap().writer
}

pub fn seal(device: &Device, recipient: &RecipientIdentity, plaintext: &[u8]) -> Vec<u8> {
    seal_as(&device.key, &device.id, recipient, plaintext)
}

pub fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
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

/// A signed request from `device`.
pub fn signed(
    device: &Device,
    method: &str,
    path: &str,
    body: Vec<u8>,
    content_range: Option<&str>,
) -> Request<Body> {
    let headers = device
        .signer
        .sign(method, path, &content_hash(&body), content_range)
        .unwrap();
    let mut req = Request::builder().method(method).uri(path);
    for (k, v) in headers.pairs() {
        req = req.header(k, v);
    }
    if let Some(r) = content_range {
        req = req.header("content-range", r);
    }
    if !body.is_empty() || method == "PUT" {
        req = req.header("content-length", body.len());
    }
    req.body(Body::from(body)).unwrap()
}

pub fn segment_path(hash: &str) -> String {
    format!("/v1/segments/{hash}")
}
