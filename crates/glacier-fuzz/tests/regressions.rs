//! Every input the fuzzers found a bug with, replayed: `fuzz/regressions/<target>/<file>`
//! through the same function the fuzz target calls. Each must return (an error is fine); a panic
//! fails the test and names the file.

use std::path::Path;

#[test]
fn every_kept_input_runs_without_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let mut replayed = 0;
    for (target, run) in glacier_fuzz::TARGETS {
        let dir = root.join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let bytes = std::fs::read(&path).expect("a kept input reads");
            let outcome = std::panic::catch_unwind(|| run(&bytes));
            assert!(outcome.is_ok(), "{target}: {} panics again", path.display());
            replayed += 1;
        }
    }
    println!("{replayed} kept inputs replayed");
}

#[test]
fn every_target_takes_empty_and_tiny_inputs() {
    for (target, run) in glacier_fuzz::TARGETS {
        for input in [&b""[..], b"\0", b"II*\0", b"MM\0*", b"{}", b"GP\0\x01"] {
            let outcome = std::panic::catch_unwind(|| run(input));
            assert!(outcome.is_ok(), "{target} panics on {input:?}");
        }
    }
}
