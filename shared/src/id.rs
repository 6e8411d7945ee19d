//! Request ids, kept as the exact JSON text the peer sent.
//!
//! JSON-RPC allows any string or number (or `null`) as an id and requires the
//! response to carry the same value. Numbers may be negative, fractional or
//! wider than 64 bits, so an id is never converted to a Rust number: its raw
//! text is stored and written back verbatim.

use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// A JSON-RPC request id: a JSON string, number or `null`, stored as raw text.
///
/// ```
/// use jrpc_shared::Id;
/// let id = Id::from_raw_json("123456789012345678901234567890").unwrap();
/// assert_eq!(id.as_json(), "123456789012345678901234567890");
/// assert_eq!(Id::from(7u64).as_json(), "7");
/// assert!(Id::from_raw_json("true").is_none());
/// ```
#[derive(Clone)]
pub struct Id(Box<RawValue>);

impl Id {
    /// The `null` id, used in error responses when the request's id could not be read.
    pub fn null() -> Self {
        Id(null_raw())
    }

    /// Accepts `text` if it is a JSON string, number or `null`; `None` for any other JSON.
    ///
    /// `text` must already be valid JSON (as it is when it comes out of the parser).
    pub fn from_raw_json(text: &str) -> Option<Self> {
        Self::check(text)?;
        RawValue::from_string(text.to_owned()).ok().map(Id)
    }

    /// Like [`Id::from_raw_json`] for an already-boxed raw value, without copying.
    pub fn from_raw(raw: &RawValue) -> Option<Self> {
        Self::check(raw.get())?;
        Some(Id(raw.to_owned()))
    }

    fn check(text: &str) -> Option<()> {
        match text.as_bytes().first()? {
            b'"' | b'-' | b'0'..=b'9' => Some(()),
            b'n' if text == "null" => Some(()),
            _ => None,
        }
    }

    /// The id exactly as it appears on the wire, e.g. `"abc"` (with quotes) or `-1.5`.
    pub fn as_json(&self) -> &str {
        self.0.get()
    }

    /// True for the `null` id.
    pub fn is_null(&self) -> bool {
        self.0.get() == "null"
    }

    /// The id as an unsigned integer, if it is one written plainly (as this library writes its own).
    pub fn as_u64(&self) -> Option<u64> {
        let text = self.0.get();
        if text.bytes().all(|b| b.is_ascii_digit()) {
            text.parse().ok()
        } else {
            None
        }
    }
}

fn null_raw() -> Box<RawValue> {
    // `RawValue::NULL` is a `&'static RawValue`; cloning it into a box is infallible.
    RawValue::NULL.to_owned()
}

impl From<u64> for Id {
    fn from(n: u64) -> Self {
        // The text of a u64 is always a valid JSON number, so this cannot fail;
        // fall back to null rather than panic to keep the function total.
        match RawValue::from_string(n.to_string()) {
            Ok(raw) => Id(raw),
            Err(_) => Id::null(),
        }
    }
}

impl PartialEq for Id {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl Eq for Id {}

impl Hash for Id {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.get().hash(state);
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.get())
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.get())
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_exotic_numbers_verbatim() {
        for text in [
            "-1",
            "1.5",
            "1e400",
            "18446744073709551616",
            "0",
            r#""x""#,
            "null",
        ] {
            let id = Id::from_raw_json(text).map(|id| id.as_json().to_owned());
            assert_eq!(id.as_deref(), Some(text));
        }
    }

    #[test]
    fn rejects_other_types() {
        for text in ["true", "false", "[1]", r#"{"a":1}"#] {
            assert!(Id::from_raw_json(text).is_none(), "{text}");
        }
    }

    #[test]
    fn u64_view_only_for_plain_integers() {
        assert_eq!(Id::from(42u64).as_u64(), Some(42));
        assert_eq!(Id::from_raw_json("-1").and_then(|i| i.as_u64()), None);
        assert_eq!(Id::from_raw_json("1.0").and_then(|i| i.as_u64()), None);
        assert_eq!(Id::from_raw_json(r#""1""#).and_then(|i| i.as_u64()), None);
    }
}
