//! In-process tests of every endpoint on embedded defaults (SQLite and a
//! local directory in a temp dir), through `app(state)` without a socket.

mod common;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::json;
use tracewell_protocol::{RequestSigner, content_hash, unix_now};
use tracewell_seal::DeviceSigningKey;
use tracewell_server::{Limits, hash_token};

// ---------------------------------------------------------------------------
// Enrollment and admin

async fn enrollment_token_works_once(ts: TestServer) {
    let token = ts.new_token().await;
    let key = DeviceSigningKey::generate().unwrap();
    let r = ts.enroll_key(&token, &key).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let device_id = r.json["device_id"].as_str().unwrap();
    assert!(device_id.starts_with("dev-"));
    assert_eq!(
        r.json["recipients"],
        json!([ts.recipient.public_key().to_string()])
    );
    let stored = ts
        .state
        .metadata()
        .device(device_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.device_key, key.verifying_key().to_string());

    // Reused token.
    let other = DeviceSigningKey::generate().unwrap();
    let r = ts.enroll_key(&token, &other).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error(), "enrollment token was already used");

    // The same key cannot enroll twice, and that leaves the token unused.
    let token2 = ts.new_token().await;
    let r = ts.enroll_key(&token2, &key).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        ts.enroll_key(&token2, &other).await.status,
        StatusCode::CREATED
    );
}

async fn expired_unknown_and_malformed_enrollments_are_refused(ts: TestServer) {
    let now = unix_now() as i64;
    ts.state
        .metadata()
        .add_enrollment_token(&hash_token("twenroll-old"), now - 100, now - 1)
        .await
        .unwrap();
    let key = DeviceSigningKey::generate().unwrap();
    let r = ts.enroll_key("twenroll-old", &key).await;
    assert_eq!(
        (r.status, r.error()),
        (StatusCode::UNAUTHORIZED, "enrollment token has expired")
    );
    let r = ts.enroll_key("twenroll-never-issued", &key).await;
    assert_eq!(
        (r.status, r.error()),
        (StatusCode::UNAUTHORIZED, "unknown enrollment token")
    );

    let token = ts.new_token().await;
    let post = |body: String| {
        Request::post("/v1/enroll")
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    for bad_key in [
        "tracewell-device-1:zz",
        "tracewell-recipient-1:0000000000000000000000000000000000000000000000000000000000000000",
        "",
    ] {
        let r = ts
            .send(post(
                json!({"token": token, "device_key": bad_key}).to_string(),
            ))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad_key}");
        assert!(r.error().contains("device_key"), "{}", r.error());
    }
    let r = ts.send(post("{\"token\": ".into())).await;
    assert_eq!(
        (r.status, r.error()),
        (StatusCode::BAD_REQUEST, "malformed JSON body")
    );
    let r = ts.send(post(json!({"token": token}).to_string())).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = ts
        .send(post(
            json!({"token": token, "device_key": key.verifying_key().to_string(), "extra": 1})
                .to_string(),
        ))
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused"
    );
    let r = ts
        .send(post(format!("{{\"token\": \"{}\"}}", "x".repeat(100_000))))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // None of that consumed the token or enrolled anyone.
    assert_eq!(
        ts.enroll_key(&token, &key).await.status,
        StatusCode::CREATED
    );
}

async fn admin_endpoints_need_the_admin_token(ts: TestServer) {
    let body = json!({"ttl_secs": 60}).to_string();
    let r = ts
        .send(
            Request::post("/v1/admin/enrollment-tokens")
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = ts
        .send(
            Request::post("/v1/admin/enrollment-tokens")
                .header("authorization", "Bearer twadm-wrong")
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (r.status, r.error()),
        (StatusCode::UNAUTHORIZED, "bad admin token")
    );
    let r = ts
        .send(
            Request::post("/v1/admin/enrollment-tokens")
                .header("authorization", format!("Basic {}", ts.admin))
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    for bad in [
        json!({"ttl_secs": 0}),
        json!({"ttl_secs": 99_999_999}),
        json!({"ttl": 5}),
    ] {
        let r = ts
            .send(ts.admin_post("/v1/admin/enrollment-tokens", &bad))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let r = ts
        .send(ts.admin_post("/v1/admin/devices/dev-nobody/revoke", &json!({})))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = ts
        .send(
            Request::post("/v1/admin/devices/dev-x/revoke")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // The token file is private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(ts.dir.path().join("admin.token"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

async fn unknown_paths_and_methods_are_json_errors(ts: TestServer) {
    let r = ts
        .send(Request::get("/v2/nothing").body(Body::empty()).unwrap())
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = ts
        .send(Request::delete("/v1/enroll").body(Body::empty()).unwrap())
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

async fn config_needs_a_signed_request(ts: TestServer) {
    let device = ts.enroll().await;
    let r = ts
        .send(signed(&device, "GET", "/v1/config", vec![], None))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["device_id"], device.id);
    assert_eq!(
        r.json["recipients"],
        json!([ts.recipient.public_key().to_string()])
    );
    assert!(r.json["server_time"].as_u64().unwrap().abs_diff(unix_now()) < 5);
    let r = ts
        .send(Request::get("/v1/config").body(Body::empty()).unwrap())
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.error().contains("X-Tracewell-Device"), "{}", r.error());
}

// ---------------------------------------------------------------------------
// Device authentication failures

fn with_date(device: &Device, method: &str, path: &str, date: u64) -> Request<Body> {
    let h = device
        .signer
        .sign_with(
            method,
            path,
            &content_hash(b""),
            None,
            date,
            "0123456789abcdef0123456789abcdef",
        )
        .unwrap();
    let mut req = Request::builder().method(method).uri(path);
    for (k, v) in h.pairs() {
        req = req.header(k, v);
    }
    req.body(Body::empty()).unwrap()
}

async fn device_auth_rejects_strangers_revoked_forgeries_stale_and_replays(ts: TestServer) {
    let device = ts.enroll().await;

    // Unknown device.
    let stranger_key = DeviceSigningKey::generate().unwrap();
    let stranger = Device {
        signer: RequestSigner::new("dev-0000", &stranger_key),
        id: "dev-0000".into(),
        key: stranger_key,
    };
    let r = ts
        .send(signed(&stranger, "GET", "/v1/config", vec![], None))
        .await;
    assert_eq!(
        (r.status, r.error()),
        (StatusCode::UNAUTHORIZED, "unknown device")
    );

    // Right device id, wrong key.
    let forger_key = DeviceSigningKey::generate().unwrap();
    let forger = Device {
        signer: RequestSigner::new(device.id.clone(), &forger_key),
        id: device.id.clone(),
        key: forger_key,
    };
    let r = ts
        .send(signed(&forger, "GET", "/v1/config", vec![], None))
        .await;
    assert_eq!(
        (r.status, r.error()),
        (StatusCode::UNAUTHORIZED, "bad request signature")
    );

    // Signed for another path.
    let mut req = signed(&device, "GET", "/v1/config", vec![], None);
    *req.uri_mut() = "/v1/config?x=1".parse().unwrap();
    assert_eq!(ts.send(req).await.status, StatusCode::UNAUTHORIZED);

    // Stale and future dates.
    for date in [unix_now() - 301, unix_now() + 301] {
        let r = ts.send(with_date(&device, "GET", "/v1/config", date)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.error().contains("clock skew"), "{}", r.error());
    }
    // Inside the window is fine.
    let r = ts
        .send(with_date(&device, "GET", "/v1/config", unix_now() - 250))
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // Replay: the same signed request twice.
    let first = signed(&device, "GET", "/v1/config", vec![], None);
    let (parts, _) = first.into_parts();
    let again = || {
        let mut b = Request::builder().method("GET").uri("/v1/config");
        for (k, v) in &parts.headers {
            b = b.header(k, v);
        }
        b.body(Body::empty()).unwrap()
    };
    assert_eq!(ts.send(again()).await.status, StatusCode::OK);
    let r = ts.send(again()).await;
    assert_eq!(
        (r.status, r.error()),
        (
            StatusCode::UNAUTHORIZED,
            "nonce already used (replayed request)"
        )
    );

    // Malformed headers.
    let mut req = signed(&device, "GET", "/v1/config", vec![], None);
    req.headers_mut()
        .insert("x-tracewell-signature", "abc".parse().unwrap());
    assert_eq!(ts.send(req).await.status, StatusCode::UNAUTHORIZED);
    let mut req = signed(&device, "GET", "/v1/config", vec![], None);
    req.headers_mut()
        .insert("x-tracewell-date", "yesterday".parse().unwrap());
    assert_eq!(ts.send(req).await.status, StatusCode::UNAUTHORIZED);

    // Revoked.
    ts.revoke(&device).await;
    let r = ts
        .send(signed(&device, "GET", "/v1/config", vec![], None))
        .await;
    assert_eq!(
        (r.status, r.error()),
        (StatusCode::FORBIDDEN, "device is revoked")
    );
}

// ---------------------------------------------------------------------------
// Ingest

async fn ingest_stores_object_and_metadata_and_is_idempotent(ts: TestServer) {
    let device = ts.enroll().await;
    for (n, size) in [(0u64, 10_000usize), (1, 3_000_000)] {
        // Small segments are checked in memory, large ones via a staging file.
        let sealed = seal(&device, &ts.recipient, &pseudo_random(size, n));
        let hash = content_hash(&sealed);
        let r = ts
            .send(signed(
                &device,
                "PUT",
                &segment_path(&hash),
                sealed.clone(),
                None,
            ))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        assert_eq!(r.json, json!({"hash": hash, "stored": true}));

        assert_eq!(
            ts.object(&hash).await.unwrap(),
            sealed,
            "object bytes equal the upload"
        );
        let row = ts.state.metadata().segment(&hash).await.unwrap().unwrap();
        let info = tracewell_seal::inspect(&sealed[..]).unwrap();
        assert_eq!(row.device_id, device.id);
        assert_eq!(row.segment_id, info.header.segment_id.to_string());
        assert_eq!(row.subject_id, "subject-7c1e");
        assert_eq!(row.start_ns as u64, info.header.start_ns);
        assert_eq!(row.end_ns as u64, info.end_ns);
        assert_eq!(row.size as usize, sealed.len());
        assert!(row.received_at.abs_diff(unix_now() as i64) < 5);

        // Re-upload: 200, same body, nothing new.
        let r = ts
            .send(signed(
                &device,
                "PUT",
                &segment_path(&hash),
                sealed.clone(),
                None,
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json, json!({"hash": hash, "stored": true}));

        let r = ts
            .send(signed(
                &device,
                "GET",
                &format!("/v1/segments/{hash}/status"),
                vec![],
                None,
            ))
            .await;
        assert_eq!(
            r.json,
            json!({"hash": hash, "stored": true, "offset": sealed.len()})
        );
        let r = ts
            .send(signed(&device, "HEAD", &segment_path(&hash), vec![], None))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.offset(), Some(sealed.len() as u64));
    }
    assert_eq!(ts.segment_count().await, 2);
    assert_eq!(ts.object_keys().await.len(), 2);
    // Nothing is left in staging.
    let mut staged = Vec::new();
    walk(&ts.dir.path().join("uploads"), &mut staged);
    assert!(staged.is_empty(), "{staged:?}");

    // Another device cannot claim a stored segment.
    let other = ts.enroll().await;
    let hash = ts.state.metadata().list_segments(None, 1).await.unwrap()[0]
        .hash
        .clone();
    let r = ts
        .send(signed(
            &other,
            "PUT",
            &segment_path(&hash),
            b"x".to_vec(),
            None,
        ))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

async fn assert_nothing_stored(ts: &TestServer) {
    assert_eq!(ts.segment_count().await, 0, "no metadata row");
    let keys = ts.object_keys().await;
    assert!(keys.is_empty(), "no object: {keys:?}");
}

fn small_limits() -> Limits {
    Limits {
        max_segment_bytes: 200_000,
        ..Limits::default()
    }
}

async fn every_bad_upload_is_a_clear_4xx_and_stores_nothing(ts: TestServer) {
    let device = ts.enroll().await;
    let other = ts.enroll().await;
    let good = seal(&device, &ts.recipient, b"a redacted segment");
    let good_hash = content_hash(&good);

    let check = |r: Reply, status: StatusCode, needle: &str| {
        assert_eq!(r.status, status, "{}", r.json);
        assert!(
            r.error().contains(needle),
            "{:?} lacks {needle:?}",
            r.error()
        );
    };

    // Unknown device, bad signature, stale date: as for every endpoint.
    let stranger_key = DeviceSigningKey::generate().unwrap();
    let stranger = Device {
        signer: RequestSigner::new("dev-ffff", &stranger_key),
        id: "dev-ffff".into(),
        key: stranger_key,
    };
    let sealed_by_stranger = seal(&stranger, &ts.recipient, b"x");
    check(
        ts.send(signed(
            &stranger,
            "PUT",
            &segment_path(&content_hash(&sealed_by_stranger)),
            sealed_by_stranger,
            None,
        ))
        .await,
        StatusCode::UNAUTHORIZED,
        "unknown device",
    );
    let forger = Device {
        signer: RequestSigner::new(device.id.clone(), &other.key),
        id: device.id.clone(),
        key: other.key.clone(),
    };
    check(
        ts.send(signed(
            &forger,
            "PUT",
            &segment_path(&good_hash),
            good.clone(),
            None,
        ))
        .await,
        StatusCode::UNAUTHORIZED,
        "signature",
    );
    let h = device
        .signer
        .sign_with(
            "PUT",
            &segment_path(&good_hash),
            &good_hash,
            None,
            unix_now() - 1000,
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        )
        .unwrap();
    let mut req = Request::put(segment_path(&good_hash));
    for (k, v) in h.pairs() {
        req = req.header(k, v);
    }
    check(
        ts.send(req.body(Body::from(good.clone())).unwrap()).await,
        StatusCode::UNAUTHORIZED,
        "clock skew",
    );

    // Wrong hash in the URL (the body is a valid sealed segment).
    let wrong = content_hash(b"something else");
    check(
        ts.send(signed(
            &device,
            "PUT",
            &segment_path(&wrong),
            good.clone(),
            None,
        ))
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "do not hash to the segment hash",
    );
    // Malformed hash in the URL.
    check(
        ts.send(signed(
            &device,
            "PUT",
            "/v1/segments/ABC",
            good.clone(),
            None,
        ))
        .await,
        StatusCode::BAD_REQUEST,
        "64 lowercase hex",
    );
    // A body that is not sealed.
    let junk = pseudo_random(5_000, 9);
    check(
        ts.send(signed(
            &device,
            "PUT",
            &segment_path(&content_hash(&junk)),
            junk,
            None,
        ))
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not a valid sealed segment",
    );
    // A truncated sealed segment.
    let cut = good[..good.len() - 10].to_vec();
    check(
        ts.send(signed(
            &device,
            "PUT",
            &segment_path(&content_hash(&cut)),
            cut,
            None,
        ))
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "truncated",
    );
    // A flipped byte in the ciphertext.
    let mut flipped = good.clone();
    let mid = flipped.len() - 80;
    flipped[mid] ^= 1;
    check(
        ts.send(signed(
            &device,
            "PUT",
            &segment_path(&content_hash(&flipped)),
            flipped,
            None,
        ))
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not a valid sealed segment",
    );
    // A segment sealed and signed by another (enrolled) device.
    let theirs = seal(&other, &ts.recipient, b"theirs");
    check(
        ts.send(signed(
            &device,
            "PUT",
            &segment_path(&content_hash(&theirs)),
            theirs,
            None,
        ))
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "signed by a different device key",
    );
    // Signed with this device's key but naming another device in its header.
    let misnamed = seal_as(&device.key, &other.id, &ts.recipient, b"misnamed");
    check(
        ts.send(signed(
            &device,
            "PUT",
            &segment_path(&content_hash(&misnamed)),
            misnamed,
            None,
        ))
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "names a different device",
    );
    // A body that differs from the signed content hash.
    let mut req = signed(
        &device,
        "PUT",
        &segment_path(&good_hash),
        good.clone(),
        None,
    );
    *req.body_mut() = Body::from(junk_of(good.len()));
    check(
        ts.send(req).await,
        StatusCode::BAD_REQUEST,
        "X-Tracewell-Content-Hash",
    );
    // Oversized: declared and undeclared length.
    let big = seal(&device, &ts.recipient, &pseudo_random(300_000, 1));
    let big_hash = content_hash(&big);
    check(
        ts.send(signed(
            &device,
            "PUT",
            &segment_path(&big_hash),
            big.clone(),
            None,
        ))
        .await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "larger",
    );
    let mut req = signed(&device, "PUT", &segment_path(&big_hash), vec![], None);
    req.headers_mut().remove("content-length");
    let hdrs = device
        .signer
        .sign("PUT", &segment_path(&big_hash), &big_hash, None)
        .unwrap();
    for (k, v) in hdrs.pairs() {
        req.headers_mut().insert(k, v.parse().unwrap());
    }
    let chunks: Vec<Result<Bytes, std::io::Error>> = big
        .chunks(16_384)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    *req.body_mut() = Body::from_stream(futures_util::stream::iter(chunks));
    check(ts.send(req).await, StatusCode::PAYLOAD_TOO_LARGE, "larger");
    // Oversized resumable upload.
    let range = format!("bytes 0-99/{}", big.len());
    check(
        ts.send(signed(
            &device,
            "PUT",
            &segment_path(&big_hash),
            big[..100].to_vec(),
            Some(&range),
        ))
        .await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "larger",
    );
    // Malformed Content-Range.
    check(
        ts.send(signed(
            &device,
            "PUT",
            &segment_path(&good_hash),
            good.clone(),
            Some("bytes 0-5"),
        ))
        .await,
        StatusCode::BAD_REQUEST,
        "Content-Range",
    );
    // Revoked device.
    ts.revoke(&device).await;
    check(
        ts.send(signed(
            &device,
            "PUT",
            &segment_path(&good_hash),
            good.clone(),
            None,
        ))
        .await,
        StatusCode::FORBIDDEN,
        "revoked",
    );
    check(
        ts.send(signed(
            &device,
            "HEAD",
            &segment_path(&good_hash),
            vec![],
            None,
        ))
        .await,
        StatusCode::FORBIDDEN,
        "",
    );
    assert_nothing_stored(&ts).await;
    let mut staged = Vec::new();
    walk(&ts.dir.path().join("uploads"), &mut staged);
    assert!(staged.is_empty(), "{staged:?}");
}

fn junk_of(n: usize) -> Vec<u8> {
    pseudo_random(n, 77)
}

async fn replayed_upload_is_refused(ts: TestServer) {
    let device = ts.enroll().await;
    let sealed = seal(&device, &ts.recipient, b"once");
    let hash = content_hash(&sealed);
    let req = signed(&device, "PUT", &segment_path(&hash), sealed.clone(), None);
    let headers = req.headers().clone();
    assert_eq!(ts.send(req).await.status, StatusCode::CREATED);
    let mut replay = Request::put(segment_path(&hash))
        .body(Body::from(sealed))
        .unwrap();
    *replay.headers_mut() = headers;
    let r = ts.send(replay).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.error().contains("replayed"));
}

// ---------------------------------------------------------------------------
// Resumable uploads

fn part(device: &Device, hash: &str, sealed: &[u8], first: usize, last: usize) -> Request<Body> {
    let range = format!("bytes {first}-{last}/{}", sealed.len());
    signed(
        device,
        "PUT",
        &segment_path(hash),
        sealed[first..=last].to_vec(),
        Some(&range),
    )
}

async fn held(ts: &TestServer, device: &Device, hash: &str) -> (StatusCode, u64) {
    let r = ts
        .send(signed(device, "HEAD", &segment_path(hash), vec![], None))
        .await;
    (r.status, r.offset().unwrap())
}

async fn resumable_upload_in_three_parts(ts: TestServer) {
    let device = ts.enroll().await;
    let sealed = seal(&device, &ts.recipient, &pseudo_random(2_500_000, 3));
    let hash = content_hash(&sealed);
    let n = sealed.len();
    let cuts = [0, n / 3, 2 * n / 3, n];

    assert_eq!(held(&ts, &device, &hash).await, (StatusCode::NOT_FOUND, 0));
    for i in 0..3 {
        let r = ts
            .send(part(&device, &hash, &sealed, cuts[i], cuts[i + 1] - 1))
            .await;
        if i < 2 {
            assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
            assert_eq!(
                r.json,
                json!({"hash": hash, "stored": false, "offset": cuts[i + 1]})
            );
            assert_eq!(r.offset(), Some(cuts[i + 1] as u64));
            assert_eq!(
                held(&ts, &device, &hash).await,
                (StatusCode::NOT_FOUND, cuts[i + 1] as u64)
            );
            assert_eq!(ts.segment_count().await, 0);
        } else {
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
            assert_eq!(r.json, json!({"hash": hash, "stored": true}));
        }
    }
    assert_eq!(held(&ts, &device, &hash).await, (StatusCode::OK, n as u64));
    assert_eq!(ts.object(&hash).await.unwrap(), sealed);
    assert_eq!(ts.segment_count().await, 1);
    // A late part of a finished upload is answered as stored.
    let r = ts.send(part(&device, &hash, &sealed, 0, 9)).await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn resuming_after_an_interrupted_part(ts: TestServer) {
    let device = ts.enroll().await;
    let sealed = seal(&device, &ts.recipient, &pseudo_random(900_000, 4));
    let hash = content_hash(&sealed);
    let n = sealed.len();
    let (a, b) = (n / 3, 2 * n / 3);

    assert_eq!(
        ts.send(part(&device, &hash, &sealed, 0, a - 1))
            .await
            .status,
        StatusCode::ACCEPTED
    );

    // Part two is cut off half way: the server keeps none of it.
    let range = format!("bytes {a}-{}/{n}", b - 1);
    let mut req = signed(
        &device,
        "PUT",
        &segment_path(&hash),
        sealed[a..b].to_vec(),
        Some(&range),
    );
    let half = Bytes::copy_from_slice(&sealed[a..a + (b - a) / 2]);
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        vec![Ok(half), Err(std::io::Error::other("connection reset"))];
    *req.body_mut() = Body::from_stream(futures_util::stream::iter(chunks));
    let r = ts.send(req).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.json);
    assert_eq!(
        held(&ts, &device, &hash).await,
        (StatusCode::NOT_FOUND, a as u64)
    );

    // A part at the wrong offset is refused with the offset to resume from.
    let r = ts.send(part(&device, &hash, &sealed, b, n - 1)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.offset(), Some(a as u64));

    // A part whose body does not match its signature is discarded.
    let mut req = part(&device, &hash, &sealed, a, b - 1);
    *req.body_mut() = Body::from(junk_of(b - a));
    assert_eq!(ts.send(req).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(held(&ts, &device, &hash).await.1, a as u64);

    // Resume.
    assert_eq!(
        ts.send(part(&device, &hash, &sealed, a, b - 1))
            .await
            .status,
        StatusCode::ACCEPTED
    );
    let r = ts.send(part(&device, &hash, &sealed, b, n - 1)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(ts.object(&hash).await.unwrap(), sealed);
}

async fn upload_held_in_full_but_unchecked_completes_on_any_part(ts: TestServer) {
    let device = ts.enroll().await;
    let sealed = seal(&device, &ts.recipient, &pseudo_random(300_000, 6));
    let hash = content_hash(&sealed);
    let n = sealed.len();
    // As if the collector stopped after receiving the final part.
    let dir = ts.dir.path().join("uploads/parts").join(&device.id);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{hash}.part")), &sealed).unwrap();
    assert_eq!(
        held(&ts, &device, &hash).await,
        (StatusCode::NOT_FOUND, n as u64)
    );
    let r = ts
        .send(part(&device, &hash, &sealed, n - 1000, n - 1))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(ts.object(&hash).await.unwrap(), sealed);
    assert_eq!(held(&ts, &device, &hash).await, (StatusCode::OK, n as u64));
}

async fn assembled_upload_that_fails_checks_is_discarded(ts: TestServer) {
    let device = ts.enroll().await;
    let sealed = seal(&device, &ts.recipient, &pseudo_random(100_000, 5));
    // Parts are individually signed, but the whole does not hash to the URL.
    let wrong = content_hash(b"not this");
    let n = sealed.len();
    assert_eq!(
        ts.send(part(&device, &wrong, &sealed, 0, n / 2))
            .await
            .status,
        StatusCode::ACCEPTED
    );
    let r = ts
        .send(part(&device, &wrong, &sealed, n / 2 + 1, n - 1))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    assert_eq!(held(&ts, &device, &wrong).await, (StatusCode::NOT_FOUND, 0));
    // Junk that hashes right but is not sealed.
    let junk = junk_of(50_000);
    let jh = content_hash(&junk);
    assert_eq!(
        ts.send(part(&device, &jh, &junk, 0, 999)).await.status,
        StatusCode::ACCEPTED
    );
    let r = ts
        .send(part(&device, &jh, &junk, 1000, junk.len() - 1))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_nothing_stored(&ts).await;
}

// ---------------------------------------------------------------------------
// Each scenario runs on embedded defaults, and on PostgreSQL + S3 when
// TRACEWELL_TEST_POSTGRES_URL and TRACEWELL_TEST_S3_URL are set.

macro_rules! scenarios {
    ($($name:ident => $limits:expr),* $(,)?) => {
        mod embedded {
            use super::*;
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name(TestServer::embedded($limits).await).await;
            })*
        }
        mod scale_out {
            use super::*;
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(ts) = TestServer::scale_out($limits).await else { return };
                super::$name(ts).await;
            })*
        }
    };
}

scenarios! {
    enrollment_token_works_once => Limits::default(),
    expired_unknown_and_malformed_enrollments_are_refused => Limits::default(),
    admin_endpoints_need_the_admin_token => Limits::default(),
    unknown_paths_and_methods_are_json_errors => Limits::default(),
    config_needs_a_signed_request => Limits::default(),
    device_auth_rejects_strangers_revoked_forgeries_stale_and_replays => Limits::default(),
    ingest_stores_object_and_metadata_and_is_idempotent => Limits::default(),
    replayed_upload_is_refused => Limits::default(),
    resumable_upload_in_three_parts => Limits::default(),
    resuming_after_an_interrupted_part => Limits::default(),
    assembled_upload_that_fails_checks_is_discarded => Limits::default(),
    upload_held_in_full_but_unchecked_completes_on_any_part => Limits::default(),
    every_bad_upload_is_a_clear_4xx_and_stores_nothing => small_limits(),
}
