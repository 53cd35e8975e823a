//! Files the visitor gives: read from the browser's File objects into memory.

use glacier_inputs::BytesSource;
use js_sys::Uint8Array;
use wasm_bindgen_futures::JsFuture;

/// Largest file the page reads into memory. A 32-bit wasm heap holds at most 4 GiB; a whole
/// Landsat band is ~120 MiB, so anything bigger is not a band the page can use.
pub const MAX_FILE_BYTES: f64 = 1024.0 * 1024.0 * 1024.0;

/// Files the page read, and those it did not.
pub struct Read {
    /// The files held in memory.
    pub sources: Vec<BytesSource>,
    /// Each file not read: its name and why, in a few words (for the list of what was dropped).
    pub refused: Vec<(String, String)>,
    /// The same, as full messages for the error list.
    pub errors: Vec<String>,
}

/// Reads every file of `list`; files that cannot be read become messages.
pub async fn read_all(list: web_sys::FileList) -> Read {
    let mut sources = Vec::new();
    let mut refused = Vec::new();
    let mut errors = Vec::new();
    for i in 0..list.length() {
        let Some(file) = list.get(i) else { continue };
        let name = file.name();
        if file.size() > MAX_FILE_BYTES {
            errors.push(format!(
                "{name} is {:.1} GB: larger than any Landsat band (≈0.1 GB); the page cannot hold it. \
                 Give the scene's individual band files instead of an archive or a mosaic.",
                file.size() / 1e9
            ));
            refused.push((
                name,
                format!(
                    "not read: {:.1} GB is too large for the page",
                    file.size() / 1e9
                ),
            ));
            continue;
        }
        match JsFuture::from(file.array_buffer()).await {
            Ok(buffer) => sources.push(BytesSource::new(name, Uint8Array::new(&buffer).to_vec())),
            Err(e) => {
                errors.push(format!(
                    "{name}: the browser could not read the file ({e:?})"
                ));
                refused.push((name, "not read: the browser could not read it".into()));
            }
        }
    }
    Read {
        sources,
        refused,
        errors,
    }
}
