//! The library crate `jrpc` carries nothing only the programs need: an
//! application that embeds a server or a client gets no clap and no
//! tracing-subscriber (they are `jrpc-cli`'s), whatever the workspace's
//! other crates turn on.
#![allow(clippy::expect_used, missing_docs)]

use std::process::Command;

/// `cargo tree -e normal -p jrpc [ARGS]` from the workspace, one crate per line.
fn tree(args: &[&str]) -> String {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "-p",
            "jrpc",
            "--prefix",
            "none",
        ])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn has(tree: &str, krate: &str) -> bool {
    tree.lines().any(|l| l.starts_with(&format!("{krate} v")))
}

#[test]
fn the_library_with_default_features_has_no_program_dependencies() {
    let deps = tree(&[]);
    // The tree is real: the library's own runtime is in it.
    assert!(has(&deps, "tokio") && has(&deps, "jrpc-shared"), "{deps}");
    for program_only in ["clap", "tracing-subscriber", "jrpc-cli"] {
        assert!(!has(&deps, program_only), "{program_only} in:\n{deps}");
    }
}

#[test]
fn tokio_fs_and_signal_come_only_with_their_features() {
    let features = |extra: &[&str]| {
        let mut args = vec!["-e", "features", "-i", "tokio"];
        args.extend_from_slice(extra);
        tree(&args)
    };
    let plain = features(&[]);
    assert!(!plain.contains("tokio feature \"fs\""), "{plain}");
    assert!(!plain.contains("tokio feature \"signal\""), "{plain}");
    let with = features(&["--features", "static-files,signal"]);
    assert!(with.contains("tokio feature \"fs\""), "{with}");
    assert!(with.contains("tokio feature \"signal\""), "{with}");
}
