//! One benchmark connection: pipelined requests (or batches, or notifications)
//! on a raw WebSocket, answers matched to requests by id.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{FutureExt, SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout, timeout_at};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::histogram::Histogram;

/// A client WebSocket.
pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Notifications queued between two flushes.
const NOTIFY_CHUNK: usize = 64;
/// How long a finished worker waits for the close handshake.
const CLOSE_LIMIT: Duration = Duration::from_millis(200);

/// What every worker sends and when; shared by all of them.
#[derive(Debug)]
pub struct Plan {
    /// `{"jsonrpc":"2.0","method":M,"params":P,"id":` (the id and `}` follow).
    pub request_prefix: String,
    /// `{"jsonrpc":"2.0","method":M,"params":P}`.
    pub notification: String,
    /// The result every answer must have, if checked.
    pub expect: Option<Expected>,
    /// Requests (or batches) each connection keeps unanswered at once.
    pub in_flight: usize,
    /// Requests per batch; `None` sends single requests.
    pub batch: Option<usize>,
    /// Notifications to send in all (`--count`); `None` sends until the deadline.
    pub count: Option<u64>,
    /// End of the warm-up: calls sent from here on are counted.
    pub measure_start: Instant,
    /// Nothing new is sent from here on.
    pub deadline: Instant,
    /// Answers still missing now are given up on.
    pub hard_stop: Instant,
}

/// The `--expect` value, as text (the fast comparison) and as a JSON value.
#[derive(Debug)]
pub struct Expected {
    /// The value as compact JSON text.
    pub text: String,
    /// The value itself.
    pub value: Value,
}

impl Expected {
    fn matches(&self, result: &str) -> bool {
        result == self.text
            || serde_json::from_str::<Value>(result).is_ok_and(|value| value == self.value)
    }
}

/// What one worker counted.
#[derive(Debug, Default)]
pub struct Tally {
    /// Measured calls answered with the right result.
    pub calls: u64,
    /// Error answers.
    pub error_answers: u64,
    /// Results that differ from `--expect`.
    pub mismatches: u64,
    /// Answers that match no request sent (or are not JSON-RPC answers).
    pub unknown: u64,
    /// Calls never answered (deadline passed or connection lost).
    pub unanswered: u64,
    /// Whether the connection failed or closed before the work was done.
    pub lost: bool,
    /// Notifications sent in the measured window (`--notify`).
    pub notifications: u64,
    /// When the measured notifications started and the fence was answered.
    pub notify_window: Option<(Instant, Instant)>,
    /// When the last measured answer arrived.
    pub last_answer: Option<Instant>,
    /// Payload bytes sent.
    pub bytes_sent: u64,
    /// Payload bytes received.
    pub bytes_received: u64,
    /// Latencies of the measured calls.
    pub latency: Histogram,
    /// The first problem seen, to show the user.
    pub first_error: Option<String>,
}

impl Tally {
    /// Every kind of error together.
    pub fn errors(&self) -> u64 {
        self.error_answers + self.mismatches + self.unknown + self.unanswered
    }

    fn note(&mut self, problem: impl FnOnce() -> String) {
        if self.first_error.is_none() {
            self.first_error = Some(problem());
        }
    }
}

/// A message from the server, as far as the benchmark cares.
#[derive(Deserialize)]
struct Answer<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(borrow, default)]
    error: Option<&'a RawValue>,
    #[serde(borrow, default)]
    method: Option<&'a RawValue>,
}

/// Sent requests by id (ids this side allocates, hence the counter hasher).
type Pending = jrpc_shared::LocalMap<u64, Instant>;

struct Requests {
    plan: Arc<Plan>,
    pending: Pending,
    next_id: u64,
    tally: Tally,
}

/// Sends pipelined requests (or batches) until the deadline, then waits for
/// the answers still due until the hard stop.
pub async fn requests(mut ws: Ws, plan: Arc<Plan>) -> Tally {
    let per_send = plan.batch.unwrap_or(1);
    let window = plan.in_flight * per_send;
    let mut state = Requests {
        pending: Pending::with_capacity_and_hasher(window * 2, Default::default()),
        plan,
        next_id: 1,
        tally: Tally::default(),
    };
    loop {
        let sending = Instant::now() < state.plan.deadline;
        if sending {
            // One timeout for the whole refill and its flush: a timer per
            // message cost the generator more than the sends themselves.
            let hard_stop = state.plan.hard_stop;
            let refill = async {
                let mut wrote = false;
                while state.pending.len() + per_send <= window {
                    let text = state.next_message();
                    state.tally.bytes_sent += text.len() as u64;
                    ws.feed(Message::text(text)).await?;
                    wrote = true;
                }
                if wrote {
                    ws.flush().await?;
                }
                Ok::<(), tokio_tungstenite::tungstenite::Error>(())
            };
            if !matches!(timeout_at(hard_stop, refill).await, Ok(Ok(()))) {
                state.tally.lost = true;
                break;
            }
        } else if state.pending.is_empty() {
            break;
        }
        let limit = if sending {
            state.plan.deadline
        } else {
            state.plan.hard_stop
        };
        match timeout_at(limit, ws.next()).await {
            Err(_) if sending => continue,
            Err(_) => break,
            Ok(Some(Ok(message))) => {
                let mut closed = state.receive(&message);
                // Take whatever else has already arrived before writing again.
                let mut more = window + 16;
                while !closed && more > 0 {
                    more -= 1;
                    match ws.next().now_or_never() {
                        Some(Some(Ok(message))) => closed = state.receive(&message),
                        Some(_) => closed = true,
                        None => break,
                    }
                }
                if closed {
                    state.tally.lost = !state.pending.is_empty() || sending;
                    break;
                }
            }
            Ok(_) => {
                state.tally.lost = true;
                break;
            }
        }
    }
    let mut tally = state.tally;
    if !state.pending.is_empty() {
        tally.unanswered += state.pending.len() as u64;
        let lost = tally.lost;
        let missing = state.pending.len();
        tally.note(|| {
            if lost {
                format!("the connection was lost with {missing} calls unanswered")
            } else {
                format!("{missing} calls were not answered in time")
            }
        });
    } else if tally.lost {
        tally.note(|| "the connection was lost".to_owned());
    }
    let _ = timeout(CLOSE_LIMIT, ws.close(None)).await;
    tally
}

impl Requests {
    /// The next request or batch, its ids recorded as pending.
    fn next_message(&mut self) -> String {
        let now = Instant::now();
        let plan = Arc::clone(&self.plan);
        let prefix = &plan.request_prefix;
        match plan.batch {
            None => {
                let id = self.take_id(now);
                let mut text = String::with_capacity(prefix.len() + 24);
                push_request(&mut text, prefix, id);
                text
            }
            Some(k) => {
                let mut text = String::with_capacity((prefix.len() + 24) * k + 2);
                text.push('[');
                for i in 0..k {
                    if i > 0 {
                        text.push(',');
                    }
                    let id = self.take_id(now);
                    push_request(&mut text, prefix, id);
                }
                text.push(']');
                text
            }
        }
    }

    fn take_id(&mut self, now: Instant) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.pending.insert(id, now);
        id
    }

    /// Handles one message; true when it ends the connection.
    fn receive(&mut self, message: &Message) -> bool {
        let text = match message {
            Message::Text(text) => text.as_str(),
            Message::Close(_) => return true,
            // Pings are answered by tungstenite itself.
            _ => return false,
        };
        let now = Instant::now();
        self.tally.bytes_received += text.len() as u64;
        if text.trim_start().starts_with('[') {
            match serde_json::from_str::<Vec<Answer<'_>>>(text) {
                Ok(answers) => answers.iter().for_each(|a| self.answer(a, text, now)),
                Err(e) => self.not_an_answer(text, &e),
            }
        } else {
            match serde_json::from_str::<Answer<'_>>(text) {
                Ok(answer) => self.answer(&answer, text, now),
                Err(e) => self.not_an_answer(text, &e),
            }
        }
        false
    }

    fn not_an_answer(&mut self, text: &str, error: &serde_json::Error) {
        self.tally.unknown += 1;
        self.tally
            .note(|| format!("not a JSON-RPC answer ({error}): {}", shorten(text)));
    }

    fn answer(&mut self, answer: &Answer<'_>, text: &str, now: Instant) {
        if answer.method.is_some() {
            // A request or notification from the server: not ours to count.
            return;
        }
        let sent = answer
            .id
            .and_then(|id| id.get().parse::<u64>().ok())
            .and_then(|id| self.pending.remove(&id));
        let Some(sent) = sent else {
            self.tally.unknown += 1;
            self.tally
                .note(|| format!("an answer to no pending call: {}", shorten(text)));
            return;
        };
        let tally = &mut self.tally;
        if !tally.check(answer, self.plan.expect.as_ref(), "error answer") {
            return;
        }
        if sent >= self.plan.measure_start {
            tally.calls += 1;
            tally.latency.record(now - sent);
            tally.last_answer = Some(now);
        }
    }
}

fn push_request(text: &mut String, prefix: &str, id: u64) {
    use std::fmt::Write;
    text.push_str(prefix);
    let _ = write!(text, "{id}}}");
}

impl Tally {
    /// Counts an error answer or an unexpected result (`what` names the first
    /// kind in the report); true when the answer is as it should be.
    fn check(&mut self, answer: &Answer<'_>, expect: Option<&Expected>, what: &str) -> bool {
        if let Some(error) = answer.error {
            self.error_answers += 1;
            self.note(|| format!("{what}: {}", shorten(error.get())));
            return false;
        }
        let result = answer.result.map_or("null", |r| r.get());
        match expect {
            Some(expected) if !expected.matches(result) => {
                self.mismatches += 1;
                self.note(|| {
                    format!(
                        "result {} is not the expected {}",
                        shorten(result),
                        expected.text
                    )
                });
                false
            }
            _ => true,
        }
    }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Sends notifications as fast as the socket takes them, through the warm-up
/// and the measured window; a request after each works as a fence, so the
/// count covers notifications the server has read.
pub async fn notifications(mut ws: Ws, plan: Arc<Plan>) -> Tally {
    let mut tally = Tally::default();
    let outcome = async {
        if Instant::now() < plan.measure_start {
            blast(&mut ws, &plan, plan.measure_start, None, &mut tally).await?;
            fence(&mut ws, &plan, 1, &mut tally).await?;
        }
        let started = Instant::now();
        let sent = blast(&mut ws, &plan, plan.deadline, plan.count, &mut tally).await?;
        if let Some(count) = plan.count.filter(|count| sent < *count) {
            tally.note(|| format!("only {sent} of {count} notifications went out in time"));
            tally.unanswered += count - sent;
        }
        fence(&mut ws, &plan, 2, &mut tally).await?;
        tally.notifications = sent;
        tally.notify_window = Some((started, Instant::now()));
        Ok::<(), ()>(())
    }
    .await;
    if outcome.is_err() {
        tally.unanswered += 1;
        let lost = tally.lost;
        tally.note(|| {
            if lost {
                "the connection was lost".to_owned()
            } else {
                "the fence request after the notifications was not answered in time".to_owned()
            }
        });
    }
    let _ = timeout(CLOSE_LIMIT, ws.close(None)).await;
    tally
}

/// Sends notifications until `until`, or until `limit` went out; returns how many did.
async fn blast(
    ws: &mut Ws,
    plan: &Plan,
    until: Instant,
    limit: Option<u64>,
    tally: &mut Tally,
) -> Result<u64, ()> {
    let mut sent = 0;
    while Instant::now() < until && limit.is_none_or(|limit| sent < limit) {
        let chunk = limit.map_or(NOTIFY_CHUNK as u64, |limit| {
            (limit - sent).min(NOTIFY_CHUNK as u64)
        });
        for _ in 0..chunk {
            tally.bytes_sent += plan.notification.len() as u64;
            let message = Message::text(plan.notification.clone());
            if !matches!(
                timeout_at(plan.hard_stop, ws.feed(message)).await,
                Ok(Ok(()))
            ) {
                tally.lost = true;
                return Err(());
            }
        }
        sent += chunk;
        match timeout_at(until, ws.flush()).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => {
                tally.lost = true;
                return Err(());
            }
            // The server reads slower than we write; what was queued goes out with the fence.
            Err(_) => break,
        }
        // Read (and drop) whatever the server sent meanwhile, e.g. its own notifications.
        while let Some(message) = ws.next().now_or_never() {
            match message {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                    tally.lost = true;
                    return Err(());
                }
                Some(Ok(message)) => tally.bytes_received += message.len() as u64,
            }
        }
    }
    Ok(sent)
}

/// Sends request `id` and waits for its answer, dropping anything else.
async fn fence(ws: &mut Ws, plan: &Plan, id: u64, tally: &mut Tally) -> Result<(), ()> {
    let mut text = String::new();
    push_request(&mut text, &plan.request_prefix, id);
    let id = id.to_string();
    tally.bytes_sent += text.len() as u64;
    match timeout_at(plan.hard_stop, ws.send(Message::text(text))).await {
        Ok(Ok(())) => {}
        Ok(Err(_)) => {
            tally.lost = true;
            return Err(());
        }
        Err(_) => return Err(()),
    }
    loop {
        let message = match timeout_at(plan.hard_stop, ws.next()).await {
            Err(_) => return Err(()),
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(Message::Close(_)) | Err(_)) | None) => {
                tally.lost = true;
                return Err(());
            }
            Ok(Some(Ok(_))) => continue,
        };
        tally.bytes_received += message.len() as u64;
        let Ok(answer) = serde_json::from_str::<Answer<'_>>(message.as_str()) else {
            continue;
        };
        if answer.method.is_some() || answer.id.map(|i| i.get()) != Some(id.as_str()) {
            continue;
        }
        tally.check(&answer, plan.expect.as_ref(), "the fence request failed");
        return Ok(());
    }
}

/// Holds an idle connection open (answering pings) until `stop` fires;
/// false when the server closed it first.
pub async fn hold(mut ws: Ws, mut stop: tokio::sync::watch::Receiver<bool>) -> bool {
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            message = ws.next() => match message {
                Some(Ok(Message::Close(_)) | Err(_)) | None => return false,
                Some(Ok(_)) => {}
            },
        }
    }
    drop(ws);
    true
}
