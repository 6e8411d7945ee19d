//! Reading JSON with serde_json.

use super::*;

/// A member name as serde_json decodes it; `None` when the decoded bytes are
/// not UTF-8 (a lone surrogate escape), which no Rust string holds.
pub(super) struct Name(Option<String>);

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Name;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Name, E> {
                Ok(Name(String::from_utf8(v.to_vec()).ok()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Name, E> {
                Ok(Name(Some(v.to_owned())))
            }
        }
        // Bytes: serde_json then decodes escapes without refusing lone surrogates.
        d.deserialize_bytes(V)
    }
}

/// An object's members in order, duplicates kept, values as exact text.
pub(super) struct Object<'a>(Vec<(Option<String>, &'a str)>);

impl<'de> Deserialize<'de> for Object<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Object<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Object<'de>, A::Error> {
                let mut members = Vec::new();
                while let Some(Name(name)) = map.next_key()? {
                    let value: &'de RawValue = map.next_value()?;
                    members.push((name, value.get()));
                }
                Ok(Object(members))
            }
        }
        d.deserialize_map(V)
    }
}

/// The members of the object `raw`; `None` if it is not an object.
pub(super) fn object(raw: &str) -> Option<Vec<(Option<String>, &str)>> {
    serde_json::from_str::<Object<'_>>(raw).ok().map(|o| o.0)
}

/// The elements of the array `raw`; `None` if it is not an array.
pub(super) fn array(raw: &str) -> Option<Vec<&str>> {
    let elements: Vec<&RawValue> = serde_json::from_str(raw).ok()?;
    Some(elements.into_iter().map(RawValue::get).collect())
}

/// The value of the JSON string `raw`; `None` for any other value, or for a
/// string with a lone surrogate.
pub(super) fn string(raw: &str) -> Option<String> {
    serde_json::from_str(raw).ok()
}

/// What JSON-RPC allows as an id: a string, a number or null.
pub(super) fn is_id(raw: &str) -> bool {
    matches!(
        raw.as_bytes().first(),
        Some(b'"' | b'-' | b'0'..=b'9' | b'n')
    )
}

/// The id as one of this side's own (an unsigned integer written plainly, as
/// `Outbound` writes them); `None` for any other id.
pub(super) fn own_id(raw: &str) -> Option<u64> {
    if raw.starts_with('-') {
        return None;
    }
    // serde_json reads `1.0`, `1e2` and integers past u64 as floats, which
    // `u64` refuses.
    serde_json::from_str(raw).ok()
}
