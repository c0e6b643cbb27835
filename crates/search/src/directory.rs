//! The index's directory: tantivy's memory-mapped one, except that the
//! document stores are read with `pread`.
//!
//! A page of results reads ten cards from all over the store, a few hundred
//! bytes each; mapped, every one of them faults in the pages around it
//! (the kernel maps up to 64 KB of cached file at each fault), so a serving
//! process ends up with the whole store in its resident memory after a few
//! thousand queries. Read into a buffer instead, a card costs one system
//! call of a compressed block (see [`crate::create`]), the file stays in
//! the page cache only, and the process holds what it decompressed.

use std::fs::File;
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::HasLen;
use tantivy::directory::error::{DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback, WatchHandle, WritePtr,
};

#[derive(Debug, Clone)]
pub struct IndexDirectory {
    root: PathBuf,
    mmap: MmapDirectory,
}

impl IndexDirectory {
    pub fn open(root: &Path) -> Result<IndexDirectory, OpenDirectoryError> {
        Ok(IndexDirectory { root: root.to_path_buf(), mmap: MmapDirectory::open(root)? })
    }
}

/// Whether a file of the index is a segment's document store.
fn is_store(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "store")
}

impl Directory for IndexDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        if !is_store(path) {
            return self.mmap.get_file_handle(path);
        }
        let open = || -> io::Result<ReadAt> {
            let file = File::open(self.root.join(path))?;
            let len = file.metadata()?.len() as usize;
            Ok(ReadAt { file, len })
        };
        match open() {
            Ok(f) => Ok(Arc::new(f)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(OpenReadError::FileDoesNotExist(path.to_path_buf())),
            Err(e) => Err(OpenReadError::wrap_io_error(e, path.to_path_buf())),
        }
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.mmap.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.mmap.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.mmap.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.mmap.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.mmap.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.mmap.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.mmap.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.mmap.watch(watch_callback)
    }
}

/// A file read a range at a time, each into a buffer of its own.
#[derive(Debug)]
struct ReadAt {
    file: File,
    len: usize,
}

impl FileHandle for ReadAt {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.start > range.end || range.end > self.len {
            let reason = format!("bytes {range:?} of a {}-byte file", self.len);
            return Err(io::Error::new(io::ErrorKind::InvalidInput, reason));
        }
        let mut buf = vec![0; range.len()];
        self.file.read_exact_at(&mut buf, range.start as u64)?;
        Ok(OwnedBytes::new(buf))
    }
}

impl HasLen for ReadAt {
    fn len(&self) -> usize {
        self.len
    }
}
