//! Messages waiting for the socket, bounded by count and by bytes.
//!
//! When it is full the driver stops reading, so a peer that sends requests
//! but does not read the answers slows itself down instead of growing the
//! server's memory.

use std::collections::VecDeque;
use std::sync::Arc;

use jrpc_shared::legacy::{ErrorNames, outgoing};

/// Messages queued before the driver stops reading.
const MAX_MESSAGES: usize = 256;

#[derive(Default)]
pub(crate) struct WriteQueue {
    texts: VecDeque<String>,
    bytes: usize,
    max_bytes: usize,
    /// The peer speaks the original jrpc dialect, with these error names:
    /// every text is translated on its way in (this is the one place where
    /// the driver's texts go out).
    legacy: Option<Arc<ErrorNames>>,
}

impl WriteQueue {
    /// A queue that counts as full at `max_bytes` (or [`MAX_MESSAGES`] messages).
    pub(crate) fn new(max_bytes: usize) -> Self {
        WriteQueue {
            texts: VecDeque::new(),
            bytes: 0,
            max_bytes,
            legacy: None,
        }
    }

    /// Translates every text into the original jrpc dialect from now on.
    pub(crate) fn speak_legacy(&mut self, names: Arc<ErrorNames>) {
        self.legacy = Some(names);
    }

    /// Queues a JSON-RPC 2.0 text (translated for a legacy peer, maybe into
    /// several frames or none).
    pub(crate) fn push(&mut self, text: String) {
        match self.legacy.clone() {
            Some(names) => outgoing(&text, &names, |frame| self.push_frame(frame)),
            None => self.push_frame(text),
        }
    }

    fn push_frame(&mut self, text: String) {
        self.bytes += text.len();
        self.texts.push_back(text);
    }

    pub(crate) fn extend(&mut self, texts: impl IntoIterator<Item = String>) {
        for text in texts {
            self.push(text);
        }
    }

    pub(crate) fn pop(&mut self) -> Option<String> {
        let text = self.texts.pop_front()?;
        self.bytes -= text.len();
        Some(text)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// True when the driver should stop producing more (reading, taking from the outbox).
    pub(crate) fn is_full(&self) -> bool {
        self.texts.len() >= MAX_MESSAGES || self.bytes >= self.max_bytes
    }

    /// How many more messages fit by count.
    pub(crate) fn room(&self) -> usize {
        if self.bytes >= self.max_bytes {
            return 0;
        }
        MAX_MESSAGES.saturating_sub(self.texts.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_by_bytes_or_by_count() {
        let mut q = WriteQueue::new(10);
        q.push("12345".into());
        assert!(!q.is_full());
        q.push("67890".into());
        assert!(q.is_full());
        assert_eq!(q.room(), 0);
        assert_eq!(q.pop().as_deref(), Some("12345"));
        assert!(!q.is_full());
        let mut q = WriteQueue::new(usize::MAX);
        q.extend((0..MAX_MESSAGES).map(|_| String::new()));
        assert!(q.is_full());
    }
}
