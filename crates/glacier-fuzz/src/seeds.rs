//! Seeds the fuzzers start from where `../shared/data` has no file of the kind: GeoPackage
//! geometry blobs and STAC documents in the shapes the readers take.

/// A little-endian WKB polygon of `rings`, each a closed list of points.
fn wkb_polygon(rings: &[&[(f64, f64)]]) -> Vec<u8> {
    let mut out = vec![1u8];
    out.extend(3u32.to_le_bytes());
    out.extend((rings.len() as u32).to_le_bytes());
    for ring in rings {
        out.extend((ring.len() as u32).to_le_bytes());
        for (x, y) in *ring {
            out.extend(x.to_le_bytes());
            out.extend(y.to_le_bytes());
        }
    }
    out
}

/// A WKB collection (`kind` 6 multipolygon, 7 geometry collection) of `members`.
fn wkb_collection(kind: u32, members: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![1u8];
    out.extend(kind.to_le_bytes());
    out.extend((members.len() as u32).to_le_bytes());
    for m in members {
        out.extend(m);
    }
    out
}

/// A GeoPackage blob: `GP`, version 0, flags (little-endian, envelope kind `envelope`), SRS id
/// 4326, the envelope's doubles, the WKB.
fn gp(envelope: u8, wkb: &[u8]) -> Vec<u8> {
    let mut out = b"GP\0".to_vec();
    out.push(1 | (envelope << 1));
    out.extend(4326i32.to_le_bytes());
    let doubles = match envelope {
        1 => 4,
        2 | 3 => 6,
        4 => 8,
        _ => 0,
    };
    for i in 0..doubles {
        out.extend(f64::from(i).to_le_bytes());
    }
    out.extend(wkb);
    out
}

/// Blobs of a square, a square with a hole, a multipolygon and a nested collection, with
/// and without envelopes.
pub fn geopackage_blobs() -> Vec<(&'static str, Vec<u8>)> {
    let square: &[(f64, f64)] = &[
        (86.9, 28.0),
        (87.0, 28.0),
        (87.0, 28.1),
        (86.9, 28.1),
        (86.9, 28.0),
    ];
    let hole: &[(f64, f64)] = &[
        (86.92, 28.02),
        (86.95, 28.02),
        (86.95, 28.05),
        (86.92, 28.02),
    ];
    let one = wkb_polygon(&[square]);
    let holed = wkb_polygon(&[square, hole]);
    let multi = wkb_collection(6, &[one.clone(), holed.clone()]);
    let nested = wkb_collection(
        7,
        &[multi.clone(), wkb_collection(7, std::slice::from_ref(&one))],
    );
    vec![
        ("square", gp(0, &one)),
        ("square_envelope", gp(1, &one)),
        ("holed_envelope_z", gp(2, &holed)),
        ("multipolygon", gp(0, &multi)),
        ("collection_envelope_zm", gp(4, &nested)),
    ]
}

/// A Planetary Computer style item, a search page holding it with a next link, a read token.
pub fn stac_documents() -> Vec<(&'static str, String)> {
    let asset = |href: &str| {
        format!(
            r#"{{"href": "{href}", "type": "image/tiff; application=geotiff; profile=cloud-optimized", "raster:bands": [{{"scale": 2.75e-05, "offset": -0.2, "nodata": 0}}]}}"#
        )
    };
    let keys = [
        "green", "red", "nir08", "swir16", "swir22", "lwir11", "qa_pixel",
    ];
    let assets: Vec<String> = keys
        .iter()
        .map(|k| format!(r#""{k}": {}"#, asset(&format!("../files/LC08_{k}.TIF"))))
        .collect();
    let item = format!(
        r#"{{"type": "Feature", "stac_version": "1.0.0", "id": "LC08_L2SP_140041_20201015_02_T1", "collection": "landsat-c2-l2", "bbox": [86.1, 26.9, 88.5, 29.0], "properties": {{"datetime": "2020-10-15T04:41:10Z", "eo:cloud_cover": 3.2, "platform": "landsat-8", "proj:epsg": 32645, "landsat:wrs_path": "140", "landsat:wrs_row": "041"}}, "assets": {{{}}}, "links": [{{"rel": "self", "href": "https://example.org/items/x"}}]}}"#,
        assets.join(", ")
    );
    let page = format!(
        r#"{{"type": "FeatureCollection", "features": [{item}], "links": [{{"rel": "next", "href": "https://example.org/search?page=2", "method": "POST", "body": {{"token": "page-2"}}, "merge": true}}]}}"#
    );
    let token = r#"{"msft:expiry": "2026-12-06T23:59:00Z", "token": "sv=2021&sig=abc"}"#.to_owned();
    vec![
        ("item", item),
        ("page", page),
        ("token", token),
        ("content_range", "bytes 0-16383/881234".to_owned()),
    ]
}
