//! A layer's output rows computed on every core natively, one after another in wasm.

/// Calls `f(y, row)` for each of the `row_len`-long rows `dst` holds, in parallel where the
/// platform has threads.
pub(crate) fn for_each_row<F>(dst: &mut [f32], row_len: usize, f: F)
where
    F: Fn(usize, &mut [f32]) + Sync + Send,
{
    #[cfg(not(target_family = "wasm"))]
    {
        use rayon::prelude::*;
        dst.par_chunks_mut(row_len)
            .enumerate()
            .for_each(|(y, row)| f(y, row));
    }
    #[cfg(target_family = "wasm")]
    for (y, row) in dst.chunks_mut(row_len).enumerate() {
        f(y, row);
    }
}

/// `f(y, row)` for each of the `row_len`-long rows `src` holds, in order, computed in parallel
/// where the platform has threads.
pub(crate) fn map_rows<T, F>(src: &[f32], row_len: usize, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize, &[f32]) -> T + Sync + Send,
{
    #[cfg(not(target_family = "wasm"))]
    {
        use rayon::prelude::*;
        src.par_chunks(row_len)
            .enumerate()
            .map(|(y, row)| f(y, row))
            .collect()
    }
    #[cfg(target_family = "wasm")]
    {
        src.chunks(row_len)
            .enumerate()
            .map(|(y, row)| f(y, row))
            .collect()
    }
}

/// Runs `f` on a thread of the pool the rows run on (natively; in wasm, here): each layer's
/// rows are then split among the pool's threads from inside it, where a call from outside
/// the pool would hand every layer over to it and wait (a thread switch per layer).
pub(crate) fn in_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    #[cfg(not(target_family = "wasm"))]
    {
        rayon::scope(|_| f())
    }
    #[cfg(target_family = "wasm")]
    f()
}
