//! One reader of a JSON object's members, for everything the engine reads
//! by name: messages, error objects, `$/cancelRequest` params, subscription
//! messages and the legacy dialect's frames. One copy of it in the
//! browser's wasm, instead of one per kind of object.

use alloc::borrow::Cow;

use crate::json::{self, Cursor, Str};

/// The members [`Members`] keeps, by their index there: first those of a
/// message that JSON-RPC gives a meaning and of its error objects, where a
/// repeat makes the object invalid ([`ONCE`] of them); then those read by
/// the same code where a repeat is no error (the last one counts): a
/// subscribe request's `resume`, the members of a subscription message's
/// params (see [`crate::subscription::read_event`]), and the legacy
/// dialect's `args`, `kwargs` and an error's `data.type`. One reader for
/// all, looked up in a table: it keeps the browser's wasm small.
const NAMES: [&str; 18] = [
    "jsonrpc",
    "method",
    "params",
    "id",
    "result",
    "error",
    "code",
    "message",
    "data",
    "resume",
    "subscription",
    "seq",
    "epoch",
    "gap",
    "missed",
    "args",
    "kwargs",
    "type",
];
const ONCE: usize = 9;
pub(crate) const JSONRPC: usize = 0;
pub(crate) const METHOD: usize = 1;
pub(crate) const PARAMS: usize = 2;
pub(crate) const ID: usize = 3;
pub(crate) const RESULT: usize = 4;
pub(crate) const ERROR: usize = 5;
pub(crate) const CODE: usize = 6;
pub(crate) const MESSAGE: usize = 7;
pub(crate) const DATA: usize = 8;
pub(crate) const RESUME: usize = 9;
pub(crate) const SUBSCRIPTION: usize = 10;
pub(crate) const SEQ: usize = 11;
pub(crate) const EPOCH: usize = 12;
pub(crate) const GAP: usize = 13;
pub(crate) const MISSED: usize = 14;
#[cfg_attr(not(feature = "legacy"), allow(dead_code))]
pub(crate) const ARGS: usize = 15;
#[cfg_attr(not(feature = "legacy"), allow(dead_code))]
pub(crate) const KWARGS: usize = 16;
#[cfg_attr(not(feature = "legacy"), allow(dead_code))]
pub(crate) const TYPE: usize = 17;

/// The members of an object that [`NAMES`] lists, each kept raw so that a
/// wrong type in one still lets the others (notably the id) be read.
#[derive(Default)]
pub(crate) struct Members<'a> {
    /// By index of [`NAMES`] (the parser's fast path fills them directly).
    pub(crate) values: [Option<&'a str>; NAMES.len()],
    /// One of the first [`ONCE`] members appeared twice: the object is invalid.
    pub(crate) duplicate: bool,
}

impl<'a> Members<'a> {
    /// Member `member` (an index of [`NAMES`]), as raw JSON.
    pub(crate) fn get(&self, member: usize) -> Option<&'a str> {
        self.values.get(member).copied().flatten()
    }

    /// The slot of member `key`, and whether a repeat of it is an error.
    fn slot(&mut self, key: Str<'_>) -> Option<(&mut Option<&'a str>, bool)> {
        let name = if key.is_escaped() {
            key.decode()?
        } else {
            Cow::Borrowed(key.raw())
        };
        // Other members are allowed and ignored.
        let at = NAMES.iter().position(|n| *n == name)?;
        Some((self.values.get_mut(at)?, at < ONCE))
    }

    /// The members of `text`, a JSON object (validated here); `None` for
    /// anything else.
    pub(crate) fn of(text: &'a str) -> Option<Self> {
        let mut c = Cursor::new(text);
        if c.peek() != Some(b'{') {
            return None;
        }
        let m = any_members(&mut c, 0).ok()?;
        c.end().ok()?;
        Some(m)
    }
}

/// The members of the object at `c`, inside `open` containers.
pub(crate) fn any_members<'a>(c: &mut Cursor<'a>, open: usize) -> Result<Members<'a>, json::Error> {
    let mut m = Members::default();
    for_each_member(c, open, |key, value| {
        let mut twice = false;
        if let Some((slot, once)) = m.slot(key) {
            // Replaced first: `&&` would skip it for the members read once.
            twice = slot.replace(value).is_some() && once;
        }
        m.duplicate |= twice;
    })?;
    Ok(m)
}

/// Reads an object inside `open` containers, calling `f` with each member.
pub(crate) fn for_each_member<'a>(
    c: &mut Cursor<'a>,
    open: usize,
    mut f: impl FnMut(Str<'a>, &'a str),
) -> Result<(), json::Error> {
    c.expect(b'{')?;
    if c.eat(b'}') {
        return Ok(());
    }
    loop {
        let key = c.string()?;
        c.expect(b':')?;
        let value = c.value(open + 1)?;
        f(key, value);
        if !c.eat(b',') {
            return c.expect(b'}');
        }
    }
}
