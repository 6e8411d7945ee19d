//! Replays every input the fuzz targets keep (`shared/fuzz/corpus/*/`) and
//! every reproducer kept after a failure (`shared/fuzz/artifacts-kept/*/`),
//! so that plain `cargo test` holds the scanner and the engine to what the
//! fuzzers checked: each UTF-8 input through the scanner's differential check
//! against serde_json (`json_oracle`), and each input, as a frame, through
//! `Inbound::receive` on the engines of `inbound_oracle` (which also checks
//! that the `-32700` answers come for exactly the text serde_json refuses),
//! and each through the legacy dialect's translators (`legacy_oracle`).
//! Also the reproducers of what the fuzzers found, as plain tests.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod inbound_oracle;
mod legacy_oracle;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use inbound_oracle::json_oracle;
use jrpc_shared::json;
use jrpc_shared::{Action, CallToken, Inbound, Methods};

/// The files in each subdirectory of `dir` (one per fuzz target), sorted.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(targets) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files = Vec::new();
    for target in targets {
        let target = target.unwrap().path();
        if !target.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&target).unwrap() {
            let file = file.unwrap().path();
            if file.is_file() {
                files.push(file);
            }
        }
    }
    files.sort();
    files
}

fn replay(bytes: &[u8]) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        // The property the assertion message names, then the whole check.
        assert_eq!(
            json::validate(text).is_ok(),
            json_oracle::serde_accepts(text),
            "json::validate and serde_json disagree"
        );
        json_oracle::check(text);
    }
    inbound_oracle::check(bytes);
    legacy_oracle::check(bytes);
}

#[test]
fn every_kept_fuzz_input_replays() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let corpus = inputs(&root.join("corpus"));
    // Both targets' corpora are in the repository: none found means a moved
    // directory, not a passing test.
    for target in ["json_validate", "inbound_receive", "legacy_translate"] {
        assert!(
            corpus.iter().any(|f| f.parent().unwrap().ends_with(target)),
            "no corpus for the fuzz target {target} in {}",
            root.display()
        );
    }
    let kept = inputs(&root.join("artifacts-kept"));
    let mut failures = Vec::new();
    for file in corpus.iter().chain(&kept) {
        let bytes = std::fs::read(file).unwrap();
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| replay(&bytes))) {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            failures.push(format!("{}: {why}", file.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} inputs failed:\n{}",
        failures.len(),
        corpus.len() + kept.len(),
        failures.join("\n")
    );
}

fn slow() -> Methods<()> {
    let mut m = Methods::new();
    m.insert("slow", ()).unwrap();
    m
}

/// Receives `text` and returns the tokens of the calls started and aborted.
fn receive(inbound: &mut Inbound, text: &str) -> (Vec<CallToken>, Vec<CallToken>) {
    let methods = slow();
    let mut actions = Vec::new();
    inbound.receive(text, &methods, &mut actions);
    let (mut started, mut aborted) = (Vec::new(), Vec::new());
    for action in actions {
        match action {
            Action::Call { token: Some(t), .. } => started.push(t),
            Action::Abort(t) => aborted.push(t),
            _ => {}
        }
    }
    (started, aborted)
}

const SLOW_2: &str = r#"{"jsonrpc":"2.0","method":"slow","id":2}"#;
const CANCEL_2: &str = r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":2}}"#;

/// Found by `inbound_receive` (artifacts-kept/inbound_receive/
/// cancel-reaches-the-later-of-two-under-one-id): the cancel index, built at
/// the first cancel from the in-flight map, took the map's hash order, so a
/// cancel could reach an earlier request under a reused id.
#[test]
fn the_first_cancel_reaches_the_latest_request_under_a_reused_id() {
    for n in 2..=12 {
        let mut inbound = Inbound::new(64);
        let tokens: Vec<CallToken> = (0..n)
            .flat_map(|_| receive(&mut inbound, SLOW_2).0)
            .collect();
        assert_eq!(tokens.len(), n);
        let (_, aborted) = receive(&mut inbound, CANCEL_2);
        assert_eq!(aborted, [tokens[n - 1]], "{n} requests under one id");
    }
}

/// Also found by `inbound_receive` (artifacts-kept/inbound_receive/
/// cancel-twice-under-a-reused-id), and not fixed: once the later of two
/// requests under one id is cancelled, the earlier one, still in flight,
/// can no longer be (the index forgets the id). `cargo test -- --ignored`
/// shows it.
#[test]
#[ignore = "known gap: the cancel index keeps one request per id"]
fn a_second_cancel_reaches_the_earlier_request_under_a_reused_id() {
    let mut inbound = Inbound::new(64);
    let (first, _) = receive(&mut inbound, SLOW_2);
    let (second, _) = receive(&mut inbound, SLOW_2);
    assert_eq!(receive(&mut inbound, CANCEL_2).1, second);
    assert_eq!(receive(&mut inbound, CANCEL_2).1, first);
}
