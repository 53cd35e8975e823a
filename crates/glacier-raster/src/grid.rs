//! Raster grids and moving coordinates between coordinate reference systems.

use proj4rs::proj::Proj;

use crate::georef::{Crs, GeoTransform};

/// A georeferenced pixel grid: size, transform and CRS.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Pixel-to-map transform (corners).
    pub transform: GeoTransform,
    /// Coordinate reference system.
    pub crs: Crs,
}

impl Grid {
    /// Map coordinates of the centre of pixel `(col, row)`.
    pub fn centre(&self, col: u32, row: u32) -> (f64, f64) {
        self.transform
            .apply(f64::from(col) + 0.5, f64::from(row) + 0.5)
    }

    /// Number of pixels (native targets; for a buffer's length use [`Grid::checked_pixels`],
    /// which also holds in `wasm32`).
    pub fn pixels(&self) -> usize {
        self.width as usize * self.height as usize
    }

    /// Number of pixels as a buffer length, within [`MAX_GRID_PIXELS`].
    ///
    /// # Errors
    /// [`GridTooLarge`] for a larger grid.
    pub fn checked_pixels(&self) -> Result<usize, GridTooLarge> {
        grid_pixels(self.width, self.height)
    }

    /// Whether `other` is the same grid (same size, CRS and transform within 1e-6 of a pixel).
    pub fn same_as(&self, other: &Grid) -> bool {
        let t = (self.transform.to_gdal(), other.transform.to_gdal());
        let tol = 1e-6 * self.transform.dx.abs();
        self.width == other.width
            && self.height == other.height
            && self.crs == other.crs
            && t.0.iter().zip(&t.1).all(|(a, b)| (a - b).abs() <= tol)
    }
}

/// Most pixels of a grid held whole in memory (a scene, its mask, a DEM resampled onto it): 2^30,
/// against ≈ 60 Mpx for a full Landsat scene (≈ 7 600 × 7 800).
pub const MAX_GRID_PIXELS: u64 = 1 << 30;

/// A grid with more pixels than [`MAX_GRID_PIXELS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "a {width} × {height} px grid is over the limit of {MAX_GRID_PIXELS} pixels held in memory (a \
     full Landsat scene is about 7 600 × 7 800); crop it to the area of interest, for example with \
     `gdal_translate -srcwin`"
)]
pub struct GridTooLarge {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// `width × height` as a buffer length, within [`MAX_GRID_PIXELS`] (so also within `usize` in
/// `wasm32`).
///
/// # Errors
/// [`GridTooLarge`] for a larger grid.
pub fn grid_pixels(width: u32, height: u32) -> Result<usize, GridTooLarge> {
    let pixels = u64::from(width) * u64::from(height);
    match usize::try_from(pixels) {
        Ok(n) if pixels <= MAX_GRID_PIXELS => Ok(n),
        _ => Err(GridTooLarge { width, height }),
    }
}

/// Why one grid's pixels cannot be placed on another.
#[derive(Debug, thiserror::Error)]
pub enum GridError {
    /// The two CRSs cannot be related.
    #[error(transparent)]
    Projection(#[from] ProjectionError),
    /// The destination grid is too large to hold in memory.
    #[error(transparent)]
    TooLarge(#[from] GridTooLarge),
}

/// Transforms points from one CRS to another (pure-Rust PROJ port, `proj4rs`).
///
/// Longitude/latitude are in degrees on both sides.
pub struct Projector {
    from: Proj,
    to: Proj,
    identity: bool,
}

/// A CRS this project cannot transform (no PROJ definition known for it).
#[derive(Debug, thiserror::Error)]
#[error("cannot transform coordinates from {from} to {to}: {reason}")]
pub struct ProjectionError {
    /// Source CRS.
    pub from: String,
    /// Target CRS.
    pub to: String,
    /// Why.
    pub reason: String,
}

impl Projector {
    /// A projector from `from` to `to`.
    ///
    /// # Errors
    /// [`ProjectionError`] when either CRS has no PROJ definition here.
    pub fn new(from: &Crs, to: &Crs) -> Result<Projector, ProjectionError> {
        let err = |reason: String| ProjectionError {
            from: from.to_string(),
            to: to.to_string(),
            reason,
        };
        let proj = |crs: &Crs| -> Result<Proj, ProjectionError> {
            let def = crs
                .to_proj4()
                .ok_or_else(|| err(format!("{crs} has no known PROJ definition")))?;
            Proj::from_proj_string(&def).map_err(|e| err(format!("{def}: {e}")))
        };
        Ok(Projector {
            from: proj(from)?,
            to: proj(to)?,
            identity: from == to,
        })
    }

    /// Transforms one point; `None` when it falls outside the projection's domain.
    pub fn transform(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        if self.identity {
            return Some((x, y));
        }
        let (x, y) = if self.from.is_latlong() {
            (x.to_radians(), y.to_radians())
        } else {
            (x, y)
        };
        let mut p = (x, y, 0.0);
        proj4rs::transform::transform(&self.from, &self.to, &mut p).ok()?;
        let out = if self.to.is_latlong() {
            (p.0.to_degrees(), p.1.to_degrees())
        } else {
            (p.0, p.1)
        };
        (out.0.is_finite() && out.1.is_finite()).then_some(out)
    }
}

/// For every pixel centre of `dst`, its fractional pixel position `(col, row)` on `src`
/// (centres at +0.5), computed exactly on a lattice every `step` pixels and bilinearly in between
/// (GDAL's approximate transformer does the same; the error is far below a pixel for the smooth
/// projections used here). `None` where the point cannot be transformed.
///
/// # Errors
/// [`GridError::Projection`] when the CRSs cannot be related, [`GridError::TooLarge`] when `dst`
/// has more than [`MAX_GRID_PIXELS`].
pub fn source_positions(
    dst: &Grid,
    src: &Grid,
    step: u32,
) -> Result<Vec<Option<(f32, f32)>>, GridError> {
    let pixels = dst.checked_pixels()?;
    let projector = Projector::new(&dst.crs, &src.crs)?;
    let step = step.max(1);
    // Within u32: at most (w + 1)(h + 1) ≤ 2^31 + 2 points for a grid under the cap.
    let lat_w = dst.width.div_ceil(step) + 1;
    let lat_h = dst.height.div_ceil(step) + 1;
    let mut lattice = Vec::with_capacity(lat_w as usize * lat_h as usize);
    for j in 0..lat_h {
        for i in 0..lat_w {
            let (col, row) = (f64::from(i * step) + 0.5, f64::from(j * step) + 0.5);
            let (x, y) = dst.transform.apply(col, row);
            lattice.push(
                projector
                    .transform(x, y)
                    .and_then(|(sx, sy)| src.transform.invert(sx, sy)),
            );
        }
    }
    let mut out = Vec::with_capacity(pixels);
    for row in 0..dst.height {
        let (j, fy) = (row / step, f64::from(row % step) / f64::from(step));
        for col in 0..dst.width {
            let (i, fx) = (col / step, f64::from(col % step) / f64::from(step));
            let at = |di: u32, dj: u32| lattice[((j + dj) * lat_w + i + di) as usize];
            let corners = [at(0, 0), at(1, 0), at(0, 1), at(1, 1)];
            let value = match corners {
                [Some(a), Some(b), Some(c), Some(d)] => {
                    let lerp = |p: f64, q: f64, t: f64| p + (q - p) * t;
                    let top = (lerp(a.0, b.0, fx), lerp(a.1, b.1, fx));
                    let bottom = (lerp(c.0, d.0, fx), lerp(c.1, d.1, fx));
                    Some((
                        lerp(top.0, bottom.0, fy) as f32,
                        lerp(top.1, bottom.1, fy) as f32,
                    ))
                }
                _ => {
                    let (x, y) = dst.centre(col, row);
                    projector
                        .transform(x, y)
                        .and_then(|(sx, sy)| src.transform.invert(sx, sy))
                        .map(|(c, r)| (c as f32, r as f32))
                }
            };
            out.push(value);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utm_to_lonlat_matches_a_known_point() {
        // Everest B4 grid corner (478000, 3108140) in UTM 45N ≈ lon 86.776, lat 28.099.
        let p = Projector::new(&Crs::Epsg(32645), &Crs::Epsg(4326)).expect("known CRSs");
        let (lon, lat) = p.transform(478000.0, 3108140.0).expect("in domain");
        assert!(
            (lon - 86.776).abs() < 5e-4 && (lat - 28.099).abs() < 5e-4,
            "{lon} {lat}"
        );
        let back = Projector::new(&Crs::Epsg(4326), &Crs::Epsg(32645)).expect("known");
        let (x, y) = back.transform(lon, lat).expect("in domain");
        assert!((x - 478000.0).abs() < 1e-3 && (y - 3108140.0).abs() < 1e-3);
    }

    #[test]
    fn unknown_crs_is_a_clear_error() {
        let e = Projector::new(&Crs::Epsg(2056), &Crs::Epsg(4326))
            .err()
            .expect("unsupported");
        assert!(
            e.to_string()
                .contains("EPSG:2056 has no known PROJ definition"),
            "{e}"
        );
    }
}
