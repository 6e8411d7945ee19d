//! A strict JSON scanner (RFC 8259) that validates and slices text without
//! building values.
//!
//! It is ours rather than serde_json's because the JSON-RPC frame parser only
//! needs to *find* things (member names, the raw text of `params` and `id`),
//! and a scanner that does only that is much smaller in the browser's wasm
//! package and faster on the server than a general deserializer. It is held
//! to serde_json's verdicts by differential tests and fuzzing
//! (`shared/tests/json_test_suite.rs`, `shared/fuzz/`).
//!
//! Invariants:
//! - Acceptance is exactly serde_json's `from_str::<IgnoredAny>` /
//!   `from_str::<&RawValue>` (the RFC 8259 grammar, numbers of any size,
//!   lone surrogate escapes allowed), except that containers nested deeper
//!   than [`MAX_DEPTH`] are refused, at the depth where serde_json's
//!   recursive deserializers (`Value`, derived types) refuse them.
//! - Nothing allocates while scanning; only [`Str::decode`] of an escaped
//!   string does. Stack use is constant: nesting is tracked in a fixed bit set.
//! - Nothing panics, on any input: bytes are read with `get`, never indexed.
//! - No `core::fmt` and no float parsing on any path, which keeps the wasm small.
//!
//! ```
//! use jrpc_shared::json::{self, Cursor, ErrorKind};
//! assert!(json::validate(r#" {"a": [1, 2.5e3, "x\n"]} "#).is_ok());
//! assert_eq!(json::validate("[1,]").unwrap_err().kind, ErrorKind::UnexpectedByte);
//!
//! let mut cursor = Cursor::new(r#"{"id": 7, "params": [true]}"#);
//! cursor.expect(b'{').unwrap();
//! assert!(cursor.string().unwrap().eq_str("id"));
//! cursor.expect(b':').unwrap();
//! assert_eq!(cursor.value(1).unwrap(), "7");
//! ```

mod cursor;
mod number;
mod string;
#[cfg(test)]
mod tests;
mod value;

pub use cursor::Cursor;
pub use number::parse_i64;
pub use string::Str;

/// Containers nested deeper than this are refused (so deep input cannot
/// exhaust the stack).
///
/// serde_json's recursive deserializers start with a budget of 128 and fail
/// when it reaches zero, so they accept 127 nested containers and refuse 128;
/// this is the same count. (Its `IgnoredAny` and `RawValue` skip values
/// iteratively with a heap stack and have no limit at all.)
pub const MAX_DEPTH: usize = 127;

/// Why a text is not JSON, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Error {
    /// Byte offset in the text of the byte that is wrong (the text's length
    /// when it ended too early).
    pub offset: usize,
    /// What is wrong there.
    pub kind: ErrorKind,
}

/// What kind of mistake a text has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text ended inside a value (or before one).
    UnexpectedEnd,
    /// A byte that cannot come here in JSON.
    UnexpectedByte,
    /// A number outside the grammar: a leading zero, or no digit after `-`,
    /// `.` or the exponent's `e`.
    InvalidNumber,
    /// A backslash escape other than `\" \\ \/ \b \f \n \r \t \uXXXX`.
    InvalidEscape,
    /// A byte below 0x20 inside a string (it must be escaped).
    ControlCharacter,
    /// A container nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Something other than whitespace after the value.
    TrailingCharacters,
}

impl ErrorKind {
    /// A short English description (a `&'static str`, so no formatting code
    /// is pulled in).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::UnexpectedEnd => "unexpected end of JSON text",
            ErrorKind::UnexpectedByte => "unexpected character in JSON text",
            ErrorKind::InvalidNumber => "invalid number",
            ErrorKind::InvalidEscape => "invalid escape in string",
            ErrorKind::ControlCharacter => "control character in string",
            ErrorKind::TooDeep => "JSON nested too deeply",
            ErrorKind::TrailingCharacters => "trailing characters after JSON value",
        }
    }
}

impl Error {
    pub(crate) fn new(offset: usize, kind: ErrorKind) -> Self {
        Error { offset, kind }
    }
}

/// Whether the whole text is exactly one JSON value (JSON whitespace around
/// it allowed).
pub fn validate(text: &str) -> Result<(), Error> {
    let mut cursor = Cursor::new(text);
    cursor.value(0)?;
    cursor.end()
}

/// JSON's whitespace: space, tab, line feed, carriage return (not Unicode's).
pub(crate) fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}
