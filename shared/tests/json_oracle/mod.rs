//! serde_json's verdicts, which `jrpc_shared::json` must reproduce, and a
//! check that holds the scanner to them on one text.
//!
//! Shared by `shared/tests/json_test_suite.rs` and the `json_validate` fuzz
//! target (`shared/fuzz/`, which includes this file by path), so both test
//! exactly the same property.

#![allow(dead_code)] // Each includer uses its own part.
// Test support: a panic is how a disagreement is reported.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jrpc_shared::json::{self, Cursor, Error, MAX_DEPTH, Str};
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

/// The JSONTestSuite parsing cases vendored in `shared/tests/json_test_suite/`
/// (name and bytes, sorted by name). Panics when there are none, so a lost
/// directory fails the tests instead of passing them vacuously.
pub fn suite_cases() -> Vec<(String, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/json_test_suite");
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{dir}: {e}"));
    let mut cases: Vec<_> = entries
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    assert!(!cases.is_empty(), "no JSONTestSuite cases in {dir}");
    cases.sort();
    cases
}

/// Whether serde_json takes `text` as one JSON value: `IgnoredAny` and
/// `RawValue` (which must agree), within [`MAX_DEPTH`], the limit of its
/// recursive deserializers (its skipping ones have none).
pub fn serde_accepts(text: &str) -> bool {
    let ignored = serde_json::from_str::<IgnoredAny>(text).is_ok();
    let raw = serde_json::from_str::<&RawValue>(text).is_ok();
    assert_eq!(ignored, raw, "IgnoredAny and RawValue disagree on {text:?}");
    ignored && nesting(text) <= MAX_DEPTH
}

/// How deeply containers nest in `text` (exact for valid JSON).
pub fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0);
    let (mut in_string, mut escaped) = (false, false);
    for byte in text.bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Checks everything the scanner says about `text` against serde_json;
/// panics on the first disagreement.
pub fn check(text: &str) {
    let ours = json::validate(text);
    assert_eq!(
        ours.is_ok(),
        serde_accepts(text),
        "validate({text:?}) = {ours:?}, serde_json disagrees"
    );
    if let Err(e) = ours {
        assert!(
            e.offset <= text.len(),
            "offset past the end: {e:?} in {text:?}"
        );
    }
    check_i64(text);
    // Reading member by member must come to the same verdict as `validate`.
    assert_eq!(walk(text), ours, "walking {text:?} disagrees with validate");
}

/// Reads `text` the way the frame parser does: a container member by member
/// (`peek`, `eat`, `string`, `value`), anything else as one value, checking
/// every piece on the way.
fn walk(text: &str) -> Result<(), Error> {
    let mut cursor = Cursor::new(text);
    let (close, object) = match cursor.peek() {
        Some(b'{') => (b'}', true),
        Some(b'[') => (b']', false),
        _ => {
            let value = cursor.value(0)?;
            check_value(text, value, 0);
            return cursor.end();
        }
    };
    cursor.expect(if object { b'{' } else { b'[' })?;
    if !cursor.eat(close) {
        loop {
            if object {
                check_str(cursor.string()?);
                cursor.expect(b':')?;
            }
            let value = cursor.value(1)?;
            check_value(text, value, 1);
            if !cursor.eat(b',') {
                break;
            }
        }
        cursor.expect(close)?;
    }
    cursor.end()
}

/// A slice returned by `value(depth)`: part of `text`, trimmed, valid JSON to
/// serde_json, within the depth left, and its string or integer read the same.
fn check_value(text: &str, value: &str, depth: usize) {
    let start = value.as_ptr() as usize - text.as_ptr() as usize;
    assert_eq!(
        text.get(start..start + value.len()),
        Some(value),
        "not a subslice"
    );
    assert_eq!(
        value.trim_matches([' ', '\t', '\n', '\r']),
        value,
        "untrimmed {value:?}"
    );
    assert!(
        serde_json::from_str::<IgnoredAny>(value).is_ok(),
        "invalid slice {value:?}"
    );
    assert!(
        nesting(value) + depth <= MAX_DEPTH,
        "too deep a slice {value:?}"
    );
    check_i64(value);
    if value.starts_with('"') {
        let mut cursor = Cursor::new(value);
        let s = cursor.string().expect("a string slice reads as a string");
        assert_eq!(cursor.end(), Ok(()));
        check_str(s);
    }
}

/// `Str::decode` and `Str::eq_str` against serde_json's `String`.
fn check_str(s: Str<'_>) {
    let quoted = format!("\"{}\"", s.raw());
    let theirs = serde_json::from_str::<String>(&quoted).ok();
    let ours = s.decode();
    assert_eq!(ours.as_deref(), theirs.as_deref(), "decoding {quoted}");
    assert_eq!(
        s.is_escaped(),
        s.raw().contains('\\'),
        "is_escaped of {quoted}"
    );
    if let Some(decoded) = theirs {
        assert!(s.eq_str(&decoded), "eq_str of {quoted}");
        assert!(
            !s.eq_str(&(decoded.clone() + "x")),
            "eq_str of {quoted} + x"
        );
        if let Some((last, _)) = decoded.char_indices().last() {
            assert!(!s.eq_str(&decoded[..last]), "eq_str of {quoted} shortened");
        }
    }
}

fn check_i64(text: &str) {
    let theirs = serde_json::from_str::<i64>(text).ok();
    assert_eq!(json::parse_i64(text), theirs, "parse_i64({text:?})");
}
