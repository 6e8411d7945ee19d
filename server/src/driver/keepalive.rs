//! Noticing a dead peer: a laptop that slept, a NAT that dropped the flow.
//! TCP alone takes minutes to hours to notice; here a WebSocket ping goes
//! out once the line has been quiet for `interval`, and a peer that has sent
//! nothing at all (no pong, no message) for `timeout` is given up, so its
//! pending calls fail with "connection lost" instead of hanging.
//!
//! The timer is not reset on every frame (that would cost a timer-wheel
//! update per message): it fires when it was set to, and then looks at when
//! the peer was last heard.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::{Instant, Sleep};

use super::{Driver, Ending, WebSocketIo};

/// What the keepalive wants done now.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Due {
    /// Send a ping.
    Ping,
    /// The peer has been silent past the timeout: end the connection.
    Dead,
}

/// One connection's keepalive.
pub(super) struct Keepalive {
    interval: Duration,
    timeout: Duration,
    last_heard: Instant,
    /// When the last ping went out, if one did.
    pinged_at: Option<Instant>,
    timer: Pin<Box<Sleep>>,
}

impl Keepalive {
    /// Pings after `interval` of quiet; gives up after `timeout` of
    /// silence. A peer is only given up once a ping went unanswered: with a
    /// `timeout` not longer than `interval`, the ping gets `interval` to be
    /// answered.
    pub(super) fn new(interval: Duration, timeout: Duration) -> Self {
        let now = Instant::now();
        let timeout = if timeout > interval {
            timeout
        } else {
            interval.saturating_mul(2)
        };
        Keepalive {
            interval,
            timeout,
            last_heard: now,
            pinged_at: None,
            timer: Box::pin(tokio::time::sleep_until(now + interval)),
        }
    }

    /// The peer sent something (a message, a pong, a ping).
    pub(super) fn heard(&mut self) {
        self.last_heard = Instant::now();
    }

    /// `Some` when a ping is due or the peer is dead; `None` (with the timer
    /// armed) otherwise.
    pub(super) fn poll(&mut self, cx: &mut Context<'_>) -> Option<Due> {
        loop {
            if self.timer.as_mut().poll(cx) == Poll::Pending {
                return None;
            }
            let now = Instant::now();
            let quiet = now.saturating_duration_since(self.last_heard);
            let pinged_since = self.pinged_at.is_some_and(|at| at >= self.last_heard);
            if quiet >= self.timeout && pinged_since {
                return Some(Due::Dead);
            }
            if quiet >= self.interval && !pinged_since {
                self.pinged_at = Some(now);
                self.timer.as_mut().reset(self.last_heard + self.timeout);
                // Polled once more, so that the timer holds this task's waker
                // whatever the timer implementation (the caller polls it
                // only once per wake-up).
                if self.timer.as_mut().poll(cx).is_ready() {
                    cx.waker().wake_by_ref();
                }
                return Some(Due::Ping);
            }
            let next = if pinged_since {
                self.last_heard + self.timeout
            } else {
                self.last_heard + self.interval
            };
            self.timer.as_mut().reset(next);
        }
    }
}

impl<W: WebSocketIo> Driver<W> {
    /// The peer counts as heard from now.
    pub(super) fn heard(&mut self) {
        if let Some(keepalive) = &mut self.keepalive {
            keepalive.heard();
        }
    }

    /// Whether the keepalive wants a ping sent (then `ping_due`) or the
    /// connection given up.
    pub(super) fn poll_keepalive(&mut self, cx: &mut Context<'_>) -> Option<Ending> {
        // Not reading (our own backpressure) is no silence of the peer's.
        if !self.may_read() {
            self.heard();
        }
        match self.keepalive.as_mut()?.poll(cx)? {
            Due::Ping => self.ping_due = true,
            Due::Dead => {
                tracing::debug!("the peer went silent: connection given up");
                return Some(Ending::Gone);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Polls until `Some`, with the clock paused: tokio advances it to the
    /// next timer.
    async fn next(keepalive: &mut Keepalive) -> Due {
        std::future::poll_fn(|cx| match keepalive.poll(cx) {
            Some(due) => Poll::Ready(due),
            None => Poll::Pending,
        })
        .await
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_peer_is_pinged_then_given_up() {
        let start = Instant::now();
        let mut keepalive = Keepalive::new(Duration::from_secs(30), Duration::from_secs(40));
        assert_eq!(next(&mut keepalive).await, Due::Ping);
        assert_eq!(start.elapsed(), Duration::from_secs(30));
        assert_eq!(next(&mut keepalive).await, Due::Dead);
        assert_eq!(start.elapsed(), Duration::from_secs(40));
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_not_longer_than_the_interval_still_pings_first() {
        let start = Instant::now();
        let mut keepalive = Keepalive::new(Duration::from_secs(60), Duration::from_secs(40));
        assert_eq!(next(&mut keepalive).await, Due::Ping);
        assert_eq!(start.elapsed(), Duration::from_secs(60));
        assert_eq!(next(&mut keepalive).await, Due::Dead);
        assert_eq!(start.elapsed(), Duration::from_secs(120));
    }

    #[tokio::test(start_paused = true)]
    async fn a_peer_that_answers_stays() {
        let start = Instant::now();
        let mut keepalive = Keepalive::new(Duration::from_secs(30), Duration::from_secs(40));
        assert_eq!(next(&mut keepalive).await, Due::Ping);
        tokio::time::sleep(Duration::from_secs(1)).await;
        keepalive.heard(); // the pong, at 31 s
        // Quiet again from 31 s: the next ping at 61 s, not at the old deadline.
        assert_eq!(next(&mut keepalive).await, Due::Ping);
        assert_eq!(start.elapsed(), Duration::from_secs(61));
        // A message heard meanwhile puts off the next ping.
        tokio::time::sleep(Duration::from_secs(5)).await;
        keepalive.heard(); // at 66 s
        assert_eq!(next(&mut keepalive).await, Due::Ping);
        assert_eq!(start.elapsed(), Duration::from_secs(96));
    }
}
