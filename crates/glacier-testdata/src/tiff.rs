//! Tiny little-endian TIFFs built byte by byte, for tests that hand a reader a hostile header
//! (sizes, counts and offsets no writer would produce).
//!
//! Layout: the 8-byte header, the pixel bytes at [`PIXELS_AT`], then the directory (entries
//! sorted by tag), then the values too long to sit in their entry.

/// Byte offset of the pixel bytes: what a strip or tile offset names to point at them.
pub const PIXELS_AT: u32 = 8;

/// The values of one directory entry.
#[derive(Clone, Debug)]
pub enum Value {
    /// TIFF SHORT (type 3).
    Short(Vec<u16>),
    /// TIFF LONG (type 4).
    Long(Vec<u32>),
    /// TIFF DOUBLE (type 12).
    Double(Vec<f64>),
    /// TIFF ASCII (type 2): the text, NUL-terminated when written.
    Ascii(String),
}

impl Value {
    fn type_and_bytes(&self) -> (u16, u32, Vec<u8>) {
        match self {
            Value::Short(v) => (
                3,
                v.len() as u32,
                v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            ),
            Value::Long(v) => (
                4,
                v.len() as u32,
                v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            ),
            Value::Double(v) => (
                12,
                v.len() as u32,
                v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            ),
            Value::Ascii(text) => {
                let mut bytes = text.as_bytes().to_vec();
                bytes.push(0);
                (2, bytes.len() as u32, bytes)
            }
        }
    }
}

/// A one-image TIFF with `entries` (tag, values) and `pixels` at [`PIXELS_AT`].
pub fn tiff(entries: &[(u16, Value)], pixels: &[u8]) -> Vec<u8> {
    let mut entries = entries.to_vec();
    entries.sort_by_key(|(tag, _)| *tag);
    let mut out = b"II*\0".to_vec();
    let ifd_at = (PIXELS_AT as usize + pixels.len()).next_multiple_of(2);
    out.extend((ifd_at as u32).to_le_bytes());
    out.extend(pixels);
    out.resize(ifd_at, 0);
    let mut extra_at = ifd_at + 2 + 12 * entries.len() + 4;
    let mut extra = Vec::new();
    out.extend((entries.len() as u16).to_le_bytes());
    for (tag, value) in &entries {
        let (kind, count, mut bytes) = value.type_and_bytes();
        out.extend(tag.to_le_bytes());
        out.extend(kind.to_le_bytes());
        out.extend(count.to_le_bytes());
        if bytes.len() <= 4 {
            bytes.resize(4, 0);
            out.extend(bytes);
        } else {
            out.extend((extra_at as u32).to_le_bytes());
            extra_at += bytes.len();
            extra.extend(bytes);
        }
    }
    out.extend(0u32.to_le_bytes());
    out.extend(extra);
    out
}

/// The entries of a one-strip, one-band uint8 image of `width × height` pixels compressed as
/// `compression` (TIFF code), whose strip starts at [`PIXELS_AT`] and claims `strip_bytes`.
pub fn strip_entries(
    width: u32,
    height: u32,
    compression: u16,
    strip_bytes: u32,
) -> Vec<(u16, Value)> {
    vec![
        (256, Value::Long(vec![width])),
        (257, Value::Long(vec![height])),
        (258, Value::Short(vec![8])),
        (259, Value::Short(vec![compression])),
        (262, Value::Short(vec![1])),
        (273, Value::Long(vec![PIXELS_AT])),
        (277, Value::Short(vec![1])),
        (278, Value::Long(vec![height])),
        (279, Value::Long(vec![strip_bytes])),
    ]
}

/// GeoTIFF tags placing the image on 30 m pixels of UTM zone 45N (EPSG:32645).
pub fn utm_georeference() -> Vec<(u16, Value)> {
    vec![
        (33550, Value::Double(vec![30.0, 30.0, 0.0])),
        (
            33922,
            Value::Double(vec![0.0, 0.0, 0.0, 478000.0, 3108140.0, 0.0]),
        ),
        // GeoKey directory: version 1.1.0, 3 keys: model type projected, pixel is area, EPSG.
        (
            34735,
            Value::Short(vec![
                1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 32645,
            ]),
        ),
    ]
}

/// A 2 × 2 uint8 GeoTIFF (UTM zone 45N) whose GDAL_METADATA tag (42112) holds `xml` as given,
/// well-formed or not.
pub fn tiny_with_gdal_metadata(xml: &str) -> Vec<u8> {
    let mut entries = strip_entries(2, 2, 1, 4);
    entries.extend(utm_georeference());
    entries.push((42112, Value::Ascii(xml.to_owned())));
    tiff(&entries, &[1, 2, 3, 4])
}
