//! The ground area of a grid's pixels: one value on a projected grid (the transform's
//! determinant, in m²), one per row on a lon/lat grid (on the sphere of the WGS 84 authalic
//! radius).

use glacier_raster::{Crs, Grid};

/// Radius of the sphere with the WGS 84 ellipsoid's area, in metres.
const AUTHALIC_RADIUS_M: f64 = 6_371_007.2;

/// Pixel areas of a grid, in m².
#[derive(Clone, Debug, PartialEq)]
pub enum PixelArea {
    /// Every pixel the same (a projected grid; UTM's scale factor, 0.9996 on the central
    /// meridian to about 1.001 at a zone's edge, so areas within about 0.2 %, is left in).
    Constant(f64),
    /// One area per row (a lon/lat grid).
    PerRow(Vec<f64>),
}

impl PixelArea {
    /// The pixel areas of `grid`; lon/lat for an EPSG geographic CRS (4000–4999).
    pub fn of(grid: &Grid) -> PixelArea {
        let t = grid.transform;
        let geographic = matches!(grid.crs, Crs::Epsg(code) if (4000..5000).contains(&code));
        if !geographic {
            // In the CRS's unit squared: a grid in feet is converted (an unknown unit is taken
            // as the metre; the CRSs this project reads name theirs).
            let m = grid.crs.metres_per_unit().unwrap_or(1.0);
            return PixelArea::Constant((t.dx * t.dy - t.rx * t.ry).abs() * m * m);
        }
        let r2 = AUTHALIC_RADIUS_M * AUTHALIC_RADIUS_M;
        let width = t.dx.abs().to_radians();
        PixelArea::PerRow(
            (0..grid.height)
                .map(|row| {
                    let lat = |r: f64| (t.y0 + r * t.dy).to_radians().sin();
                    r2 * width * (lat(f64::from(row)) - lat(f64::from(row) + 1.0)).abs()
                })
                .collect(),
        )
    }

    /// The area of one pixel of `row`, in m².
    pub fn row(&self, row: usize) -> f64 {
        match self {
            PixelArea::Constant(a) => *a,
            PixelArea::PerRow(rows) => rows.get(row).copied().unwrap_or(0.0),
        }
    }

    /// The area of one pixel in the middle row, in m² (for a summary line).
    pub fn typical(&self) -> f64 {
        match self {
            PixelArea::Constant(a) => *a,
            PixelArea::PerRow(rows) => rows.get(rows.len() / 2).copied().unwrap_or(0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use glacier_raster::GeoTransform;

    #[test]
    fn utm_and_lon_lat_pixels() {
        let mut grid = Grid {
            width: 10,
            height: 2,
            transform: GeoTransform {
                x0: 86.0,
                dx: 30.0,
                rx: 0.0,
                y0: 28.0,
                ry: 0.0,
                dy: -30.0,
            },
            crs: Crs::Epsg(32645),
        };
        assert_eq!(PixelArea::of(&grid).row(1), 900.0);
        // One arc-second at 28° N: ≈ 30.9 m × 27.3 m.
        grid.crs = Crs::Epsg(4326);
        grid.transform.dx = 1.0 / 3600.0;
        grid.transform.dy = -1.0 / 3600.0;
        let a = PixelArea::of(&grid).row(0);
        assert!((a - 843.0).abs() < 2.0, "{a}");
        // A UTM zone in feet: 100 ft pixels are 30.48 m.
        grid.crs = Crs::UserDefined {
            method: 0,
            geographic: Some(4326),
            parameters: Default::default(),
            citation: None,
            projection: Some(16045),
            linear_unit: 9002,
        };
        grid.transform.dx = 100.0;
        grid.transform.dy = -100.0;
        let a = PixelArea::of(&grid).row(0);
        assert!((a - 30.48 * 30.48).abs() < 1e-9, "{a}");
    }
}
