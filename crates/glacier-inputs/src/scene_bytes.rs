//! The bytes of each file that mapping a scene reads: what a reader over the network can fetch
//! all at once, several requests in flight, before the synchronous reads begin.

use std::collections::BTreeMap;

use glacier_raster::{GeoTiffReader, Window};

use crate::scene::Scene;

/// One file's part of [`Scene::byte_ranges`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRanges {
    /// The file's name ([`crate::FileSource::name`]).
    pub file: String,
    /// Its bytes read, as `start..end` spans in file order.
    pub spans: Vec<(u64, u64)>,
}

impl Scene {
    /// The chunk bytes that reading every channel and the QA band over the scene's grid reads,
    /// file by file (the headers are read to find them). A file that cannot be opened is left
    /// out: its read will say why.
    pub fn byte_ranges(&self) -> Vec<FileRanges> {
        let mut bands: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for source in self.channels.values().chain(self.qa.as_ref()) {
            bands.entry(source.file).or_default().push(source.band);
        }
        let window = Window::new(
            self.origin.0,
            self.origin.1,
            self.grid.width,
            self.grid.height,
        );
        bands
            .into_iter()
            .filter_map(|(index, mut bands)| {
                bands.sort_unstable();
                bands.dedup();
                let file = self.files.get(index)?;
                let reader = GeoTiffReader::new(file.name(), file.open().ok()?).ok()?;
                Some(FileRanges {
                    file: file.name().to_owned(),
                    spans: reader.byte_ranges(&bands, window),
                })
            })
            .collect()
    }
}
