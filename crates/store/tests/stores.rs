//! Contract tests run against every backend: the embedded defaults always,
//! PostgreSQL and S3 when `TRACEWELL_TEST_POSTGRES_URL` /
//! `TRACEWELL_TEST_S3_URL` are set (scripts/test-services/ starts both).

use std::sync::Arc;

use bytes::Bytes;
use tracewell_store::*;

fn unique(tag: &str) -> String {
    let mut raw = [0u8; 8];
    getrandom::fill(&mut raw).unwrap();
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    format!("{tag}-{hex}")
}

fn env_or_skip(var: &str, script: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            println!("skipped: set {var} (scripts/test-services/{script}) to run this test");
            None
        }
    }
}

async fn object_contract(store: &dyn ObjectStore) {
    let base = unique("contract");
    let a = format!("{base}/ab/one.seal");
    let b = format!("{base}/ab/two.seal");
    let c = format!("{base}/abc/three.seal");

    assert_eq!(store.get(&a).await.unwrap(), None);
    assert_eq!(store.head(&a).await.unwrap(), None);
    assert!(!store.exists(&a).await.unwrap());

    store.put(&a, Bytes::from_static(b"first")).await.unwrap();
    assert_eq!(store.get(&a).await.unwrap().unwrap(), &b"first"[..]);
    assert_eq!(store.head(&a).await.unwrap(), Some(5));
    store.put(&a, Bytes::from_static(b"again")).await.unwrap();
    assert_eq!(store.get(&a).await.unwrap().unwrap(), &b"again"[..]);

    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("upload");
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&src, &big).unwrap();
    store.put_file(&b, &src).await.unwrap();
    assert!(!src.exists(), "put_file consumes its source");
    assert_eq!(store.get(&b).await.unwrap().unwrap(), &big[..]);
    store.put(&c, Bytes::new()).await.unwrap();
    assert_eq!(store.head(&c).await.unwrap(), Some(0));

    assert_eq!(
        store.list(&format!("{base}/ab")).await.unwrap(),
        vec![a.clone(), b.clone()],
        "segment-wise prefix"
    );
    assert_eq!(store.list(&format!("{base}/")).await.unwrap().len(), 3);
    assert!(store.list(&unique("none")).await.unwrap().is_empty());

    store.delete(&a).await.unwrap();
    store.delete(&a).await.unwrap();
    assert_eq!(store.get(&a).await.unwrap(), None);

    for bad in ["", "../x", "a//b", ".tmp/x", "a b"] {
        assert!(
            matches!(
                store.put(bad, Bytes::new()).await,
                Err(Error::InvalidKey { .. })
            ),
            "{bad:?}"
        );
        assert!(store.get(bad).await.is_err());
    }
    store.delete(&b).await.unwrap();
    store.delete(&c).await.unwrap();
}

fn device(id: &str) -> DeviceRecord {
    DeviceRecord {
        device_id: id.to_owned(),
        device_key: format!("tracewell-device-1:{}", unique("k")),
        enrolled_at: 1_000,
        revoked_at: None,
    }
}

fn segment(hash: &str, device_id: &str) -> SegmentRecord {
    SegmentRecord {
        hash: hash.to_owned(),
        segment_id: "00".repeat(16),
        device_id: device_id.to_owned(),
        subject_id: "subject-x".into(),
        start_ns: 1,
        end_ns: i64::MAX,
        size: 123,
        object_key: segment_object_key(hash),
        received_at: 2_000,
    }
}

async fn metadata_contract(store: &dyn MetadataStore) {
    let t1 = unique("tok");
    let t2 = unique("tok");
    let d1 = device(&unique("dev"));
    let d2 = device(&unique("dev"));
    store.add_enrollment_token(&t1, 100, 200).await.unwrap();
    store.add_enrollment_token(&t2, 100, 150).await.unwrap();
    assert!(
        store.add_enrollment_token(&t1, 100, 200).await.is_err(),
        "duplicate token hash"
    );

    assert_eq!(
        store.enroll(&unique("tok"), 120, &d1).await.unwrap(),
        EnrollOutcome::UnknownToken
    );
    assert_eq!(
        store.enroll(&t2, 150, &d1).await.unwrap(),
        EnrollOutcome::ExpiredToken
    );
    assert_eq!(
        store.enroll(&t1, 120, &d1).await.unwrap(),
        EnrollOutcome::Enrolled
    );
    assert_eq!(
        store.enroll(&t1, 121, &d2).await.unwrap(),
        EnrollOutcome::UsedToken
    );
    assert_eq!(store.device(&d2.device_id).await.unwrap(), None);

    // A key that is already enrolled leaves the token unused.
    let t3 = unique("tok");
    store.add_enrollment_token(&t3, 100, 1_000).await.unwrap();
    let mut same_key = device(&unique("dev"));
    same_key.device_key = d1.device_key.clone();
    assert_eq!(
        store.enroll(&t3, 120, &same_key).await.unwrap(),
        EnrollOutcome::AlreadyEnrolled
    );
    assert_eq!(
        store.enroll(&t3, 120, &d2).await.unwrap(),
        EnrollOutcome::Enrolled
    );

    assert_eq!(store.device(&d1.device_id).await.unwrap(), Some(d1.clone()));
    assert_eq!(
        store.revoke_device(&d1.device_id, 500).await.unwrap(),
        Some(500)
    );
    assert_eq!(
        store.revoke_device(&d1.device_id, 600).await.unwrap(),
        Some(500)
    );
    assert_eq!(
        store.revoke_device(&unique("nobody"), 600).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .device(&d1.device_id)
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(500)
    );

    let n = unique("n");
    assert!(store.use_nonce(&d2.device_id, &n, 1_000, 0).await.unwrap());
    assert!(!store.use_nonce(&d2.device_id, &n, 1_001, 0).await.unwrap());
    assert!(
        store.use_nonce(&d1.device_id, &n, 1_001, 0).await.unwrap(),
        "per device"
    );

    let h1 = unique("h");
    assert_eq!(store.segment(&h1).await.unwrap(), None);
    let s1 = segment(&h1, &d2.device_id);
    assert!(store.insert_segment(&s1).await.unwrap());
    assert!(!store.insert_segment(&s1).await.unwrap(), "idempotent");
    assert_eq!(store.segment(&h1).await.unwrap(), Some(s1.clone()));
    assert!(
        store
            .insert_segment(&segment(&unique("h"), &unique("ghost")))
            .await
            .is_err(),
        "segments need an enrolled device"
    );
    let listed = store.list_segments(None, 10_000).await.unwrap();
    assert!(listed.contains(&s1));
    let after = store.list_segments(Some(&h1), 10_000).await.unwrap();
    assert!(after.iter().all(|s| s.hash > h1));
}

#[tokio::test]
async fn local_dir_store_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalDirStore::open(dir.path()).unwrap();
    object_contract(&store).await;
    // Leftover temp files are cleared on open and never listed.
    store
        .put("segments/ab/x.seal", Bytes::from_static(b"x"))
        .await
        .unwrap();
    let stale = dir.path().join("segments/ab/.tmp-0123");
    std::fs::write(&stale, b"half").unwrap();
    assert_eq!(
        store.list("").await.unwrap(),
        vec!["segments/ab/x.seal".to_owned()]
    );
    LocalDirStore::open(dir.path()).unwrap();
    assert!(!stale.exists());
    assert!(dir.path().join("segments/ab/x.seal").exists());
}

#[tokio::test]
async fn sqlite_store_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("meta.sqlite")).unwrap();
    metadata_contract(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_group_commit_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("meta.sqlite");
    let store = Arc::new(SqliteStore::open(&path).unwrap());
    let d = device("dev-1");
    store.add_enrollment_token("t", 0, 100).await.unwrap();
    assert_eq!(
        store.enroll("t", 1, &d).await.unwrap(),
        EnrollOutcome::Enrolled
    );
    let mut tasks = Vec::new();
    for i in 0..400 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let hash = format!("{i:064x}");
            // Every write of a group succeeds or fails on its own.
            assert!(
                store
                    .insert_segment(&segment(&hash, "dev-1"))
                    .await
                    .unwrap()
            );
            assert!(
                store
                    .insert_segment(&segment(&format!("x{i}"), "ghost"))
                    .await
                    .is_err()
            );
            assert!(store.use_nonce("dev-1", &hash, 10, 0).await.unwrap());
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    drop(store);
    let again = SqliteStore::open(&path).unwrap();
    assert_eq!(again.list_segments(None, 1000).await.unwrap().len(), 400);
    assert!(
        !again
            .use_nonce("dev-1", &format!("{:064x}", 7), 11, 0)
            .await
            .unwrap()
    );
    // Migrations were recorded once.
    assert_eq!(rusqlite_count(&path), 1);
}

fn rusqlite_count(path: &std::path::Path) -> i64 {
    let again = SqliteStore::open(path).unwrap();
    drop(again);
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn postgres_store_contract() {
    let Some(url) = env_or_skip("TRACEWELL_TEST_POSTGRES_URL", "start-postgres.sh") else {
        return;
    };
    let store = PostgresStore::connect(&url, 4).await.unwrap();
    metadata_contract(&store).await;
    // Connecting again finds the migrations applied.
    PostgresStore::connect(&url, 2).await.unwrap();
}

#[tokio::test]
async fn s3_store_contract() {
    let Some(url) = env_or_skip("TRACEWELL_TEST_S3_URL", "start-s3.sh") else {
        return;
    };
    let store = S3Store::from_url(&url).unwrap();
    object_contract(&store).await;
}

#[tokio::test]
async fn bad_database_urls_are_clear_errors() {
    let err = PostgresStore::connect("postgres://u@/db?port=notaport", 1)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
}
