//! Overlapping tiles over a scene, and blending their predictions without seams.
//!
//! Each tile's prediction is weighted by a ramp that falls towards the tile's edges (except at
//! the scene's own edges), and the weighted sum is divided by the summed weights. A constant
//! prediction therefore stays constant, and edge artefacts of a tile are down-weighted where a
//! neighbour sees the same pixels from its interior.

use glacier_raster::Window;

/// Tiles of `tile × tile` pixels overlapping by `overlap`, covering `width × height`; tiles at
/// the right and bottom edges are shifted inward so every tile is full size (when the scene is
/// at least one tile big).
pub fn tiles(width: u32, height: u32, tile: u32, overlap: u32) -> Vec<Window> {
    let starts = |len: u32| -> Vec<u32> {
        if len <= tile {
            return vec![0];
        }
        let stride = tile.saturating_sub(overlap).max(1);
        let mut v: Vec<u32> = (0..)
            .map(|i| i * stride)
            .take_while(|s| s + tile < len)
            .collect();
        v.push(len - tile);
        v.dedup();
        v
    };
    let (cols, rows) = (starts(width), starts(height));
    let mut out = Vec::with_capacity(cols.len() * rows.len());
    for &r in &rows {
        for &c in &cols {
            out.push(Window::new(c, r, tile.min(width), tile.min(height)));
        }
    }
    out
}

/// Accumulates weighted tile predictions over a region and returns their blend.
pub struct Blender {
    region: Window,
    overlap: u32,
    scene: (u32, u32),
    sum: Vec<f32>,
    weight: Vec<f32>,
}

impl Blender {
    /// A blender for `region` of a `scene_width × scene_height` scene, tiles overlapping by
    /// `overlap`.
    pub fn new(region: Window, scene_width: u32, scene_height: u32, overlap: u32) -> Self {
        let n = region.pixels() as usize;
        Blender {
            region,
            overlap,
            scene: (scene_width, scene_height),
            sum: vec![0.0; n],
            weight: vec![0.0; n],
        }
    }

    fn ramp(&self, pos: u32, len: u32, start: u32, scene_len: u32) -> f32 {
        // Distance (in pixels, from 1) to the nearest tile edge that is not a scene edge.
        let from_start = if start == 0 { u32::MAX } else { pos + 1 };
        let from_end = if start + len >= scene_len {
            u32::MAX
        } else {
            len - pos
        };
        let d = from_start.min(from_end);
        if self.overlap == 0 || d == u32::MAX {
            return 1.0;
        }
        (d as f32 / (self.overlap as f32 + 1.0)).min(1.0)
    }

    /// Adds a tile's prediction (row-major over `tile`; NaN values are skipped).
    pub fn add(&mut self, tile: Window, values: &[f32]) {
        let r = self.region;
        for y in 0..tile.height {
            let gy = tile.row + y;
            if gy < r.row || gy >= r.row + r.height {
                continue;
            }
            let wy = self.ramp(y, tile.height, tile.row, self.scene.1);
            for x in 0..tile.width {
                let gx = tile.col + x;
                if gx < r.col || gx >= r.col + r.width {
                    continue;
                }
                let v = values[(y * tile.width + x) as usize];
                if v.is_nan() {
                    continue;
                }
                let w = wy * self.ramp(x, tile.width, tile.col, self.scene.0);
                let i = ((gy - r.row) * r.width + (gx - r.col)) as usize;
                self.sum[i] += v * w;
                self.weight[i] += w;
            }
        }
    }

    /// The blended values (NaN where no tile contributed).
    pub fn finish(self) -> Vec<f32> {
        self.sum
            .iter()
            .zip(&self.weight)
            .map(|(s, w)| if *w > 0.0 { s / w } else { f32::NAN })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_cover_the_scene_with_full_size_tiles() {
        let t = tiles(1000, 700, 256, 32);
        assert!(t.iter().all(|w| w.width == 256 && w.height == 256));
        assert!(t.iter().any(|w| w.col + w.width == 1000));
        assert!(t.iter().any(|w| w.row + w.height == 700));
        let mut covered = vec![false; 1000 * 700];
        for w in &t {
            for y in w.row..w.row + w.height {
                for x in w.col..w.col + w.width {
                    covered[(y * 1000 + x) as usize] = true;
                }
            }
        }
        assert!(covered.iter().all(|c| *c));
        assert_eq!(tiles(100, 50, 256, 32), vec![Window::new(0, 0, 100, 50)]);
    }

    #[test]
    fn blending_has_no_seams() {
        // Tiles predicting a smooth ramp x + y blend back to exactly that ramp.
        let (w, h) = (300u32, 200u32);
        let mut blend = Blender::new(Window::new(0, 0, w, h), w, h, 24);
        for t in tiles(w, h, 128, 24) {
            let values: Vec<f32> = (0..t.height)
                .flat_map(|y| (0..t.width).map(move |x| (t.col + x + t.row + y) as f32))
                .collect();
            blend.add(t, &values);
        }
        let out = blend.finish();
        for y in 0..h {
            for x in 0..w {
                let v = out[(y * w + x) as usize];
                assert!((v - (x + y) as f32).abs() < 1e-3, "({x}, {y}) = {v}");
            }
        }
    }
}
