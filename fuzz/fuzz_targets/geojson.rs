#![no_main]
// See glacier_fuzz::geojson.
libfuzzer_sys::fuzz_target!(|data: &[u8]| glacier_fuzz::geojson(data));
