//! Answering a request at once: [`Inbound::complete_with`], for a handler
//! that is ready at once and writes its result straight into the reply.

use alloc::string::String;

use super::{Inbound, start_member};
use crate::table::Entry;
use crate::wire::{push_error, push_result_end, push_result_start};
use crate::{CallToken, ErrorObject};

/// What a handler did with the reply buffer [`Inbound::complete_with`] handed it.
#[derive(Debug)]
pub enum Answer<F> {
    /// It appended its result: exactly one JSON value.
    Written,
    /// It failed: this error is the answer (whatever it appended is dropped).
    Failed(ErrorObject),
    /// It is not ready: the answer comes from `F` (a future, say) later, and
    /// whatever it appended is dropped.
    Later(F),
}

/// What [`Inbound::complete_with`] did.
#[derive(Debug)]
pub enum Completion<F> {
    /// The request is answered: the text to send, as [`Inbound::complete`] returns it.
    Done(Option<String>),
    /// The handler is not ready: the request is still in flight, and this
    /// is what will produce its answer.
    Later(F),
}

impl<F> Completion<F> {
    /// The completion of an answer that goes nowhere.
    fn discarded(answer: Answer<F>) -> Self {
        match answer {
            Answer::Later(later) => Completion::Later(later),
            Answer::Written | Answer::Failed(_) => Completion::Done(None),
        }
    }
}

impl Inbound {
    /// Answers the request `token` at once, with `answer` writing its result
    /// straight into the text to send (the batch reply, or the response):
    /// for a handler that is ready at once, which then needs no result
    /// value of its own. Otherwise as [`Inbound::complete`].
    ///
    /// `answer` only appends, one JSON value, and says what it did (see
    /// [`Answer`]); if the handler turns out to be asynchronous, nothing is
    /// answered, its future comes back in [`Completion::Later`] and the
    /// request stays in flight for [`Inbound::complete`]. A request that
    /// was already answered (cancelled later in the frame that started it)
    /// still has `answer` called, as its handler would run, into a buffer
    /// that is dropped.
    ///
    /// ```
    /// use jrpc_shared::{Action, Answer, Completion, Inbound, Methods};
    /// let mut methods = Methods::new();
    /// methods.insert("two", ()).unwrap();
    /// let mut inbound = Inbound::new(8);
    /// let mut actions = Vec::new();
    /// inbound.receive(r#"[{"jsonrpc":"2.0","method":"two","id":1}]"#, &methods, &mut actions);
    /// let Some(Action::Call { token: Some(token), .. }) = actions.pop() else { panic!() };
    /// let done = inbound.complete_with(token, |out| {
    ///     out.push('2');
    ///     Answer::<()>::Written
    /// });
    /// let Completion::Done(Some(reply)) = done else { panic!() };
    /// assert_eq!(reply, r#"[{"jsonrpc":"2.0","result":2,"id":1}]"#);
    /// ```
    pub fn complete_with<F>(
        &mut self,
        token: CallToken,
        answer: impl FnOnce(&mut String) -> Answer<F>,
    ) -> Completion<F> {
        let mut single = String::new();
        // One look-up in each table for the whole answer.
        let Entry::Occupied(call) = self.in_flight.entry(token.0) else {
            return Completion::discarded(answer(&mut single));
        };
        let batch = call.get().batch;
        let mut reply = match batch.map(|key| self.batches.get_mut(&key)) {
            None => None,
            Some(Some(reply)) => Some(reply),
            // Not reached (a batch reply outlives the requests it waits
            // for); answered nowhere, as `complete` does.
            Some(None) => {
                let entry = call.remove();
                unindex!(self, token, &entry.id);
                return Completion::discarded(answer(&mut single));
            }
        };
        let out = match &mut reply {
            None => {
                single.reserve(64);
                &mut single
            }
            Some(reply) => {
                start_member(&mut reply.text);
                &mut reply.text
            }
        };
        let member = out.len();
        push_result_start(out);
        match answer(out) {
            Answer::Written => push_result_end(out, &call.get().id),
            Answer::Failed(error) => {
                rewind(out, member);
                push_error(out, &call.get().id, &error);
            }
            Answer::Later(later) => {
                // Back to before the member, separator included.
                rewind(out, member.saturating_sub(usize::from(batch.is_some())));
                return Completion::Later(later);
            }
        }
        let entry = call.remove();
        unindex!(self, token, &entry.id);
        let (Some(reply), Some(key)) = (reply, batch) else {
            return Completion::Done(Some(single));
        };
        reply.waiting = reply.waiting.saturating_sub(1);
        if reply.waiting > 0 {
            return Completion::Done(None);
        }
        Completion::Done(self.finish_batch_if_done(key))
    }
}

/// Drops what was appended after `len` (a length the text had before).
fn rewind(text: &mut String, len: usize) {
    // Always a char boundary when the writer only appended; checked, so
    // that one that did not cannot make this panic.
    if text.is_char_boundary(len) {
        text.truncate(len);
    }
}
