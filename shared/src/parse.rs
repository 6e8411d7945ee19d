//! Reading one incoming WebSocket text frame into classified message items.
//!
//! One pass over the text with the crate's own scanner ([`crate::json`]):
//! it validates the whole frame as JSON while it picks out each message's
//! members, and every value it keeps (ids, params, results, error data) is
//! a [`Raw`] slice of the frame, decoded later by whoever needs it. Nothing is
//! allocated per message but the batch's list of items and what a reply needs.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use crate::digits::u64_text;
use crate::error_object::concat;
use crate::json::{self, Cursor};
use crate::members::{
    CODE, DATA, ERROR, ID, JSONRPC, MESSAGE, METHOD, Members, PARAMS, RESULT, RESUME, any_members,
};
use crate::{ErrorObject, Id, Raw, RawBuf, code};

/// One message inside a frame (a frame holds one, or a batch of several).
#[derive(Debug)]
pub enum Item<'a> {
    /// A request (`id` is `Some`, possibly the `null` id) or a notification (`id` is `None`).
    Call {
        /// The method name.
        method: Cow<'a, str>,
        /// The params member, already checked to be an array or object.
        params: Option<Raw<'a>>,
        /// The id; `None` only when the member is absent.
        id: Option<Id>,
        /// The `resume` member a subscribe request may carry (see
        /// [`crate::subscription`]), as raw JSON; any other request ignores it.
        resume: Option<Raw<'a>>,
    },
    /// A response to a call this side made.
    Response {
        /// The id as sent back by the peer.
        id: Raw<'a>,
        /// The result, or the error object the peer answered with.
        outcome: Result<Raw<'a>, ErrorObject>,
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
    let mut c = Cursor::new(text);
    let frame = match c.peek() {
        Some(b'[') => batch(&mut c, max_batch),
        Some(b'{') => members(&mut c, 0).map(|m| Frame::Single(classify(m))),
        // Valid JSON that is not an object cannot be a message.
        _ => c.value(0).map(|_| Frame::Single(invalid(Id::null()))),
    };
    match frame.and_then(|frame| c.end().map(|()| frame)) {
        Ok(frame) => frame,
        Err(_) => Frame::Error(ErrorObject::parse_error()),
    }
}

/// A batch: every element is read (and validated) even past the limit, so
/// that invalid JSON is still a parse error, but only counted, not kept.
fn batch<'a>(c: &mut Cursor<'a>, max_batch: usize) -> Result<Frame<'a>, json::Error> {
    c.expect(b'[')?;
    let mut items = Vec::with_capacity(max_batch.min(16));
    let mut count = 0usize;
    if !c.eat(b']') {
        loop {
            count += 1;
            if count > max_batch {
                c.value(1)?;
            } else if c.peek() == Some(b'{') {
                items.push(classify(members(c, 1)?));
            } else {
                c.value(1)?;
                items.push(invalid(Id::null()));
            }
            if !c.eat(b',') {
                c.expect(b']')?;
                break;
            }
        }
    }
    Ok(if count > max_batch {
        Frame::Error(ErrorObject::new(
            code::INVALID_REQUEST,
            concat(&[
                "Invalid Request: a batch may hold at most ",
                &u64_text(max_batch as u64),
                " messages, this one holds ",
                &u64_text(count as u64),
            ]),
        ))
    } else if items.is_empty() {
        Frame::Error(ErrorObject::invalid_request())
    } else {
        Frame::Batch(items)
    })
}

/// Reads an object inside `open` containers, keeping the members JSON-RPC names.
fn members<'a>(c: &mut Cursor<'a>, open: usize) -> Result<Members<'a>, json::Error> {
    #[cfg(feature = "std")]
    {
        let mut m = Members::default();
        let mut fast = c.clone();
        if usual_members(&mut fast, open, &mut m) {
            *c = fast;
            return Ok(m);
        }
    }
    any_members(c, open)
}

/// The fast path of [`members`], for the shape almost every request and
/// notification has: `{"jsonrpc":"2.0"` first, then `method`, `params` and
/// `id` in any order, each once, with no whitespace between the members
/// (values are read as usual). `None` as soon as the text is anything else
/// (a response, an escaped or unknown key, whitespace, a repeated member,
/// invalid JSON): the general path then reads the object from the start and
/// decides. What it accepts, it reads exactly as the general path would.
#[cfg(feature = "std")]
fn usual_members<'a>(c: &mut Cursor<'a>, open: usize, m: &mut Members<'a>) -> bool {
    if !c.eat_exact(br#"{"jsonrpc":"2.0""#) {
        return false;
    }
    m.values[JSONRPC] = Some(r#""2.0""#);
    while !c.eat_exact(b"}") {
        let slot = if c.eat_exact(br#","method":"#) {
            &mut m.values[METHOD]
        } else if c.eat_exact(br#","params":"#) {
            &mut m.values[PARAMS]
        } else if c.eat_exact(br#","id":"#) {
            &mut m.values[ID]
        } else {
            return false;
        };
        if slot.is_some() {
            return false;
        }
        match c.value_here(open + 1) {
            Ok(value) => *slot = Some(value),
            Err(_) => return false,
        }
    }
    true
}

fn invalid(id: Id) -> Item<'static> {
    Item::Invalid {
        id,
        error: ErrorObject::invalid_request(),
    }
}

fn classify(m: Members<'_>) -> Item<'_> {
    if m.duplicate {
        return invalid(Id::null());
    }
    if m.get(METHOD).is_none() && (m.get(RESULT).is_some() || m.get(ERROR).is_some()) {
        return response(m);
    }
    // From here on it must be a valid request or notification.
    let id = match m.get(ID) {
        None => None,
        Some(raw) => match Id::from_raw(Raw::scanned(raw)) {
            Some(id) => Some(id),
            // An id of the wrong type cannot be echoed: answer with id null.
            None => return invalid(Id::null()),
        },
    };
    let reply_id = || id.clone().unwrap_or_else(Id::null);
    let version_ok = m.get(JSONRPC).is_some_and(|v| {
        v == "\"2.0\"" || string_value(v).is_some_and(|v| v == crate::wire::VERSION)
    });
    if !version_ok {
        return invalid(reply_id());
    }
    let Some(method) = m.get(METHOD).and_then(string_value) else {
        return invalid(reply_id());
    };
    if m.get(RESULT).is_some() || m.get(ERROR).is_some() {
        return invalid(reply_id());
    }
    let params = m.get(PARAMS).map(Raw::scanned);
    if params.is_some_and(|p| !p.is_structured()) {
        return invalid(reply_id());
    }
    let resume = m.get(RESUME).map(Raw::scanned);
    Item::Call {
        method,
        params,
        id,
        resume,
    }
}

/// Responses are read leniently: whatever lets a waiting call settle is accepted,
/// because the alternative is a caller waiting until its timeout.
fn response(m: Members<'_>) -> Item<'_> {
    let Some(id) = m.get(ID) else {
        return Item::Ignored("response without an id");
    };
    let error = m.get(ERROR).filter(|e| *e != "null");
    let outcome = match (error, m.get(RESULT)) {
        (Some(error), _) => Err(error_object(error).unwrap_or_else(|why| {
            ErrorObject::new(
                code::INTERNAL_ERROR,
                concat(&[
                    "Internal error: the peer sent a malformed error object: ",
                    why,
                ]),
            )
            .with_data_raw(RawBuf::from(Raw::scanned(error)))
        })),
        (None, Some(result)) => Ok(Raw::scanned(result)),
        (None, None) => return Item::Ignored("response with neither result nor error"),
    };
    Item::Response {
        id: Raw::scanned(id),
        outcome,
    }
}

/// Reads an error object (already validated JSON): an integer `code`, a
/// string `message`, and optional `data`; other members are ignored.
pub(crate) fn error_object(text: &str) -> Result<ErrorObject, &'static str> {
    let m = Members::of(text).ok_or("it is not an object")?;
    if m.duplicate {
        return Err("a member appears twice");
    }
    let code = json::parse_i64(m.get(CODE).ok_or("it has no code")?)
        .ok_or("its code is not an integer")?;
    let message = string_value(m.get(MESSAGE).ok_or("it has no message")?)
        .ok_or("its message is not a string")?
        .into_owned();
    let mut error = ErrorObject::new(code, message);
    // `"data": null` is the same as no data.
    if let Some(data) = m.get(DATA).filter(|d| *d != "null") {
        error = error.with_data_raw(RawBuf::from(Raw::scanned(data)));
    }
    Ok(error)
}

/// The params of a `$/cancelRequest`: `{"id": ID}` (or `[ID]`), the id of the
/// request to cancel.
pub(crate) fn cancel_target(params: Raw<'_>) -> Option<Id> {
    let mut c = Cursor::new(params.get());
    let target = if c.eat(b'[') {
        let target = c.value(1).ok()?;
        c.expect(b']').ok()?;
        target
    } else {
        // An id given twice names no one request.
        Members::of(params.get())
            .filter(|m| !m.duplicate)?
            .get(ID)?
    };
    Id::from_raw(Raw::scanned(target))
}

/// The value of a JSON string, borrowed when it holds no escapes; `None` for
/// any other value. `raw` is a value the scanner read.
pub(crate) fn string_value(raw: &str) -> Option<Cow<'_, str>> {
    #[cfg(feature = "std")]
    if let Some(plain) = plain_string(raw) {
        return Some(Cow::Borrowed(plain));
    }
    Cursor::new(raw).string().ok()?.decode()
}

/// The fast path of [`string_value`]: a string without escapes is its text
/// between the quotes (`raw` was read as one value, so a quote at each end
/// means one string, valid already).
#[cfg(feature = "std")]
fn plain_string(raw: &str) -> Option<&str> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains('\\')).then_some(inner)
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

    /// The fast path reads what it accepts exactly as the general path
    /// does (the same item, the cursor in the same place), and hands
    /// everything else over untouched.
    #[cfg(feature = "std")]
    #[test]
    fn the_usual_shape_reads_as_the_general_path_reads_it() {
        let taken = [
            r#"{"jsonrpc":"2.0","method":"math.sum","params":[1,2],"id":12345}"#,
            r#"{"jsonrpc":"2.0","method":"m","id":"x\"y","params":{"a":[{}]}}"#,
            r#"{"jsonrpc":"2.0","id":-1.5e3,"method":"m"}"#,
            r#"{"jsonrpc":"2.0","method":"m"}"#,
            r#"{"jsonrpc":"2.0","method":"m","params":[ 1 ]}"#,
            r#"{"jsonrpc":"2.0","method":"é\u0062","id":null}"#,
            r#"{"jsonrpc":"2.0"}"#,
            r#"{"jsonrpc":"2.0","method":7,"id":1}"#,
            r#"{"jsonrpc":"2.0","method":"m","params":3,"id":1}"#,
            r#"{"jsonrpc":"2.0","method":"m","id":true}"#,
            r#"{"jsonrpc":"2.0","method":"m","id":[1]}"#,
        ];
        let handed_over = [
            r#"{"jsonrpc":"2.0","method":"m","method":"n","id":1}"#,
            r#"{"jsonrpc":"2.0","method":"m","id":1,"id":2}"#,
            r#"{"jsonrpc":"2.0","result":5,"id":1}"#,
            r#"{"jsonrpc":"2.0","method":"m","id":1,"x":2}"#,
            r#"{"jsonrpc":"2.0","method":"m","id":1 }"#,
            r#"{"jsonrpc":"2.0","method":"m", "id":1}"#,
            r#"{"jsonrpc":"2.0","method":"m","id": 1}"#,
            r#"{"jsonrpc":"2.0","method":"m","params": [1]}"#,
            r#"{"jsonrpc":"2.0","\u006dethod":"m","id":1}"#,
            r#"{"jsonrpc":"2.0","method":"m","params":[1,],"id":1}"#,
            r#"{"jsonrpc":"2.0","method":"m","id":tru}"#,
            r#"{"jsonrpc":"2.0","method":"m","id":1"#,
            r#"{"jsonrpc":"2.0" ,"method":"m"}"#,
            r#"{"jsonrpc":"1.0","method":"m","id":1}"#,
            r#"{"method":"m","jsonrpc":"2.0","id":1}"#,
        ];
        for (text, fast) in taken
            .iter()
            .map(|t| (t, true))
            .chain(handed_over.iter().map(|t| (t, false)))
        {
            let mut general = Cursor::new(text);
            let want = any_members(&mut general, 0).map(classify);
            let mut m = Members::default();
            let mut usual = Cursor::new(text);
            assert_eq!(usual_members(&mut usual, 0, &mut m), fast, "{text}");
            if fast {
                assert_eq!(usual.offset(), general.offset(), "{text}");
                let want = want.unwrap_or_else(|e| panic!("{text}: {e:?}"));
                assert_eq!(format!("{:?}", classify(m)), format!("{want:?}"), "{text}");
            }
        }
        // Nesting counts the batch around the message on both paths.
        let deep = format!(
            r#"{{"jsonrpc":"2.0","method":"m","params":{}1{},"id":1}}"#,
            "[".repeat(126),
            "]".repeat(126)
        );
        assert!(matches!(parse(&deep, 4), Frame::Single(Item::Call { .. })));
        assert!(matches!(parse(&format!("[{deep}]"), 4), Frame::Error(e) if e.code == -32700));
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
