//! What can go wrong, by cause.

/// Errors of building or running the network on these kernels.
#[derive(Debug, thiserror::Error)]
pub enum KernelError {
    /// A layer's numbers do not fit the layer before it (a model file's fault).
    #[error("{what} {detail}")]
    Shape {
        /// Which layer.
        what: String,
        /// What does not fit.
        detail: String,
    },
    /// The input given does not fit the network (the caller's fault).
    #[error("the input {0}")]
    Input(String),
}
