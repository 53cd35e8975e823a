//! Sizes a model file's header declares (tensor shapes, network widths), checked before anything
//! is allocated or built from them: a hostile header gets [`InferError::Header`], never a panic,
//! a wrapped product or a huge allocation.

use glacier_model::{Architecture, StoredValues};

use crate::bundle::ModelBundle;
use crate::error::InferError;

/// The product of `factors`, sizes from tensor `number`'s `shape` in file `file`.
///
/// # Errors
/// [`InferError::Header`] when it overflows.
pub(crate) fn product(
    file: &str,
    number: usize,
    shape: &[usize],
    factors: &[usize],
) -> Result<usize, InferError> {
    factors
        .iter()
        .try_fold(1usize, |acc, f| acc.checked_mul(*f))
        .ok_or_else(|| InferError::Header {
            file: file.to_owned(),
            detail: format!(
                "tensor {} has shape {shape:?}, more values than any file can hold",
                number + 1
            ),
        })
}

/// Checks that the header's network can be built from the stored weights before building
/// it: its widths (`base_width << depth`, `filters × in_channels`) computed without
/// overflow, and no larger than the weights can fill (so a hostile header cannot make
/// [`ModelBundle::load_net`] allocate more than a small multiple of the file).
///
/// # Errors
/// [`InferError::Header`] naming the configuration field that does not fit.
pub(crate) fn check_network(bundle: &ModelBundle, file: &str) -> Result<(), InferError> {
    let header = |detail: String| InferError::Header {
        file: file.to_owned(),
        detail,
    };
    // What the file holds (lengths of real buffers: their sum cannot overflow).
    let stored: usize = bundle
        .tensors
        .iter()
        .map(|t| match &t.values {
            StoredValues::F32(v) => v.len(),
            StoredValues::Int8 { values, .. } => values.len(),
        })
        .sum();
    let needed = match bundle.header.network() {
        Some(Architecture::UNet(c)) => {
            let widest = u32::try_from(c.depth)
                .ok()
                .and_then(|d| 1usize.checked_shl(d))
                .and_then(|scale| c.base_width.checked_mul(scale))
                .ok_or_else(|| {
                    header(format!(
                        "a U-Net of depth {} from base width {} has a width past {}",
                        c.depth,
                        c.base_width,
                        usize::MAX
                    ))
                })?;
            // First convolution, the bottleneck's second 3×3 convolution, the 1×1 head.
            [
                [c.in_channels, c.base_width, 9],
                [widest, widest, 9],
                [c.base_width, c.out_channels, 1],
            ]
            .iter()
            .map(|f| f.iter().try_fold(1usize, |a, b| a.checked_mul(*b)))
            .try_fold(0usize, |sum, n| sum.checked_add(n?))
        }
        Some(Architecture::Spectral3d(c)) => {
            let flat = c.filters.checked_mul(c.in_channels);
            // The 3×3×3 convolutions and the 1×1 head over the F·C flattened channels.
            let first = c.filters.checked_mul(27);
            let others = c
                .filters
                .checked_mul(c.filters)
                .and_then(|f| f.checked_mul(27))
                .and_then(|f| f.checked_mul(c.layers.max(1) - 1));
            let head = flat.and_then(|f| f.checked_mul(c.out_channels));
            [first, others, head]
                .into_iter()
                .try_fold(0usize, |sum, n| sum.checked_add(n?))
        }
        // No network to build: the callers say so.
        None => return Ok(()),
    };
    match needed {
        Some(n) if n <= stored => Ok(()),
        Some(n) => Err(header(format!(
            "the {} configuration needs at least {n} weights, the file holds {stored}",
            bundle.header.architecture
        ))),
        None => Err(header(format!(
            "the {} configuration's sizes overflow",
            bundle.header.architecture
        ))),
    }
}

#[cfg(test)]
mod tests {
    use glacier_model::{Spectral3dCnnConfig, UNetConfig};

    use super::*;
    use crate::bundle::ModelHeader;
    use crate::bundle::tests::tiny;

    /// The error `from_bytes` gives for `bundle` after `edit`, which must be a header error.
    fn header_error(mut bundle: ModelBundle, edit: impl FnOnce(&mut ModelHeader)) -> String {
        edit(&mut bundle.header);
        match ModelBundle::from_bytes("m.glcm", &bundle.to_bytes()) {
            Err(InferError::Header { file, detail }) if file == "m.glcm" => detail,
            other => panic!("expected a header error, got {other:?}"),
        }
    }

    #[test]
    fn hostile_header_sizes_are_header_errors_not_panics() {
        let (bundle, _) = tiny();
        // A shape whose product (and byte count) overflows: a panic or a wrap before.
        let detail = header_error(bundle.clone(), |h| h.tensors[0].shape = vec![1 << 62, 8]);
        assert!(
            detail.starts_with("tensor 1 has shape [4611686018427387904, 8], more values"),
            "{detail}"
        );
        let detail = header_error(bundle.clone(), |h| h.tensors[0].shape = vec![1 << 62]);
        assert!(
            detail.contains("more values than any file can hold"),
            "{detail}"
        );
        // `base_width << depth` past usize: a shift overflow in `UNetConfig::init` before.
        let unet = |edit: fn(&mut UNetConfig)| {
            move |h: &mut ModelHeader| {
                if let Some(c) = h.unet.as_mut() {
                    edit(c);
                }
            }
        };
        let detail = header_error(bundle.clone(), unet(|c| c.depth = 70));
        assert!(
            detail.starts_with("a U-Net of depth 70 from base width 4 has a width past"),
            "{detail}"
        );
        // Widths that fit but would need terabytes of weights the file does not hold.
        let detail = header_error(bundle.clone(), unet(|c| c.base_width = 1 << 20));
        assert!(detail.contains("needs at least"), "{detail}");
        assert!(detail.ends_with(&format!("the file holds {}", bundle.parameters())));
        let detail = header_error(bundle.clone(), |h| {
            h.architecture = "spectral3d-scse".into();
            h.spectral3d = Some(Spectral3dCnnConfig::new(usize::MAX / 2).with_filters(3));
        });
        assert_eq!(detail, "the spectral3d-scse configuration's sizes overflow");
        // A bundle made in memory is checked before its network is built.
        let mut deep = bundle;
        if let Some(c) = deep.header.unet.as_mut() {
            c.depth = 70;
        }
        let err = deep
            .load_net(&glacier_model::devices::cpu())
            .expect_err("too deep");
        assert!(matches!(err, InferError::Header { .. }), "{err}");
    }
}
