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
    fn blending_keeps_a_field_all_tiles_agree_on() {
        // Tiles predicting a smooth ramp x + y blend back to exactly that ramp, the last tile of
        // a row or column shifted inward included (the weights sum to one; their shape is checked
        // below, where tiles disagree).
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

    #[test]
    fn blending_has_no_seams() {
        // Every tile predicts its own constant: column index + 10 × row index. Across the
        // `overlap` pixels two neighbours share, the blend must rise in equal steps
        // k / (overlap + 1), k = 1..=overlap (each tile's ramp falls towards the edge the other
        // one's interior covers); elsewhere a tile's value holds exactly. Wrong weights (flat,
        // reversed, too wide or too narrow) leave a step or a different curve there.
        let (tile, overlap) = (32u32, 8u32);
        let stride = tile - overlap;
        let (w, h) = (tile + 2 * stride, tile + stride);
        let windows = tiles(w, h, tile, overlap);
        assert_eq!(windows.len(), 3 * 2);
        // Blend over a strip (rows 5..45), as whole-scene prediction does.
        let strip = Window::new(0, 5, w, 40);
        let mut blend = Blender::new(strip, w, h, overlap);
        for t in &windows {
            let value = (t.col / stride + 10 * (t.row / stride)) as f32;
            blend.add(*t, &vec![value; t.pixels() as usize]);
        }
        let out = blend.finish();
        // The closed form along one axis: one step per tile boundary at `stride`, `2 × stride`…
        let fade = |p: u32, len: u32| -> f32 {
            (stride..len - overlap)
                .step_by(stride as usize)
                .map(|start| {
                    if p < start {
                        0.0
                    } else {
                        ((p - start + 1) as f32 / (overlap + 1) as f32).min(1.0)
                    }
                })
                .sum()
        };
        assert_eq!(fade(stride + 3, w), 4.0 / 9.0);
        for y in strip.row..strip.row + strip.height {
            for x in 0..w {
                let want = fade(x, w) + 10.0 * fade(y, h);
                let got = out[((y - strip.row) * w + x) as usize];
                assert!((got - want).abs() < 1e-4, "({x}, {y}) = {got}, want {want}");
            }
        }
    }

    #[test]
    fn blending_ramps_span_the_overlap_where_a_shifted_tile_meets_an_interior() {
        // One row of tiles 0, 1, 2 (at columns 0, 24, 38), each predicting its index. The last
        // tile, shifted inward, shares 18 px with tile 1: its 8-px ramp (weights 1/9…8/9) meets
        // tile 1's interior (weight 1), then tile 1's ramp meets its interior. A ramp of another
        // width or shape gives other values there.
        let (tile, overlap, w) = (32u32, 8u32, 70u32);
        let windows = tiles(w, tile, tile, overlap);
        let starts: Vec<u32> = windows.iter().map(|t| t.col).collect();
        assert_eq!(starts, [0, 24, 38]);
        let mut blend = Blender::new(Window::new(0, 0, w, tile), w, tile, overlap);
        for (i, t) in windows.iter().enumerate() {
            blend.add(*t, &vec![i as f32; t.pixels() as usize]);
        }
        let out = blend.finish();
        let ramp = |d: u32| d as f32 / (overlap + 1) as f32;
        for x in 0..w {
            let want = match x {
                0..24 => 0.0,
                24..32 => ramp(x - 23),
                32..38 => 1.0,
                38..46 => (1.0 + 2.0 * ramp(x - 37)) / (1.0 + ramp(x - 37)),
                46..48 => 1.5,
                48..56 => (ramp(56 - x) + 2.0) / (ramp(56 - x) + 1.0),
                _ => 2.0,
            };
            for y in 0..tile {
                let got = out[(y * w + x) as usize];
                assert!((got - want).abs() < 1e-5, "({x}, {y}) = {got}, want {want}");
            }
        }
    }
}
