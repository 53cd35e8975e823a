//! What a file holds, from its first bytes: to check a name, and to say what a file given as a
//! GeoTIFF really is.

/// What a file's first bytes say it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Content {
    /// A TIFF (classic or BigTIFF, either byte order).
    Tiff,
    /// gzip data (a `.tar.gz`).
    Gzip,
    /// A tar archive (`ustar` at byte 257).
    Tar,
    /// A ZIP archive (some downloads; not read).
    Zip,
    /// A shapefile's main file (file code 9994).
    Shapefile,
    /// An SQLite database (a GeoPackage).
    Sqlite,
    /// Text that starts like JSON (`{` after white space).
    Json,
    /// Something else.
    Unknown,
}

impl Content {
    /// What `head` (the file's first bytes; 262 suffice for every kind) holds.
    pub fn sniff(head: &[u8]) -> Content {
        match head {
            [b'I', b'I', 42 | 43, 0, ..] | [b'M', b'M', 0, 42 | 43, ..] => Content::Tiff,
            [0x1f, 0x8b, ..] => Content::Gzip,
            [b'P', b'K', 3, 4, ..] => Content::Zip,
            [0, 0, 0x27, 0x0a, ..] => Content::Shapefile,
            _ if head.starts_with(b"SQLite format 3\0") => Content::Sqlite,
            _ if head.get(257..262) == Some(b"ustar") => Content::Tar,
            _ if head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') => Content::Json,
            _ => Content::Unknown,
        }
    }

    /// What it is in words, for an error about a file that should have been something else;
    /// `None` when the bytes say nothing known.
    pub fn in_words(self) -> Option<&'static str> {
        match self {
            Content::Tiff => Some("a TIFF"),
            Content::Gzip => Some("gzip-compressed (a .tar.gz or .gz)"),
            Content::Tar => Some("a tar archive"),
            Content::Zip => Some("a ZIP archive"),
            Content::Shapefile => Some("a shapefile's .shp"),
            Content::Sqlite => Some("an SQLite database (a GeoPackage?)"),
            Content::Json => Some("JSON text"),
            Content::Unknown => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_by_first_bytes() {
        assert_eq!(Content::sniff(b"II*\0\x08\0\0\0"), Content::Tiff);
        assert_eq!(Content::sniff(b"MM\0+\0\x08"), Content::Tiff);
        assert_eq!(Content::sniff(&[0x1f, 0x8b, 8, 0]), Content::Gzip);
        assert_eq!(Content::sniff(b"PK\x03\x04"), Content::Zip);
        assert_eq!(
            Content::sniff(&[0, 0, 0x27, 0x0a, 0, 0]),
            Content::Shapefile
        );
        assert_eq!(Content::sniff(b"SQLite format 3\0..."), Content::Sqlite);
        assert_eq!(
            Content::sniff(b"  \n{\"type\": \"FeatureCollection\"}"),
            Content::Json
        );
        assert_eq!(Content::sniff(b"<html>"), Content::Unknown);
        assert_eq!(Content::sniff(b""), Content::Unknown);
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(Content::sniff(&tar), Content::Tar);
    }

    #[test]
    fn a_zip_given_as_a_geotiff_is_called_a_zip() {
        let bytes = b"PK\x03\x04 and the rest of an archive".to_vec();
        let Err(e) = crate::GeoTiffReader::new("LC08_B4.TIF", std::io::Cursor::new(bytes)) else {
            panic!("a ZIP is no TIFF");
        };
        let message = e.to_string();
        assert!(
            message.contains("it is a ZIP archive, not a TIFF"),
            "{message}"
        );
        assert!(
            message.starts_with("LC08_B4.TIF is not a readable TIFF"),
            "{message}"
        );
    }
}
