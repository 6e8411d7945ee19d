//! The connection loop: one task per WebSocket connection, server or client side.
//!
//! It owns the socket and the connection's [`Inbound`] engine. Handlers run
//! inside this task (a handler that is ready at once is answered on the spot;
//! others are polled in a `FuturesUnordered`), so no task is spawned per
//! message (running them: [`handlers`]). Replies are fed to the socket as
//! they come and flushed only when nothing else is ready, so a burst of calls
//! costs one write, not one each.
//!
//! Backpressure: the loop stops reading while too many replies wait for the
//! socket or too many notification handlers are still running, so a flooding
//! peer is slowed down instead of growing memory without bound.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::future::AbortHandle;
use futures_util::stream::FuturesUnordered;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use jrpc_shared::handler::DynHandler;
use jrpc_shared::legacy::{ErrorNames, Incoming};
use jrpc_shared::{Action, CallToken, ErrorObject, Inbound};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

mod closing;
mod ending;
mod handlers;
mod keepalive;
mod settle;

use handlers::Task;
pub(crate) use handlers::{handler_panicked, run_handler};

use crate::Dialect;
use crate::codec::{self, Codec, Unpacked};
use crate::connection::CloseRequest;
use crate::gate;
use crate::meter::Meter;
use crate::rate::Bucket;
use crate::slots::Slots;
use crate::write_queue::WriteQueue;
use crate::{Connection, Limits, MethodSet};
use closing::Closing;
pub(crate) use ending::Ending;
use ending::ending_for;
use keepalive::Keepalive;

/// Events handled in one poll before yielding to other tasks.
const BUDGET: usize = 128;
/// The most actions whose list is kept for the next frame (a long batch's
/// is given back rather than held by an idle connection).
const ACTIONS_KEPT: usize = 64;
/// The most of a notification result's buffer kept for the next one.
pub(super) const DISCARD_KEPT: usize = 4096;
/// How long to wait for the peer's answer to our close frame.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// What became of a binary frame (see [`Driver::unpack`]).
enum Unpack {
    /// A msgpack message, as JSON text.
    Text(String),
    /// Refused, and the answer queued.
    Answered,
    /// Not msgpack, on a connection that is not a msgpack one.
    NotMsgpack,
}

/// The answer to a msgpack frame that holds no JSON-RPC message: -32700,
/// saying why, with id `null` (the id could not be read).
fn unreadable_msgpack(why: &str) -> String {
    let error = ErrorObject::parse_error().with_data(why);
    jrpc_shared::error_response_text(&jrpc_shared::Id::null(), &error)
}

/// What the loop needs of a WebSocket: the server's own [`Socket`](crate::socket::Socket)
/// or, in the native client, tokio-tungstenite's stream.
pub(crate) trait WebSocketIo:
    Stream<Item = Result<Message, WsError>> + Sink<Message, Error = WsError> + Unpin
{
}

impl<T> WebSocketIo for T where
    T: Stream<Item = Result<Message, WsError>> + Sink<Message, Error = WsError> + Unpin
{
}

pub(crate) struct Driver<W> {
    ws: W,
    conn: Connection,
    methods: Arc<MethodSet>,
    inbound: Inbound,
    tasks: FuturesUnordered<Task>,
    aborts: jrpc_shared::LocalMap<CallToken, AbortHandle>,
    running_notifications: usize,
    /// The list of a frame's actions, kept empty between frames (see [`recycle`]).
    actions: Vec<Action<'static, 'static, DynHandler<Connection>>>,
    /// Where a notification's synchronous handler writes the result nobody
    /// reads: kept, so that writing it allocates nothing.
    discard: String,
    queue: WriteQueue,
    unflushed: bool,
    /// The connection's limits, shared (one pointer per connection rather
    /// than a copy of the few the loop reads).
    limits: Arc<Limits>,
    /// Set once a close was requested.
    closing: Option<Box<Closing>>,
    /// The server-wide cap on running handlers, if there is one.
    slots: Option<Slots>,
    dialect: Dialect,
    /// The peer packs messages in msgpack binary frames: so does this side.
    msgpack: bool,
    /// The peer's calls per second, if limited.
    rate: Option<Bucket>,
    /// Pings a quiet peer and gives up a silent one, if configured.
    keepalive: Option<Keepalive>,
    /// A ping is due to go out.
    ping_due: bool,
    /// The server's metrics, if it keeps them.
    meter: Meter,
}

impl<W: WebSocketIo> Driver<W> {
    pub(crate) fn new(
        ws: W,
        conn: Connection,
        methods: Arc<MethodSet>,
        limits: &Arc<Limits>,
    ) -> Self {
        conn.0.subs.set_limit(limits.max_subscriptions);
        Driver {
            ws,
            conn,
            methods,
            inbound: Inbound::new(limits.max_in_flight)
                .with_max_batch_len(limits.max_batch_len)
                .with_max_message_size(limits.max_message_size),
            tasks: FuturesUnordered::new(),
            aborts: Default::default(),
            running_notifications: 0,
            actions: Vec::new(),
            discard: String::new(),
            queue: WriteQueue::new(limits.max_message_size.max(1 << 20).saturating_mul(4)),
            unflushed: false,
            limits: Arc::clone(limits),
            closing: None,
            slots: None,
            dialect: Dialect::JsonRpc,
            msgpack: false,
            rate: limits.rate_limit.map(|l| Bucket::new(l, Instant::now())),
            keepalive: limits
                .ping_interval
                .map(|every| Keepalive::new(every, limits.peer_timeout)),
            ping_due: false,
            meter: Meter::default(),
        }
    }

    /// Counts this connection's traffic in `meter` (the server's metrics).
    pub(crate) fn with_meter(mut self, meter: Meter) -> Self {
        self.meter = meter;
        self
    }

    /// Packs messages as `codec` says from the start (a server waits to
    /// see what its client sends instead). The original jrpc dialect has no
    /// msgpack: with it, the codec is JSON whatever is asked.
    pub(crate) fn with_codec(mut self, codec: Codec) -> Self {
        self.msgpack = codec == Codec::Msgpack && self.dialect == Dialect::JsonRpc;
        self
    }

    /// Speaks `dialect` on the wire (JSON-RPC 2.0 unless told otherwise),
    /// showing a legacy peer errors by the type names of `names`.
    pub(crate) fn with_dialect(mut self, dialect: Dialect, names: Arc<ErrorNames>) -> Self {
        if dialect == Dialect::Jrpc {
            self.queue.speak_legacy(names);
        }
        self.dialect = dialect;
        self
    }

    /// Runs the connection until it ends, then settles everything still pending.
    pub(crate) async fn run(mut self) {
        let ending = self.serve().await;
        self.end(ending).await;
    }

    /// The connection's working life: completes when it must end.
    pub(crate) fn serve(&mut self) -> impl Future<Output = Ending> + '_ {
        std::future::poll_fn(move |cx| self.poll_run(cx))
    }

    /// Runs handlers only in a slot of `slots` (the server's cap on running handlers).
    pub(crate) fn with_slots(mut self, slots: Option<Slots>) -> Self {
        self.slots = slots;
        self
    }

    /// Closes as `ending` says and settles everything still pending.
    pub(crate) async fn end(&mut self, ending: Ending) {
        // Boxed: the close handshake's state is only needed at the very end,
        // and inline it would enlarge every idle connection's task.
        Box::pin(self.finish(ending)).await;
        tracing::debug!("connection ended");
    }

    async fn finish(&mut self, ending: Ending) {
        // Fail every call still waiting for the peer at once, and refuse new
        // ones, before spending time on the close handshake.
        settle_all(&self.conn);
        self.tasks.clear();
        if let Ending::Close(code, reason) = ending {
            let frame = CloseFrame {
                code,
                reason: reason.into(),
            };
            let closing = async {
                let _ = self.ws.send(Message::Close(Some(frame))).await;
                // Wait for the peer's close reply so the TCP close is clean.
                while let Some(Ok(_)) = self.ws.next().await {}
            };
            let _ = tokio::time::timeout(CLOSE_WAIT, closing).await;
        }
    }

    fn poll_run(&mut self, cx: &mut Context<'_>) -> Poll<Ending> {
        self.conn.0.control.waker.register(cx.waker());
        // The keepalive's timer is polled once per wake-up (in the first
        // turn), and the clock read once at the end of it, when a frame came
        // in or the loop does not read: per frame, the two were about 5% of
        // a busy server's CPU.
        let mut heard = false;
        let polled = self.poll_turns(cx, &mut heard);
        if heard || !self.may_read() {
            self.heard();
        }
        polled
    }

    /// Up to [`BUDGET`] turns of the loop; `heard` is set when a frame came in.
    fn poll_turns(&mut self, cx: &mut Context<'_>, heard: &mut bool) -> Poll<Ending> {
        let mut methods: Option<Arc<MethodSet>> = None;
        for turn in 0..BUDGET {
            if let Some(ending) = self.poll_closing(cx) {
                return Poll::Ready(ending);
            }
            if turn == 0 {
                if let Some(ending) = self.poll_keepalive(cx) {
                    return Poll::Ready(ending);
                }
            }
            let mut progress = match self.poll_write(cx) {
                Err(ending) => return Poll::Ready(ending),
                Ok(wrote) => wrote,
            };
            progress |= self.poll_tasks(cx);
            progress |= self.take_outbox();
            // After the tasks: a subscribe request's response, queued as its
            // task completes, goes out before the subscription's items.
            progress |= self.take_subscriptions();
            if self.may_read() {
                match Pin::new(&mut self.ws).poll_next(cx) {
                    Poll::Pending => {}
                    Poll::Ready(None) => return Poll::Ready(Ending::Gone),
                    Poll::Ready(Some(Err(e))) => return Poll::Ready(ending_for(e)),
                    Poll::Ready(Some(Ok(message))) => {
                        *heard = true;
                        if message.is_text() || message.is_binary() {
                            self.meter.received(message.len());
                        }
                        let methods = methods.get_or_insert_with(|| Arc::clone(&self.methods));
                        self.on_message(message, methods);
                        progress = true;
                    }
                }
            }
            if progress {
                continue;
            }
            // Nothing else is ready: now is the time to push buffered replies out.
            if self.unflushed {
                match Pin::new(&mut self.ws).poll_flush(cx) {
                    Poll::Ready(Ok(())) => {
                        self.unflushed = false;
                        // A close waiting for the flush can go ahead now.
                        if self.conn.0.control.requested() != CloseRequest::None {
                            continue;
                        }
                    }
                    Poll::Ready(Err(e)) => return Poll::Ready(ending_for(e)),
                    Poll::Pending => {}
                }
            }
            return Poll::Pending;
        }
        // Out of budget: let other connections run, then continue.
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    fn may_read(&self) -> bool {
        // A plain close reads nothing more; a shutdown keeps reading so that
        // running handlers still get the answers to their own calls (new
        // requests are refused by the engine meanwhile).
        self.conn.0.control.requested() != CloseRequest::Normal
            && !self.queue.is_full()
            && self.running_notifications < self.limits.max_in_flight
    }

    /// Feeds queued texts to the socket while it accepts them.
    fn poll_write(&mut self, cx: &mut Context<'_>) -> Result<bool, Ending> {
        let mut wrote = false;
        if self.ping_due
            && Pin::new(&mut self.ws)
                .poll_ready(cx)
                .map_err(ending_for)?
                .is_ready()
        {
            Pin::new(&mut self.ws)
                .start_send(Message::Ping(Default::default()))
                .map_err(ending_for)?;
            self.ping_due = false;
            self.unflushed = true;
            wrote = true;
        }
        while !self.queue.is_empty() {
            match Pin::new(&mut self.ws).poll_ready(cx) {
                Poll::Pending => break,
                Poll::Ready(Err(e)) => return Err(ending_for(e)),
                Poll::Ready(Ok(())) => {}
            }
            let Some(text) = self.queue.pop() else {
                break;
            };
            let message = match self.msgpack {
                // Only a number beyond f64 has no msgpack form: sent as text.
                true => codec::json_to_msgpack(&text).map_or(Message::text(text), Message::binary),
                false => Message::text(text),
            };
            self.meter.sent(message.len());
            Pin::new(&mut self.ws)
                .start_send(message)
                .map_err(ending_for)?;
            self.unflushed = true;
            wrote = true;
        }
        Ok(wrote)
    }

    fn poll_tasks(&mut self, cx: &mut Context<'_>) -> bool {
        // Polling an empty set still registers the waker (an atomic
        // exchange): skipped, as synchronous handlers leave it empty. A task
        // started later is polled on the next turn of the loop.
        if self.tasks.is_empty() {
            return false;
        }
        let mut progress = false;
        while let Poll::Ready(Some((token, result))) = self.tasks.poll_next_unpin(cx) {
            progress = true;
            match token {
                None => self.running_notifications -= 1,
                Some(token) => {
                    self.aborts.remove(&token);
                    // Aborted: the engine already answered with -32800.
                    if let Ok(result) = result {
                        self.queue.extend(self.inbound.complete(token, result));
                    }
                }
            }
        }
        progress
    }

    /// Moves messages from other tasks (calls, notifications, broadcasts) to
    /// the write queue; they wake this task through the control waker.
    fn take_outbox(&mut self) -> bool {
        let queue = &mut self.queue;
        self.conn
            .0
            .outbox
            .take(queue.room(), |text| queue.push(text))
    }

    /// Moves subscription items that wait for the socket to the write queue.
    fn take_subscriptions(&mut self) -> bool {
        let queue = &mut self.queue;
        self.conn.0.subs.take(queue.room(), |text| queue.push(text))
    }

    /// Hands one frame to the engine and carries out its actions. `methods`
    /// is this connection's method set, cloned once per wake-up by the
    /// caller rather than once per frame (two locked instructions each).
    fn on_message(&mut self, message: Message, methods: &MethodSet) {
        // Declared first: the actions may borrow from a translated frame.
        let mut translated;
        let unpacked;
        let (closed, abandoned) = self.conn.0.inboxes.take_given_up();
        let book = self.inbound.subscriptions();
        for key in closed {
            book.close(key);
        }
        for (request, key) in abandoned {
            book.abandon(request, key);
        }
        let mut actions = recycle(std::mem::take(&mut self.actions));
        match &message {
            // Over-sized frames go to the engine as they are: it refuses them.
            Message::Text(text)
                if self.dialect == Dialect::Jrpc
                    && text.len() <= self.inbound.max_message_size() =>
            {
                translated = jrpc_shared::legacy::incoming(text.as_str());
                match &mut translated {
                    Incoming::Frame(frame) => {
                        self.inbound.receive(frame, &methods.table, &mut actions)
                    }
                    Incoming::Reply(reply) => self.queue.push(std::mem::take(reply)),
                    Incoming::Nothing => {}
                }
            }
            Message::Text(text) => {
                self.inbound
                    .receive(text.as_str(), &methods.table, &mut actions)
            }
            // wsjsonrpc's msgpack codec; the original jrpc dialect has none.
            Message::Binary(bytes) if self.dialect == Dialect::JsonRpc => {
                match self.unpack(bytes) {
                    Unpack::Text(text) => {
                        unpacked = text;
                        self.inbound
                            .receive(&unpacked, &methods.table, &mut actions);
                    }
                    Unpack::Answered => {}
                    Unpack::NotMsgpack => self.inbound.receive_binary(&mut actions),
                }
            }
            Message::Binary(_) => self.inbound.receive_binary(&mut actions),
            // Pings are answered by tungstenite; a close frame ends the stream next.
            Message::Ping(_) | Message::Pong(_) | Message::Close(_) | Message::Frame(_) => {}
        }
        self.meter.rejected(&mut self.inbound);
        for action in actions.drain(..) {
            if let Action::Call { token, method, .. } = &action {
                let (rate, meter) = (self.rate.as_mut(), &self.meter);
                if let Some(error) = gate::refusal(rate, methods, method, &self.conn, meter) {
                    match *token {
                        Some(token) => self.queue.extend(self.inbound.complete(token, Err(error))),
                        None => {
                            tracing::debug!(%method, error = %error.message, "dropped a notification")
                        }
                    }
                    continue;
                }
            }
            match action {
                Action::Reply(text) => self.queue.push(text),
                Action::Settle { id, outcome } => self.settle(id, outcome),
                Action::Subscription { key, delivered } => {
                    if !self.conn.0.inboxes.deliver(key, delivered) {
                        // Dropped by the app: stop routing to it.
                        self.inbound.subscriptions().close(key);
                    }
                }
                Action::Abort(token) => {
                    if let Some(handle) = self.aborts.remove(&token) {
                        handle.abort();
                    }
                }
                Action::Call {
                    handler,
                    params,
                    token,
                    resume,
                    batched,
                    ..
                } if handler.subscribes() => {
                    self.subscribe(&**handler, params, token, resume, batched)
                }
                Action::Call {
                    handler,
                    method,
                    params,
                    token,
                    ..
                } => self.call(&**handler, &method, params, token),
            }
        }
        if actions.capacity() <= ACTIONS_KEPT {
            self.actions = recycle(actions);
        }
    }

    /// A binary frame as JSON text for the engine when it is a msgpack
    /// message, which makes this a msgpack connection from then on. Only a
    /// frame that starts as a msgpack map or array does that (a stray binary
    /// frame that happens to be a msgpack number does not), and one larger
    /// than the message size limit is refused before it is unpacked.
    fn unpack(&mut self, bytes: &[u8]) -> Unpack {
        if !self.msgpack && !codec::looks_like_message(bytes) {
            return Unpack::NotMsgpack;
        }
        let max = self.inbound.max_message_size();
        if bytes.len() > max {
            self.msgpack = true;
            let error = ErrorObject::message_too_large(bytes.len(), max);
            let reply = jrpc_shared::error_response_text(&jrpc_shared::Id::null(), &error);
            self.queue.push(reply);
            return Unpack::Answered;
        }
        match codec::msgpack_to_json(bytes) {
            Ok(text) => {
                self.msgpack = true;
                Unpack::Text(text)
            }
            Err(Unpacked::NotJson(why)) => {
                self.msgpack = true;
                self.queue.push(unreadable_msgpack(&why));
                Unpack::Answered
            }
            Err(Unpacked::NotMsgpack) if self.msgpack => {
                self.queue.push(unreadable_msgpack("not msgpack"));
                Unpack::Answered
            }
            Err(Unpacked::NotMsgpack) => Unpack::NotMsgpack,
        }
    }
}

/// The same allocation as `actions`, emptied, for actions that borrow
/// another frame: so that reading a frame allocates no list of its own.
/// Collecting into a vector of the same layout reuses the allocation
/// (std's in-place collection); no value crosses, none is converted.
// Not `filter`, which clippy suggests: it cannot change the lifetimes.
#[allow(clippy::unnecessary_filter_map)]
fn recycle<'a, 'm, H>(actions: Vec<Action<'_, '_, H>>) -> Vec<Action<'a, 'm, H>> {
    actions.into_iter().filter_map(|_| None).collect()
}

/// Whatever way the driver goes (a normal end, or its task aborted or
/// dropped), the connection ends with it: pending calls fail, nothing more can
/// be queued, and `Connection::closed` completes.
impl<W> Drop for Driver<W> {
    fn drop(&mut self) {
        settle_all(&self.conn);
        self.conn.0.ended.send_replace(true);
    }
}

pub(crate) fn settle_all(conn: &Connection) {
    // Dropping the waiters fails their calls with `ConnectionClosed`.
    drop(conn.outbound().close());
    conn.0.outbox.close();
    // Their producers learn it; topics drop them at their next publish.
    conn.0.subs.end_all();
    // This side's subscriptions end too.
    conn.0.inboxes.end_all();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recycling_keeps_the_allocation() {
        let mut actions: Vec<Action<'_, '_, ()>> = Vec::with_capacity(8);
        actions.push(Action::Abort(CallToken::from_u64(1)));
        actions.clear();
        let before = actions.as_ptr() as usize;
        let again: Vec<Action<'_, '_, ()>> = recycle(actions);
        assert_eq!((again.as_ptr() as usize, again.capacity()), (before, 8));
    }
}
