//! A feature map as the kernels keep it: channels last (NHWC, one image), with a border of one
//! zero pixel all round, so a 3×3 convolution reads its neighbours without bounds tests.

/// A `height × width × channels` map inside a one-pixel zero border.
pub(crate) struct Feature {
    pub(crate) height: usize,
    pub(crate) width: usize,
    pub(crate) channels: usize,
    /// `(height + 2) × (width + 2) × channels` values, the border zero.
    pub(crate) data: Vec<f32>,
}

impl Feature {
    /// Values in one padded row (border included).
    pub(crate) fn row_len(&self) -> usize {
        (self.width + 2) * self.channels
    }

    /// Index of the first value of interior pixel (`y`, `x`).
    pub(crate) fn at(&self, y: usize, x: usize) -> usize {
        ((y + 1) * (self.width + 2) + x + 1) * self.channels
    }

    /// The interior rows' slice of the buffer (row `y` at `y * row_len()`, border columns
    /// included), for writing rows in parallel.
    pub(crate) fn interior_rows_mut(&mut self) -> &mut [f32] {
        let len = self.row_len();
        let end = (self.height + 1) * len;
        &mut self.data[len..end]
    }

    /// From planes (`channels × height × width`, row-major, as burn's NCHW).
    pub(crate) fn from_planes(
        planes: &[f32],
        channels: usize,
        height: usize,
        width: usize,
        scratch: &Scratch,
    ) -> Feature {
        let mut f = scratch.feature(height, width, channels);
        let plane = height * width;
        for y in 0..height {
            for x in 0..width {
                let at = f.at(y, x);
                for c in 0..channels {
                    f.data[at + c] = planes[c * plane + y * width + x];
                }
            }
        }
        f
    }
}

/// Buffers kept between layers and between tiles: a network's maps have the same sizes on every
/// tile, so after the first tile no map is allocated (fresh allocations of megabytes cost page
/// faults and zeroing on every tile: a tenth of a tile's time, measured with `perf`).
#[derive(Default)]
pub(crate) struct Scratch {
    free: std::sync::Mutex<Vec<Vec<f32>>>,
}

impl Scratch {
    /// A map whose border is zero and whose interior holds anything (every kernel writes all of
    /// its output's interior).
    pub(crate) fn feature(&self, height: usize, width: usize, channels: usize) -> Feature {
        let n = (height + 2) * (width + 2) * channels;
        let mut data = self.take(n);
        let row = (width + 2) * channels;
        data[..row].fill(0.0);
        data[(height + 1) * row..].fill(0.0);
        for y in 1..=height {
            data[y * row..y * row + channels].fill(0.0);
            data[(y + 1) * row - channels..(y + 1) * row].fill(0.0);
        }
        Feature {
            height,
            width,
            channels,
            data,
        }
    }

    /// A buffer of `n` values: the smallest free one that is long enough, else a new one.
    fn take(&self, n: usize) -> Vec<f32> {
        let mut free = self
            .free
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let best = free
            .iter()
            .enumerate()
            .filter(|(_, v)| v.len() >= n)
            .min_by_key(|(_, v)| v.len())
            .map(|(i, _)| i);
        match best {
            Some(i) => {
                let mut v = free.swap_remove(i);
                v.truncate(n);
                v
            }
            None => vec![0.0; n],
        }
    }

    /// Hands a map's buffer back for the next one.
    pub(crate) fn give(&self, feature: Feature) {
        let mut free = self
            .free
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        free.push(feature.data);
    }
}
