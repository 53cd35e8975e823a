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
        "completions",
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

#[test]
fn completions_cover_every_command_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = Command::new(env!("CARGO_BIN_EXE_glacier"))
            .args(["completions", shell])
            .output()
            .expect("runs");
        assert!(out.status.success(), "completions {shell} failed");
        let script = String::from_utf8_lossy(&out.stdout);
        for name in ["predict", "chips", "export-onnx", "no-plausibility-rule"] {
            assert!(script.contains(name), "{shell} script lacks {name}");
        }
    }
    // An unknown shell is a usage error naming the ones it knows, not a panic.
    let out = Command::new(env!("CARGO_BIN_EXE_glacier"))
        .args(["completions", "tcsh"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bash"));
}
