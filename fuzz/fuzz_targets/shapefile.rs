#![no_main]
// See glacier_fuzz::shapefile.
libfuzzer_sys::fuzz_target!(|data: &[u8]| glacier_fuzz::shapefile(data));
