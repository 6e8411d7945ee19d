//! A batch being put together before it is sent: the list both drivers fill
//! from their own API (`Batch` natively, the `batch(b => ..)` callback in the
//! browser) and hand to [`crate::Outbound::batch`], which gives the requests
//! their ids and writes the message.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::{Raw, RawBuf};

/// One call of a draft.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) method: Box<str>,
    pub(crate) params: Option<RawBuf>,
    pub(crate) request: bool,
}

/// Requests and notifications to send as one batch message, in order.
///
/// ```
/// let mut draft = jrpc_shared::BatchDraft::new();
/// assert_eq!(draft.request("a", None), 0);
/// draft.notify("b", None);
/// assert_eq!(draft.request("c", None), 1);
/// assert_eq!((draft.len(), draft.requests()), (3, 2));
/// ```
#[derive(Clone, Debug, Default)]
pub struct BatchDraft {
    entries: Vec<Entry>,
    requests: usize,
    text_len: usize,
}

impl BatchDraft {
    /// An empty draft.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a request; returns its index among the draft's requests, which is
    /// where its answer is in the batch's results.
    pub fn request(&mut self, method: &str, params: Option<Raw<'_>>) -> usize {
        self.push(method, params.map(Raw::to_buf), true);
        self.requests - 1
    }

    /// Adds a request whose params are already owned.
    pub fn request_owned(&mut self, method: &str, params: Option<RawBuf>) -> usize {
        self.push(method, params, true);
        self.requests - 1
    }

    /// Adds a notification.
    pub fn notify(&mut self, method: &str, params: Option<Raw<'_>>) {
        self.push(method, params.map(Raw::to_buf), false);
    }

    /// Adds a notification whose params are already owned.
    pub fn notify_owned(&mut self, method: &str, params: Option<RawBuf>) {
        self.push(method, params, false);
    }

    fn push(&mut self, method: &str, params: Option<RawBuf>, request: bool) {
        // The envelope of a call is about 48 bytes around its method and params.
        self.text_len += 48 + method.len() + params.as_ref().map_or(0, |p| p.get().len());
        self.requests += usize::from(request);
        self.entries.push(Entry {
            method: method.into(),
            params,
            request,
        });
    }

    /// How many calls the draft holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the draft holds no call.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many of its calls are requests.
    pub fn requests(&self) -> usize {
        self.requests
    }

    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// About how long the message will be.
    pub(crate) fn text_len(&self) -> usize {
        self.text_len + 2
    }
}
