//! [`LocalDirStore`]: objects as files in one directory.
//!
//! # On-disk layout
//!
//! ```text
//! <root>/
//!   <key>                          one file per object, e.g. segments/ab/ab12….seal
//!   <key's folder>/.tmp-<random>   an object being written; never listed
//! ```
//!
//! # Invariants
//!
//! * A file at `<root>/<key>` is always a complete object: a write goes to a
//!   `.tmp-<random>` file in the destination folder, is fsync'd, renamed
//!   into place, and the folder is fsync'd before `put` returns (new folders
//!   are fsync'd into their parents too). Writing beside the destination
//!   keeps each rename inside one directory, so concurrent writes to
//!   different folders do not contend for a shared staging folder.
//! * A crash leaves at most stray `.tmp-*` files, which
//!   [`LocalDirStore::open`] removes.
//! * Keys never start a segment with `.` (see [`validate_key`]), so a
//!   temporary file can never be mistaken for an object.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use bytes::Bytes;

use crate::error::{Error, Result};
use crate::object::{ObjectStore, validate_key, validate_prefix};

const TMP_PREFIX: &str = ".tmp-";

/// Objects as files under a root directory (the embedded default).
#[derive(Debug, Clone)]
pub struct LocalDirStore {
    root: PathBuf,
}

impl LocalDirStore {
    /// Opens (creating if needed) a store rooted at `root` and clears
    /// leftovers of interrupted writes.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        fs::create_dir_all(&root)?;
        let store = LocalDirStore { root };
        store.sweep()?;
        Ok(store)
    }

    /// Removes temporary files left by interrupted writes.
    fn sweep(&self) -> Result<()> {
        let mut stack = vec![self.root.clone()];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(&dir)? {
                let entry = entry?;
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if entry.file_type()?.is_dir() {
                    if !name.starts_with('.') {
                        stack.push(entry.path());
                    }
                } else if name.starts_with(TMP_PREFIX) {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        Ok(())
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file that holds `key` (whether or not it exists).
    pub fn path_of(&self, key: &str) -> Result<PathBuf> {
        validate_key(key)?;
        Ok(self.root.join(key))
    }

    /// A fresh temporary path in the folder of `dest`.
    fn temp_path(&self, dest: &Path) -> Result<PathBuf> {
        let mut raw = [0u8; 12];
        getrandom::fill(&mut raw).map_err(|e| Error::Io(io::Error::other(e.to_string())))?;
        let name: String = raw.iter().map(|b| format!("{b:02x}")).collect();
        Ok(dest
            .parent()
            .unwrap_or(&self.root)
            .join(format!("{TMP_PREFIX}{name}")))
    }

    /// Creates the parent directories of `dest`, fsyncing each new one
    /// into its parent.
    fn ensure_parent(&self, dest: &Path) -> Result<()> {
        let parent = dest.parent().unwrap_or(&self.root);
        if parent.is_dir() {
            return Ok(());
        }
        let mut missing = Vec::new();
        let mut p = parent;
        while !p.is_dir() {
            missing.push(p.to_path_buf());
            match p.parent() {
                Some(up) => p = up,
                None => break,
            }
        }
        for dir in missing.iter().rev() {
            match fs::create_dir(dir) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e.into()),
            }
            if let Some(up) = dir.parent() {
                sync_dir(up)?;
            }
        }
        Ok(())
    }

    /// Moves a complete, fsync'd file into place and fsyncs the folder.
    fn install(&self, tmp: &Path, dest: &Path) -> Result<()> {
        fs::rename(tmp, dest)?;
        sync_dir(dest.parent().unwrap_or(&self.root))?;
        Ok(())
    }

    fn put_file_blocking(&self, key: &str, src: &Path) -> Result<()> {
        let dest = self.path_of(key)?;
        self.ensure_parent(&dest)?;
        // Moving is only atomic within one file system; copy otherwise.
        let staged = self.temp_path(&dest)?;
        match fs::rename(src, &staged) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(18) /* EXDEV */ => {
                fs::copy(src, &staged)?;
                fs::remove_file(src)?;
            }
            Err(e) => return Err(e.into()),
        }
        let result = File::open(&staged)
            .and_then(|f| f.sync_all())
            .map_err(Error::from)
            .and_then(|()| self.install(&staged, &dest));
        if result.is_err() {
            let _ = fs::remove_file(&staged);
        }
        result
    }

    fn put_blocking(&self, key: &str, bytes: &[u8]) -> Result<()> {
        let dest = self.path_of(key)?;
        self.ensure_parent(&dest)?;
        let staged = self.temp_path(&dest)?;
        let result = (|| {
            let mut f = File::create_new(&staged)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            drop(f);
            self.install(&staged, &dest)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&staged);
        }
        result
    }

    fn list_blocking(&self, prefix: &str) -> Result<Vec<String>> {
        let prefix = validate_prefix(prefix)?;
        let start = if prefix.is_empty() {
            self.root.clone()
        } else {
            self.root.join(prefix)
        };
        let mut keys = Vec::new();
        let mut stack = vec![start];
        while let Some(dir) = stack.pop() {
            let entries = match fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) if e.kind() == io::ErrorKind::NotADirectory => continue,
                Err(e) => return Err(e.into()),
            };
            for entry in entries {
                let entry = entry?;
                let name = entry.file_name();
                if name.to_string_lossy().starts_with('.') {
                    continue;
                }
                let path = entry.path();
                if entry.file_type()?.is_dir() {
                    stack.push(path);
                } else if let Ok(rel) = path.strip_prefix(&self.root) {
                    let key = rel.to_string_lossy().replace('\\', "/");
                    if validate_key(&key).is_ok() {
                        keys.push(key);
                    }
                }
            }
        }
        keys.sort();
        Ok(keys)
    }
}

/// fsync a directory so a rename or create inside it is durable.
fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)?.sync_all()?;
    Ok(())
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| Error::WorkerGone)?
}

#[async_trait]
impl ObjectStore for LocalDirStore {
    async fn put_file(&self, key: &str, src: &Path) -> Result<()> {
        let (me, key, src) = (self.clone(), key.to_owned(), src.to_owned());
        blocking(move || me.put_file_blocking(&key, &src)).await
    }

    async fn put(&self, key: &str, bytes: Bytes) -> Result<()> {
        let (me, key) = (self.clone(), key.to_owned());
        blocking(move || me.put_blocking(&key, &bytes)).await
    }

    async fn get(&self, key: &str) -> Result<Option<Bytes>> {
        let path = self.path_of(key)?;
        match tokio::fs::read(&path).await {
            Ok(b) => Ok(Some(Bytes::from(b))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn head(&self, key: &str) -> Result<Option<u64>> {
        let path = self.path_of(key)?;
        match tokio::fs::metadata(&path).await {
            Ok(m) if m.is_file() => Ok(Some(m.len())),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn delete(&self, key: &str) -> Result<()> {
        let path = self.path_of(key)?;
        let root = self.root.clone();
        blocking(move || {
            match fs::remove_file(&path) {
                Ok(()) => sync_dir(path.parent().unwrap_or(&root))?,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
            Ok(())
        })
        .await
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>> {
        let (me, prefix) = (self.clone(), prefix.to_owned());
        blocking(move || me.list_blocking(&prefix)).await
    }

    fn describe(&self) -> String {
        format!("local directory {}", self.root.display())
    }
}
