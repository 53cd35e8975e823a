//! Slope in degrees with Horn's 3×3 kernel.

/// Metres per degree of latitude on the WGS 84 ellipsoid's mean radius (for lon/lat grids).
const METRES_PER_DEGREE: f64 = 111_320.0;

/// Pixel sizes in metres for slope: projected grids give them directly; lon/lat grids are scaled
/// at each row's latitude.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PixelSize {
    /// Projected grid: `(x, y)` pixel size in metres.
    Metres(f64, f64),
    /// Geographic grid: `(x, y)` pixel size in degrees and the latitude of row 0's centre and
    /// the latitude step per row.
    Degrees {
        /// Pixel width in degrees.
        dx: f64,
        /// Pixel height in degrees.
        dy: f64,
        /// Latitude at the centre of row 0.
        lat0: f64,
        /// Latitude change per row (negative for north-up).
        dlat: f64,
    },
}

/// Linear extrapolation one step beyond `a`, away from `b` (`2a − b`); NaN if either is NaN.
fn extrapolate(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else {
        2.0 * a - b
    }
}

/// The 3×3 window around `(r, c)` (row-major, centre at index 4), as `gdaldem -compute_edges`
/// builds it: beyond the raster's edge a value is extrapolated linearly from the two nearest
/// cells inward (corners of the first and last rows reuse the edge column).
fn window(dem: &[f32], width: usize, height: usize, r: usize, c: usize) -> [f32; 9] {
    let z = |rr: usize, cc: usize| dem[rr * width + cc];
    let jmin = c.saturating_sub(1);
    let jmax = (c + 1).min(width - 1);
    if height < 2 || width < 2 {
        return [z(r, c); 9];
    }
    if r == 0 {
        return [
            extrapolate(z(0, jmin), z(1, jmin)),
            extrapolate(z(0, c), z(1, c)),
            extrapolate(z(0, jmax), z(1, jmax)),
            z(0, jmin),
            z(0, c),
            z(0, jmax),
            z(1, jmin),
            z(1, c),
            z(1, jmax),
        ];
    }
    if r == height - 1 {
        return [
            z(r - 1, jmin),
            z(r - 1, c),
            z(r - 1, jmax),
            z(r, jmin),
            z(r, c),
            z(r, jmax),
            extrapolate(z(r, jmin), z(r - 1, jmin)),
            extrapolate(z(r, c), z(r - 1, c)),
            extrapolate(z(r, jmax), z(r - 1, jmax)),
        ];
    }
    if c == 0 {
        return [
            extrapolate(z(r - 1, 0), z(r - 1, 1)),
            z(r - 1, 0),
            z(r - 1, 1),
            extrapolate(z(r, 0), z(r, 1)),
            z(r, 0),
            z(r, 1),
            extrapolate(z(r + 1, 0), z(r + 1, 1)),
            z(r + 1, 0),
            z(r + 1, 1),
        ];
    }
    if c == width - 1 {
        return [
            z(r - 1, c - 1),
            z(r - 1, c),
            extrapolate(z(r - 1, c), z(r - 1, c - 1)),
            z(r, c - 1),
            z(r, c),
            extrapolate(z(r, c), z(r, c - 1)),
            z(r + 1, c - 1),
            z(r + 1, c),
            extrapolate(z(r + 1, c), z(r + 1, c - 1)),
        ];
    }
    [
        z(r - 1, c - 1),
        z(r - 1, c),
        z(r - 1, c + 1),
        z(r, c - 1),
        z(r, c),
        z(r, c + 1),
        z(r + 1, c - 1),
        z(r + 1, c),
        z(r + 1, c + 1),
    ]
}

/// Slope in degrees of `dem` (`width × height`, NaN = nodata), as
/// `gdaldem slope -alg Horn -compute_edges`: beyond the edges values are extrapolated linearly,
/// a missing neighbour takes the centre's value, and a missing centre gives NaN.
pub fn slope_degrees(dem: &[f32], width: usize, height: usize, size: PixelSize) -> Vec<f32> {
    let mut out = vec![f32::NAN; dem.len()];
    for r in 0..height {
        let (xres, yres) = match size {
            PixelSize::Metres(x, y) => (x.abs(), y.abs()),
            PixelSize::Degrees { dx, dy, lat0, dlat } => {
                let lat = lat0 + dlat * r as f64;
                (
                    dx.abs() * METRES_PER_DEGREE * lat.to_radians().cos(),
                    dy.abs() * METRES_PER_DEGREE,
                )
            }
        };
        for c in 0..width {
            let mut w = window(dem, width, height, r, c);
            let centre = w[4];
            if centre.is_nan() {
                continue;
            }
            for v in &mut w {
                if v.is_nan() {
                    *v = centre;
                }
            }
            let w = w.map(f64::from);
            let dzdx = ((w[2] + 2.0 * w[5] + w[8]) - (w[0] + 2.0 * w[3] + w[6])) / (8.0 * xres);
            let dzdy = ((w[6] + 2.0 * w[7] + w[8]) - (w[0] + 2.0 * w[1] + w[2])) / (8.0 * yres);
            out[r * width + c] = dzdx.hypot(dzdy).atan().to_degrees() as f32;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plane_of_known_gradient() {
        // z = 0.5·x (metres) on a 10 m grid: slope atan(0.5) = 26.565°, everywhere (edges too).
        let (w, h) = (5, 4);
        let dem: Vec<f32> = (0..w * h).map(|i| ((i % w) as f32) * 5.0).collect();
        let s = slope_degrees(&dem, w, h, PixelSize::Metres(10.0, -10.0));
        assert!((s[2 * w + 2] - 26.565_05).abs() < 1e-4);
        // At the edges the plane is extrapolated, so the slope is the same there.
        assert!((s[w] - 26.565_05).abs() < 1e-4);
        // gdaldem does not extrapolate sideways in the first and last rows: a corner sees half
        // the gradient.
        assert!((s[0] - 0.25f32.atan().to_degrees()).abs() < 1e-4);
        let flat = slope_degrees(&[7.0; 9], 3, 3, PixelSize::Metres(30.0, 30.0));
        assert!(flat.iter().all(|v| *v == 0.0));
    }
}
