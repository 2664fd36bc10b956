//! The collector through a real socket on 127.0.0.1 with a real HTTP
//! client: plain HTTP, and HTTPS with a throwaway certificate.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use tracewell_protocol::{RequestSigner, content_hash};
use tracewell_seal::{DeviceSigningKey, RecipientIdentity};
use tracewell_server::{Server, ServerConfig, TlsConfig};

struct Client {
    agent: ureq::Agent,
    base: String,
}

struct Answer {
    status: u16,
    offset: Option<u64>,
    json: Value,
}

impl Client {
    fn new(base: String, tls: Option<ureq::tls::TlsConfig>) -> Self {
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)));
        if let Some(tls) = tls {
            config = config.tls_config(tls);
        }
        Client {
            agent: config.build().into(),
            base,
        }
    }

    fn answer(mut resp: ureq::http::Response<ureq::Body>) -> Answer {
        let status = resp.status().as_u16();
        let offset = resp
            .headers()
            .get("upload-offset")
            .and_then(|v| v.to_str().ok()?.parse().ok());
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            offset,
            json,
        }
    }

    fn post_json(&self, path: &str, bearer: Option<&str>, body: &Value) -> Answer {
        let mut req = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json");
        if let Some(token) = bearer {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        Self::answer(req.send(body.to_string().as_bytes()).unwrap())
    }

    fn signed(
        &self,
        signer: &RequestSigner,
        method: &str,
        path: &str,
        body: &[u8],
        range: Option<&str>,
    ) -> Answer {
        let h = signer
            .sign(method, path, &content_hash(body), range)
            .unwrap();
        let url = format!("{}{path}", self.base);
        let resp = match method {
            "PUT" => {
                let mut req = self.agent.put(&url);
                for (k, v) in h.pairs() {
                    req = req.header(k, v);
                }
                if let Some(r) = range {
                    req = req.header("content-range", r);
                }
                req.send(body)
            }
            "HEAD" => {
                let mut req = self.agent.head(&url);
                for (k, v) in h.pairs() {
                    req = req.header(k, v);
                }
                req.call()
            }
            _ => {
                let mut req = self.agent.get(&url);
                for (k, v) in h.pairs() {
                    req = req.header(k, v);
                }
                req.call()
            }
        };
        Self::answer(resp.unwrap())
    }
}

async fn start(
    config: ServerConfig,
) -> (
    std::net::SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let server = Server::bind(config).await.unwrap();
    let addr = server.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        server
            .run(async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    (addr, stop, task)
}

/// Enroll, config, one-shot and resumable uploads, status, HEAD.
fn exercise(client: &Client, admin: &str, recipient: &RecipientIdentity) {
    let r = client.post_json(
        "/v1/admin/enrollment-tokens",
        Some(admin),
        &json!({"ttl_secs": 60}),
    );
    assert_eq!(r.status, 201, "{}", r.json);
    let token = r.json["token"].as_str().unwrap().to_owned();
    let key = DeviceSigningKey::generate().unwrap();
    let r = client.post_json(
        "/v1/enroll",
        None,
        &json!({"token": token, "device_key": key.verifying_key().to_string()}),
    );
    assert_eq!(r.status, 201, "{}", r.json);
    let device_id = r.json["device_id"].as_str().unwrap().to_owned();
    let signer = RequestSigner::new(device_id.clone(), &key);
    let device = Device {
        id: device_id,
        key,
        signer,
    };

    let r = client.signed(&device.signer, "GET", "/v1/config", b"", None);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json["recipients"],
        json!([recipient.public_key().to_string()])
    );

    let sealed = seal(&device, recipient, &pseudo_random(1_500_000, 11));
    let hash = content_hash(&sealed);
    let path = segment_path(&hash);
    let r = client.signed(&device.signer, "PUT", &path, &sealed, None);
    assert_eq!(
        (r.status, &r.json),
        (201, &json!({"hash": hash, "stored": true}))
    );
    let r = client.signed(&device.signer, "PUT", &path, &sealed, None);
    assert_eq!(r.status, 200);
    let r = client.signed(&device.signer, "GET", &format!("{path}/status"), b"", None);
    assert_eq!(r.json["stored"], json!(true));

    let sealed = seal(&device, recipient, &pseudo_random(700_000, 12));
    let hash = content_hash(&sealed);
    let path = segment_path(&hash);
    let n = sealed.len();
    let r = client.signed(&device.signer, "HEAD", &path, b"", None);
    assert_eq!((r.status, r.offset), (404, Some(0)));
    let range = format!("bytes 0-{}/{n}", n / 2 - 1);
    let r = client.signed(&device.signer, "PUT", &path, &sealed[..n / 2], Some(&range));
    assert_eq!((r.status, r.offset), (202, Some(n as u64 / 2)));
    let r = client.signed(&device.signer, "HEAD", &path, b"", None);
    assert_eq!((r.status, r.offset), (404, Some(n as u64 / 2)));
    let range = format!("bytes {}-{}/{n}", n / 2, n - 1);
    let r = client.signed(&device.signer, "PUT", &path, &sealed[n / 2..], Some(&range));
    assert_eq!(r.status, 201, "{}", r.json);
    let r = client.signed(&device.signer, "HEAD", &path, b"", None);
    assert_eq!((r.status, r.offset), (200, Some(n as u64)));

    // An error through the socket is JSON too.
    let r = client.signed(
        &device.signer,
        "PUT",
        &segment_path(&content_hash(b"x")),
        b"junk",
        None,
    );
    assert_eq!(r.status, 422);
    assert!(r.json["error"].as_str().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn end_to_end_over_plain_http_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let recipient = RecipientIdentity::generate().unwrap();
    let config = config_in(dir.path(), &recipient);
    let (addr, stop, task) = start(config).await;
    assert!(addr.ip().is_loopback() && addr.port() != 0);
    let admin = std::fs::read_to_string(dir.path().join("admin.token")).unwrap();
    let admin = admin.trim().to_owned();
    let client = Client::new(format!("http://{addr}"), None);
    tokio::task::spawn_blocking(move || exercise(&client, &admin, &recipient))
        .await
        .unwrap();
    let _ = stop.send(());
    task.await.unwrap();
    // Objects landed on disk.
    let mut files = Vec::new();
    walk(&dir.path().join("objects/segments"), &mut files);
    assert_eq!(files.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn end_to_end_over_https() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output();
    match made {
        Ok(out) if out.status.success() => {}
        _ => {
            println!("skipped: the openssl command is needed to make a test certificate");
            return;
        }
    }
    let recipient = RecipientIdentity::generate().unwrap();
    let mut config = config_in(dir.path(), &recipient);
    config.tls = Some(TlsConfig {
        cert: cert.clone(),
        key,
    });
    let (addr, stop, task) = start(config).await;
    let admin = std::fs::read_to_string(dir.path().join("admin.token")).unwrap();
    let admin = admin.trim().to_owned();
    let pem = std::fs::read(&cert).unwrap();
    let root = ureq::tls::Certificate::from_pem(&pem).unwrap();
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![root])))
        .build();
    let client = Client::new(format!("https://localhost:{}", addr.port()), Some(tls));
    tokio::task::spawn_blocking(move || {
        exercise(&client, &admin, &recipient);
        // Plain HTTP to the TLS port gets no answer.
        let plain = Client::new(format!("http://{addr}"), None);
        assert!(
            plain
                .agent
                .get(format!("{}/v1/config", plain.base))
                .call()
                .is_err()
        );
    })
    .await
    .unwrap();
    let _ = stop.send(());
    task.await.unwrap();
}
