//! Times one 256-px tile of the shipped network's shape (random weights: the time does not
//! depend on the values) on each instruction set this CPU has.
//! `cargo run --release -p glacier-kernels --example tile_timing [CHANNELS] [RUNS]`

#[path = "../tests/common/mod.rs"]
mod common;

use glacier_kernels::{Combine, Isa, UNet};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let channels: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let weights = common::unet(1, channels, 3, 8, Combine::Max);
    let input = common::Numbers::new(9).many(channels * 256 * 256, 2.0);
    println!("| isa | cold (ms) | median (ms) | fastest (ms) |\n|---|---:|---:|---:|");
    let only = std::env::var("ISA").ok();
    for isa in [Isa::Avx2, Isa::Plain] {
        if only.as_deref().is_some_and(|o| o != isa.name()) {
            continue;
        }
        let Ok(net) = UNet::new(&weights) else { return };
        let net = net.with_isa(isa);
        if net.isa() != isa {
            continue;
        }
        let time = || {
            let t = Instant::now();
            let out = net.forward(&input, channels, 256, 256);
            std::hint::black_box(out.map(|o| o.len()).unwrap_or(0));
            t.elapsed().as_secs_f64() * 1e3
        };
        let cold = time();
        let mut warm: Vec<f64> = (0..runs).map(|_| time()).collect();
        warm.sort_by(f64::total_cmp);
        println!(
            "| {} | {cold:.1} | {:.1} | {:.1} |",
            isa.name(),
            warm[runs / 2],
            warm[0]
        );
    }
}
