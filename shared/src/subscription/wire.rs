//! A subscription's messages as text, both ways.
//!
//! The server writes them: an item, a gap, the end. Every one is a
//! notification named after the subscription's notification method whose
//! params hold `"subscription"` (the id the subscribe request returned), as
//! jsonrpsee and Ethereum's `eth_subscribe` write them; what jrpc adds are
//! members other clients ignore. The client reads them back
//! ([`read_event`]).

use alloc::string::String;

use crate::digits::push_u64;
use crate::error_object::concat;
use crate::members::{EPOCH, ERROR, GAP, MISSED, Members, RESULT, SEQ, SUBSCRIPTION};
use crate::wire::{push_error_object, push_str_literal};
use crate::{ErrorObject, Raw};

/// The start of every message of one subscription, written once when it is
/// accepted: `{"jsonrpc":"2.0","method":"<notification>","params":{"subscription":"<id>"`.
/// Each message is this, its own members, and `}}`, so publishing an item
/// to many subscribers copies bytes and serialises nothing per subscriber.
#[derive(Clone, Debug)]
pub struct Head(String);

impl Head {
    /// The head for subscription `id` (a JSON string or number, as text)
    /// whose messages are notifications of `method`.
    ///
    /// ```
    /// use jrpc_shared::subscription::Head;
    /// let head = Head::new("demo.ticks", r#""7""#);
    /// assert_eq!(head.item(2, "e1", r#"{"n":2}"#), concat!(
    ///     r#"{"jsonrpc":"2.0","method":"demo.ticks","params":{"subscription":"7","#,
    ///     r#""seq":2,"epoch":"e1","result":{"n":2}}}"#,
    /// ));
    /// ```
    pub fn new(method: &str, id: &str) -> Self {
        let mut head = String::with_capacity(60 + method.len() + id.len());
        head.push_str(r#"{"jsonrpc":"2.0","method":"#);
        push_str_literal(&mut head, method);
        head.push_str(r#","params":{"subscription":"#);
        head.push_str(id);
        Head(head)
    }

    /// An item: `result` (JSON text), its sequence number and its stream's epoch.
    pub fn item(&self, seq: u64, epoch: &str, result: &str) -> String {
        let mut out = String::with_capacity(self.0.len() + epoch.len() + result.len() + 40);
        self.push_position(&mut out, seq, epoch);
        out.push_str(r#","result":"#);
        out.push_str(result);
        out.push_str("}}");
        out
    }

    /// A gap: the items before `seq` (the next to come) that the client will
    /// not get, `missed` of them, or (`None`) an unknown number: the history
    /// it asked to resume from is gone (the epoch changed).
    ///
    /// ```
    /// # use jrpc_shared::subscription::Head;
    /// let head = Head::new("t", "1");
    /// assert!(head.gap(9, "e", Some(3)).ends_with(r#""seq":9,"epoch":"e","gap":{"missed":3}}}"#));
    /// assert!(head.gap(0, "f", None).ends_with(r#""gap":{"missed":null}}}"#));
    /// ```
    pub fn gap(&self, seq: u64, epoch: &str, missed: Option<u64>) -> String {
        let mut out = String::with_capacity(self.0.len() + epoch.len() + 64);
        self.push_position(&mut out, seq, epoch);
        out.push_str(r#","gap":{"missed":"#);
        match missed {
            Some(n) => push_u64(&mut out, n),
            None => out.push_str("null"),
        }
        out.push_str("}}}");
        out
    }

    /// The end: `None` when the stream completed, else the error it ended
    /// with. jsonrpsee's client closes the subscription on either.
    ///
    /// ```
    /// # use jrpc_shared::subscription::Head;
    /// let head = Head::new("t", "1");
    /// assert!(head.end(None).ends_with(r#""subscription":1,"error":null}}"#));
    /// ```
    pub fn end(&self, error: Option<&ErrorObject>) -> String {
        let mut out = String::with_capacity(self.0.len() + 64);
        out.push_str(&self.0);
        out.push_str(r#","error":"#);
        match error {
            Some(error) => push_error_object(&mut out, error),
            None => out.push_str("null"),
        }
        out.push_str("}}");
        out
    }

    fn push_position(&self, out: &mut String, seq: u64, epoch: &str) {
        out.push_str(&self.0);
        out.push_str(r#","seq":"#);
        push_u64(out, seq);
        out.push_str(r#","epoch":"#);
        push_str_literal(out, epoch);
    }
}

/// What one subscription message says, as the client reads it.
#[derive(Debug, PartialEq)]
pub enum Event<'a> {
    /// An item. `seq` and `epoch` are there when the server is jrpc's.
    Item {
        /// The item as JSON text.
        result: Raw<'a>,
        /// Its sequence number.
        seq: Option<u64>,
        /// Its stream's epoch (the text of a JSON string).
        epoch: Option<Raw<'a>>,
    },
    /// Items the server says are lost (see [`Head::gap`]).
    Gap {
        /// How many, if known.
        missed: Option<u64>,
        /// The sequence number of the next item.
        seq: u64,
        /// The stream's epoch from now on.
        epoch: Raw<'a>,
    },
    /// The subscription ended: completed (`Ok`) or failed.
    End(Result<(), ErrorObject>),
}

/// Reads the params of a notification as a subscription message: the
/// subscription's id (as JSON text) and what it says. `None` for params that
/// are no subscription message (no `"subscription"` member, or neither
/// `result`, `gap` nor `error`), which the caller handles as an ordinary
/// notification.
///
/// ```
/// use jrpc_shared::Raw;
/// use jrpc_shared::subscription::{Event, read_event};
/// let params = Raw::new(r#"{"subscription":"a1","result":5}"#).unwrap();
/// let (id, event) = read_event(params).unwrap();
/// assert_eq!(id.get(), r#""a1""#);
/// assert!(matches!(event, Event::Item { seq: None, .. }));
/// ```
pub fn read_event(params: Raw<'_>) -> Option<(Raw<'_>, Event<'_>)> {
    let m = Members::of(params.get())?;
    let id = m
        .get(SUBSCRIPTION)
        .filter(|id| matches!(id.as_bytes().first(), Some(b'"' | b'-' | b'0'..=b'9')))
        .map(Raw::scanned)?;
    let seq = m.get(SEQ).and_then(unsigned);
    let epoch = m
        .get(EPOCH)
        .filter(|e| e.starts_with('"'))
        .map(Raw::scanned);
    let event = if let Some(result) = m.get(RESULT) {
        Event::Item {
            result: Raw::scanned(result),
            seq,
            epoch,
        }
    } else if let Some(gap) = m.get(GAP) {
        Event::Gap {
            missed: gap_missed(gap)?,
            seq: seq?,
            epoch: epoch?,
        }
    } else {
        let error = m.get(ERROR)?;
        if error == "null" {
            Event::End(Ok(()))
        } else {
            Event::End(Err(ErrorObject::from_json(error).unwrap_or_else(|| {
                ErrorObject::new(
                    crate::code::INTERNAL_ERROR,
                    "the subscription ended with a malformed error object",
                )
            })))
        }
    };
    Some((id, event))
}

/// A JSON number that is an unsigned integer (sequence numbers, counts).
fn unsigned(text: &str) -> Option<u64> {
    u64::try_from(crate::json::parse_i64(text)?).ok()
}

/// The `missed` member of a gap: `Some(None)` for `null` (unknown).
fn gap_missed(gap: &str) -> Option<Option<u64>> {
    match Members::of(gap)?.get(MISSED)? {
        "null" => Some(None),
        n => unsigned(n).map(Some),
    }
}

/// The member a subscribe request carries to resume a stream after a
/// reconnect: the epoch and the sequence number of the last item the client
/// got. A member of the request beside `params`, so the method's params
/// stay the app's; servers other than jrpc's ignore it.
///
/// ```
/// use jrpc_shared::subscription::resume_member;
/// assert_eq!(resume_member(r#""e1""#, 41), r#""resume":{"epoch":"e1","seq":41}"#);
/// ```
pub fn resume_member(epoch: &str, seq: u64) -> String {
    let mut out = String::with_capacity(40 + epoch.len());
    out.push_str(r#""resume":{"epoch":"#);
    out.push_str(epoch);
    out.push_str(r#","seq":"#);
    push_u64(&mut out, seq);
    out.push('}');
    out
}

/// The params of the unsubscribe request for subscription `id` (its JSON
/// text): `[<id>]`, as jsonrpsee and `eth_unsubscribe` take them.
///
/// ```
/// assert_eq!(jrpc_shared::subscription::unsubscribe_params(r#""s1""#), r#"["s1"]"#);
/// ```
pub fn unsubscribe_params(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 2);
    out.push('[');
    out.push_str(id);
    out.push(']');
    out
}

/// The subscribe and unsubscribe methods of a subscription called `name`,
/// by the conventions of jsonrpsee's and Ethereum's names: a name that holds
/// `subscribe` is the subscribe method, and its last `subscribe` becomes
/// `unsubscribe` (`eth_subscribe`, `eth_unsubscribe`); any other name is
/// the subscription's own, and its methods are `<name>.subscribe` and
/// `<name>.unsubscribe` (jrpc's demo: `demo.ticks`, whose items are
/// notifications of `demo.ticks` too).
///
/// ```
/// use jrpc_shared::subscription::method_names;
/// assert_eq!(method_names("demo.ticks"), ["demo.ticks.subscribe", "demo.ticks.unsubscribe"]);
/// assert_eq!(method_names("demo.ticks.subscribe"), ["demo.ticks.subscribe", "demo.ticks.unsubscribe"]);
/// assert_eq!(method_names("eth_subscribe"), ["eth_subscribe", "eth_unsubscribe"]);
/// ```
pub fn method_names(name: &str) -> [String; 2] {
    // Bytes and `split_at_checked`: `rfind` and slicing a `str` would link a
    // substring search and the formatting of their panics into the wasm.
    const WORD: &[u8] = b"subscribe";
    let at = name.as_bytes().windows(WORD.len()).rposition(|w| w == WORD);
    let (head, dot, tail) = match at.and_then(|at| name.split_at_checked(at)) {
        Some((head, tail)) => (head, "", tail),
        None => (name, ".", "subscribe"),
    };
    [concat(&[head, dot, tail]), concat(&[head, dot, "un", tail])]
}

/// Where a client asks to resume: the value of a subscribe request's
/// `resume` member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resume {
    /// The epoch of the stream it followed (decoded).
    pub epoch: String,
    /// The last sequence number it got.
    pub seq: u64,
}

impl Resume {
    /// Reads a `resume` member's value; `None` unless it is
    /// `{"epoch": <string>, "seq": <unsigned integer>}`.
    ///
    /// ```
    /// use jrpc_shared::subscription::Resume;
    /// let resume = Resume::read(r#"{"epoch":"e1","seq":41}"#).unwrap();
    /// assert_eq!((resume.epoch.as_str(), resume.seq), ("e1", 41));
    /// assert!(Resume::read(r#"{"seq":41}"#).is_none());
    /// ```
    pub fn read(value: &str) -> Option<Resume> {
        let m = Members::of(value)?;
        Some(Resume {
            epoch: crate::parse::string_value(m.get(EPOCH)?)?.into_owned(),
            seq: unsigned(m.get(SEQ)?)?,
        })
    }
}
