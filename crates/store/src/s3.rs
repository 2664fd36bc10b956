//! [`S3Store`]: objects in a bucket of any S3-compatible service.
//!
//! Configured by a URL (see [`S3Config::from_url`]):
//!
//! ```text
//! s3://<bucket>[/<key prefix>]?endpoint=http://127.0.0.1:8333&region=us-east-1
//!     [&access_key_id=…&secret_access_key=…]
//! ```
//!
//! Credentials not in the URL come from `AWS_ACCESS_KEY_ID` and
//! `AWS_SECRET_ACCESS_KEY`. Requests use path-style addressing; plain
//! `http://` endpoints are allowed (for a store on the same machine), and
//! `https://` endpoints use rustls with the ring provider. Every key is
//! stored as `<key prefix>/<key>`. A single S3 PUT is atomic and durable
//! when acknowledged, which gives the [`ObjectStore`] guarantees directly;
//! large files go up as multipart uploads, which S3 also publishes
//! atomically on completion.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStoreExt, PutPayload};
use tokio::io::AsyncWriteExt;

use crate::error::{Error, Result};
use crate::object::{ObjectStore, validate_key, validate_prefix};

/// Connection settings of an [`S3Store`].
#[derive(Clone, PartialEq, Eq)]
pub struct S3Config {
    /// Bucket name.
    pub bucket: String,
    /// Key prefix inside the bucket (no leading or trailing `/`), may be empty.
    pub prefix: String,
    /// Endpoint URL, e.g. `http://127.0.0.1:8333`; `None` for AWS itself.
    pub endpoint: Option<String>,
    /// Region name (any value for most S3-compatible services).
    pub region: String,
    /// Access key id; `None` reads `AWS_ACCESS_KEY_ID`.
    pub access_key_id: Option<String>,
    /// Secret access key; `None` reads `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: Option<String>,
}

impl fmt::Debug for S3Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Config")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl S3Config {
    /// Parses `s3://bucket[/prefix]?endpoint=…&region=…[&access_key_id=…&secret_access_key=…]`.
    pub fn from_url(text: &str) -> Result<Self> {
        let bad = |why: String| Error::Config(format!("object store URL: {why}"));
        let url = url::Url::parse(text).map_err(|e| bad(format!("cannot parse: {e}")))?;
        if url.scheme() != "s3" {
            return Err(bad(format!(
                "scheme must be s3://, not {}://",
                url.scheme()
            )));
        }
        let bucket = url
            .host_str()
            .filter(|b| !b.is_empty())
            .ok_or_else(|| bad("no bucket: expected s3://<bucket>?…".into()))?
            .to_owned();
        if !bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.'))
        {
            return Err(bad(format!(
                "bucket name {bucket:?} is not a valid S3 bucket name"
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad(
                "put credentials in access_key_id/secret_access_key or the AWS_* environment, not user:password@".into(),
            ));
        }
        let prefix = url.path().trim_matches('/').to_owned();
        if !prefix.is_empty() {
            validate_key(&prefix).map_err(|e| bad(format!("key prefix: {e}")))?;
        }
        let mut config = S3Config {
            bucket,
            prefix,
            endpoint: None,
            region: "us-east-1".into(),
            access_key_id: None,
            secret_access_key: None,
        };
        for (k, v) in url.query_pairs() {
            match &*k {
                "endpoint" => {
                    let e = url::Url::parse(&v)
                        .map_err(|e| bad(format!("endpoint {v:?} is not a URL: {e}")))?;
                    if !matches!(e.scheme(), "http" | "https") || e.host_str().is_none() {
                        return Err(bad(format!(
                            "endpoint {v:?} must be an http(s)://host[:port] URL"
                        )));
                    }
                    config.endpoint = Some(v.trim_end_matches('/').to_owned());
                }
                "region" => config.region = v.into_owned(),
                "access_key_id" => config.access_key_id = Some(v.into_owned()),
                "secret_access_key" => config.secret_access_key = Some(v.into_owned()),
                other => {
                    return Err(bad(format!(
                        "unknown option {other:?} (expected endpoint, region, access_key_id, secret_access_key)"
                    )));
                }
            }
        }
        if config.region.is_empty() {
            return Err(bad("region is empty".into()));
        }
        Ok(config)
    }
}

/// Objects in an S3 bucket (the scale-out backend).
pub struct S3Store {
    inner: Arc<dyn object_store::ObjectStore>,
    config: S3Config,
}

impl fmt::Debug for S3Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Store")
            .field("config", &self.config)
            .finish()
    }
}

impl S3Store {
    /// Builds a client; makes no request yet.
    pub fn new(config: S3Config) -> Result<Self> {
        // object_store's HTTPS client needs a process-wide rustls provider.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_virtual_hosted_style_request(false);
        if let Some(endpoint) = &config.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        let key_id = config
            .access_key_id
            .clone()
            .or_else(|| std::env::var("AWS_ACCESS_KEY_ID").ok());
        let secret = config
            .secret_access_key
            .clone()
            .or_else(|| std::env::var("AWS_SECRET_ACCESS_KEY").ok());
        match (key_id, secret) {
            (Some(id), Some(secret)) => {
                builder = builder
                    .with_access_key_id(id)
                    .with_secret_access_key(secret);
            }
            (None, None) => {}
            _ => {
                return Err(Error::Config(
                    "S3 credentials need both an access key id and a secret access key".into(),
                ));
            }
        }
        let inner = builder.build()?;
        Ok(S3Store {
            inner: Arc::new(inner),
            config,
        })
    }

    /// Parses the URL and builds the client.
    pub fn from_url(url: &str) -> Result<Self> {
        Self::new(S3Config::from_url(url)?)
    }

    /// The settings.
    pub fn config(&self) -> &S3Config {
        &self.config
    }

    fn location(&self, key: &str) -> Result<ObjectPath> {
        validate_key(key)?;
        Ok(if self.config.prefix.is_empty() {
            ObjectPath::from(key)
        } else {
            ObjectPath::from(format!("{}/{key}", self.config.prefix))
        })
    }
}

fn not_found(e: &object_store::Error) -> bool {
    matches!(e, object_store::Error::NotFound { .. })
}

/// Files up to this size go up in one PUT, larger ones in parts.
const SINGLE_PUT_MAX: u64 = 16 * 1024 * 1024;

#[async_trait]
impl ObjectStore for S3Store {
    async fn put_file(&self, key: &str, src: &Path) -> Result<()> {
        let location = self.location(key)?;
        let len = tokio::fs::metadata(src).await?.len();
        if len <= SINGLE_PUT_MAX {
            let bytes = tokio::fs::read(src).await?;
            self.inner
                .put(&location, PutPayload::from(Bytes::from(bytes)))
                .await?;
        } else {
            let mut file = tokio::fs::File::open(src).await?;
            let mut writer = object_store::buffered::BufWriter::with_capacity(
                Arc::clone(&self.inner),
                location,
                8 * 1024 * 1024,
            );
            let copied = tokio::io::copy(&mut file, &mut writer).await;
            match copied {
                Ok(_) => writer.shutdown().await?,
                Err(e) => {
                    let _ = writer.abort().await;
                    return Err(e.into());
                }
            }
        }
        tokio::fs::remove_file(src).await?;
        Ok(())
    }

    async fn put(&self, key: &str, bytes: Bytes) -> Result<()> {
        let location = self.location(key)?;
        self.inner.put(&location, PutPayload::from(bytes)).await?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Bytes>> {
        let location = self.location(key)?;
        match self.inner.get(&location).await {
            Ok(r) => Ok(Some(r.bytes().await?)),
            Err(e) if not_found(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn head(&self, key: &str) -> Result<Option<u64>> {
        let location = self.location(key)?;
        match self.inner.head(&location).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(e) if not_found(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn delete(&self, key: &str) -> Result<()> {
        let location = self.location(key)?;
        match self.inner.delete(&location).await {
            Ok(()) => Ok(()),
            Err(e) if not_found(&e) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>> {
        let prefix = validate_prefix(prefix)?;
        let full = match (self.config.prefix.is_empty(), prefix.is_empty()) {
            (true, true) => None,
            (true, false) => Some(ObjectPath::from(prefix)),
            (false, true) => Some(ObjectPath::from(self.config.prefix.as_str())),
            (false, false) => Some(ObjectPath::from(format!("{}/{prefix}", self.config.prefix))),
        };
        let strip = if self.config.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.config.prefix)
        };
        let mut stream = self.inner.list(full.as_ref());
        let mut keys = Vec::new();
        while let Some(meta) = stream.next().await {
            let meta = meta?;
            let loc = meta.location.to_string();
            if let Some(key) = loc.strip_prefix(&strip) {
                keys.push(key.to_owned());
            }
        }
        keys.sort();
        Ok(keys)
    }

    fn describe(&self) -> String {
        format!(
            "S3 bucket {} at {}",
            self.config.bucket,
            self.config.endpoint.as_deref().unwrap_or("AWS")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        let c = S3Config::from_url(
            "s3://tw-test/objects?endpoint=http://127.0.0.1:8333/&region=eu-1&access_key_id=a&secret_access_key=b",
        )
        .unwrap();
        assert_eq!(c.bucket, "tw-test");
        assert_eq!(c.prefix, "objects");
        assert_eq!(c.endpoint.as_deref(), Some("http://127.0.0.1:8333"));
        assert_eq!(c.region, "eu-1");
        assert!(!format!("{c:?}").contains("\"b\""));
        for bad in [
            "http://bucket",
            "s3://",
            "s3://Bucket_X",
            "s3://b?endpoint=ftp://x",
            "s3://b?endpoint=notaurl",
            "s3://b?color=red",
            "s3://u:p@b",
            "s3://b/a%20b",
            "not a url",
        ] {
            assert!(S3Config::from_url(bad).is_err(), "{bad}");
        }
    }
}
