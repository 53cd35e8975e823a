//! Files the visitor gives: screened on the page's thread (names and sizes only), read into
//! memory where they are mapped (the mapping worker, or the page when no worker starts).

use glacier_inputs::BytesSource;
use js_sys::Uint8Array;
use wasm_bindgen_futures::JsFuture;

/// Largest file the page reads into memory. A 32-bit wasm heap holds at most 4 GiB; a whole
/// Landsat band is ~120 MiB, so anything bigger is not a band the page can use.
pub const MAX_FILE_BYTES: f64 = 1024.0 * 1024.0 * 1024.0;

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
        if file.size() > MAX_FILE_BYTES {
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
    match JsFuture::from(file.array_buffer()).await {
        Ok(buffer) => Ok(BytesSource::new(name, Uint8Array::new(&buffer).to_vec())),
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
