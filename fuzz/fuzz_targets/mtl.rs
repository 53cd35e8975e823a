#![no_main]
// See glacier_fuzz::mtl.
libfuzzer_sys::fuzz_target!(|data: &[u8]| glacier_fuzz::mtl(data));
