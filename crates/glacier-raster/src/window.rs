//! A rectangle of pixels, the unit every read asks for.

/// A rectangle of pixels: top-left `(col, row)` and size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// First column.
    pub col: u32,
    /// First row.
    pub row: u32,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Window {
    /// The window `width × height` at `(col, row)`.
    pub fn new(col: u32, row: u32, width: u32, height: u32) -> Self {
        Window {
            col,
            row,
            width,
            height,
        }
    }

    /// Number of pixels.
    pub fn pixels(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }
}
