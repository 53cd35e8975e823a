//! GDAL's private TIFF tags: GDAL_METADATA (42112, XML) and GDAL_NODATA (42113, text).

/// TIFF tag number of GDAL_METADATA.
pub const GDAL_METADATA_TAG: u16 = 42112;

/// Per-band metadata GDAL writes: description, scale and offset.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BandMetadata {
    /// The band's description (e.g. `NIR`, `Green`).
    pub description: Option<String>,
    /// Multiply stored values by this to get physical values.
    pub scale: Option<f64>,
    /// Add this after scaling.
    pub offset: Option<f64>,
}

/// Parses GDAL_NODATA: a number as text, `nan`, `inf`.
pub fn parse_nodata(text: &str) -> Option<f64> {
    let t = text.trim().trim_end_matches('\0').trim();
    match t.to_ascii_lowercase().as_str() {
        "nan" => Some(f64::NAN),
        "inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        _ => t.parse().ok(),
    }
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Reads band descriptions, scales and offsets from GDAL_METADATA's `<Item>` elements
/// (`<Item name="DESCRIPTION" sample="0" role="description">NIR</Item>`, roles `scale`, `offset`).
pub fn parse(xml: &str, bands: usize) -> Vec<BandMetadata> {
    let mut out = vec![BandMetadata::default(); bands];
    let mut rest = xml;
    while let Some(start) = rest.find("<Item") {
        rest = &rest[start..];
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let tag = &rest[..open_end];
        let Some(close) = rest.find("</Item>") else {
            break;
        };
        let value = unescape(rest[open_end + 1..close].trim());
        rest = &rest[close + 7..];
        let Some(band) = attribute(tag, "sample").and_then(|s| s.parse::<usize>().ok()) else {
            continue;
        };
        let Some(meta) = out.get_mut(band) else {
            continue;
        };
        match attribute(tag, "role") {
            Some("description") => meta.description = Some(value),
            Some("scale") => meta.scale = value.parse().ok(),
            Some("offset") => meta.offset = value.parse().ok(),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_band_items() {
        let xml = r#"<GDALMetadata>
  <Item name="DESCRIPTION" sample="0" role="description">Green &amp; co</Item>
  <Item name="scale_factor" sample="0" role="scale">0.0001</Item>
  <Item name="add_offset" sample="1" role="offset">-0.2</Item>
  <Item name="ACQUISITION">2020-08-16</Item>
  <Item name="DESCRIPTION" sample="7" role="description">out of range</Item>
</GDALMetadata>"#;
        let m = parse(xml, 2);
        assert_eq!(m[0].description.as_deref(), Some("Green & co"));
        assert_eq!(m[0].scale, Some(0.0001));
        assert_eq!(m[1].offset, Some(-0.2));
        assert_eq!(m[1].description, None);
    }

    #[test]
    fn parses_nodata_forms() {
        assert_eq!(parse_nodata("-9999"), Some(-9999.0));
        assert_eq!(parse_nodata("-32768\0"), Some(-32768.0));
        assert!(parse_nodata("nan").is_some_and(f64::is_nan));
        assert_eq!(parse_nodata("none"), None);
    }
}
