//! Reading one incoming WebSocket text frame into classified message items.
//!
//! A frame is parsed once, borrowing from the text: params, results and ids
//! stay `&RawValue` slices until a handler decodes them into its own types.

use std::borrow::Cow;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::{ErrorObject, Id};

/// One message inside a frame (a frame holds one, or a batch of several).
#[derive(Debug)]
pub enum Item<'a> {
    /// A request (`id` is `Some`, possibly the `null` id) or a notification (`id` is `None`).
    Call {
        /// The method name.
        method: Cow<'a, str>,
        /// The params member, already checked to be an array or object.
        params: Option<&'a RawValue>,
        /// The id; `None` only when the member is absent.
        id: Option<Id>,
    },
    /// A response to a call this side made.
    Response {
        /// The id as sent back by the peer.
        id: &'a RawValue,
        /// The result, or the error object the peer answered with.
        outcome: Result<&'a RawValue, ErrorObject>,
    },
    /// Something that must be answered with an error response.
    Invalid {
        /// The request's id if it could be read, else `null`.
        id: Id,
        /// The error to answer with.
        error: ErrorObject,
    },
    /// A malformed response: there is nobody to answer, so it is dropped (and logged).
    Ignored(&'static str),
}

/// What a whole frame turned out to be.
#[derive(Debug)]
pub enum Frame<'a> {
    /// A single message.
    Single(Item<'a>),
    /// A non-empty batch.
    Batch(Vec<Item<'a>>),
    /// Invalid JSON or an empty batch: one error response with id `null`.
    Error(ErrorObject),
}

/// The members of a message object, each kept raw so that a wrong type in one
/// member still lets the others (notably the id) be read.
#[derive(Deserialize)]
struct Members<'a> {
    #[serde(default, borrow, deserialize_with = "present")]
    jsonrpc: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    method: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    params: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    id: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    result: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    error: Option<&'a RawValue>,
}

/// Maps a present member to `Some` even when its value is `null`: `"id": null`
/// is a request, only an absent id makes a notification.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

/// Parses one frame of text, refusing batches of more than `max_batch` messages.
///
/// ```
/// use jrpc_shared::parse::{parse, Frame, Item};
/// match parse(r#"{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":1}"#, 100) {
///     Frame::Single(Item::Call { method, id, .. }) => {
///         assert_eq!(method, "sum");
///         assert_eq!(id.unwrap().as_json(), "1");
///     }
///     other => panic!("{other:?}"),
/// }
/// assert!(matches!(parse("[1,2,3]", 2), Frame::Error(e) if e.code == -32600));
/// ```
pub fn parse(text: &str, max_batch: usize) -> Frame<'_> {
    let trimmed = text.trim_start_matches([' ', '\t', '\n', '\r']);
    if trimmed.starts_with('[') {
        // One pass that classifies each element as it is read. Anything it
        // cannot finish (invalid JSON, an element with a duplicate key) goes
        // the careful way, which tells those cases apart.
        return match read_all(
            text,
            Batch::<ItemSeed> {
                max: max_batch,
                seed: ItemSeed,
            },
        ) {
            Ok(bounded) => batch_frame(bounded, max_batch, |item| item),
            Err(_) => match read_all(
                text,
                Batch {
                    max: max_batch,
                    seed: RawSeed,
                },
            ) {
                Err(_) => Frame::Error(ErrorObject::parse_error()),
                Ok(bounded) => batch_frame(bounded, max_batch, |raw| element(raw.get())),
            },
        };
    }
    match serde_json::from_str::<Members<'_>>(text) {
        Ok(members) => Frame::Single(classify(members)),
        Err(e) if e.is_data() && is_valid_json(text) => Frame::Single(invalid(Id::null())),
        Err(_) => Frame::Error(ErrorObject::parse_error()),
    }
}

/// Deserializes all of `text` with `seed`, refusing trailing characters.
fn read_all<'a, S: DeserializeSeed<'a>>(text: &'a str, seed: S) -> serde_json::Result<S::Value> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = seed.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

fn batch_frame<'a, T>(
    bounded: Bounded<T>,
    max_batch: usize,
    to_item: impl Fn(T) -> Item<'a>,
) -> Frame<'a> {
    match bounded {
        Bounded::Over(count) => Frame::Error(ErrorObject::new(
            crate::code::INVALID_REQUEST,
            format!(
                "Invalid Request: a batch may hold at most {max_batch} messages, this one holds {count}"
            ),
        )),
        Bounded::Within(elements) if elements.is_empty() => {
            Frame::Error(ErrorObject::invalid_request())
        }
        Bounded::Within(elements) => Frame::Batch(elements.into_iter().map(to_item).collect()),
    }
}

/// A batch's elements, or only their count once it passes the limit: a huge
/// batch is skipped through without collecting (and later answering) each element.
enum Bounded<T> {
    Within(Vec<T>),
    Over(usize),
}

/// A JSON array of at most `max` elements, each read with `seed`.
struct Batch<S> {
    max: usize,
    seed: S,
}

impl<'de, S: DeserializeSeed<'de> + Copy> DeserializeSeed<'de> for Batch<S> {
    type Value = Bounded<S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, S: DeserializeSeed<'de> + Copy> Visitor<'de> for Batch<S> {
    type Value = Bounded<S::Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a batch (JSON array)")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut elements = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(self.max));
        loop {
            if elements.len() == self.max {
                let mut more = 0;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    more += 1;
                }
                if more > 0 {
                    return Ok(Bounded::Over(elements.len() + more));
                }
                break;
            }
            match seq.next_element_seed(self.seed)? {
                Some(element) => elements.push(element),
                None => break,
            }
        }
        Ok(Bounded::Within(elements))
    }
}

/// Reads one batch element as raw JSON (the careful path).
#[derive(Clone, Copy)]
struct RawSeed;

impl<'de> DeserializeSeed<'de> for RawSeed {
    type Value = &'de RawValue;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        <&RawValue>::deserialize(d)
    }
}

/// Reads and classifies one batch element in the same pass (the fast path):
/// an object is a message, any other value an invalid request.
#[derive(Clone, Copy)]
struct ItemSeed;

impl<'de> DeserializeSeed<'de> for ItemSeed {
    type Value = Item<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemSeed {
    type Value = Item<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON-RPC message")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Members::deserialize(MapAccessDeserializer::new(map)).map(classify)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(invalid(Id::null()))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(invalid(Id::null()))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(invalid(Id::null()))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(invalid(Id::null()))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(invalid(Id::null()))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(invalid(Id::null()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(invalid(Id::null()))
    }
}

/// Whether `text` is one valid JSON value (used only on the error path).
fn is_valid_json(text: &str) -> bool {
    serde_json::from_str::<IgnoredAny>(text).is_ok()
}

/// Classifies one element of a batch (already known to be valid JSON).
fn element(text: &str) -> Item<'_> {
    if !text.starts_with('{') {
        return invalid(Id::null());
    }
    match serde_json::from_str::<Members<'_>>(text) {
        Ok(members) => classify(members),
        // Valid JSON object but unreadable members (e.g. a duplicate key).
        Err(_) => invalid(Id::null()),
    }
}

fn invalid(id: Id) -> Item<'static> {
    Item::Invalid {
        id,
        error: ErrorObject::invalid_request(),
    }
}

fn classify(m: Members<'_>) -> Item<'_> {
    if m.method.is_none() && (m.result.is_some() || m.error.is_some()) {
        return response(m);
    }
    // From here on it must be a valid request or notification.
    let id = match m.id {
        None => None,
        Some(raw) => match Id::from_raw(raw) {
            Some(id) => Some(id),
            // An id of the wrong type cannot be echoed: answer with id null.
            None => return invalid(Id::null()),
        },
    };
    let reply_id = || id.clone().unwrap_or_else(Id::null);
    let version = m.jsonrpc.and_then(string_value);
    if version.as_deref() != Some(crate::wire::VERSION) {
        return invalid(reply_id());
    }
    let Some(method) = m.method.and_then(string_value) else {
        return invalid(reply_id());
    };
    if m.result.is_some() || m.error.is_some() {
        return invalid(reply_id());
    }
    if let Some(params) = m.params {
        if !matches!(params.get().as_bytes().first(), Some(b'[' | b'{')) {
            return invalid(reply_id());
        }
    }
    Item::Call {
        method,
        params: m.params,
        id,
    }
}

/// Responses are read leniently: whatever lets a waiting call settle is accepted,
/// because the alternative is a caller waiting until its timeout.
fn response(m: Members<'_>) -> Item<'_> {
    let Some(id) = m.id else {
        return Item::Ignored("response without an id");
    };
    let error = m.error.filter(|e| e.get() != "null");
    let outcome = match (error, m.result) {
        (Some(error), _) => Err(
            serde_json::from_str::<ErrorObject>(error.get()).unwrap_or_else(|e| {
                ErrorObject::internal_error(format_args!(
                    "the peer sent a malformed error object: {e}"
                ))
                .with_data(error)
            }),
        ),
        (None, Some(result)) => Ok(result),
        (None, None) => return Item::Ignored("response with neither result nor error"),
    };
    Item::Response { id, outcome }
}

/// The value of a JSON string, borrowed when it holds no escapes.
fn string_value(raw: &RawValue) -> Option<Cow<'_, str>> {
    let text = raw.get();
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        serde_json::from_str::<String>(text).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn single(text: &str) -> Item<'_> {
        match parse(text, 16) {
            Frame::Single(item) => item,
            other => panic!("expected a single item, got {other:?}"),
        }
    }

    fn invalid_id(item: &Item<'_>) -> Option<String> {
        match item {
            Item::Invalid { id, error } if error.code == -32600 => Some(id.as_json().to_owned()),
            _ => None,
        }
    }

    #[test]
    fn null_id_is_a_request_absent_id_a_notification() {
        match single(r#"{"jsonrpc":"2.0","method":"m","id":null}"#) {
            Item::Call { id: Some(id), .. } => assert!(id.is_null()),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            single(r#"{"jsonrpc":"2.0","method":"m"}"#),
            Item::Call { id: None, .. }
        ));
    }

    #[test]
    fn invalid_requests_keep_a_readable_id() {
        let item = single(r#"{"jsonrpc":"1.0","method":"m","id":7}"#);
        assert_eq!(invalid_id(&item).as_deref(), Some("7"));
        let item = single(r#"{"jsonrpc":"2.0","method":"m","params":3,"id":"x"}"#);
        assert_eq!(invalid_id(&item).as_deref(), Some(r#""x""#));
    }

    #[test]
    fn wrong_id_types_answer_with_null() {
        for text in [
            r#"{"jsonrpc":"2.0","method":"m","id":true}"#,
            r#"{"jsonrpc":"2.0","method":"m","id":[1]}"#,
            r#"{"jsonrpc":"2.0","method":"m","id":{"a":1}}"#,
        ] {
            assert_eq!(invalid_id(&single(text)).as_deref(), Some("null"), "{text}");
        }
    }

    #[test]
    fn escaped_method_names_are_decoded() {
        match single(r#"{"jsonrpc":"2.0","method":"a\u0062c","id":1}"#) {
            Item::Call { method, .. } => assert_eq!(method, "abc"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn invalid_json_after_a_valid_prefix_is_a_parse_error() {
        assert!(matches!(parse("1 x", 16), Frame::Error(e) if e.code == -32700));
        assert!(matches!(parse(r#"{"jsonrpc":"2.0","#, 16), Frame::Error(e) if e.code == -32700));
        assert!(matches!(parse("", 16), Frame::Error(e) if e.code == -32700));
    }

    fn batch(text: &str) -> Vec<Item<'_>> {
        match parse(text, 16) {
            Frame::Batch(items) => items,
            other => panic!("expected a batch, got {other:?}"),
        }
    }

    #[test]
    fn batch_elements_that_are_not_objects_are_invalid_requests() {
        let items =
            batch(r#"[1, "x", [1, [2]], null, true, 2.5, {"jsonrpc":"2.0","method":"m","id":9}]"#);
        assert_eq!(items.len(), 7);
        for item in &items[..6] {
            assert_eq!(invalid_id(item).as_deref(), Some("null"), "{item:?}");
        }
        assert!(matches!(&items[6], Item::Call { id: Some(id), .. } if id.as_json() == "9"));
    }

    #[test]
    fn a_member_with_a_duplicate_key_spoils_only_itself() {
        let items = batch(
            r#"[{"jsonrpc":"2.0","method":"m","id":1,"id":2},{"jsonrpc":"2.0","method":"m","id":3}]"#,
        );
        assert_eq!(invalid_id(&items[0]).as_deref(), Some("null"));
        assert!(matches!(&items[1], Item::Call { id: Some(id), .. } if id.as_json() == "3"));
    }

    #[test]
    fn batch_limit_counts_every_element() {
        let text = format!("[{}]", vec!["1"; 20].join(","));
        match parse(&text, 16) {
            Frame::Error(e) => {
                assert_eq!(e.code, -32600);
                assert!(e.message.contains("holds 20"), "{}", e.message);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(batch(&format!("[{}]", vec!["1"; 16].join(","))).len(), 16);
        assert!(matches!(parse("[1, 2", 16), Frame::Error(e) if e.code == -32700));
        assert!(matches!(parse("[] x", 16), Frame::Error(e) if e.code == -32700));
    }

    #[test]
    fn responses_are_recognised() {
        match single(r#"{"jsonrpc":"2.0","result":[1],"id":4}"#) {
            Item::Response { id, outcome: Ok(r) } => {
                assert_eq!(id.get(), "4");
                assert_eq!(r.get(), "[1]");
            }
            other => panic!("{other:?}"),
        }
        match single(r#"{"jsonrpc":"2.0","error":{"code":5,"message":"no"},"id":4}"#) {
            Item::Response {
                outcome: Err(e), ..
            } => assert_eq!(e.code, 5),
            other => panic!("{other:?}"),
        }
        match single(r#"{"jsonrpc":"2.0","error":{"code":"bad"},"id":4}"#) {
            Item::Response {
                outcome: Err(e), ..
            } => assert_eq!(e.code, -32603),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            single(r#"{"jsonrpc":"2.0","result":1}"#),
            Item::Ignored(_)
        ));
    }
}
