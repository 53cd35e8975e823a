//! Which vector instructions the kernels use, chosen once at run time.
//!
//! The kernels are written once, as plain Rust over fixed-size arrays, and compiled twice:
//! inside a function that enables AVX2 + FMA (x86-64; picked when the CPU has them), and plainly
//! (wasm with `+simd128`, other CPUs). A build for the oldest x86-64 would otherwise use 4-wide
//! SSE2 without fused multiply-add (3.3× slower per tile, `--example tile_timing`). An AVX-512
//! build of the same code was slower than AVX2 on this project's machine (AMD EPYC, Zen 4: 25.5
//! against 17.9 ms per tile, one thread): LLVM paired 8-lane rows into 16-lane registers with
//! permutes; so a CPU with AVX-512 runs the AVX2 build.

/// The instruction set a kernel runs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// AVX2 with FMA.
    Avx2,
    /// What the build targets (wasm SIMD128 in the page; SSE2 on an x86-64 without AVX2).
    Plain,
}

impl Isa {
    /// The best this CPU has.
    pub fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                return Isa::Avx2;
            }
        }
        Isa::Plain
    }

    /// A short name for tables and the page ("avx2+fma", "simd128", "plain").
    pub fn name(self) -> &'static str {
        match self {
            Isa::Avx2 => "avx2+fma",
            Isa::Plain if cfg!(target_feature = "simd128") => "simd128",
            Isa::Plain => "plain",
        }
    }
}

/// `a · b + c`, fused where the instruction set has it (`FMA`), else a multiply and an add
/// (in wasm without relaxed SIMD `mul_add` would be a library call).
#[inline(always)]
pub(crate) fn madd<const FMA: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}

/// Defines `$name(isa, args…)` that runs `$generic::<FMA>(args…)` compiled for `isa`.
macro_rules! multiversion {
    ($(#[$doc:meta])* $vis:vis fn $name:ident => $generic:ident ($($arg:ident : $ty:ty),* $(,)?)) => {
        $(#[$doc])*
        #[allow(unsafe_code)]
        $vis fn $name(isa: $crate::isa::Isa, $($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2,fma")]
                fn avx2($($arg: $ty),*) { $generic::<true>($($arg),*) }
                match isa {
                    // SAFETY: `Isa::detect` chose it only where the CPU has the features.
                    $crate::isa::Isa::Avx2 => return unsafe { avx2($($arg),*) },
                    $crate::isa::Isa::Plain => {}
                }
            }
            let _ = isa;
            $generic::<false>($($arg),*)
        }
    };
}
pub(crate) use multiversion;
