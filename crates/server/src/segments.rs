//! Segment ingest: `PUT`, `HEAD` and `GET …/status` of `/v1/segments/{hash}`.
//!
//! # Naming
//!
//! A segment is named by the BLAKE3 hash of its whole sealed file, as 64
//! lowercase hex digits — the name the device spool gives the file. (The
//! ciphertext hash inside the sealed trailer covers only the chunk stream;
//! the file hash also covers the header and signature, so equal names mean
//! equal bytes.)
//!
//! # One-shot upload
//!
//! `PUT /v1/segments/{hash}` with the whole sealed file as the body. The
//! body streams into memory (up to [`Limits::in_memory_bytes`]) or into a
//! staging file, hashed as it arrives and cut off past
//! [`Limits::max_segment_bytes`]. Then, in order: the body must match the
//! signed `X-Tracewell-Content-Hash` and the URL's hash; the bytes must pass
//! [`tracewell_seal::verify`] with the device's enrolled key; the sealed
//! header must name the authenticated device. Only then is the object
//! written (durably), then the metadata row, then `201 {"hash", "stored":
//! true}` is sent. A segment already stored by the same device answers
//! `200` with the same body without reading the upload.
//!
//! # Resumable upload
//!
//! The same `PUT` with `Content-Range: bytes <first>-<last>/<total>` sends
//! one part. Parts must arrive in order: `<first>` must equal the bytes the
//! server holds (otherwise `409` with an `Upload-Offset` header saying how
//! many it holds). Each part's body must match its signed content hash; a
//! part that is cut off or does not match is discarded whole, so the held
//! bytes only ever grow by complete, signed parts. A non-final part answers
//! `202 {"hash", "stored": false, "offset": n}` with `Upload-Offset: n`; the
//! final part runs the checks above on the assembled file and answers like a
//! one-shot upload. If the assembled file fails them it is discarded. If the
//! server already holds all `<total>` bytes (the final part arrived but the
//! collector stopped before checking it), any part of the upload completes
//! it; `HEAD` then reports `Upload-Offset` equal to the total.
//!
//! `HEAD /v1/segments/{hash}` answers `200` when the segment is stored
//! (`Upload-Offset` = its size), otherwise `404` with `Upload-Offset` = the
//! bytes held of a partial upload (0 if none). Partial uploads live in
//! `<data>/uploads/parts/<device id>/<hash>.part`, per collector instance.

use std::io::{BufReader, Read};
use std::path::{Path as FsPath, PathBuf};

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt;
use tokio::io::{AsyncSeekExt, AsyncWriteExt, BufWriter};
use tracewell_protocol::{
    HEADER_UPLOAD_OFFSET, SegmentAck, SegmentStatus, hex, is_hex_hash, unix_now,
};
use tracewell_store::{SegmentRecord, segment_object_key};

use crate::auth::{AuthedDevice, authenticate_device};
use crate::config::Limits;
use crate::error::{AppError, AppResult};
use crate::state::{AppState, random_hex};

fn segment_hash(path: Result<Path<String>, PathRejection>) -> AppResult<String> {
    let Path(hash) = path.map_err(|_| AppError::BadRequest("malformed path".into()))?;
    if !is_hex_hash(&hash) {
        return Err(AppError::BadRequest(
            "segment hash must be 64 lowercase hex digits".into(),
        ));
    }
    Ok(hash)
}

fn ack(status: StatusCode, hash: &str, offset: Option<u64>) -> Response {
    let mut r = (
        status,
        Json(SegmentAck {
            hash: hash.to_owned(),
            stored: offset.is_none(),
            offset,
        }),
    )
        .into_response();
    if let Some(n) = offset {
        r.headers_mut()
            .insert(HEADER_UPLOAD_OFFSET, HeaderValue::from(n));
    }
    r
}

/// A file that is removed when dropped, unless kept.
struct TempFile(Option<PathBuf>);

impl TempFile {
    fn path(&self) -> &FsPath {
        self.0.as_deref().expect("temp file present until kept")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Received bytes, ready for checking.
enum Staged {
    Memory(Bytes),
    File(TempFile),
}

/// Collects a body into memory, spilling to a staging file past a size.
struct Sink<'a> {
    limits: &'a Limits,
    staging: &'a FsPath,
    memory: Vec<u8>,
    file: Option<(TempFile, BufWriter<tokio::fs::File>)>,
}

impl Sink<'_> {
    async fn write(&mut self, chunk: &[u8]) -> AppResult<()> {
        if self.file.is_none() && self.memory.len() + chunk.len() <= self.limits.in_memory_bytes {
            self.memory.extend_from_slice(chunk);
            return Ok(());
        }
        if self.file.is_none() {
            let path = self
                .staging
                .join("tmp")
                .join(random_hex(16).map_err(AppError::internal)?);
            let guard = TempFile(Some(path.clone()));
            let f = tokio::fs::File::create_new(&path)
                .await
                .map_err(AppError::internal)?;
            let mut w = BufWriter::with_capacity(1 << 20, f);
            w.write_all(&self.memory)
                .await
                .map_err(AppError::internal)?;
            self.memory = Vec::new();
            self.file = Some((guard, w));
        }
        let (_, w) = self.file.as_mut().expect("file just created");
        w.write_all(chunk).await.map_err(AppError::internal)
    }

    async fn finish(self) -> AppResult<Staged> {
        match self.file {
            None => Ok(Staged::Memory(Bytes::from(self.memory))),
            Some((guard, mut w)) => {
                w.flush().await.map_err(AppError::internal)?;
                Ok(Staged::File(guard))
            }
        }
    }
}

fn content_length(headers: &HeaderMap) -> AppResult<Option<u64>> {
    headers
        .get(header::CONTENT_LENGTH)
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or_else(|| AppError::BadRequest("malformed Content-Length".into()))
        })
        .transpose()
}

/// `PUT /v1/segments/{hash}`.
pub(crate) async fn put_segment(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Response> {
    let hash = segment_hash(path)?;
    let device = authenticate_device(&state, &method, &uri, &headers).await?;
    if let Some(existing) = state.0.metadata.segment(&hash).await? {
        // Read the body anyway (bounded): a client that sends the whole body
        // before reading the answer would otherwise see the connection close.
        drain(body, state.0.limits.max_segment_bytes).await;
        return already_stored(&existing, &device, &hash);
    }
    let length = content_length(&headers)?;
    match headers.get(header::CONTENT_RANGE) {
        None => whole_upload(&state, &device, &hash, length, body).await,
        Some(range) => {
            let range = range
                .to_str()
                .ok()
                .and_then(parse_content_range)
                .ok_or_else(|| {
                    AppError::BadRequest(
                        "Content-Range must be bytes <first>-<last>/<total>".into(),
                    )
                })?;
            part_upload(&state, &device, &hash, length, range, body).await
        }
    }
}

/// Reads and discards up to `limit` bytes of a body.
async fn drain(body: Body, limit: u64) {
    let mut n = 0u64;
    let mut stream = body.into_data_stream();
    while let Some(Ok(chunk)) = stream.next().await {
        n += chunk.len() as u64;
        if n > limit {
            break;
        }
    }
}

fn already_stored(
    existing: &SegmentRecord,
    device: &AuthedDevice,
    hash: &str,
) -> AppResult<Response> {
    if existing.device_id == device.device_id {
        Ok(ack(StatusCode::OK, hash, None))
    } else {
        Err(AppError::Conflict {
            reason: "segment is stored for another device",
            offset: None,
        })
    }
}

async fn whole_upload(
    state: &AppState,
    device: &AuthedDevice,
    hash: &str,
    length: Option<u64>,
    body: Body,
) -> AppResult<Response> {
    let limits = &state.0.limits;
    if length.is_some_and(|n| n > limits.max_segment_bytes) {
        return Err(AppError::TooLarge(
            "segment is larger than the server accepts",
        ));
    }
    let mut sink = Sink {
        limits,
        staging: &state.0.staging_dir,
        memory: Vec::with_capacity(length.unwrap_or(0).min(limits.in_memory_bytes as u64) as usize),
        file: None,
    };
    let mut hasher = blake3::Hasher::new();
    let mut total = 0u64;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| AppError::BadRequest("request body was cut off".into()))?;
        total += chunk.len() as u64;
        if total > limits.max_segment_bytes {
            return Err(AppError::TooLarge(
                "segment is larger than the server accepts",
            ));
        }
        hasher.update(&chunk);
        sink.write(&chunk).await?;
    }
    let body_hash = hex(hasher.finalize().as_bytes());
    if body_hash != device.content_hash {
        return Err(AppError::BadRequest(
            "body does not match X-Tracewell-Content-Hash".into(),
        ));
    }
    if body_hash != hash {
        return Err(AppError::Unprocessable(
            "uploaded bytes do not hash to the segment hash in the URL".into(),
        ));
    }
    let staged = sink.finish().await?;
    finalize(state, device, hash, staged, false).await
}

/// `bytes <first>-<last>/<total>` → (first, last, total).
fn parse_content_range(text: &str) -> Option<(u64, u64, u64)> {
    let rest = text.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    let digits = |s: &str| -> Option<u64> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let (first, last, total) = (digits(first)?, digits(last)?, digits(total)?);
    (first <= last && last < total).then_some((first, last, total))
}

async fn truncate(path: &FsPath, len: u64) {
    if let Ok(f) = tokio::fs::OpenOptions::new().write(true).open(path).await {
        let _ = f.set_len(len).await;
        let _ = f.sync_all().await;
    }
}

async fn held_bytes(path: &FsPath) -> AppResult<u64> {
    match tokio::fs::metadata(path).await {
        Ok(m) => Ok(m.len()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(AppError::internal(e)),
    }
}

fn part_path(state: &AppState, device_id: &str, hash: &str) -> AppResult<PathBuf> {
    // Device ids are server-made, but never trust a path component.
    if device_id.is_empty()
        || !device_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(AppError::internal(format!(
            "unusable device id {device_id:?}"
        )));
    }
    Ok(state
        .0
        .staging_dir
        .join("parts")
        .join(device_id)
        .join(format!("{hash}.part")))
}

async fn part_upload(
    state: &AppState,
    device: &AuthedDevice,
    hash: &str,
    length: Option<u64>,
    (first, last, total): (u64, u64, u64),
    body: Body,
) -> AppResult<Response> {
    if total > state.0.limits.max_segment_bytes {
        return Err(AppError::TooLarge(
            "segment is larger than the server accepts",
        ));
    }
    let part_len = last - first + 1;
    if length.is_some_and(|n| n != part_len) {
        return Err(AppError::BadRequest(
            "Content-Length does not match Content-Range".into(),
        ));
    }
    let path = part_path(state, &device.device_id, hash)?;
    let lock = state.upload_lock(&format!("{}/{hash}", device.device_id));
    let _guard = lock.lock().await;
    // A concurrent final part may have finished the segment meanwhile.
    if let Some(existing) = state.0.metadata.segment(hash).await? {
        drain(body, part_len).await;
        return already_stored(&existing, device, hash);
    }
    let held = held_bytes(&path).await?;
    if held == total {
        // Every byte arrived before, but the check did not finish (the
        // collector stopped in between): any part of the upload completes it.
        drain(body, part_len).await;
        return complete_parts(state, device, hash, &path).await;
    }
    if held != first {
        drain(body, part_len).await;
        return Err(AppError::Conflict {
            reason: "part does not start where the held bytes end; resume from Upload-Offset",
            offset: Some(held),
        });
    }
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(AppError::internal)?;
    }
    let file = tokio::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .await
        .map_err(AppError::internal)?;
    let mut file = BufWriter::with_capacity(1 << 20, file);
    file.seek(std::io::SeekFrom::Start(first))
        .await
        .map_err(AppError::internal)?;

    let received = receive_part(&mut file, body, part_len, &device.content_hash).await;
    let flushed = async {
        file.flush().await?;
        file.get_ref().sync_all().await
    }
    .await;
    if let Err(e) = received {
        truncate(&path, first).await;
        return Err(e);
    }
    if let Err(e) = flushed {
        truncate(&path, first).await;
        return Err(AppError::internal(e));
    }
    drop(file);

    let offset = last + 1;
    if offset < total {
        return Ok(ack(StatusCode::ACCEPTED, hash, Some(offset)));
    }
    complete_parts(state, device, hash, &path).await
}

/// Moves an assembled upload to staging and checks it like a one-shot
/// upload; a file that fails is discarded.
async fn complete_parts(
    state: &AppState,
    device: &AuthedDevice,
    hash: &str,
    path: &FsPath,
) -> AppResult<Response> {
    let staged_path = state
        .0
        .staging_dir
        .join("tmp")
        .join(random_hex(16).map_err(AppError::internal)?);
    tokio::fs::rename(&path, &staged_path)
        .await
        .map_err(AppError::internal)?;
    let staged = Staged::File(TempFile(Some(staged_path)));
    finalize(state, device, hash, staged, true).await
}

async fn receive_part(
    file: &mut BufWriter<tokio::fs::File>,
    body: Body,
    part_len: u64,
    signed_hash: &str,
) -> AppResult<()> {
    let mut hasher = blake3::Hasher::new();
    let mut n = 0u64;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| AppError::BadRequest("request body was cut off".into()))?;
        n += chunk.len() as u64;
        if n > part_len {
            return Err(AppError::BadRequest(
                "body is longer than its Content-Range".into(),
            ));
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await.map_err(AppError::internal)?;
    }
    if n != part_len {
        return Err(AppError::BadRequest(
            "body is shorter than its Content-Range".into(),
        ));
    }
    if hex(hasher.finalize().as_bytes()) != signed_hash {
        return Err(AppError::BadRequest(
            "body does not match X-Tracewell-Content-Hash".into(),
        ));
    }
    Ok(())
}

/// Hashes everything read through it.
struct HashingReader<R> {
    inner: R,
    hasher: blake3::Hasher,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

fn seal_error(e: tracewell_seal::Error) -> AppError {
    match e {
        tracewell_seal::Error::Io(io) => AppError::internal(format!("reading staged upload: {io}")),
        tracewell_seal::Error::WrongDevice => {
            AppError::Unprocessable("segment is signed by a different device key".into())
        }
        other => AppError::Unprocessable(format!("body is not a valid sealed segment: {other}")),
    }
}

/// Verifies staged bytes, stores the object durably, records the metadata
/// row, and acknowledges.
async fn finalize(
    state: &AppState,
    device: &AuthedDevice,
    hash: &str,
    staged: Staged,
    check_hash: bool,
) -> AppResult<Response> {
    let key = device.key;
    let expected = hash.to_owned();
    let (staged, info) = tokio::task::spawn_blocking(move || {
        let verified = match &staged {
            Staged::Memory(bytes) => {
                let ok = !check_hash || hex(blake3::hash(bytes).as_bytes()) == expected;
                tracewell_seal::verify(&bytes[..], &key).map(|info| (info, ok))
            }
            Staged::File(file) => match std::fs::File::open(file.path()) {
                Err(e) => Err(tracewell_seal::Error::Io(e)),
                Ok(f) => {
                    let mut reader = HashingReader {
                        inner: BufReader::with_capacity(1 << 20, f),
                        hasher: blake3::Hasher::new(),
                    };
                    tracewell_seal::verify(&mut reader, &key).map(|info| {
                        let ok =
                            !check_hash || hex(reader.hasher.finalize().as_bytes()) == expected;
                        (info, ok)
                    })
                }
            },
        };
        (staged, verified)
    })
    .await
    .map_err(AppError::internal)?;
    let (info, hash_ok) = info.map_err(seal_error)?;
    if !hash_ok {
        return Err(AppError::Unprocessable(
            "uploaded bytes do not hash to the segment hash in the URL".into(),
        ));
    }
    if info.header.device_id != device.device_id {
        return Err(AppError::Unprocessable(
            "sealed header names a different device".into(),
        ));
    }
    let ns = |v: u64| {
        i64::try_from(v)
            .map_err(|_| AppError::Unprocessable("segment time range is out of range".into()))
    };
    let object_key = segment_object_key(hash);
    let record = SegmentRecord {
        hash: hash.to_owned(),
        segment_id: info.header.segment_id.to_string(),
        device_id: device.device_id.clone(),
        subject_id: info.header.subject_id.clone(),
        start_ns: ns(info.header.start_ns)?,
        end_ns: ns(info.end_ns)?,
        size: i64::try_from(info.sealed_len).map_err(AppError::internal)?,
        object_key: object_key.clone(),
        received_at: unix_now() as i64,
    };
    match staged {
        Staged::Memory(bytes) => state.0.objects.put(&object_key, bytes).await?,
        Staged::File(mut file) => {
            let path = file.0.take().expect("temp file present");
            let result = state.0.objects.put_file(&object_key, &path).await;
            if result.is_err() {
                let _ = tokio::fs::remove_file(&path).await;
            }
            result?
        }
    }
    let inserted = state.0.metadata.insert_segment(&record).await?;
    tracing::info!(
        hash = %hash,
        device = %device.device_id,
        size = record.size,
        "segment stored"
    );
    Ok(ack(
        if inserted {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        hash,
        None,
    ))
}

/// `HEAD /v1/segments/{hash}`.
pub(crate) async fn head_segment(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> AppResult<Response> {
    let hash = segment_hash(path)?;
    let device = authenticate_device(&state, &method, &uri, &headers).await?;
    let (status, offset) = status_of(&state, &device, &hash).await?;
    let code = if status {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let mut r = code.into_response();
    r.headers_mut()
        .insert(HEADER_UPLOAD_OFFSET, HeaderValue::from(offset));
    Ok(r)
}

/// `GET /v1/segments/{hash}/status`.
pub(crate) async fn segment_status(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> AppResult<Json<SegmentStatus>> {
    let hash = segment_hash(path)?;
    let device = authenticate_device(&state, &method, &uri, &headers).await?;
    let (stored, offset) = status_of(&state, &device, &hash).await?;
    Ok(Json(SegmentStatus {
        hash,
        stored,
        offset,
    }))
}

/// (stored, bytes held) as this device sees it.
async fn status_of(state: &AppState, device: &AuthedDevice, hash: &str) -> AppResult<(bool, u64)> {
    if let Some(existing) = state.0.metadata.segment(hash).await? {
        if existing.device_id == device.device_id {
            return Ok((true, existing.size.max(0) as u64));
        }
        return Err(AppError::Conflict {
            reason: "segment is stored for another device",
            offset: None,
        });
    }
    let held = held_bytes(&part_path(state, &device.device_id, hash)?).await?;
    Ok((false, held))
}

#[cfg(test)]
mod tests {
    use super::parse_content_range;

    #[test]
    fn content_ranges() {
        assert_eq!(parse_content_range("bytes 0-9/10"), Some((0, 9, 10)));
        assert_eq!(parse_content_range("bytes 5-5/6"), Some((5, 5, 6)));
        for bad in [
            "bytes 0-10/10",
            "bytes 5-4/10",
            "bytes */10",
            "bytes 0-9/*",
            "bits 0-9/10",
            "bytes -1-9/10",
            "bytes 0-9/99999999999999999999999",
            "bytes +1-9/10",
        ] {
            assert_eq!(parse_content_range(bad), None, "{bad}");
        }
    }
}
