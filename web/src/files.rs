//! Files the visitor gives: screened on the page's thread (names and sizes only), then read
//! where they are mapped: in the mapping worker on demand, a window at a time
//! ([`BlobSource`]), or whole into memory on the page when no worker starts.

use std::collections::VecDeque;
use std::io::{self, Read, Seek, SeekFrom};

use glacier_inputs::{BytesSource, FileSource, ReadSeek};
use js_sys::Uint8Array;
use wasm_bindgen_futures::JsFuture;

/// Largest file the page reads into memory. A 32-bit wasm heap holds at most 4 GiB; a whole
/// Landsat band is ~120 MiB, so anything bigger is not a band the page can use.
pub const MAX_FILE_BYTES: f64 = 1024.0 * 1024.0 * 1024.0;

/// Largest uncompressed scene archive (`.tar`) the page takes: the mapping worker reads its
/// members in place, never whole (a USGS Landsat 8/9 scene's tar is 0.8–2 GB).
pub const MAX_ARCHIVE_BYTES: f64 = 4.0 * 1024.0 * 1024.0 * 1024.0;

/// The largest size the page takes for a file of this name.
fn limit_for(name: &str) -> f64 {
    match glacier_inputs::ArchiveFormat::of(name) {
        Some(glacier_inputs::ArchiveFormat::Tar) => MAX_ARCHIVE_BYTES,
        _ => MAX_FILE_BYTES,
    }
}

/// Files the page will use, and those it will not.
pub struct Screened {
    /// Files to map (browser handles: nothing is read yet).
    pub files: Vec<web_sys::File>,
    /// Each file left out: its name and why, in a few words (for the list of what was dropped).
    pub refused: Vec<(String, String)>,
    /// The same, as full messages for the error list.
    pub errors: Vec<String>,
}

/// Sorts the dropped files into those the page can hold and those it cannot (by size).
pub fn screen(list: web_sys::FileList) -> Screened {
    let mut out = Screened {
        files: Vec::new(),
        refused: Vec::new(),
        errors: Vec::new(),
    };
    for file in (0..list.length()).filter_map(|i| list.get(i)) {
        let name = file.name();
        if file.size() > limit_for(&name) {
            let gb = file.size() / 1e9;
            out.errors.push(format!(
                "{name} is {gb:.1} GB: larger than any Landsat band (≈0.1 GB); the page cannot \
                 hold it. Give the scene's individual band files instead of an archive or a mosaic."
            ));
            out.refused.push((
                name,
                format!("not read: {gb:.1} GB is too large for the page"),
            ));
        } else {
            out.files.push(file);
        }
    }
    out
}

/// Reads one file's bytes.
///
/// # Errors
/// A message naming the file, when the browser cannot read it.
pub async fn read(file: &web_sys::File) -> Result<BytesSource, String> {
    let name = file.name();
    if file.size() > MAX_FILE_BYTES {
        // Only a scene archive gets here (see `screen`): without the worker it would be read
        // whole.
        return Err(format!(
            "{name} is {:.1} GB: without a mapping worker the page reads files whole and cannot \
             hold it; unpack the archive and drop its band files and MTL",
            file.size() / 1e9
        ));
    }
    match JsFuture::from(file.array_buffer()).await {
        Ok(buffer) => Ok(BytesSource::new(name, Uint8Array::new(&buffer).to_vec())),
        Err(e) => Err(format!(
            "{name}: the browser could not read the file ({e:?}); it may have been moved or \
             deleted since it was dropped; drop it again"
        )),
    }
}

/// Reads bytes `start .. start + len` of a file (fewer at its end).
///
/// # Errors
/// A message naming the file, when the browser cannot read it.
pub async fn read_range(file: &web_sys::File, start: f64, len: f64) -> Result<Vec<u8>, String> {
    let name = file.name();
    let piece = file
        .slice_with_f64_and_f64(start, start + len)
        .map_err(|e| {
            format!("{name}: the browser could not read the file ({e:?}); drop it again")
        })?;
    match JsFuture::from(piece.array_buffer()).await {
        Ok(buffer) => Ok(Uint8Array::new(&buffer).to_vec()),
        Err(e) => Err(format!(
            "{name}: the browser could not read the file ({e:?}); it may have been moved or \
             deleted since it was dropped; drop it again"
        )),
    }
}

/// Reads every file; the ones that cannot be read become messages.
pub async fn read_all(files: &[web_sys::File]) -> (Vec<BytesSource>, Vec<String>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match read(file).await {
            Ok(s) => sources.push(s),
            Err(e) => errors.push(e),
        }
    }
    (sources, errors)
}

/// A dropped file read on demand with `FileReaderSync` (dedicated workers only): only the bytes
/// a read asks for enter wasm memory, so a scene's band files are never held whole.
#[derive(Clone)]
pub struct BlobSource {
    name: String,
    file: web_sys::File,
}

impl BlobSource {
    /// The browser's handle of a dropped file.
    pub fn new(file: web_sys::File) -> BlobSource {
        BlobSource {
            name: file.name(),
            file,
        }
    }

    /// Reads the file's first byte (nothing for an empty file): whether the browser can still
    /// read it.
    fn first_byte(&self) -> io::Result<()> {
        let reader =
            web_sys::FileReaderSync::new().map_err(|e| io::Error::other(format!("{e:?}")))?;
        let head = self
            .file
            .slice_with_f64_and_f64(0.0, 1.0)
            .map_err(|e| io::Error::other(format!("{e:?}")))?;
        reader.read_as_array_buffer(&head).map(drop).map_err(|e| {
            io::Error::other(format!(
                "the browser could not read it ({e:?}); it may have been moved or deleted \
                     since it was dropped; drop it again"
            ))
        })
    }
}

impl FileSource for BlobSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn open(&self) -> io::Result<Box<dyn ReadSeek + '_>> {
        let reader = web_sys::FileReaderSync::new().map_err(|e| {
            io::Error::other(format!(
                "FileReaderSync is unavailable here ({e:?}); files are read this way only in \
                 the mapping worker"
            ))
        })?;
        Ok(Box::new(BlobReader {
            blob: &self.file,
            reader,
            len: self.file.size() as u64,
            pos: 0,
            blocks: VecDeque::new(),
        }))
    }
}

/// Bytes fetched by one `FileReaderSync` call of a [`BlobReader`], at multiples of this size.
/// Calls are slow (measured in Chromium: one call per ≈ 90 kB tile of a scene-sized band added
/// ≈ 13 s over ≈ 2 600 calls, ≈ 5 ms each), so tiles are read a few MiB at a time; with 4 MiB
/// blocks the first pass over that scene took 3.5 s.
const BLOCK: u64 = 4 << 20;
/// Blocks each open file keeps: a row of network tiles spans about two.
const BLOCKS_KEPT: usize = 3;

/// `Read + Seek` over a blob through a few cached, aligned blocks.
struct BlobReader<'f> {
    blob: &'f web_sys::Blob,
    reader: web_sys::FileReaderSync,
    len: u64,
    pos: u64,
    /// Recently read blocks, most recent last: start offset and bytes.
    blocks: VecDeque<(u64, Vec<u8>)>,
}

impl BlobReader<'_> {
    /// Reads bytes `start .. start + into.len()` of the blob into `into` (which the caller sized
    /// to lie inside the blob).
    fn fetch(&self, start: u64, into: &mut [u8]) -> io::Result<()> {
        let end = start + into.len() as u64;
        let slice = self
            .blob
            .slice_with_f64_and_f64(start as f64, end as f64)
            .map_err(|e| {
                io::Error::other(format!(
                    "the browser could not cut a piece of the file ({e:?}); drop it again"
                ))
            })?;
        let bytes = self.reader.read_as_array_buffer(&slice).map_err(|e| {
            io::Error::other(format!(
                "the browser could not read the file ({e:?}); it may have been moved or \
                 changed since it was dropped; drop it again"
            ))
        })?;
        let bytes = Uint8Array::new(&bytes);
        if bytes.length() as usize != into.len() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file is shorter than when it was dropped; drop it again",
            ));
        }
        bytes.copy_to(into);
        Ok(())
    }

    /// The cached block starting at `start` (a multiple of [`BLOCK`]), read when missing.
    fn block(&mut self, start: u64) -> io::Result<&[u8]> {
        if let Some(i) = self.blocks.iter().position(|(s, _)| *s == start) {
            let hit = self
                .blocks
                .remove(i)
                .ok_or_else(|| io::Error::other("block cache"))?;
            self.blocks.push_back(hit);
        } else {
            let mut bytes = if self.blocks.len() >= BLOCKS_KEPT {
                self.blocks.pop_front().map(|(_, b)| b).unwrap_or_default()
            } else {
                Vec::new()
            };
            bytes.resize(BLOCK.min(self.len - start) as usize, 0);
            self.fetch(start, &mut bytes)?;
            self.blocks.push_back((start, bytes));
        }
        Ok(self.blocks.back().map(|(_, b)| &b[..]).unwrap_or_default())
    }
}

impl Read for BlobReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let left = self.len.saturating_sub(self.pos);
        let n = (out.len() as u64).min(left) as usize;
        if n == 0 {
            return Ok(0);
        }
        if n as u64 >= BLOCK {
            // Reads of a block or more go straight into the caller's buffer.
            self.fetch(self.pos, &mut out[..n])?;
            self.pos += n as u64;
            return Ok(n);
        }
        let start = self.pos / BLOCK * BLOCK;
        let at = (self.pos - start) as usize;
        let block = self.block(start)?;
        let n = n.min(block.len() - at);
        out[..n].copy_from_slice(&block[at..at + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for BlobReader<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target.ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "seek before the file's start")
        })?;
        Ok(self.pos)
    }
}

/// The files the browser can still read (their first byte, at most), as [`BlobSource`]s; the
/// others become messages.
pub fn readable(files: Vec<web_sys::File>) -> (Vec<BlobSource>, Vec<String>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for file in files.into_iter().map(BlobSource::new) {
        match file.first_byte() {
            Ok(()) => sources.push(file),
            Err(e) => errors.push(format!("{}: {e}", file.name)),
        }
    }
    (sources, errors)
}
