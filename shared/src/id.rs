//! Request ids, kept as the exact JSON text the peer sent.
//!
//! JSON-RPC allows any string or number (or `null`) as an id and requires the
//! response to carry the same value. Numbers may be negative, fractional or
//! wider than 64 bits, so an id is never converted to a Rust number: its raw
//! text is stored and written back verbatim.

use alloc::boxed::Box;
use arrayvec::ArrayString;
use core::fmt;
use core::hash::{Hash, Hasher};

use crate::Raw;

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
pub struct Id(Text);

/// Ids up to this many bytes (every id a counter produces) are kept inline,
/// so reading a request allocates nothing for its id.
const INLINE: usize = 22;

/// The id's JSON text: inline when short, else on the heap.
#[derive(Clone)]
enum Text {
    Inline(ArrayString<INLINE>),
    Heap(Box<str>),
}

impl Id {
    /// The `null` id, used in error responses when the request's id could not be read.
    pub fn null() -> Self {
        Id::from_checked("null")
    }

    /// Accepts `text` if it is a JSON string, number or `null`; `None` for any
    /// other JSON, or for text that is not JSON at all.
    pub fn from_raw_json(text: &str) -> Option<Self> {
        Self::from_raw(Raw::new(text).ok()?)
    }

    /// Like [`Id::from_raw_json`] for a value the parser already read.
    pub fn from_raw(raw: Raw<'_>) -> Option<Self> {
        Self::check(raw.get())?;
        Some(Id::from_checked(raw.get()))
    }

    /// Stores `text`, which is known to be a JSON string, number or `null`.
    fn from_checked(text: &str) -> Self {
        match ArrayString::from(text) {
            Ok(inline) => Id(Text::Inline(inline)),
            Err(_) => Id(Text::Heap(text.into())),
        }
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
        match &self.0 {
            Text::Inline(text) => text,
            Text::Heap(text) => text,
        }
    }

    /// True for the `null` id.
    pub fn is_null(&self) -> bool {
        self.as_json() == "null"
    }

    /// The id as an unsigned integer, if it is one written plainly (as this library writes its own).
    pub fn as_u64(&self) -> Option<u64> {
        // What `str::parse` accepts of a text of digits only (leading
        // zeros too), without its general (signed, any radix) parser.
        let text = self.as_json();
        if text.is_empty() {
            return None;
        }
        let mut n: u64 = 0;
        for b in text.bytes() {
            if !b.is_ascii_digit() {
                return None;
            }
            n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
        }
        Some(n)
    }
}

impl From<u64> for Id {
    fn from(n: u64) -> Self {
        // The text of a u64 is always a valid JSON number.
        Id::from_checked(&crate::digits::u64_text(n))
    }
}

impl PartialEq for Id {
    fn eq(&self, other: &Self) -> bool {
        self.as_json() == other.as_json()
    }
}

impl Eq for Id {}

/// By JSON text, consistent with `==` (the browser's engine keeps the
/// peer's ids in a sorted table); not an order of the values.
impl Ord for Id {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.as_json().cmp(other.as_json())
    }
}

impl PartialOrd for Id {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Hash for Id {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_json().hash(state);
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_json())
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_json())
    }
}

/// Written verbatim, as raw JSON. Not on any hot path: responses are
/// written by hand around `as_json`.
#[cfg(feature = "serde")]
impl serde::Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Raw::scanned(self.as_json()).serialize(serializer)
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
        // As `str::parse` reads them: up to u64::MAX, nothing past it.
        for text in [
            "0",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999",
        ] {
            let id = Id::from_raw_json(text).unwrap();
            assert_eq!(id.as_u64(), text.parse().ok(), "{text}");
        }
    }
}
