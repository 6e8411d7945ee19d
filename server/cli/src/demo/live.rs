//! Live demos of subscriptions: `demo.ticks`, a stream of its own for each
//! subscriber, and `demo.board`, a topic every page shares (what one page
//! posts, every page sees).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use jrpc::{
    Connection, ErrorObject, MethodDoc, MethodSet, Overflow, PendingSubscription,
    SubscriptionOptions, Topic,
};

/// Subscribe method of the ticker: params `{"everyMs": N}` (default 1000).
pub const TICKS_SUBSCRIBE: &str = "demo.ticks.subscribe";
/// The ticker's notification: items `{"n": <count from 0>, "at": <server time in ms>}`.
pub const TICKS: &str = "demo.ticks";
/// Unsubscribe method of the ticker.
pub const TICKS_UNSUBSCRIBE: &str = "demo.ticks.unsubscribe";
/// Subscribe method of the shared board (no params).
pub const BOARD_SUBSCRIBE: &str = "demo.board.subscribe";
/// The board's notification: items `{"text": .., "at": <server time in ms>}`.
pub const BOARD: &str = "demo.board";
/// Unsubscribe method of the board.
pub const BOARD_UNSUBSCRIBE: &str = "demo.board.unsubscribe";
/// Posts to the board: params `{"text": ..}` or `[text]`; returns the
/// post's sequence number.
pub const BOARD_POST: &str = "demo.board.post";

/// The fastest and slowest tick allowed (a page cannot make the server spin).
const EVERY_MS: std::ops::RangeInclusive<u64> = 20..=60_000;
/// The longest post, in characters.
const MAX_POST: usize = 280;

/// The params of `demo.ticks.subscribe`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TicksParams {
    /// Milliseconds between ticks.
    #[serde(default = "default_every_ms")]
    pub every_ms: u64,
}

fn default_every_ms() -> u64 {
    1000
}

/// One tick.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Tick {
    /// Ticks before this one on this subscription.
    pub n: u64,
    /// The server's clock, in ms since 1970.
    pub at: u64,
}

/// The params of `demo.board.post`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Post {
    /// What to post (1 to 280 characters).
    pub text: String,
}

/// One post on the board.
#[derive(Debug, Serialize, schemars::JsonSchema)]
struct Posted<'a> {
    /// What was posted.
    text: &'a str,
    /// The server's clock when it was, in ms since 1970.
    at: u64,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The ticker and the board (one board per call: the server's pages share it).
pub fn methods() -> MethodSet {
    let board = Topic::new("demo.board");
    let mut set = MethodSet::new();
    set.subscription(
        TICKS_SUBSCRIBE,
        TICKS,
        TICKS_UNSUBSCRIBE,
        |_c: Connection, params: Option<TicksParams>, pending: PendingSubscription| async move {
            let every = params.map_or(default_every_ms(), |p| p.every_ms);
            if !EVERY_MS.contains(&every) {
                return pending.reject(ErrorObject::invalid_params(format_args!(
                    "everyMs must be from {} to {}",
                    EVERY_MS.start(),
                    EVERY_MS.end()
                )));
            }
            // Live data: a page that falls behind gets the newest ticks and
            // a gap, rather than slowing its own ticker down.
            let options = SubscriptionOptions::default()
                .buffer(16)
                .overflow(Overflow::DropOldest);
            let Ok(sink) = pending.accept_with(options).await else {
                return;
            };
            let mut interval = tokio::time::interval(Duration::from_millis(every));
            for n in 0.. {
                tokio::select! {
                    _ = interval.tick() => {}
                    () = sink.closed() => return,
                }
                if sink.send(&Tick { n, at: now_ms() }).await.is_err() {
                    return;
                }
            }
        },
    );
    // Posts are chat-like: a page that falls behind skips to the newest.
    let options = SubscriptionOptions::default()
        .buffer(64)
        .overflow(Overflow::DropOldest);
    set.topic(BOARD_SUBSCRIBE, BOARD, BOARD_UNSUBSCRIBE, &board, options);
    set.method(BOARD_POST, move |_c: Connection, post: Post| {
        let board = board.clone();
        async move {
            let length = post.text.chars().count();
            if length == 0 || length > MAX_POST {
                return Err(ErrorObject::invalid_params(format_args!(
                    "text must be 1 to {MAX_POST} characters"
                )));
            }
            let posted = Posted {
                text: &post.text,
                at: now_ms(),
            };
            board.publish(&posted).await
        }
    });
    set.describe(
        TICKS_SUBSCRIBE,
        MethodDoc::new("A tick every everyMs milliseconds (20 to 60,000; default 1000)")
            .params::<TicksParams>()
            .result::<Tick>(),
    )
    .describe(
        BOARD_SUBSCRIBE,
        MethodDoc::new("The posts on the board every client shares")
            .params::<()>()
            .result::<Posted<'static>>(),
    )
    .describe(
        BOARD_POST,
        MethodDoc::new("Posts to the board (1 to 280 characters); answers the post's number")
            .params::<Post>()
            .result::<u64>(),
    );
    set
}
