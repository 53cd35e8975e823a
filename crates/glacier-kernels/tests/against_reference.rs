//! The kernels against a plain reference pass (f64 sums, operations one by one) on random
//! weights and inputs, on every instruction set this CPU has.

mod common;

use common::{Map, Numbers, forward_ref, unet};
use glacier_kernels::{Combine, Isa, KernelError, UNet};

fn max_difference(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn check(
    seed: u64,
    inputs: usize,
    depth: usize,
    base: usize,
    side: (usize, usize),
    combine: Combine,
) {
    let weights = unet(seed, inputs, depth, base, combine);
    let (h, w) = side;
    let input = Map {
        c: inputs,
        h,
        w,
        v: Numbers::new(seed + 100).many(inputs * h * w, 2.0),
    };
    let want = forward_ref(&weights, &input);
    let spread = want.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(spread > 1e-2, "the logits vary ({spread})");
    let best = UNet::new(&weights).expect("fits");
    for isa in [Isa::Plain, Isa::Avx2] {
        let net = UNet::new(&weights).expect("fits").with_isa(isa);
        if net.isa() != isa {
            continue;
        }
        let got = net.forward(&input.v, inputs, h, w).expect("runs");
        assert_eq!(got.len(), want.len());
        let d = max_difference(&got, &want);
        assert!(
            d < 1e-4 * spread.max(1.0),
            "{isa:?}: max |Δ logit| {d} of {spread}"
        );
    }
    assert!(matches!(best.isa(), Isa::Plain | Isa::Avx2));
}

#[test]
fn the_shipped_shape_matches_the_reference() {
    // The shipped models: 3 or 5 channels in, depth 3, 8 channels at the top, scSE by maximum.
    check(1, 3, 3, 8, (64, 48), Combine::Max);
    check(2, 5, 3, 8, (32, 40), Combine::Max);
}

#[test]
fn other_shapes_match_the_reference() {
    // Fewer than 8 channels (one partial block of lanes), widths not a multiple of 8 pixels,
    // the sum merge, no down-sampling at all.
    check(3, 2, 2, 4, (12, 20), Combine::Add);
    check(4, 1, 1, 6, (10, 2), Combine::Max);
    check(5, 4, 0, 12, (5, 3), Combine::Max);
}

#[test]
fn inputs_that_do_not_fit_are_refused() {
    let net = UNet::new(&unet(6, 3, 3, 8, Combine::Max)).expect("fits");
    let e = net
        .forward(&[0.0; 3 * 60 * 64], 3, 60, 64)
        .expect_err("60 is not a multiple of 8");
    assert!(
        matches!(e, KernelError::Input(_)) && e.to_string().contains("multiples of 8"),
        "{e}"
    );
    let e = net
        .forward(&[0.0; 4 * 64 * 64], 4, 64, 64)
        .expect_err("4 channels");
    assert!(e.to_string().contains("takes 3"), "{e}");
    let e = net
        .forward(&[0.0; 10], 3, 8, 8)
        .expect_err("too few values");
    assert!(e.to_string().contains("holds 10 values"), "{e}");
}

#[test]
fn weights_that_do_not_fit_are_refused() {
    let mut w = unet(7, 3, 2, 8, Combine::Max);
    w.decoders[1].conv1.weight.pop();
    let e = UNet::new(&w).err().expect("a value short");
    assert!(
        e.to_string().contains("decoder 1 conv1 weight holds"),
        "{e}"
    );
    let mut w = unet(7, 3, 2, 8, Combine::Max);
    w.ups.pop();
    let e = UNet::new(&w).err().expect("an up-convolution short");
    assert!(
        e.to_string().contains("2 encoders, 1 up-convolutions"),
        "{e}"
    );
}
