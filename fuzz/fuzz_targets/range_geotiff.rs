#![no_main]
// See glacier_fuzz::range_geotiff.
libfuzzer_sys::fuzz_target!(|data: &[u8]| glacier_fuzz::range_geotiff(data));
