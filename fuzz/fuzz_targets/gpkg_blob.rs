#![no_main]
// See glacier_fuzz::gpkg_blob.
libfuzzer_sys::fuzz_target!(|data: &[u8]| glacier_fuzz::gpkg_blob(data));
