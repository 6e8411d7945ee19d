//! The scanner's tricky cases, with expected verdicts written out (serde_json
//! comparisons live in `shared/tests/json_test_suite.rs`, as serde_json will
//! not always be a dependency of this crate).

use super::*;

fn err(text: &str) -> (ErrorKind, usize) {
    let e = validate(text).unwrap_err();
    (e.kind, e.offset)
}

fn nested(depth: usize) -> String {
    "[".repeat(depth) + &"]".repeat(depth)
}

#[test]
fn accepts_every_kind_of_value() {
    for text in [
        "null",
        "true",
        "false",
        "0",
        "-0",
        "12",
        "-3.25",
        "1e5",
        "1E+5",
        "1.5e-07",
        "\"\"",
        "\"a\"",
        "[]",
        "{}",
        "[1,[2,{}],{\"a\":[]}]",
        " \t\r\n{ \"a\" : 1 , \"b\" : [ ] }\n ",
        "1e400",
        "123456789012345678901234567890",
    ] {
        assert_eq!(validate(text), Ok(()), "{text}");
    }
}

#[test]
fn each_error_kind_with_its_offset() {
    assert_eq!(err(""), (ErrorKind::UnexpectedEnd, 0));
    assert_eq!(err("   "), (ErrorKind::UnexpectedEnd, 3));
    assert_eq!(err("[1,2"), (ErrorKind::UnexpectedEnd, 4));
    assert_eq!(err("{\"a\":1"), (ErrorKind::UnexpectedEnd, 6));
    assert_eq!(err("\"abc"), (ErrorKind::UnexpectedEnd, 4));
    assert_eq!(err("tru"), (ErrorKind::UnexpectedEnd, 3));
    assert_eq!(err("[1,]"), (ErrorKind::UnexpectedByte, 3));
    assert_eq!(err("{\"a\":1,}"), (ErrorKind::UnexpectedByte, 7));
    assert_eq!(err("{\"a\" 1}"), (ErrorKind::UnexpectedByte, 5));
    assert_eq!(err("{1:2}"), (ErrorKind::UnexpectedByte, 1));
    assert_eq!(err("[1 2]"), (ErrorKind::UnexpectedByte, 3));
    assert_eq!(err("[1}"), (ErrorKind::UnexpectedByte, 2));
    assert_eq!(err("trux"), (ErrorKind::UnexpectedByte, 3));
    assert_eq!(err("\u{a0}1"), (ErrorKind::UnexpectedByte, 0));
    assert_eq!(err("\u{c}1"), (ErrorKind::UnexpectedByte, 0));
    assert_eq!(err("01"), (ErrorKind::InvalidNumber, 1));
    assert_eq!(err("-x"), (ErrorKind::InvalidNumber, 1));
    assert_eq!(err("[1.]"), (ErrorKind::InvalidNumber, 3));
    assert_eq!(err("[1e]"), (ErrorKind::InvalidNumber, 3));
    assert_eq!(err("\"a\\x\""), (ErrorKind::InvalidEscape, 3));
    assert_eq!(err("\"\\u12g4\""), (ErrorKind::InvalidEscape, 5));
    assert_eq!(err("\"a\u{1f}\""), (ErrorKind::ControlCharacter, 2));
    assert_eq!(err("\"\t\""), (ErrorKind::ControlCharacter, 1));
    assert_eq!(err(&nested(MAX_DEPTH + 1)), (ErrorKind::TooDeep, MAX_DEPTH));
    assert_eq!(err("1 2"), (ErrorKind::TrailingCharacters, 2));
    assert_eq!(err("{}}"), (ErrorKind::TrailingCharacters, 2));
    assert_eq!(err("nullnull"), (ErrorKind::TrailingCharacters, 4));
}

#[test]
fn error_kinds_describe_themselves() {
    assert_eq!(ErrorKind::TooDeep.as_str(), "JSON nested too deeply");
    assert_eq!(
        ErrorKind::UnexpectedEnd.as_str(),
        "unexpected end of JSON text"
    );
}

#[test]
fn numbers_follow_the_grammar() {
    for bad in [
        "+1", ".5", "1.", "-", "--1", "00", "-01", "1e", "1e+", "1.e3", "0x1", "1_0",
    ] {
        assert!(validate(bad).is_err(), "{bad}");
    }
    // A number ends where its grammar does; what follows is the container's business.
    assert_eq!(err("[1.5.3]"), (ErrorKind::UnexpectedByte, 4));
    assert_eq!(err("[0x1]"), (ErrorKind::UnexpectedByte, 2));
    assert_eq!(err("-"), (ErrorKind::UnexpectedEnd, 1));
    assert_eq!(err("1e+"), (ErrorKind::UnexpectedEnd, 3));
}

#[test]
fn depth_limit_is_exactly_max_depth() {
    assert_eq!(validate(&nested(MAX_DEPTH)), Ok(()));
    let objects = "{\"a\":".repeat(MAX_DEPTH) + "1" + &"}".repeat(MAX_DEPTH);
    assert_eq!(validate(&objects), Ok(()));
    let deeper = "{\"a\":".repeat(MAX_DEPTH) + "[]" + &"}".repeat(MAX_DEPTH);
    assert_eq!(validate(&deeper).unwrap_err().kind, ErrorKind::TooDeep);
    // Depth counts the containers open, not how many were opened.
    let wide = format!("[{}]", vec![nested(MAX_DEPTH - 1); 3].join(","));
    assert_eq!(validate(&wide), Ok(()));
    // `depth` counts containers the caller already opened.
    assert_eq!(Cursor::new("[1]").value(MAX_DEPTH - 1), Ok("[1]"));
    let too_deep = Cursor::new(" [[]]").value(MAX_DEPTH - 1).unwrap_err();
    assert_eq!((too_deep.kind, too_deep.offset), (ErrorKind::TooDeep, 2));
    assert_eq!(Cursor::new("7").value(usize::MAX), Ok("7"));
    assert_eq!(
        Cursor::new("[]").value(usize::MAX).unwrap_err().kind,
        ErrorKind::TooDeep
    );
}

#[test]
fn huge_nesting_fails_without_deep_stack() {
    let text = "[".repeat(1_000_000);
    assert_eq!(err(&text), (ErrorKind::TooDeep, MAX_DEPTH));
}

#[test]
fn cursor_reads_tokens_and_values() {
    let text = " { \"a\" : [1, {\"b\":null}] , \"c\":\"x\" } ";
    let mut c = Cursor::new(text);
    assert_eq!(c.peek(), Some(b'{'));
    assert_eq!(c.offset(), 1);
    assert!(!c.eat(b'['));
    c.expect(b'{').unwrap();
    assert_eq!(c.string().unwrap().raw(), "a");
    c.expect(b':').unwrap();
    assert_eq!(c.value(1), Ok("[1, {\"b\":null}]"));
    assert!(c.eat(b','));
    assert!(c.string().unwrap().eq_str("c"));
    assert_eq!(
        c.expect(b','),
        Err(Error::new(
            text.rfind(':').unwrap(),
            ErrorKind::UnexpectedByte
        ))
    );
    c.expect(b':').unwrap();
    assert_eq!(c.value(1), Ok("\"x\""));
    assert_eq!(c.rest(), " } ");
    c.expect(b'}').unwrap();
    assert_eq!(c.end(), Ok(()));
    assert_eq!(c.offset(), text.len());
    assert_eq!(c.peek(), None);
    assert_eq!(
        c.expect(b'}'),
        Err(Error::new(text.len(), ErrorKind::UnexpectedEnd))
    );

    let mut c = Cursor::new("1 x");
    assert_eq!(c.value(0), Ok("1"));
    assert_eq!(c.end(), Err(Error::new(2, ErrorKind::TrailingCharacters)));
    let mut c = Cursor::new("  7");
    assert_eq!(
        c.string().unwrap_err(),
        Error::new(2, ErrorKind::UnexpectedByte)
    );
}

#[test]
fn parse_i64_matches_serde_json_integers() {
    assert_eq!(parse_i64("0"), Some(0));
    assert_eq!(parse_i64("-12"), Some(-12));
    assert_eq!(parse_i64(" 5\n"), Some(5));
    assert_eq!(parse_i64("9223372036854775807"), Some(i64::MAX));
    assert_eq!(parse_i64("-9223372036854775808"), Some(i64::MIN));
    for not in [
        "-0",
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "1.0",
        "1e2",
        "01",
        "",
        " ",
        "-",
        "+1",
        "1 2",
        "\"1\"",
        "1x",
    ] {
        assert_eq!(parse_i64(not), None, "{not}");
    }
}

mod strings;
