//! `RUST_LOG=jrpc=debug` shows a call's whole life: every event of a
//! connection is inside a `connection{id peer}` span, and every event of a
//! call inside `call{method id}` within it, from its arrival to its answer.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{Raw, start, stop};
use jrpc::{Connection, ErrorObject, Server};
use tracing_subscriber::util::SubscriberInitExt;

/// What the log printed, shared with the subscriber's writer.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    fn lines(&self) -> Vec<String> {
        let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        text.lines().map(str::to_owned).collect()
    }
}

// One thread: the server, the client and the test all log into this
// thread's subscriber.
#[tokio::test(flavor = "current_thread")]
async fn each_call_is_logged_inside_its_span_from_arrival_to_answer() {
    let log = Log::default();
    let writer = log.clone();
    let _guard = tracing_subscriber::fmt()
        .with_env_filter("jrpc=debug")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish()
        .set_default();

    let server = start(
        Server::builder()
            .sync_method("add", |_c: Connection, (a, b): (i64, i64)| {
                Ok::<_, ErrorObject>(a + b)
            })
            .method("slow.fail", |_c: Connection, (): ()| async move {
                tokio::task::yield_now().await;
                Err::<(), _>(ErrorObject::new(42, "no"))
            }),
    )
    .await;
    let mut raw = Raw::connect(&server.url()).await;
    raw.send(r#"{"jsonrpc":"2.0","method":"add","params":[1,2],"id":"first"}"#)
        .await;
    raw.next_json().await;
    raw.send(r#"{"jsonrpc":"2.0","method":"slow.fail","id":7}"#)
        .await;
    raw.next_json().await;
    drop(raw);
    stop(&server).await;

    let lines = log.lines();
    let find = |span: &str, event: &str| {
        lines
            .iter()
            .find(|l| l.contains(span) && l.contains(event))
            .unwrap_or_else(|| panic!("no {event:?} in {span:?}; the log:\n{}", lines.join("\n")))
            .clone()
    };
    let received = find(r#"call{method="add" id="first"}"#, "call received");
    assert!(received.contains("connection{id="), "{received}");
    assert!(received.contains("peer=127.0.0.1:"), "{received}");
    find(r#"call{method="add" id="first"}"#, "call answered");
    find(r#"call{method="slow.fail" id=7}"#, "call received");
    let failed = find(r#"call{method="slow.fail" id=7}"#, "call failed");
    assert!(failed.contains("code=42"), "{failed}");
}
