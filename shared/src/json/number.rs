//! Numbers: the grammar check while scanning, and [`parse_i64`].

use super::{Error, ErrorKind, is_whitespace};

/// Checks the number starting at `pos` (a `-` or a digit) against
/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` and returns the offset
/// just after it. Its magnitude is not looked at: `1e400` is valid JSON.
pub(super) fn scan(bytes: &[u8], mut pos: usize) -> Result<usize, Error> {
    if bytes.get(pos) == Some(&b'-') {
        pos += 1;
    }
    match bytes.get(pos) {
        Some(b'0') => {
            pos += 1;
            if bytes.get(pos).is_some_and(u8::is_ascii_digit) {
                // A leading zero.
                return Err(Error::new(pos, ErrorKind::InvalidNumber));
            }
        }
        Some(b'1'..=b'9') => pos = digits(bytes, pos + 1),
        _ => return Err(missing_digit(bytes, pos)),
    }
    if bytes.get(pos) == Some(&b'.') {
        pos = at_least_one_digit(bytes, pos + 1)?;
    }
    if let Some(b'e' | b'E') = bytes.get(pos) {
        pos += 1;
        if let Some(b'+' | b'-') = bytes.get(pos) {
            pos += 1;
        }
        pos = at_least_one_digit(bytes, pos)?;
    }
    Ok(pos)
}

fn digits(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
        pos += 1;
    }
    pos
}

fn at_least_one_digit(bytes: &[u8], pos: usize) -> Result<usize, Error> {
    match bytes.get(pos) {
        Some(b'0'..=b'9') => Ok(digits(bytes, pos + 1)),
        _ => Err(missing_digit(bytes, pos)),
    }
}

fn missing_digit(bytes: &[u8], pos: usize) -> Error {
    if pos >= bytes.len() {
        Error::new(bytes.len(), ErrorKind::UnexpectedEnd)
    } else {
        Error::new(pos, ErrorKind::InvalidNumber)
    }
}

/// The value of an integer literal (text as returned by
/// [`Cursor::value`](super::Cursor::value)), `Some` exactly when serde_json
/// would deserialize that text as an `i64`.
///
/// That is: JSON whitespace around it is allowed; the literal has no fraction
/// and no exponent (`1.0` and `1e2` are floats to serde_json, which an `i64`
/// refuses); it fits in an `i64`; and it is not `-0`, which serde_json reads
/// as the float `-0.0`.
pub fn parse_i64(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let start = bytes.iter().position(|&b| !is_whitespace(b))?;
    let end = bytes.iter().rposition(|&b| !is_whitespace(b))? + 1;
    let literal = bytes.get(start..end)?;
    let (negative, digits) = match literal {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, literal),
    };
    match digits {
        [] => return None,
        [b'0'] if negative => return None,
        [b'0', _, ..] => return None,
        _ => {}
    }
    let mut magnitude: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        magnitude = magnitude
            .checked_mul(10)?
            .checked_add(u64::from(b - b'0'))?;
    }
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}
