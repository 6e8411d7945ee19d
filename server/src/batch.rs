//! Outgoing batches: several calls in one message, answered together.

use std::time::Duration;

use jrpc_shared::{BatchDraft, CallError, RawBuf, decode_result, encode_params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::oneshot;

use crate::Connection;
use crate::call::{CancelGuard, await_answer, deadline_after};

/// A batch being built; send it with [`Batch::send`]. See [`Connection::batch`].
pub struct Batch {
    conn: Connection,
    draft: BatchDraft,
    timeout: Duration,
}

/// The answers to a batch's requests, by the index [`Batch::request`] returned.
#[derive(Debug)]
pub struct BatchAnswers {
    answers: Vec<Result<RawBuf, CallError>>,
}

impl Batch {
    pub(crate) fn new(conn: Connection) -> Self {
        let timeout = conn.0.request_timeout;
        Batch {
            conn,
            draft: BatchDraft::new(),
            timeout,
        }
    }

    /// Adds a request; returns the index of its answer in [`BatchAnswers`].
    pub fn request<P: Serialize + ?Sized>(
        &mut self,
        method: &str,
        params: &P,
    ) -> Result<usize, CallError> {
        let params = encode_params(params)?;
        Ok(self.draft.request_owned(method, params))
    }

    /// Adds a notification.
    pub fn notify<P: Serialize + ?Sized>(
        &mut self,
        method: &str,
        params: &P,
    ) -> Result<&mut Self, CallError> {
        let params = encode_params(params)?;
        self.draft.notify_owned(method, params);
        Ok(self)
    }

    /// Sets the timeout for the whole batch (default: the connection's request timeout).
    pub fn timeout(&mut self, timeout: Duration) -> &mut Self {
        self.timeout = timeout;
        self
    }

    /// Sends the batch and waits for every answer. Each request settles on its
    /// own (an error in one does not fail the others); `Err` only when nothing
    /// could be sent. An empty batch sends nothing.
    pub async fn send(self) -> Result<BatchAnswers, CallError> {
        let conn = &self.conn;
        let mut receivers = Vec::with_capacity(self.draft.requests());
        let sent = conn
            .outbound()
            .batch(&self.draft, |_| {
                let (tx, rx) = oneshot::channel();
                receivers.push(rx);
                crate::connection::Waiter::from(tx)
            })
            .map_err(|_| CallError::ConnectionClosed)?;
        let Some((ids, text)) = sent else {
            return Ok(BatchAnswers {
                answers: Vec::new(),
            });
        };
        let receivers: Vec<_> = ids.into_iter().zip(receivers).collect();
        let guards: Vec<_> = receivers
            .iter()
            .map(|(id, _)| CancelGuard::new(conn, *id))
            .collect();
        conn.send_text(text).await?;
        let deadline = deadline_after(self.timeout);
        let mut answers = Vec::with_capacity(receivers.len());
        for ((_, rx), guard) in receivers.into_iter().zip(guards) {
            answers.push(await_answer(rx, guard, deadline, self.timeout).await);
        }
        Ok(BatchAnswers { answers })
    }
}

impl BatchAnswers {
    /// The raw answer to request `index`.
    pub fn raw(&self, index: usize) -> Option<&Result<RawBuf, CallError>> {
        self.answers.get(index)
    }

    /// Decodes the answer to request `index`.
    pub fn decode<R: DeserializeOwned>(&self, index: usize) -> Result<R, CallError> {
        match self.answers.get(index) {
            Some(Ok(raw)) => decode_result(raw.as_raw()),
            Some(Err(CallError::Rpc(e))) => Err(CallError::Rpc(e.clone())),
            Some(Err(CallError::Timeout(t))) => Err(CallError::Timeout(*t)),
            Some(Err(CallError::Cancelled)) => Err(CallError::Cancelled),
            Some(Err(_)) | None => Err(CallError::ConnectionClosed),
        }
    }

    /// How many requests the batch held.
    pub fn len(&self) -> usize {
        self.answers.len()
    }

    /// True when the batch held no requests.
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }

    /// All answers, in the order the requests were added.
    pub fn into_vec(self) -> Vec<Result<RawBuf, CallError>> {
        self.answers
    }
}
