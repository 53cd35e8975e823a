#![no_main]
// See glacier_fuzz::archive.
libfuzzer_sys::fuzz_target!(|data: &[u8]| glacier_fuzz::archive(data));
