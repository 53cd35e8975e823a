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

/// A closed list of pixel-corner positions `(col, row)`.
type Ring = Vec<(u32, u32)>;

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

/// 4-connected patch labels computed one row at a time (union–find over provisional labels),
/// so memory holds two rows of labels rather than one per pixel. A provisional label's root
/// ([`RowLabels::root`]) is final once every row is labelled; roots number the patches in
/// order of their first pixel (row-major), since a patch's first pixel opens its smallest label.
struct RowLabels {
    /// Union–find parents of the provisional labels (`0` = not glacier).
    parent: Vec<u32>,
    /// Pixels labelled with each provisional label.
    pixels: Vec<u64>,
    /// Labels of the previous row and of the current one.
    above: Vec<u32>,
    current: Vec<u32>,
}

impl RowLabels {
    fn new(width: usize) -> RowLabels {
        RowLabels {
            parent: vec![0],
            pixels: vec![0],
            above: vec![0; width],
            current: vec![0; width],
        }
    }

    fn root(&mut self, mut a: u32) -> u32 {
        while self.parent[a as usize] != a {
            let grand = self.parent[self.parent[a as usize] as usize];
            self.parent[a as usize] = grand;
            a = grand;
        }
        a
    }

    /// Moves on to the next row, whose glacier pixels `glacier(col)` tells.
    fn next_row(&mut self, glacier: impl Fn(usize) -> bool) {
        std::mem::swap(&mut self.above, &mut self.current);
        for c in 0..self.current.len() {
            if !glacier(c) {
                self.current[c] = 0;
                continue;
            }
            let up = self.above[c];
            let left = if c > 0 { self.current[c - 1] } else { 0 };
            let label = match (up, left) {
                (0, 0) => {
                    let next = self.parent.len() as u32;
                    self.parent.push(next);
                    self.pixels.push(0);
                    next
                }
                (a, 0) | (0, a) => a,
                (a, b) => {
                    let (ra, rb) = (self.root(a), self.root(b));
                    self.parent[ra.max(rb) as usize] = ra.min(rb);
                    ra.min(rb)
                }
            };
            self.pixels[label as usize] += 1;
            self.current[c] = label;
        }
    }

    /// Patch index (0-based, in order of first pixel) of every provisional label, and each
    /// patch's pixel count.
    fn patches(mut self) -> (Vec<usize>, Vec<u64>) {
        let mut index = vec![usize::MAX; self.parent.len()];
        let mut counts = Vec::new();
        for l in 1..self.parent.len() as u32 {
            let root = self.root(l);
            if index[root as usize] == usize::MAX {
                index[root as usize] = counts.len();
                counts.push(0);
            }
            index[l as usize] = index[root as usize];
            counts[index[l as usize]] += self.pixels[l as usize];
        }
        (index, counts)
    }
}

/// The glacier patches of a `width × height` mask (`is_glacier` picks the glacier values), as
/// polygons on pixel edges, in order of their first pixel (row-major).
///
/// Two glacier pixels touching only at a corner belong to different patches (4-connectivity,
/// `gdal_polygonize`'s default); their rings meet at that corner without crossing.
///
/// Memory beyond the mask and the polygons: one byte per pixel corner and two rows of labels.
pub fn polygonize(
    mask: &[u8],
    width: u32,
    height: u32,
    is_glacier: impl Fn(u8) -> bool,
) -> Vec<PixelPolygon> {
    let (w, h) = (width as usize, height as usize);
    let at = |c: i64, r: i64| -> bool {
        c >= 0
            && r >= 0
            && (c as usize) < w
            && (r as usize) < h
            && mask
                .get(r as usize * w + c as usize)
                .is_some_and(|v| is_glacier(*v))
    };
    // Outgoing boundary edges at each pixel corner (low 4 bits) and which were walked (high 4).
    let vw = w + 1;
    let mut edges = vec![0u8; vw * (h + 1)];
    for r in 0..h {
        for c in 0..w {
            let (ci, ri) = (c as i64, r as i64);
            if !at(ci, ri) {
                continue;
            }
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
    // Rings in the order they are found, with the provisional label of their patch and whether
    // they are outer rings (clockwise on the image) or holes.
    let mut rings: Vec<(u32, Ring, bool)> = Vec::new();
    let mut labels = RowLabels::new(w);
    for sy in 0..=h {
        // Labels of pixel rows sy − 1 (`above`) and sy (`current`): a ring starting at corner
        // row sy names its patch by a pixel in one of them.
        labels.next_row(|c| at(c as i64, sy as i64));
        for sx in 0..vw {
            let start = sy * vw + sx;
            while edges[start] & 0x0f & !(edges[start] >> 4) != 0 {
                let free = edges[start] & 0x0f & !(edges[start] >> 4);
                let first = free & free.wrapping_neg();
                let (sx, sy) = (sx as u32, sy as u32);
                // The pixel on the right of the first edge (the glacier side) names the patch.
                let label = match first {
                    EAST => labels.current[sx as usize],
                    SOUTH => labels.current[sx as usize - 1],
                    WEST => labels.above[sx as usize - 1],
                    _ => labels.above[sx as usize],
                };
                let mut ring = vec![(sx, sy)];
                let (mut x, mut y, mut dir) = (sx, sy, first);
                loop {
                    edges[y as usize * vw + x as usize] |= dir << 4;
                    (x, y) = step(x, y, dir);
                    let here = edges[y as usize * vw + x as usize] & 0x0f;
                    // Two ways on at a corner shared by diagonal glacier pixels: turn right,
                    // which keeps each pixel's corner in its own ring (4-connectivity).
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
                let outer = signed_area(&ring) > 0.0;
                rings.push((label, ring, outer));
            }
        }
    }
    drop(edges);
    let (index, counts) = labels.patches();
    let mut polygons: Vec<PixelPolygon> = counts
        .into_iter()
        .map(|pixels| PixelPolygon {
            rings: Vec::new(),
            pixels,
        })
        .collect();
    // Each patch has one outer ring; it goes first, then the holes in the order found.
    let mut holes = Vec::new();
    for (label, ring, outer) in rings {
        let patch = index[label as usize];
        if outer {
            polygons[patch].rings.insert(0, ring);
        } else {
            holes.push((patch, ring));
        }
    }
    for (patch, ring) in holes {
        polygons[patch].rings.push(ring);
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
    // Features are written one at a time, so memory holds the text and one feature.
    let encoding = |e: geojson::Error| LabelError::Encoding {
        file: name.to_owned(),
        detail: e.to_string(),
    };
    let mut text = Vec::new();
    let mut writer = geojson::FeatureWriter::from_writer(&mut text);
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
        let feature = geojson::Feature {
            geometry: Some(geojson::Geometry::new(geojson::GeometryValue::new_polygon(
                rings,
            ))),
            properties: Some(properties),
            ..Default::default()
        };
        writer.write_feature(&feature).map_err(encoding)?;
    }
    writer.finish().map_err(encoding)?;
    drop(writer);
    String::from_utf8(text).map_err(|e| LabelError::Encoding {
        file: name.to_owned(),
        detail: e.to_string(),
    })
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
    fn arms_that_meet_only_in_the_last_row_are_one_patch() {
        // Row by row the two arms get different labels; the bottom row joins them.
        let (m, w, h) = mask(&["#.#", "#.#", "###", "...", "#.."]);
        let p = polygonize(&m, w, h, |v| v == 1);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].pixels, 7);
        assert_eq!(p[0].rings.len(), 1, "the gap opens to the top: no hole");
        assert_eq!(signed_area(&p[0].rings[0]), 7.0);
        assert_eq!(p[1].pixels, 1);
        assert_eq!(
            p[1].rings,
            vec![vec![(0, 4), (1, 4), (1, 5), (0, 5), (0, 4)]]
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
