//! From a mask back to outlines: glacier patches as polygons along pixel edges, as
//! `gdal_polygonize` traces them (4-connected patches; a patch's area is exactly its pixel count),
//! and those polygons as GeoJSON in longitude/latitude (RFC 7946).
//!
//! Linear in the number of pixels: every pixel edge between glacier and not-glacier is visited
//! once, and holes find their patch through a connected-component label, not by searching rings.

use glacier_raster::{Crs, Grid, Projector};

use crate::outlines::LabelError;

/// One glacier patch: its outer ring, then its holes, as closed lists of pixel-corner positions
/// `(col, row)` (first vertex repeated last). The outer ring runs clockwise on the image (so
/// counter-clockwise on a north-up map, as RFC 7946 asks), holes the other way.
#[derive(Clone, Debug, PartialEq)]
pub struct PixelPolygon {
    /// Outer ring first, then holes.
    pub rings: Vec<Vec<(u32, u32)>>,
    /// Glacier pixels in the patch.
    pub pixels: u64,
}

/// Directions of a step along pixel edges (image axes: x right, y down).
const EAST: u8 = 1;
const SOUTH: u8 = 2;
const WEST: u8 = 4;
const NORTH: u8 = 8;

fn step(x: u32, y: u32, dir: u8) -> (u32, u32) {
    match dir {
        EAST => (x + 1, y),
        SOUTH => (x, y + 1),
        WEST => (x - 1, y),
        _ => (x, y - 1),
    }
}

/// Labels the 4-connected patches of `glacier` pixels: `0` for not glacier, `1..` per patch.
/// Returns the labels and the pixel count of each patch (index = label − 1).
fn label_patches(glacier: &[bool], width: usize) -> (Vec<u32>, Vec<u64>) {
    let mut parent: Vec<u32> = vec![0];
    fn find(parent: &mut [u32], mut a: u32) -> u32 {
        while parent[a as usize] != a {
            parent[a as usize] = parent[parent[a as usize] as usize];
            a = parent[a as usize];
        }
        a
    }
    let mut labels = vec![0u32; glacier.len()];
    for i in 0..glacier.len() {
        if !glacier[i] {
            continue;
        }
        let up = if i >= width { labels[i - width] } else { 0 };
        let left = if i % width > 0 { labels[i - 1] } else { 0 };
        labels[i] = match (up, left) {
            (0, 0) => {
                let next = parent.len() as u32;
                parent.push(next);
                next
            }
            (a, 0) | (0, a) => a,
            (a, b) => {
                let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
                parent[ra.max(rb) as usize] = ra.min(rb);
                ra.min(rb)
            }
        };
    }
    // Compact the roots to 1..=n.
    let mut compact = vec![0u32; parent.len()];
    let mut counts = Vec::new();
    for l in 1..parent.len() as u32 {
        let root = find(&mut parent, l);
        if compact[root as usize] == 0 {
            counts.push(0);
            compact[root as usize] = counts.len() as u32;
        }
        compact[l as usize] = compact[root as usize];
    }
    for l in &mut labels {
        if *l != 0 {
            *l = compact[*l as usize];
            counts[*l as usize - 1] += 1;
        }
    }
    (labels, counts)
}

/// The glacier patches of a `width × height` mask (`is_glacier` picks the glacier values), as
/// polygons on pixel edges, in order of their first pixel (row-major).
///
/// Two glacier pixels touching only at a corner belong to different patches (4-connectivity,
/// `gdal_polygonize`'s default); their rings meet at that corner without crossing.
pub fn polygonize(
    mask: &[u8],
    width: u32,
    height: u32,
    is_glacier: impl Fn(u8) -> bool,
) -> Vec<PixelPolygon> {
    let (w, h) = (width as usize, height as usize);
    let glacier: Vec<bool> = mask.iter().take(w * h).map(|v| is_glacier(*v)).collect();
    let at = |c: i64, r: i64| -> bool {
        c >= 0
            && r >= 0
            && (c as usize) < w
            && (r as usize) < h
            && glacier[r as usize * w + c as usize]
    };
    // Outgoing boundary edges at each pixel corner (low 4 bits) and which were walked (high 4).
    let vw = w + 1;
    let mut edges = vec![0u8; vw * (h + 1)];
    for r in 0..h {
        for c in 0..w {
            if !glacier[r * w + c] {
                continue;
            }
            let (ci, ri) = (c as i64, r as i64);
            if !at(ci, ri - 1) {
                edges[r * vw + c] |= EAST;
            }
            if !at(ci + 1, ri) {
                edges[r * vw + c + 1] |= SOUTH;
            }
            if !at(ci, ri + 1) {
                edges[(r + 1) * vw + c + 1] |= WEST;
            }
            if !at(ci - 1, ri) {
                edges[(r + 1) * vw + c] |= NORTH;
            }
        }
    }
    let (labels, counts) = label_patches(&glacier, w);
    let mut polygons: Vec<PixelPolygon> = counts
        .iter()
        .map(|&pixels| PixelPolygon {
            rings: Vec::new(),
            pixels,
        })
        .collect();
    let mut holes: Vec<(u32, Vec<(u32, u32)>)> = Vec::new();
    for start in 0..edges.len() {
        while edges[start] & 0x0f & !(edges[start] >> 4) != 0 {
            let free = edges[start] & 0x0f & !(edges[start] >> 4);
            let first = free & free.wrapping_neg();
            let (sx, sy) = ((start % vw) as u32, (start / vw) as u32);
            // The pixel on the right of the first edge (the glacier side) names the patch.
            let pixel = match first {
                EAST => (sx, sy),
                SOUTH => (sx - 1, sy),
                WEST => (sx - 1, sy - 1),
                _ => (sx, sy - 1),
            };
            let label = labels[pixel.1 as usize * w + pixel.0 as usize];
            let mut ring = vec![(sx, sy)];
            let (mut x, mut y, mut dir) = (sx, sy, first);
            loop {
                edges[y as usize * vw + x as usize] |= dir << 4;
                (x, y) = step(x, y, dir);
                let here = edges[y as usize * vw + x as usize] & 0x0f;
                // Two ways on at a corner shared by diagonal glacier pixels: turn right, which
                // keeps each pixel's corner in its own ring (4-connectivity).
                let next = if here.count_ones() == 2 {
                    match dir {
                        SOUTH => WEST,
                        NORTH => EAST,
                        EAST => SOUTH,
                        _ => NORTH,
                    }
                } else {
                    here
                };
                if edges[y as usize * vw + x as usize] & (next << 4) != 0 {
                    break; // back on the first edge: the ring is closed
                }
                if next != dir {
                    ring.push((x, y));
                }
                dir = next;
            }
            if ring.len() > 1 && ring[0] == (x, y) && dir == first {
                // The start lies mid-way along a straight run: it is not a corner.
                ring.remove(0);
            }
            let closing = ring[0];
            ring.push(closing);
            if signed_area(&ring) > 0.0 {
                polygons[label as usize - 1].rings.insert(0, ring);
            } else {
                holes.push((label, ring));
            }
        }
    }
    for (label, ring) in holes {
        polygons[label as usize - 1].rings.push(ring);
    }
    polygons
}

/// Shoelace area in pixel units: positive for clockwise rings on the image.
fn signed_area(ring: &[(u32, u32)]) -> f64 {
    ring.windows(2)
        .map(|p| {
            let (a, b) = (p[0], p[1]);
            f64::from(a.0) * f64::from(b.1) - f64::from(b.0) * f64::from(a.1)
        })
        .sum::<f64>()
        / 2.0
}

/// Decimal places kept in GeoJSON coordinates: 1e-7° is about 1 cm.
const DEGREE_DECIMALS: f64 = 1e7;

/// `polygons` on `grid` as a GeoJSON FeatureCollection in WGS 84 longitude/latitude (RFC 7946):
/// one Polygon feature per patch with properties `id`, `pixels` and `area_km2` (pixels × pixel
/// area on the grid). `name` is the file name used in error messages.
///
/// # Errors
/// [`LabelError::Projection`] when the grid's CRS cannot be moved to longitude/latitude.
pub fn to_geojson(
    polygons: &[PixelPolygon],
    grid: &Grid,
    name: &str,
) -> Result<String, LabelError> {
    let lon_lat = Crs::Epsg(4326);
    let projection = |source| LabelError::Projection {
        file: name.to_owned(),
        source,
    };
    let projector = Projector::new(&grid.crs, &lon_lat).map_err(projection)?;
    let pixel_km2 =
        (grid.transform.dx * grid.transform.dy - grid.transform.rx * grid.transform.ry).abs() / 1e6;
    let round = |v: f64| (v * DEGREE_DECIMALS).round() / DEGREE_DECIMALS;
    let mut features = Vec::with_capacity(polygons.len());
    for (id, polygon) in polygons.iter().enumerate() {
        let mut rings = Vec::with_capacity(polygon.rings.len());
        for ring in &polygon.rings {
            let mut coords = Vec::with_capacity(ring.len());
            for &(c, r) in ring {
                let (x, y) = grid.transform.apply(f64::from(c), f64::from(r));
                let (lon, lat) = projector.transform(x, y).ok_or_else(|| {
                    projection(glacier_raster::ProjectionError {
                        from: grid.crs.to_string(),
                        to: lon_lat.to_string(),
                        reason: format!("point ({x}, {y}) has no longitude/latitude"),
                    })
                })?;
                coords.push([round(lon), round(lat)]);
            }
            rings.push(coords);
        }
        let mut properties = geojson::JsonObject::new();
        properties.insert("id".into(), (id + 1).into());
        properties.insert("pixels".into(), polygon.pixels.into());
        properties.insert(
            "area_km2".into(),
            ((polygon.pixels as f64 * pixel_km2 * 1e6).round() / 1e6).into(),
        );
        features.push(geojson::Feature {
            geometry: Some(geojson::Geometry::new(geojson::GeometryValue::new_polygon(
                rings,
            ))),
            properties: Some(properties),
            ..Default::default()
        });
    }
    let collection = geojson::FeatureCollection {
        features,
        ..Default::default()
    };
    Ok(geojson::GeoJson::from(collection).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask(rows: &[&str]) -> (Vec<u8>, u32, u32) {
        let w = rows[0].len() as u32;
        let m = rows
            .iter()
            .flat_map(|r| r.bytes().map(|b| u8::from(b == b'#')))
            .collect();
        (m, w, rows.len() as u32)
    }

    #[test]
    fn one_pixel_is_a_clockwise_square() {
        let (m, w, h) = mask(&["#"]);
        let p = polygonize(&m, w, h, |v| v == 1);
        assert_eq!(
            p,
            vec![PixelPolygon {
                rings: vec![vec![(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]],
                pixels: 1
            }]
        );
    }

    #[test]
    fn a_ring_with_an_island_in_its_hole() {
        let (m, w, h) = mask(&["#####", "#...#", "#.#.#", "#...#", "#####"]);
        let p = polygonize(&m, w, h, |v| v == 1);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].pixels, 16);
        assert_eq!(p[0].rings.len(), 2, "outer ring and one hole");
        assert_eq!(signed_area(&p[0].rings[0]), 25.0);
        assert_eq!(signed_area(&p[0].rings[1]), -9.0);
        assert_eq!(p[1].pixels, 1);
        assert_eq!(
            p[1].rings,
            vec![vec![(2, 2), (3, 2), (3, 3), (2, 3), (2, 2)]]
        );
    }

    #[test]
    fn diagonal_pixels_are_separate_patches() {
        let (m, w, h) = mask(&["#.", ".#"]);
        let p = polygonize(&m, w, h, |v| v == 1);
        assert_eq!(p.len(), 2);
        assert!(
            p.iter()
                .all(|q| q.rings.len() == 1 && q.rings[0].len() == 5),
            "{p:?}"
        );
        // A U shape pinched at one corner: one patch, one ring through that corner twice, no hole.
        let (m, w, h) = mask(&["###", "#.#", "##.", "###"]);
        let p = polygonize(&m, w, h, |v| v == 1);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].pixels, 10);
        assert_eq!(p[0].rings.len(), 1, "{p:?}");
        assert_eq!(signed_area(&p[0].rings[0]), 10.0);
    }

    #[test]
    fn area_is_the_pixel_count_for_random_masks() {
        // A fixed pseudo-random mask (xorshift): every patch's rings enclose exactly its pixels.
        let (w, h) = (61u32, 47u32);
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        let m: Vec<u8> = (0..w * h)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                u8::from(s % 100 < 55)
            })
            .collect();
        let p = polygonize(&m, w, h, |v| v == 1);
        let total: u64 = p.iter().map(|q| q.pixels).sum();
        assert_eq!(total, m.iter().filter(|v| **v == 1).count() as u64);
        for q in &p {
            let area: f64 = q.rings.iter().map(|r| signed_area(r)).sum();
            assert_eq!(area, q.pixels as f64, "{q:?}");
            assert!(signed_area(&q.rings[0]) > 0.0);
            assert!(q.rings[1..].iter().all(|r| signed_area(r) < 0.0));
        }
    }
}
