//! JSON values kept as text: what the peer sent, or what an encoder wrote.
//!
//! The engine never builds a tree of a message. Params, results, ids and
//! error data stay as slices of the frame ([`Raw`]) until whoever needs them
//! decodes them: serde on the native side, `JSON.parse` in the browser. An
//! owned value ([`RawBuf`]) is what a handler answers with. Both hold exactly
//! one valid JSON value with no whitespace around it, so they can be pasted
//! into an outgoing message as they are.

use alloc::borrow::ToOwned;
use alloc::string::String;
use core::fmt;

use crate::json;

/// A borrowed JSON value: one valid value's exact text.
///
/// ```
/// use jrpc_shared::Raw;
/// let raw = Raw::new(" [1, 2] ").unwrap();
/// assert_eq!(raw.get(), "[1, 2]");
/// assert!(Raw::new("[1,").is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Raw<'a>(&'a str);

impl<'a> Raw<'a> {
    /// Checks that `text` is one JSON value (whitespace around it is dropped).
    pub fn new(text: &'a str) -> Result<Self, json::Error> {
        json::validate(text)?;
        Ok(Raw(trim(text)))
    }

    /// Wraps a slice the scanner has already read as one value.
    pub(crate) fn scanned(text: &'a str) -> Self {
        Raw(text)
    }

    /// The JSON text.
    pub fn get(self) -> &'a str {
        self.0
    }

    /// True for `null`.
    pub fn is_null(self) -> bool {
        self.0 == "null"
    }

    /// True for an array or an object: the shapes JSON-RPC params may take.
    pub fn is_structured(self) -> bool {
        matches!(self.0.as_bytes().first(), Some(b'[' | b'{'))
    }

    /// An owned copy.
    pub fn to_buf(self) -> RawBuf {
        RawBuf(self.0.to_owned())
    }
}

/// An owned JSON value: one valid value's exact text.
///
/// ```
/// use jrpc_shared::RawBuf;
/// assert_eq!(RawBuf::new("{\"a\": 1}".to_owned()).unwrap().get(), "{\"a\": 1}");
/// assert_eq!(RawBuf::string("say \"hi\"").get(), r#""say \"hi\"""#);
/// assert!(RawBuf::new("nul".to_owned()).is_err());
/// ```
// A `String`, not a `Box<str>`: taking an encoder's output then costs no
// shrinking reallocation (and the browser's build no panic path for it).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RawBuf(String);

impl RawBuf {
    /// Checks that `text` is one JSON value (whitespace around it is dropped).
    pub fn new(text: String) -> Result<Self, json::Error> {
        json::validate(&text)?;
        let trimmed = trim(&text);
        if trimmed.len() == text.len() {
            Ok(RawBuf(text))
        } else {
            Ok(RawBuf(trimmed.to_owned()))
        }
    }

    /// Takes `text` as it is, without checking it: for the output of a JSON
    /// encoder (serde_json, `JSON.stringify`), which is valid by construction.
    /// Text that is not one JSON value would make the messages it is put in
    /// invalid, which the peer answers with a parse error; nothing here breaks.
    pub fn from_trusted(text: String) -> Self {
        RawBuf(text)
    }

    /// `null`.
    pub fn null() -> Self {
        RawBuf("null".to_owned())
    }

    /// A JSON string holding `s`.
    pub fn string(s: &str) -> Self {
        let mut out = String::with_capacity(s.len() + 2);
        crate::wire::push_str_literal(&mut out, s);
        RawBuf(out)
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        &self.0
    }

    /// A borrowed view.
    pub fn as_raw(&self) -> Raw<'_> {
        Raw(&self.0)
    }

    /// The JSON text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

fn trim(text: &str) -> &str {
    text.trim_matches([' ', '\t', '\n', '\r'])
}

impl fmt::Debug for Raw<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Display for Raw<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for RawBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for RawBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'a> From<Raw<'a>> for RawBuf {
    fn from(raw: Raw<'a>) -> Self {
        raw.to_buf()
    }
}

/// serde_json's raw values are valid JSON by construction: taken over without a copy.
#[cfg(feature = "serde")]
impl From<alloc::boxed::Box<serde_json::value::RawValue>> for RawBuf {
    fn from(raw: alloc::boxed::Box<serde_json::value::RawValue>) -> Self {
        let text: alloc::boxed::Box<str> = raw.into();
        RawBuf(text.into_string())
    }
}

/// Written verbatim into the output, as raw JSON.
#[cfg(feature = "serde")]
impl serde::Serialize for RawBuf {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_raw().serialize(serializer)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for RawBuf {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <alloc::boxed::Box<serde_json::value::RawValue>>::deserialize(d).map(RawBuf::from)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Raw<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match serde_json::value::RawValue::from_string(self.0.to_owned()) {
            Ok(raw) => raw.serialize(serializer),
            Err(e) => Err(serde::ser::Error::custom(e)),
        }
    }
}
