#![no_main]
// See glacier_fuzz::geotiff.
libfuzzer_sys::fuzz_target!(|data: &[u8]| glacier_fuzz::geotiff(data));
