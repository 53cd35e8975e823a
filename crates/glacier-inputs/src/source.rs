//! Where file bytes come from: a path on disk natively, memory in the browser.

use std::io::{Cursor, Read, Seek};
use std::sync::Arc;

/// Something readable and seekable.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// A named file that can be opened (repeatedly) for reading.
pub trait FileSource {
    /// The file name as the user gave it.
    fn name(&self) -> &str;
    /// Opens the file from its start.
    ///
    /// # Errors
    /// The I/O error of opening it.
    fn open(&self) -> std::io::Result<Box<dyn ReadSeek + '_>>;
    /// The whole file as text (for MTL files).
    ///
    /// # Errors
    /// I/O errors, or invalid UTF-8.
    fn read_text(&self) -> std::io::Result<String> {
        let mut s = String::new();
        self.open()?.read_to_string(&mut s)?;
        Ok(s)
    }
}

/// A file held in memory (the browser's File bytes, or test data).
#[derive(Clone, Debug)]
pub struct BytesSource {
    /// File name.
    pub name: String,
    /// Its bytes.
    pub bytes: Arc<[u8]>,
}

impl BytesSource {
    /// A file named `name` with `bytes`.
    pub fn new(name: impl Into<String>, bytes: impl Into<Arc<[u8]>>) -> Self {
        BytesSource {
            name: name.into(),
            bytes: bytes.into(),
        }
    }
}

impl FileSource for BytesSource {
    fn name(&self) -> &str {
        &self.name
    }
    fn open(&self) -> std::io::Result<Box<dyn ReadSeek + '_>> {
        Ok(Box::new(Cursor::new(&self.bytes[..])))
    }
}

/// A file on disk (native only).
#[cfg(not(target_family = "wasm"))]
#[derive(Clone, Debug)]
pub struct PathSource {
    /// Display name (the path as given).
    pub name: String,
    /// The path.
    pub path: std::path::PathBuf,
}

#[cfg(not(target_family = "wasm"))]
impl PathSource {
    /// A file at `path`.
    pub fn new(path: impl Into<std::path::PathBuf>) -> Self {
        let path = path.into();
        PathSource {
            name: path.display().to_string(),
            path,
        }
    }
}

#[cfg(not(target_family = "wasm"))]
impl FileSource for PathSource {
    fn name(&self) -> &str {
        &self.name
    }
    fn open(&self) -> std::io::Result<Box<dyn ReadSeek + '_>> {
        let file = std::fs::File::open(&self.path)?;
        Ok(Box::new(std::io::BufReader::with_capacity(1 << 16, file)))
    }
}
