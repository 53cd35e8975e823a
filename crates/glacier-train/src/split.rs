//! Spatial split by blocks with a buffer.

use glacier_raster::Window;
use serde::{Deserialize, Serialize};

/// Which part of the data a chip belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// Fitting the weights.
    Train,
    /// Early stopping and model choice.
    Validation,
    /// The held-out numbers reported.
    Test,
}

impl Split {
    /// Lower-case name used in file names.
    pub fn name(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Validation => "validation",
            Split::Test => "test",
        }
    }
}

/// Square blocks of `block` pixels assigned to splits in a fixed, interleaved pattern: of every
/// 10 blocks (in a diagonal order that spreads them over the scene) `validation` go to
/// validation, `test` to test, the rest to training. A chip belongs to a split when it lies
/// entirely inside blocks of that split, at least `buffer` pixels away from any other split's
/// block; other chips are dropped.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpatialSplit {
    /// Block size in pixels.
    pub block: u32,
    /// Buffer in pixels between splits.
    pub buffer: u32,
    /// Blocks in ten that go to validation.
    pub validation: u32,
    /// Blocks in ten that go to test.
    pub test: u32,
}

impl Default for SpatialSplit {
    /// 256-px blocks, 16-px buffer, 2/10 validation, 2/10 test.
    fn default() -> Self {
        SpatialSplit {
            block: 256,
            buffer: 16,
            validation: 2,
            test: 2,
        }
    }
}

impl SpatialSplit {
    /// The split of block `(bx, by)`.
    pub fn block_split(&self, bx: u32, by: u32) -> Split {
        // 3·bx + 7·by mod 10 visits all ten residues along rows and columns, so each split gets
        // blocks spread across the scene rather than one corner.
        let k = (3 * bx + 7 * by) % 10;
        if k < self.validation {
            Split::Validation
        } else if k < self.validation + self.test {
            Split::Test
        } else {
            Split::Train
        }
    }

    /// The split of `chip`, or `None` when it straddles splits or lies within the buffer of
    /// another split's block.
    pub fn chip_split(&self, chip: Window) -> Option<Split> {
        let b = self.block.max(1);
        let x0 = chip.col.saturating_sub(self.buffer) / b;
        let y0 = chip.row.saturating_sub(self.buffer) / b;
        let x1 = (chip.col + chip.width + self.buffer - 1) / b;
        let y1 = (chip.row + chip.height + self.buffer - 1) / b;
        let mut found = None;
        for by in y0..=y1 {
            for bx in x0..=x1 {
                let s = self.block_split(bx, by);
                match found {
                    None => found = Some(s),
                    Some(f) if f != s => return None,
                    _ => {}
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_consecutive_blocks_hold_each_share() {
        let s = SpatialSplit::default();
        let row: Vec<Split> = (0..10).map(|bx| s.block_split(bx, 0)).collect();
        assert_eq!(row.iter().filter(|x| **x == Split::Validation).count(), 2);
        assert_eq!(row.iter().filter(|x| **x == Split::Test).count(), 2);
        let col: Vec<Split> = (0..10).map(|by| s.block_split(0, by)).collect();
        assert_eq!(col.iter().filter(|x| **x == Split::Train).count(), 6);
    }

    #[test]
    fn chips_near_another_split_are_dropped() {
        let s = SpatialSplit {
            block: 100,
            buffer: 10,
            validation: 2,
            test: 2,
        };
        // Block (0,0): k = 0 → validation; block (1,0): k = 3 → test; block (2,0): k = 6 → train.
        assert_eq!(s.block_split(0, 0), Split::Validation);
        assert_eq!(s.block_split(1, 0), Split::Test);
        assert_eq!(s.block_split(2, 0), Split::Train);
        assert_eq!(
            s.chip_split(Window::new(10, 10, 32, 32)),
            Some(Split::Validation)
        );
        assert_eq!(
            s.chip_split(Window::new(60, 10, 32, 32)),
            None,
            "within 10 px of block (1,0)"
        );
        assert_eq!(
            s.chip_split(Window::new(115, 10, 32, 32)),
            Some(Split::Test)
        );
        assert_eq!(
            s.chip_split(Window::new(215, 10, 32, 32)),
            Some(Split::Train)
        );
        assert_eq!(
            s.chip_split(Window::new(105, 10, 32, 32)),
            None,
            "within the buffer"
        );
    }
}
