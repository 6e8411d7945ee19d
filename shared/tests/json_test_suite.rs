//! nst/JSONTestSuite's parsing cases against `jrpc_shared::json`: `y_` must
//! be accepted, `n_` refused, `i_` (implementation-defined) judged as
//! serde_json judges them; and the serde_json behaviours the scanner copies.

mod json_oracle;

use jrpc_shared::json::{self, ErrorKind, MAX_DEPTH};
use json_oracle::{check, serde_accepts, suite_cases};
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

#[test]
fn every_case_gets_its_verdict() {
    let (mut y, mut n, mut i) = (0, 0, 0);
    // A `&str` cannot hold invalid UTF-8, so such files would be skipped. The
    // npm package ships every input as text (bad bytes became U+FFFD, see the
    // directory's README), so there are none; a re-vendored upstream copy
    // would have 25 and must change this count.
    let mut not_utf8 = 0;
    for (name, bytes) in suite_cases() {
        let Ok(text) = std::str::from_utf8(&bytes) else {
            not_utf8 += 1;
            continue;
        };
        let verdict = json::validate(text);
        match name.get(..2) {
            Some("y_") => {
                y += 1;
                assert_eq!(verdict, Ok(()), "{name} must be accepted");
            }
            Some("n_") => {
                n += 1;
                assert!(verdict.is_err(), "{name} must be refused");
            }
            Some("i_") => {
                i += 1;
                assert_eq!(verdict.is_ok(), serde_accepts(text), "{name}: {verdict:?}");
            }
            _ => panic!("{name}: not a y_, n_ or i_ case"),
        }
        // The whole differential check too: Cursor walk, strings, integers.
        check(text);
    }
    assert_eq!(not_utf8, 0);
    assert_eq!((y, n, i), (95, 188, 35), "the suite's case counts changed");
}

#[test]
fn only_the_deep_case_needs_our_depth_limit() {
    // serde_json's IgnoredAny skips values without any depth limit, and we
    // stop at MAX_DEPTH: in the suite only this case tells the two apart.
    let differ: Vec<String> = suite_cases()
        .into_iter()
        .filter_map(|(name, bytes)| {
            let text = String::from_utf8(bytes).ok()?;
            let unlimited = serde_json::from_str::<IgnoredAny>(&text).is_ok();
            (json::validate(&text).is_ok() != unlimited).then_some(name)
        })
        .collect();
    assert_eq!(differ, ["i_structure_500_nested_arrays.json"]);
    let deep = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/json_test_suite/i_structure_500_nested_arrays.json"
    ))
    .unwrap();
    assert_eq!(json::validate(&deep).unwrap_err().kind, ErrorKind::TooDeep);
}

fn nested(depth: usize) -> String {
    "[".repeat(depth) + &"]".repeat(depth)
}

#[test]
fn max_depth_is_serde_json_recursion_limit() {
    use serde_json::Value;
    assert!(serde_json::from_str::<Value>(&nested(MAX_DEPTH)).is_ok());
    assert!(serde_json::from_str::<Value>(&nested(MAX_DEPTH + 1)).is_err());
    assert!(json::validate(&nested(MAX_DEPTH)).is_ok());
    assert!(json::validate(&nested(MAX_DEPTH + 1)).is_err());
    // Its skipping readers have no limit (a heap stack): what we refuse there.
    assert!(serde_json::from_str::<IgnoredAny>(&nested(5000)).is_ok());
    assert!(serde_json::from_str::<&RawValue>(&nested(5000)).is_ok());
}

#[test]
fn lone_surrogates_are_skipped_but_not_decoded_by_serde_json() {
    for text in [
        r#""\uD800""#,
        r#""\uDFFF""#,
        r#""\uD800\u0041""#,
        r#""\uDBFF\n""#,
    ] {
        assert!(serde_json::from_str::<IgnoredAny>(text).is_ok(), "{text}");
        assert!(serde_json::from_str::<&RawValue>(text).is_ok(), "{text}");
        assert!(serde_json::from_str::<String>(text).is_err(), "{text}");
        assert!(json::validate(text).is_ok(), "{text}");
        check(text);
    }
}

#[test]
fn numbers_of_any_size_are_valid_but_not_i64() {
    for text in [
        "1e400",
        "-1e-400",
        "123456789012345678901234567890",
        "[1.5e99999]",
    ] {
        assert!(serde_json::from_str::<&RawValue>(text).is_ok(), "{text}");
        assert!(json::validate(text).is_ok(), "{text}");
        check(text);
    }
    // A Value (f64) refuses what does not fit; the raw readers do not care.
    assert!(serde_json::from_str::<serde_json::Value>("1e400").is_err());
    for text in [
        "-0",
        "1.0",
        "1e2",
        "9223372036854775808",
        "-9223372036854775809",
    ] {
        assert!(serde_json::from_str::<i64>(text).is_err(), "{text}");
        assert_eq!(json::parse_i64(text), None, "{text}");
    }
}
