//! Strings: the fast scan, escapes, surrogates and decoding.

use std::borrow::Cow;

use super::super::*;

fn read(text: &str) -> Str<'_> {
    let mut cursor = Cursor::new(text);
    let s = cursor.string().unwrap();
    assert_eq!(cursor.end(), Ok(()), "{text}");
    s
}

#[test]
fn plain_strings_borrow() {
    let s = read("\"héllo wörld, ünïcode ✓ 😀\"");
    assert!(!s.is_escaped());
    assert_eq!(s.raw(), "héllo wörld, ünïcode ✓ 😀");
    assert!(matches!(
        s.decode(),
        Some(Cow::Borrowed("héllo wörld, ünïcode ✓ 😀"))
    ));
    assert!(s.eq_str("héllo wörld, ünïcode ✓ 😀"));
    assert!(!s.eq_str("héllo"));
}

#[test]
fn every_escape_decodes() {
    let s = read(r#""\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC\ud83D\uDE00""#);
    assert!(s.is_escaped());
    let want = "\"\\/\u{8}\u{c}\n\r\t\u{41}é€😀";
    assert_eq!(s.decode().as_deref(), Some(want));
    assert!(s.eq_str(want));
    assert!(!s.eq_str(&want[..want.len() - 4]));
    assert!(!s.eq_str(&(want.to_owned() + "x")));
    let s = read(r#""a\u0000b\nc""#);
    assert_eq!(s.decode().as_deref(), Some("a\0b\nc"));
    assert!(s.eq_str("a\0b\nc"));
    assert!(!s.eq_str("a\0b\nd"));
}

#[test]
fn lone_surrogates_scan_but_do_not_decode() {
    for raw in [
        r"\uD800",
        r"\uDBFF!",
        r"\uDC00",
        r"x\uDFFF",
        r"\uD800\u0041",
        r"\uD800\n",
        r"\uD800\uD800\uDC00",
        r"\uDE00\uD83D",
    ] {
        let text = format!("\"{raw}\"");
        let s = read(&text);
        assert_eq!(s.raw(), raw);
        assert_eq!(s.decode(), None, "{raw}");
        assert!(!s.eq_str(""), "{raw}");
        assert!(!s.eq_str("\u{FFFD}"), "{raw}");
    }
    // A pair after a lone half still decodes when the lone half is not involved.
    assert_eq!(
        read(r#""\uD83D\uDE00\u0041""#).decode().as_deref(),
        Some("😀A")
    );
}

#[test]
fn bad_escapes_are_refused() {
    for (text, kind, offset) in [
        (r#""\a""#, ErrorKind::InvalidEscape, 2),
        (r#""\U0041""#, ErrorKind::InvalidEscape, 2),
        (r#""\u004""#, ErrorKind::InvalidEscape, 6),
        (r#""\u 041""#, ErrorKind::InvalidEscape, 3),
        (r#""\'""#, ErrorKind::InvalidEscape, 2),
        ("\"\\\u{e9}\"", ErrorKind::InvalidEscape, 2),
        (r#""\u00"#, ErrorKind::UnexpectedEnd, 5),
        (r#""\"#, ErrorKind::UnexpectedEnd, 2),
    ] {
        let e = validate(text).unwrap_err();
        assert_eq!((e.kind, e.offset), (kind, offset), "{text}");
    }
}

#[test]
fn specials_are_found_at_every_position_of_a_word() {
    // The scan checks eight bytes at a time: put each special byte at each
    // offset around word boundaries, after plain ASCII and after multi-byte UTF-8.
    for prefix in ["", "é", "€", "😀"] {
        for at in 0..20 {
            let body = prefix.to_owned() + &"a".repeat(at);
            let quote = format!("\"{body}\"");
            assert_eq!(read(&quote).raw(), body);
            let escape = format!("\"{body}\\n{body}\"");
            assert!(read(&escape).is_escaped());
            for control in ['\0', '\n', '\u{1f}'] {
                let text = format!("\"{body}{control}{body}\"");
                let e = validate(&text).unwrap_err();
                assert_eq!(
                    (e.kind, e.offset),
                    (ErrorKind::ControlCharacter, 1 + body.len())
                );
            }
            let open = format!("\"{body}");
            assert_eq!(validate(&open).unwrap_err().kind, ErrorKind::UnexpectedEnd);
        }
    }
    // DEL and bytes >= 0x80 are plain.
    assert_eq!(
        read("\"\u{7f}\u{80}\u{ff}\u{7ff}\"").raw(),
        "\u{7f}\u{80}\u{ff}\u{7ff}"
    );
}
