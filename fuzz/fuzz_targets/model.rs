#![no_main]
// See glacier_fuzz::model (built with `--features model`: it brings burn).
libfuzzer_sys::fuzz_target!(|data: &[u8]| glacier_fuzz::model(data));
