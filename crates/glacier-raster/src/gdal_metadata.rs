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

/// The value of attribute `name` in an open tag's attribute text (`name="value"` after
/// whitespace, so `role` does not match `xrole`).
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let pattern = format!("{name}=\"");
    // Match bounds are character boundaries, so these slices cannot panic.
    tag.match_indices(&pattern)
        .find(|(at, _)| tag[..*at].ends_with(char::is_whitespace))
        .and_then(|(at, _)| tag[at + pattern.len()..].split_once('"'))
        .map(|(value, _)| value)
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
///
/// The text comes from the file, so nothing in it can panic this: a malformed `<Item` is
/// skipped, and an unclosed one ends the reading.
pub fn parse(xml: &str, bands: usize) -> Vec<BandMetadata> {
    let mut out = vec![BandMetadata::default(); bands];
    let mut rest = xml;
    while let Some((_, after)) = rest.split_once("<Item") {
        rest = after;
        // `<Items>` or `<ItemX …>` is another element.
        if !after.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/') {
            continue;
        }
        let Some((tag, tail)) = after.split_once('>') else {
            break;
        };
        if tag.contains('<') {
            // `<Item</Item>`: the open tag never closed; look for the next `<Item`.
            continue;
        }
        if tag.ends_with('/') {
            // `<Item … />` holds no value.
            rest = tail;
            continue;
        }
        let Some((text, tail)) = tail.split_once("</Item>") else {
            break;
        };
        rest = tail;
        let Some(band) = attribute(tag, "sample").and_then(|s| s.parse::<usize>().ok()) else {
            continue;
        };
        let Some(meta) = out.get_mut(band) else {
            continue;
        };
        let value = unescape(text.trim());
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

    #[test]
    fn malformed_items_are_skipped_not_a_panic() {
        let empty = vec![BandMetadata::default(); 2];
        // `<Item</Item>` panicked every open of its file (slice 12..5).
        for xml in [
            "<Item</Item>",
            "<Item>",
            "<Item",
            "<Item sample=\"0\" role=\"scale\">",
            "<Item sample=\"0\" role=\"scale\">2</Ite",
            "<Item sample=\"0\" role=\"scale",
            "</Item><Item>",
            ">>></Item><Item",
        ] {
            assert_eq!(parse(xml, 2), empty, "{xml}");
        }
        let after_broken = parse("<Item</Item><Item sample=\"0\" role=\"scale\">2</Item>", 1);
        assert_eq!(after_broken[0].scale, Some(2.0));
        let after_empty = parse(
            "<Item sample=\"0\" role=\"description\"/><Item sample=\"0\" role=\"scale\">0.5</Item>",
            1,
        );
        assert_eq!(
            (after_empty[0].description.clone(), after_empty[0].scale),
            (None, Some(0.5))
        );
        let other = parse(
            "<Items sample=\"0\" role=\"scale\">9</Items><Item xrole=\"scale\" sample=\"0\">8</Item>",
            1,
        );
        assert_eq!(other[0], BandMetadata::default());
        let multibyte = parse(
            "<Item sample=\"0\" role=\"description\">Ледник 氷河</Item>",
            1,
        );
        assert_eq!(multibyte[0].description.as_deref(), Some("Ледник 氷河"));
    }

    #[test]
    fn every_cut_of_real_metadata_parses_without_panic() {
        let xml = "<GDALMetadata>\n  <Item name=\"DESCRIPTION\" sample=\"0\" role=\"description\">Grün – 氷河 😀</Item>\n  <Item name=\"scale_factor\" sample=\"0\" role=\"scale\">0.0001</Item>\n  <Item name=\"add_offset\" sample=\"1\" role=\"offset\">-0.2</Item>\n  <Item name=\"x\" sample=\"1\" role=\"description\"/>\n</GDALMetadata>";
        let full = parse(xml, 2);
        assert_eq!(full[0].description.as_deref(), Some("Grün – 氷河 😀"));
        assert_eq!((full[0].scale, full[1].offset), (Some(0.0001), Some(-0.2)));
        // A cut document may lose items but never invents or changes one.
        let consistent = |part: &[BandMetadata]| {
            part.iter().zip(&full).all(|(p, f)| {
                (p.description.is_none() || p.description == f.description)
                    && (p.scale.is_none() || p.scale == f.scale)
                    && (p.offset.is_none() || p.offset == f.offset)
            })
        };
        let cuts: Vec<usize> = xml
            .char_indices()
            .map(|(i, _)| i)
            .chain([xml.len()])
            .collect();
        for &at in &cuts {
            assert!(consistent(&parse(&xml[..at], 2)), "prefix {at}");
            assert!(consistent(&parse(&xml[at..], 2)), "suffix {at}");
        }
        // Without any one character, or with a multibyte one put in anywhere: no panic.
        for (at, ch) in xml.char_indices() {
            let (head, tail) = xml.split_at(at);
            let _ = parse(&format!("{head}{}", &tail[ch.len_utf8()..]), 2);
            let _ = parse(&format!("{head}氷{tail}"), 2);
        }
    }
}
