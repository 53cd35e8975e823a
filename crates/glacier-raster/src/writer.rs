//! GeoTIFF writing: georeferenced single- or multi-band uint8/float32, DEFLATE, strip by strip.
//!
//! Built on the [`tiff`] crate's directory encoder; strips are compressed here with `flate2`
//! (zlib stream, TIFF compression 8), so memory holds one strip, not the image. Files are
//! pixel-interleaved, carry GeoKeys, GDAL_NODATA and GDAL_METADATA band descriptions, and are
//! written as BigTIFF when they could pass 4 GiB.

use std::io::{Seek, Write};

use flate2::Compression;
use flate2::write::ZlibEncoder;
use tiff::encoder::{DirectoryEncoder, TiffEncoder, TiffKind};
use tiff::tags::Tag;

use crate::error::{RasterError, Result};
use crate::gdal_metadata::GDAL_METADATA_TAG;
use crate::georef::{Crs, GeoTransform, key};

/// A sample type this writer can store.
pub trait WriteSample: Copy + Default {
    /// TIFF BitsPerSample.
    const BITS: u16;
    /// TIFF SampleFormat (1 unsigned, 3 float).
    const FORMAT: u16;
    /// Appends the sample in native byte order (the encoder writes a native-order TIFF).
    fn push_ne(self, out: &mut Vec<u8>);
}

impl WriteSample for u8 {
    const BITS: u16 = 8;
    const FORMAT: u16 = 1;
    fn push_ne(self, out: &mut Vec<u8>) {
        out.push(self);
    }
}

impl WriteSample for f32 {
    const BITS: u16 = 32;
    const FORMAT: u16 = 3;
    fn push_ne(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_ne_bytes());
    }
}

/// Size, georeference and band names of a raster to write.
#[derive(Clone, Debug, PartialEq)]
pub struct RasterSpec {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Number of bands.
    pub bands: usize,
    /// Pixel-to-map transform (pixel corners).
    pub transform: GeoTransform,
    /// Coordinate reference system.
    pub crs: Option<Crs>,
    /// Nodata value (GDAL_NODATA).
    pub nodata: Option<f64>,
    /// Band descriptions (GDAL_METADATA), one per band or none.
    pub descriptions: Vec<String>,
    /// A colour table (TIFF ColorMap, photometric "palette"): the RGB of value 0, 1, …; values
    /// past its end are black. Only for one uint8 band; empty for none.
    pub colours: Vec<[u8; 3]>,
}

const ROWS_PER_STRIP: u32 = 64;

/// Writes a GeoTIFF. `fill(first_row, rows, bands)` is called once per strip and must fill each
/// band's buffer (`rows × width` samples, row-major) for rows `first_row..first_row + rows`.
///
/// # Errors
/// [`RasterError::Usage`] for an inconsistent spec, the error `fill` returns, or
/// [`RasterError::Io`] when writing fails. `file` names the destination in messages.
pub fn write_geotiff<T: WriteSample, W: Write + Seek>(
    file: &str,
    writer: W,
    spec: &RasterSpec,
    fill: impl FnMut(u32, u32, &mut [Vec<T>]) -> Result<()>,
) -> Result<()> {
    if spec.bands == 0 || spec.width == 0 || spec.height == 0 {
        return Err(RasterError::Usage {
            file: file.to_owned(),
            detail: format!(
                "cannot write a {}×{} raster with {} band(s)",
                spec.width, spec.height, spec.bands
            ),
        });
    }
    if !spec.descriptions.is_empty() && spec.descriptions.len() != spec.bands {
        return Err(RasterError::Usage {
            file: file.to_owned(),
            detail: format!(
                "{} band descriptions for {} bands",
                spec.descriptions.len(),
                spec.bands
            ),
        });
    }
    if !spec.colours.is_empty() && (spec.bands != 1 || T::BITS != 8 || spec.colours.len() > 256) {
        return Err(RasterError::Usage {
            file: file.to_owned(),
            detail: format!(
                "a colour table of {} entries needs one uint8 band (the raster has {} band(s) \
                 of {} bits)",
                spec.colours.len(),
                spec.bands,
                T::BITS
            ),
        });
    }
    let raw =
        u64::from(spec.width) * u64::from(spec.height) * spec.bands as u64 * u64::from(T::BITS / 8);
    let tiff_err = |e| RasterError::from_tiff(file, e);
    // Compressed data is at most raw size plus a little; BigTIFF past ~3.5 GiB raw.
    if raw > 3_500_000_000 {
        let mut enc = TiffEncoder::new_big(writer).map_err(tiff_err)?;
        let dir = enc.image_directory().map_err(tiff_err)?;
        write_directory(file, dir, spec, true, fill)
    } else {
        let mut enc = TiffEncoder::new(writer).map_err(tiff_err)?;
        let dir = enc.image_directory().map_err(tiff_err)?;
        write_directory(file, dir, spec, false, fill)
    }
}

fn write_directory<T: WriteSample, W: Write + Seek, K: TiffKind>(
    file: &str,
    mut dir: DirectoryEncoder<'_, W, K>,
    spec: &RasterSpec,
    big: bool,
    mut fill: impl FnMut(u32, u32, &mut [Vec<T>]) -> Result<()>,
) -> Result<()> {
    let tiff_err = |e| RasterError::from_tiff(file, e);
    let io_err = |source| RasterError::Io {
        file: file.to_owned(),
        source,
    };
    let width = spec.width as usize;
    let mut bands: Vec<Vec<T>> = vec![Vec::new(); spec.bands];
    let mut interleaved = Vec::new();
    let (mut offsets, mut counts) = (Vec::new(), Vec::new());
    let mut row = 0;
    while row < spec.height {
        let rows = ROWS_PER_STRIP.min(spec.height - row);
        let len = rows as usize * width;
        for band in &mut bands {
            band.clear();
            band.resize(len, T::default());
        }
        fill(row, rows, &mut bands)?;
        interleaved.clear();
        for i in 0..len {
            for band in &bands {
                band[i].push_ne(&mut interleaved);
            }
        }
        let mut z = ZlibEncoder::new(Vec::new(), Compression::new(6));
        z.write_all(&interleaved).map_err(io_err)?;
        let compressed = z.finish().map_err(io_err)?;
        offsets.push(dir.write_data(compressed.as_slice()).map_err(tiff_err)?);
        counts.push(compressed.len() as u64);
        row += rows;
    }
    let n = spec.bands;
    dir.write_tag(Tag::ImageWidth, spec.width)
        .map_err(tiff_err)?;
    dir.write_tag(Tag::ImageLength, spec.height)
        .map_err(tiff_err)?;
    dir.write_tag(Tag::BitsPerSample, vec![T::BITS; n].as_slice())
        .map_err(tiff_err)?;
    dir.write_tag(Tag::Compression, 8u16).map_err(tiff_err)?;
    // 1 = black is zero; 3 = palette, with the ColorMap (all reds, then greens, then blues, as
    // 16-bit values) for every one of the 256 values.
    let photometric = if spec.colours.is_empty() { 1u16 } else { 3 };
    dir.write_tag(Tag::PhotometricInterpretation, photometric)
        .map_err(tiff_err)?;
    if !spec.colours.is_empty() {
        let mut map = vec![0u16; 3 * 256];
        for (i, rgb) in spec.colours.iter().enumerate() {
            for (channel, value) in rgb.iter().enumerate() {
                map[channel * 256 + i] = u16::from(*value) * 257;
            }
        }
        dir.write_tag(Tag::ColorMap, map.as_slice())
            .map_err(tiff_err)?;
    }
    dir.write_tag(Tag::SamplesPerPixel, n as u16)
        .map_err(tiff_err)?;
    dir.write_tag(Tag::RowsPerStrip, ROWS_PER_STRIP)
        .map_err(tiff_err)?;
    dir.write_tag(Tag::PlanarConfiguration, 1u16)
        .map_err(tiff_err)?;
    dir.write_tag(Tag::SampleFormat, vec![T::FORMAT; n].as_slice())
        .map_err(tiff_err)?;
    if n > 1 {
        // The bands beyond the first are plain data (ExtraSamples 0 = unspecified).
        dir.write_tag(Tag::ExtraSamples, vec![0u16; n - 1].as_slice())
            .map_err(tiff_err)?;
    }
    if big {
        dir.write_tag(Tag::StripOffsets, offsets.as_slice())
            .map_err(tiff_err)?;
        dir.write_tag(Tag::StripByteCounts, counts.as_slice())
            .map_err(tiff_err)?;
    } else {
        let small = |v: &[u64]| -> Result<Vec<u32>> {
            v.iter()
                .map(|x| {
                    u32::try_from(*x).map_err(|_| RasterError::LimitExceeded {
                        file: file.to_owned(),
                        what: "a classic TIFF (offsets past 4 GiB)".into(),
                        needed: *x,
                        limit: u64::from(u32::MAX),
                    })
                })
                .collect()
        };
        dir.write_tag(Tag::StripOffsets, small(&offsets)?.as_slice())
            .map_err(tiff_err)?;
        dir.write_tag(Tag::StripByteCounts, small(&counts)?.as_slice())
            .map_err(tiff_err)?;
    }
    let t = spec.transform;
    if t.is_north_up() {
        dir.write_tag(Tag::ModelPixelScaleTag, [t.dx, -t.dy, 0.0].as_slice())
            .map_err(tiff_err)?;
        dir.write_tag(
            Tag::ModelTiepointTag,
            [0.0, 0.0, 0.0, t.x0, t.y0, 0.0].as_slice(),
        )
        .map_err(tiff_err)?;
    } else {
        let m = [
            t.dx, t.rx, 0.0, t.x0, t.ry, t.dy, 0.0, t.y0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0,
        ];
        dir.write_tag(Tag::ModelTransformationTag, m.as_slice())
            .map_err(tiff_err)?;
    }
    let (keys, doubles, ascii) = geokeys(spec.crs.as_ref());
    dir.write_tag(Tag::GeoKeyDirectoryTag, keys.as_slice())
        .map_err(tiff_err)?;
    if !doubles.is_empty() {
        dir.write_tag(Tag::GeoDoubleParamsTag, doubles.as_slice())
            .map_err(tiff_err)?;
    }
    if !ascii.is_empty() {
        dir.write_tag(Tag::GeoAsciiParamsTag, ascii.as_str())
            .map_err(tiff_err)?;
    }
    if let Some(nodata) = spec.nodata {
        let text = if nodata.is_nan() {
            "nan".to_owned()
        } else {
            format!("{nodata}")
        };
        dir.write_tag(Tag::GdalNodata, text.as_str())
            .map_err(tiff_err)?;
    }
    if !spec.descriptions.is_empty() {
        let mut xml = String::from("<GDALMetadata>\n");
        for (i, d) in spec.descriptions.iter().enumerate() {
            let clean: String = d
                .chars()
                .map(|c| if c.is_ascii() && c != '\0' { c } else { '?' })
                .collect::<String>()
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            xml.push_str(&format!(
                "  <Item name=\"DESCRIPTION\" sample=\"{i}\" role=\"description\">{clean}</Item>\n"
            ));
        }
        xml.push_str("</GDALMetadata>");
        dir.write_tag(Tag::Unknown(GDAL_METADATA_TAG), xml.as_str())
            .map_err(tiff_err)?;
    }
    dir.finish().map_err(tiff_err)
}

/// How GDAL marks a citation holding the CRS as ESRI WKT.
const ESRI_PE_MARK: &str = "ESRI PE String = ";

/// GeoKeyDirectory, GeoDoubleParams and GeoAsciiParams for `crs` (a user-defined CRS keeps
/// its citation); PixelIsArea always.
fn geokeys(crs: Option<&Crs>) -> (Vec<u16>, Vec<f64>, String) {
    let mut entries: Vec<[u16; 4]> = vec![[key::RASTER_TYPE, 0, 1, 1]];
    let mut doubles = Vec::new();
    let mut ascii = String::new();
    match crs {
        Some(Crs::Epsg(code)) if (4000..5000).contains(code) => {
            entries.push([key::MODEL_TYPE, 0, 1, 2]);
            entries.push([key::GEOGRAPHIC_TYPE, 0, 1, *code as u16]);
        }
        Some(Crs::Epsg(code)) => {
            entries.push([key::MODEL_TYPE, 0, 1, 1]);
            entries.push([key::PROJECTED_TYPE, 0, 1, (*code).min(65535) as u16]);
        }
        // A CRS the keys cannot say, held as ESRI WKT: written as GDAL writes it, for GDAL
        // (and ESRI software) to read it from the WKT.
        Some(Crs::UserDefined {
            method: 0,
            geographic,
            citation: Some(text),
            projection,
            linear_unit,
            ..
        }) if text.contains(ESRI_PE_MARK) && text.len() < 4096 => {
            if let Some(code) = projection {
                entries.push([key::PROJECTION, 0, 1, *code]);
            }
            entries.push([key::PROJECTED_CITATION, 34737, text.len() as u16 + 1, 0]);
            ascii.push_str(text);
            ascii.push('|');
            entries.push([key::MODEL_TYPE, 0, 1, key::USER_DEFINED]);
            if let Some(code) = geographic {
                entries.push([key::GEOGRAPHIC_TYPE, 0, 1, *code]);
            }
            entries.push([key::LINEAR_UNITS, 0, 1, *linear_unit]);
        }
        Some(Crs::UserDefined {
            method,
            geographic,
            parameters,
            citation,
            projection,
            linear_unit,
        }) => {
            if let Some(text) = citation.as_deref().filter(|t| t.len() < 4096) {
                // GeoAsciiParams: the text and its `|` terminator, at this offset.
                entries.push([
                    key::CITATION,
                    34737,
                    text.len() as u16 + 1,
                    ascii.len() as u16,
                ]);
                ascii.push_str(text);
                ascii.push('|');
            }
            entries.push([key::MODEL_TYPE, 0, 1, 1]);
            entries.push([
                key::GEOGRAPHIC_TYPE,
                0,
                1,
                geographic.unwrap_or(key::USER_DEFINED),
            ]);
            entries.push([key::PROJECTED_TYPE, 0, 1, key::USER_DEFINED]);
            entries.push([
                key::PROJECTION,
                0,
                1,
                projection.unwrap_or(key::USER_DEFINED),
            ]);
            // No method where the file gave none (a projection code says it).
            if *method != 0 {
                entries.push([key::COORD_TRANS, 0, 1, *method]);
            }
            entries.push([key::LINEAR_UNITS, 0, 1, *linear_unit]);
            for (id, value) in parameters {
                entries.push([*id, 34736, 1, doubles.len() as u16]);
                doubles.push(*value);
            }
        }
        None => {}
    }
    entries.sort_by_key(|e| e[0]);
    let mut keys = vec![1, 1, 0, entries.len() as u16];
    keys.extend(entries.into_iter().flatten());
    (keys, doubles, ascii)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::{GeoTiffReader, Window};
    use crate::samples::Samples;
    use std::io::Cursor;

    fn spec(bands: usize, crs: Crs) -> RasterSpec {
        RasterSpec {
            width: 70,
            height: 130,
            bands,
            transform: GeoTransform {
                x0: 477870.0,
                dx: 30.0,
                rx: 0.0,
                y0: 5784480.0,
                ry: 0.0,
                dy: -30.0,
            },
            crs: Some(crs),
            nodata: Some(-9999.0),
            descriptions: (0..bands).map(|b| format!("band {b} & more")).collect(),
            colours: Vec::new(),
        }
    }

    fn value(band: usize, row: u32, col: usize) -> f32 {
        band as f32 * 1000.0 + row as f32 + col as f32 / 100.0
    }

    #[test]
    fn float32_bands_round_trip_through_our_reader() {
        let spec = spec(3, Crs::Epsg(32611));
        let mut bytes = Cursor::new(Vec::new());
        write_geotiff(
            "mem.tif",
            &mut bytes,
            &spec,
            |first, rows, bands: &mut [Vec<f32>]| {
                for (b, buf) in bands.iter_mut().enumerate() {
                    for r in 0..rows {
                        for c in 0..70 {
                            buf[r as usize * 70 + c] = value(b, first + r, c);
                        }
                    }
                }
                Ok(())
            },
        )
        .expect("writes");
        bytes.set_position(0);
        let mut r = GeoTiffReader::new("mem.tif", bytes).expect("reads back");
        let info = r.info().clone();
        assert_eq!((info.width, info.height, info.bands), (70, 130, 3));
        assert_eq!(info.crs, Some(Crs::Epsg(32611)));
        assert_eq!(info.transform, Some(spec.transform));
        assert_eq!(info.nodata, Some(-9999.0));
        assert_eq!(
            info.band_metadata[2].description.as_deref(),
            Some("band 2 & more")
        );
        let got = r
            .read_window(2, Window::new(5, 100, 3, 1))
            .expect("decodes");
        assert_eq!(
            got,
            Samples::F32(vec![value(2, 100, 5), value(2, 100, 6), value(2, 100, 7)])
        );
    }

    #[test]
    fn a_colour_table_is_written_and_the_values_read_back() {
        let mut spec = spec(1, Crs::Epsg(32611));
        spec.nodata = Some(255.0);
        spec.colours = vec![[240, 240, 240], [86, 180, 233], [213, 94, 0]];
        let mut bytes = Cursor::new(Vec::new());
        write_geotiff(
            "mem.tif",
            &mut bytes,
            &spec,
            |first, _rows, bands: &mut [Vec<u8>]| {
                for (i, v) in bands[0].iter_mut().enumerate() {
                    *v = ((first as usize * 70 + i) % 4) as u8;
                }
                Ok(())
            },
        )
        .expect("writes");
        bytes.set_position(0);
        let mut decoder = tiff::decoder::Decoder::new(&mut bytes).expect("a TIFF");
        assert_eq!(
            decoder
                .get_tag_u32(Tag::PhotometricInterpretation)
                .expect("tag"),
            3
        );
        let map = decoder.get_tag_u16_vec(Tag::ColorMap).expect("colour map");
        assert_eq!(map.len(), 768);
        assert_eq!(
            (map[1], map[256 + 1], map[512 + 1]),
            (86 * 257, 180 * 257, 233 * 257)
        );
        assert_eq!(map[3], 0, "past the table: black");
        bytes.set_position(0);
        let mut r = GeoTiffReader::new("mem.tif", bytes).expect("reads back");
        assert_eq!(
            r.read_window(0, Window::new(0, 1, 5, 1)).expect("decodes"),
            Samples::U8(vec![2, 3, 0, 1, 2])
        );
        let two = spec.clone();
        let e = write_geotiff(
            "two.tif",
            Cursor::new(Vec::new()),
            &RasterSpec {
                bands: 2,
                descriptions: Vec::new(),
                ..two
            },
            |_, _, _: &mut [Vec<u8>]| Ok(()),
        )
        .expect_err("a colour table needs one band");
        assert!(e.to_string().contains("needs one uint8 band"), "{e}");
    }

    #[test]
    fn user_defined_transverse_mercator_survives() {
        let mut parameters = std::collections::BTreeMap::new();
        parameters.insert(key::NAT_ORIGIN_LONG, 77.507513941);
        parameters.insert(key::SCALE_AT_NAT_ORIGIN, 0.9996);
        let crs = Crs::UserDefined {
            method: 1,
            geographic: Some(4326),
            parameters,
            citation: None,
            projection: None,
            linear_unit: 9001,
        };
        let spec = spec(1, crs.clone());
        let mut bytes = Cursor::new(Vec::new());
        write_geotiff(
            "tm.tif",
            &mut bytes,
            &spec,
            |_, _, _: &mut [Vec<u8>]| Ok(()),
        )
        .expect("writes");
        bytes.set_position(0);
        let r = GeoTiffReader::new("tm.tif", bytes).expect("reads back");
        assert_eq!(
            r.info().crs.as_ref().and_then(Crs::to_proj4),
            crs.to_proj4()
        );
    }

    #[test]
    fn inconsistent_specs_are_refused() {
        let mut s = spec(2, Crs::Epsg(4326));
        s.descriptions.pop();
        let err = write_geotiff(
            "x.tif",
            Cursor::new(Vec::new()),
            &s,
            |_, _, _: &mut [Vec<u8>]| Ok(()),
        )
        .expect_err("1 description for 2 bands");
        assert!(
            err.to_string()
                .contains("x.tif: 1 band descriptions for 2 bands"),
            "{err}"
        );
    }
}
