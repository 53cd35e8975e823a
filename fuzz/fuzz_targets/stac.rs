#![no_main]
// See glacier_fuzz::stac.
libfuzzer_sys::fuzz_target!(|data: &[u8]| glacier_fuzz::stac(data));
