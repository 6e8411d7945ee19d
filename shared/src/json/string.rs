//! Strings: the scan that finds the closing quote, and [`Str`], which decodes.

use alloc::borrow::Cow;
use alloc::string::String;

use super::{Error, ErrorKind};

/// Scans a string's contents from `pos` (just after the opening quote) and
/// returns the offset of the closing quote and whether an escape came before it.
///
/// Escapes are checked for form only, like serde_json does when it skips or
/// raw-reads a string: `\uD800` alone is accepted here and refused only by
/// [`Str::decode`].
pub(super) fn scan(bytes: &[u8], mut pos: usize) -> Result<(usize, bool), Error> {
    let mut escaped = false;
    loop {
        pos = skip_plain(bytes, pos);
        match bytes.get(pos) {
            Some(b'"') => return Ok((pos, escaped)),
            Some(b'\\') => {
                escaped = true;
                pos = escape(bytes, pos + 1)?;
            }
            Some(_) => return Err(Error::new(pos, ErrorKind::ControlCharacter)),
            None => return Err(Error::new(bytes.len(), ErrorKind::UnexpectedEnd)),
        }
    }
}

const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// The high bit of each byte of `word` (read little-endian) that is `"`, `\`
/// or below 0x20, and maybe of bytes after one of those: the classic
/// "has zero byte" test is exact at its lowest set bit only, which is all
/// that is used.
fn specials(word: u64) -> u64 {
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let zero_quote = quote.wrapping_sub(ONES) & !quote;
    let zero_backslash = backslash.wrapping_sub(ONES) & !backslash;
    let control = word.wrapping_sub(ONES * 0x20) & !word;
    (zero_quote | zero_backslash | control) & HIGHS
}

/// Skips bytes that stand for themselves in a string, eight at a time: the
/// offset of the next `"`, `\` or control byte (or of the end).
fn skip_plain(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(chunk) = bytes.get(pos..).and_then(<[u8]>::first_chunk::<8>) {
        let found = specials(u64::from_le_bytes(*chunk));
        if found != 0 {
            // Little-endian: the lowest set bit is in the first special byte.
            return pos + (found.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while bytes
        .get(pos)
        .is_some_and(|&b| b >= 0x20 && b != b'"' && b != b'\\')
    {
        pos += 1;
    }
    pos
}

/// Checks the escape whose letter is at `pos` (after the backslash); returns
/// the offset after it.
fn escape(bytes: &[u8], pos: usize) -> Result<usize, Error> {
    match bytes.get(pos) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(pos + 1),
        Some(b'u') => {
            for at in pos + 1..pos + 5 {
                match bytes.get(at) {
                    Some(b) if b.is_ascii_hexdigit() => {}
                    Some(_) => return Err(Error::new(at, ErrorKind::InvalidEscape)),
                    None => return Err(Error::new(bytes.len(), ErrorKind::UnexpectedEnd)),
                }
            }
            Ok(pos + 5)
        }
        Some(_) => Err(Error::new(pos, ErrorKind::InvalidEscape)),
        None => Err(Error::new(bytes.len(), ErrorKind::UnexpectedEnd)),
    }
}

/// A JSON string as it appears in the text (made by
/// [`Cursor::string`](super::Cursor::string), so its escapes are well formed).
#[derive(Clone, Copy, Debug)]
pub struct Str<'a> {
    raw: &'a str,
    escaped: bool,
}

impl<'a> Str<'a> {
    pub(super) fn new(raw: &'a str, escaped: bool) -> Self {
        Str { raw, escaped }
    }

    /// The text between the quotes, escapes not decoded.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// Whether it holds at least one backslash escape.
    pub fn is_escaped(&self) -> bool {
        self.escaped
    }

    /// The decoded value: borrowed when unescaped. `None` when it cannot be a
    /// Rust string (an escape that is a lone surrogate), exactly when
    /// serde_json's `from_str::<String>` fails on it.
    pub fn decode(&self) -> Option<Cow<'a, str>> {
        if !self.escaped {
            return Some(Cow::Borrowed(self.raw));
        }
        let mut out = String::with_capacity(self.raw.len());
        for piece in Pieces(self.raw) {
            match piece {
                Piece::Plain(text) => out.push_str(text),
                Piece::Char(c) => out.push(c),
                Piece::LoneSurrogate => return None,
            }
        }
        Some(Cow::Owned(out))
    }

    /// Whether the decoded value equals `s` (no allocation, escaped or not).
    pub fn eq_str(&self, s: &str) -> bool {
        if !self.escaped {
            return self.raw == s;
        }
        let mut rest = s;
        for piece in Pieces(self.raw) {
            let after = match piece {
                Piece::Plain(text) => rest.strip_prefix(text),
                Piece::Char(c) => rest.strip_prefix(c),
                // No Rust string holds a lone surrogate.
                Piece::LoneSurrogate => None,
            };
            match after {
                Some(after) => rest = after,
                None => return false,
            }
        }
        rest.is_empty()
    }
}

/// A string's contents split into runs of plain text and decoded escapes.
struct Pieces<'a>(&'a str);

enum Piece<'a> {
    Plain(&'a str),
    Char(char),
    /// Also stands for a malformed escape, which a scanned string cannot hold.
    LoneSurrogate,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    fn next(&mut self) -> Option<Piece<'a>> {
        let rest = self.0;
        let Some(escape) = rest.strip_prefix('\\') else {
            // A byte search: `find` with a char pattern would bring a
            // searcher whose indexing can panic (and so `core::fmt`) into the wasm.
            let end = rest.bytes().position(|b| b == b'\\').unwrap_or(rest.len());
            let (plain, after) = rest.split_at_checked(end)?;
            self.0 = after;
            return (!plain.is_empty()).then_some(Piece::Plain(plain));
        };
        let (piece, after) = match escape.as_bytes().first() {
            Some(b'u') => unicode(escape.get(1..)?),
            Some(&letter) => (Piece::Char(simple(letter)?), escape.get(1..)?),
            None => return None,
        };
        self.0 = after;
        Some(piece)
    }
}

fn simple(letter: u8) -> Option<char> {
    Some(match letter {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        _ => return None,
    })
}

/// Decodes the `\u` escape whose hex digits start `text`, taking the low half
/// of a surrogate pair from a second `\u` escape; returns what follows it.
fn unicode(text: &str) -> (Piece<'_>, &str) {
    let (Some(first), rest) = hex4(text) else {
        return (Piece::LoneSurrogate, "");
    };
    let code = match first {
        0xD800..=0xDBFF => match rest.strip_prefix("\\u").map(hex4) {
            Some((Some(low @ 0xDC00..=0xDFFF), after)) => {
                let code =
                    0x1_0000 + ((u32::from(first) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                return (
                    char::from_u32(code).map_or(Piece::LoneSurrogate, Piece::Char),
                    after,
                );
            }
            _ => return (Piece::LoneSurrogate, rest),
        },
        code => code,
    };
    // `from_u32` refuses exactly the surrogates, so a lone low half lands here.
    (
        char::from_u32(u32::from(code)).map_or(Piece::LoneSurrogate, Piece::Char),
        rest,
    )
}

/// The value of four hex digits at the start of `text`, and what follows them.
fn hex4(text: &str) -> (Option<u16>, &str) {
    let (Some(digits), Some(rest)) = (text.get(..4), text.get(4..)) else {
        return (None, "");
    };
    // Bytes, not chars: a byte of a multi-byte char is no hex digit either,
    // and there is no decoding to pay for.
    let mut value = 0u16;
    for b in digits.bytes() {
        let digit = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => return (None, ""),
        };
        value = (value << 4) | u16::from(digit);
    }
    (Some(value), rest)
}
