//! Every command explains itself: its help ends with an example that starts with its own name.

use std::process::Command;

#[test]
fn every_command_has_an_example_of_itself() {
    let commands = [
        "inspect",
        "prepare",
        "chips",
        "train",
        "eval",
        "export",
        "export-onnx",
        "predict",
        "bench-model",
        "rasterize",
    ];
    for name in commands {
        let out = Command::new(env!("CARGO_BIN_EXE_glacier"))
            .args([name, "--help"])
            .output()
            .expect("runs");
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{name} --help failed");
        assert!(
            help.contains(&format!("Examples:\n  glacier {name} ")),
            "{name} --help has no example of itself:\n{help}"
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_glacier"))
        .args(["predict", "--help"])
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("unet-scse-grn takes green, red and NIR"),
        "{help}"
    );
}
