//! The server's WebSocket: tungstenite's protocol over a tokio stream, for
//! a connection that one task owns.
//!
//! tokio-tungstenite's `WebSocketStream` lets a socket be split between
//! tasks, so each poll registers the caller's waker in two atomic wakers
//! (its direction's, as seen from reading and from writing). A server
//! connection is polled by its own task only: here the task's waker is kept
//! once, compared on each poll (a pointer comparison) and cloned only when
//! it changes. At 32 connections × 16 calls in flight those registrations
//! were about 4% of the server's CPU. The native client, which connects
//! through tokio-tungstenite's TLS and handshake code, keeps its
//! `WebSocketStream`; the connection loop takes either.

use std::io::{self, Read, Write};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use futures_util::{Sink, Stream};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message, WebSocket};

/// A WebSocket whose handshake is done, polled by one task.
pub(crate) struct Socket<S> {
    ws: WebSocket<Io<S>>,
    /// The stream ended or failed: polled again, it says it ended.
    ended: bool,
    /// False after a write that could not go out whole: the next message
    /// waits until a flush got it out (the `Sink` contract).
    ready: bool,
}

impl<S> Socket<S> {
    /// The server side of a connection whose handshake read `leftover`
    /// beyond the request head (the first frames, if the client did not
    /// wait for the answer).
    pub(crate) fn server(stream: S, leftover: Vec<u8>, config: WebSocketConfig) -> Self {
        let io = Io {
            stream,
            waker: None,
        };
        Socket {
            ws: WebSocket::from_partially_read(io, leftover, Role::Server, Some(config)),
            ended: false,
            ready: true,
        }
    }

    /// Runs `op` on the socket with `cx`'s waker as the one to wake when
    /// the stream is ready again; `WouldBlock` becomes `Pending`.
    fn poll_with<T>(
        &mut self,
        cx: &Context<'_>,
        op: impl FnOnce(&mut WebSocket<Io<S>>) -> Result<T, WsError>,
    ) -> Poll<Result<T, WsError>> {
        let io = self.ws.get_mut();
        match &io.waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => io.waker = Some(cx.waker().clone()),
        }
        match op(&mut self.ws) {
            Err(WsError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => Poll::Pending,
            done => Poll::Ready(done),
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Stream for Socket<S> {
    type Item = Result<Message, WsError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        match std::task::ready!(this.poll_with(cx, WebSocket::read)) {
            Ok(message) => Poll::Ready(Some(Ok(message))),
            Err(e) => {
                this.ended = true;
                match e {
                    WsError::AlreadyClosed | WsError::ConnectionClosed => Poll::Ready(None),
                    e => Poll::Ready(Some(Err(e))),
                }
            }
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Sink<Message> for Socket<S> {
    type Error = WsError;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        let this = self.get_mut();
        if this.ready {
            return Poll::Ready(Ok(()));
        }
        let flushed = std::task::ready!(this.poll_with(cx, WebSocket::flush));
        this.ready = true;
        Poll::Ready(flushed)
    }

    fn start_send(self: Pin<&mut Self>, message: Message) -> Result<(), WsError> {
        let this = self.get_mut();
        match this.ws.write(message) {
            Ok(()) => Ok(()),
            // Taken into the write buffer; it goes out with the next flush.
            Err(WsError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {
                this.ready = false;
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        let this = self.get_mut();
        let flushed = std::task::ready!(this.poll_with(cx, WebSocket::flush));
        this.ready = true;
        match flushed {
            // The close handshake just completed: nothing is left to flush.
            Err(WsError::ConnectionClosed) => Poll::Ready(Ok(())),
            other => Poll::Ready(other),
        }
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        let this = self.get_mut();
        this.ready = true;
        // `close` sends our close frame once and flushes on later calls.
        match std::task::ready!(this.poll_with(cx, |ws| ws.close(None))) {
            Ok(()) | Err(WsError::ConnectionClosed) => Poll::Ready(Ok(())),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}

/// The tokio stream as the blocking `Read + Write` tungstenite expects: a
/// poll that is not ready is `WouldBlock`, with the kept waker registered
/// to be woken when it is.
struct Io<S> {
    stream: S,
    /// The owning task's waker, set by every poll of the socket (a
    /// `start_send` uses the last one: if its write blocks, the next
    /// `poll_ready` or `poll_flush` registers the current one).
    waker: Option<Waker>,
}

impl<S> Io<S> {
    fn poll<T>(
        &mut self,
        op: impl FnOnce(Pin<&mut S>, &mut Context<'_>) -> Poll<io::Result<T>>,
    ) -> io::Result<T>
    where
        S: Unpin,
    {
        let waker = self.waker.as_ref().unwrap_or(Waker::noop());
        match op(Pin::new(&mut self.stream), &mut Context::from_waker(waker)) {
            Poll::Ready(result) => result,
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }
}

impl<S: AsyncRead + Unpin> Read for Io<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut buf = ReadBuf::new(buf);
        self.poll(|stream, cx| stream.poll_read(cx, &mut buf))?;
        Ok(buf.filled().len())
    }
}

impl<S: AsyncWrite + Unpin> Write for Io<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.poll(|stream, cx| stream.poll_write(cx, buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.poll(|stream, cx| stream.poll_flush(cx))
    }
}

#[cfg(test)]
mod tests {
    use futures_util::{SinkExt, StreamExt};

    use super::*;

    /// Both ends over an in-memory pipe whose buffer holds only 64 bytes,
    /// so that writes block and the wakers have to work.
    #[tokio::test]
    async fn messages_cross_a_pipe_that_blocks_both_ways() {
        let (a, b) = tokio::io::duplex(64);
        let config = WebSocketConfig::default();
        let mut server = Socket::server(a, Vec::new(), config);
        let mut client =
            tokio_tungstenite::WebSocketStream::from_raw_socket(b, Role::Client, None).await;
        let big = "x".repeat(10_000);
        let sending = {
            let big = big.clone();
            async move {
                for i in 0..20 {
                    client.send(Message::text(format!("{i}{big}"))).await?;
                }
                let echoed = client.next().await;
                Ok::<_, WsError>((client, echoed))
            }
        };
        let echoing = async {
            let mut got = Vec::new();
            for _ in 0..20 {
                match server.next().await {
                    Some(Ok(Message::Text(text))) => got.push(text.len()),
                    other => panic!("expected a text frame, got {other:?}"),
                }
            }
            server.send(Message::text("done")).await?;
            Ok::<_, WsError>(got)
        };
        let (sent, got) = tokio::join!(sending, echoing);
        let (mut client, echoed) = sent.unwrap();
        let got = got.unwrap();
        assert_eq!(got.len(), 20);
        assert_eq!(got[19], big.len() + 2);
        assert!(matches!(echoed, Some(Ok(Message::Text(t))) if t == "done"));
        // A close from the client is read, answered, and ends the stream.
        client.close(None).await.unwrap();
        assert!(matches!(server.next().await, Some(Ok(Message::Close(_)))));
        assert!(server.next().await.is_none());
        assert!(matches!(client.next().await, Some(Ok(Message::Close(_)))));
        assert!(server.next().await.is_none(), "fused after the end");
    }

    #[tokio::test]
    async fn frames_read_with_the_request_head_come_first() {
        let (a, b) = tokio::io::duplex(1024);
        let mut client =
            tokio_tungstenite::WebSocketStream::from_raw_socket(b, Role::Client, None).await;
        client.send(Message::text("early")).await.unwrap();
        client.send(Message::text("late")).await.unwrap();
        // Take the first frame's bytes off the pipe, as a handshake
        // reading past the head would, and hand them over as leftover.
        let mut a = a;
        let mut early = vec![0u8; 2 + 4 + 5];
        tokio::io::AsyncReadExt::read_exact(&mut a, &mut early)
            .await
            .unwrap();
        let mut server = Socket::server(a, early, WebSocketConfig::default());
        for expected in ["early", "late"] {
            match server.next().await {
                Some(Ok(Message::Text(text))) => assert_eq!(text, expected),
                other => panic!("expected {expected:?}, got {other:?}"),
            }
        }
    }
}
