//! When a read is worth several threads, and how to split it (native only).

use crate::window::Window;

/// Reads smaller than this many pixels stay on one thread (spawning and re-opening cost ~1 ms).
const MIN_PIXELS: u64 = 1 << 21;

/// How many threads to decode `window` with: one per core, at most one per two chunk rows,
/// at most 8; 1 for small windows.
pub(crate) fn threads_for(window: Window, chunk_height: u32) -> usize {
    if window.pixels() < MIN_PIXELS || window.height == 0 {
        return 1;
    }
    let first = window.row / chunk_height;
    let last = (window.row + window.height - 1) / chunk_height;
    let chunk_rows = (last - first + 1) as usize;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.min(chunk_rows / 2).clamp(1, 8)
}

/// Splits `window` into `parts` windows of whole chunk rows (the first and last clipped to the
/// window), top to bottom, together covering it exactly.
pub(crate) fn split_rows(window: Window, chunk_height: u32, parts: usize) -> Vec<Window> {
    let first = window.row / chunk_height;
    let last = (window.row + window.height - 1) / chunk_height;
    let chunk_rows = last - first + 1;
    let parts = (parts as u32).clamp(1, chunk_rows);
    let end = window.row + window.height;
    (0..parts)
        .map(|k| {
            let top = (first + chunk_rows * k / parts) * chunk_height;
            let bottom = (first + chunk_rows * (k + 1) / parts) * chunk_height;
            let (top, bottom) = (top.max(window.row), bottom.min(end));
            Window::new(window.col, top, window.width, bottom - top)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_the_window_on_chunk_boundaries() {
        let window = Window::new(3, 100, 50, 1000);
        let parts = split_rows(window, 256, 3);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].row, 100);
        assert_eq!(parts.iter().map(|p| p.height).sum::<u32>(), 1000);
        for pair in parts.windows(2) {
            assert_eq!(pair[0].row + pair[0].height, pair[1].row);
            assert_eq!(pair[1].row % 256, 0, "{parts:?}");
        }
        assert!(parts.iter().all(|p| p.col == 3 && p.width == 50));
    }

    #[test]
    fn never_more_parts_than_chunk_rows() {
        let parts = split_rows(Window::new(0, 0, 10, 20), 16, 8);
        assert_eq!(
            parts,
            [Window::new(0, 0, 10, 16), Window::new(0, 16, 10, 4)]
        );
        assert_eq!(threads_for(Window::new(0, 0, 10, 20), 16), 1);
    }
}
