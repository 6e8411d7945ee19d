//! Closing on request. A plain close goes once what is queued is written. A
//! server shutdown first tells the client to reconnect (`rpc.reconnect`)
//! and, for a short window, still runs the calls it sends (those it sent
//! before it read the notice); then it refuses new calls, and closes with
//! 1001 once the running ones have finished. A deadline bounds each wait.

use std::future::Future;
use std::pin::Pin;
use std::task::Context;

use jrpc_shared::{ErrorObject, RECONNECT_METHOD, notification_text};
use tokio::time::{Instant, Sleep};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::{CLOSE_WAIT, Driver, Ending, WebSocketIo};
use crate::Dialect;
use crate::connection::CloseRequest;

/// A close under way (boxed, so that it costs an idle connection one pointer).
pub(super) struct Closing {
    timer: Pin<Box<Sleep>>,
    /// While the notice window is open: when the grace time ends.
    grace_ends: Option<Instant>,
    /// A shutdown's (a plain close's otherwise).
    going_away: bool,
}

impl Closing {
    fn new(until: Instant, grace_ends: Option<Instant>, going_away: bool) -> Box<Closing> {
        let timer = Box::pin(tokio::time::sleep_until(until));
        Box::new(Closing {
            timer,
            grace_ends,
            going_away,
        })
    }
}

impl<W: WebSocketIo> Driver<W> {
    /// Decides whether a requested close can happen now: how the loop ends
    /// if it can.
    pub(super) fn poll_closing(&mut self, cx: &mut Context<'_>) -> Option<Ending> {
        let going_away = match self.conn.0.control.requested() {
            CloseRequest::None => return None,
            CloseRequest::Normal => false,
            CloseRequest::GoingAway => true,
        };
        // A shutdown that comes during a plain close starts over as one:
        // the notice, the window, and the refusals after it.
        if self
            .closing
            .as_ref()
            .is_none_or(|c| c.going_away != going_away)
        {
            self.closing = Some(self.start_closing(going_away));
        }
        let closing = self.closing.as_mut()?;
        if let Some(grace_ends) = closing.grace_ends {
            // The notice window: the client should leave by itself.
            if closing.timer.as_mut().poll(cx).is_pending() {
                return None;
            }
            closing.grace_ends = None;
            closing.timer.as_mut().reset(grace_ends);
            self.inbound.refuse_new_calls(shutting_down());
        }
        let ending = match going_away {
            true => Ending::Close(CloseCode::Away, "server shutting down"),
            false => Ending::Close(CloseCode::Normal, ""),
        };
        // A plain close does not wait for running calls; a shutdown does.
        let tasks_done = self.tasks.is_empty() || !going_away;
        let written = self.queue.is_empty() && !self.unflushed && self.conn.0.outbox.is_empty();
        if (tasks_done && written) || closing.timer.as_mut().poll(cx).is_ready() {
            return Some(ending);
        }
        None
    }

    fn start_closing(&mut self, going_away: bool) -> Box<Closing> {
        let now = Instant::now();
        if !going_away {
            return Closing::new(now + CLOSE_WAIT, None, false);
        }
        let grace_ends = now + self.limits.shutdown_grace;
        // The original jrpc dialect has no such notice.
        if self.dialect == Dialect::JsonRpc && !self.limits.shutdown_notice.is_zero() {
            self.queue.push(notification_text(RECONNECT_METHOD, None));
            let window_ends = (now + self.limits.shutdown_notice).min(grace_ends);
            return Closing::new(window_ends, Some(grace_ends), true);
        }
        self.inbound.refuse_new_calls(shutting_down());
        Closing::new(grace_ends, None, true)
    }
}

/// The answer to a new call once the server is shutting down.
fn shutting_down() -> ErrorObject {
    ErrorObject::new(jrpc_shared::code::SERVER_BUSY, "Server shutting down")
}
