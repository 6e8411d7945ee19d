//! Application state, per-connection state (extensions), and the handshake
//! details handlers see.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{Raw, basic, request_with, start, stop};
use jrpc::{Client, Connection, ErrorObject, ServerBuilder};
use serde_json::json;

#[derive(Clone, Debug, PartialEq)]
struct User(String);

fn with_login(builder: ServerBuilder) -> ServerBuilder {
    builder
        .sync_method("login", |conn: Connection, (name,): (String,)| {
            let previous = conn.insert_extension(User(name));
            Ok::<_, ErrorObject>(previous.map(|u| u.0))
        })
        .method("whoami", |conn: Connection, (): ()| async move {
            Ok::<_, ErrorObject>(conn.extension::<User>().map(|u| u.0))
        })
        .sync_method("logout", |conn: Connection, (): ()| {
            Ok::<_, ErrorObject>(conn.remove_extension::<User>().is_some())
        })
}

async fn whoami(client: &Client) -> Result<Option<String>, jrpc::CallError> {
    client.request("whoami", &()).await
}

#[tokio::test]
async fn extensions_are_per_connection() {
    let server = start(with_login(basic())).await;
    let ada = Client::connect(&server.url()).await.unwrap();
    let bob = Client::connect(&server.url()).await.unwrap();

    assert_eq!(whoami(&ada).await.unwrap(), None);
    assert_eq!(
        ada.request::<Option<String>, _>("login", &("ada",))
            .await
            .unwrap(),
        None
    );
    assert_eq!(whoami(&ada).await.unwrap().as_deref(), Some("ada"));
    // Another connection does not see it.
    assert_eq!(whoami(&bob).await.unwrap(), None);
    bob.request::<Option<String>, _>("login", &("bob",))
        .await
        .unwrap();
    assert_eq!(whoami(&bob).await.unwrap().as_deref(), Some("bob"));
    assert_eq!(whoami(&ada).await.unwrap().as_deref(), Some("ada"));

    // Logging in again replaces the value and returns the old one.
    let previous: Option<String> = ada.request("login", &("ada2",)).await.unwrap();
    assert_eq!(previous.as_deref(), Some("ada"));
    // The state is visible from outside a handler through the server's handle.
    let mut names: Vec<Option<String>> = server
        .connections()
        .iter()
        .map(|c| c.extension::<User>().map(|u| u.0))
        .collect();
    names.sort();
    assert_eq!(names, [Some("ada2".to_owned()), Some("bob".to_owned())]);

    assert!(ada.request::<bool, _>("logout", &()).await.unwrap());
    assert!(!ada.request::<bool, _>("logout", &()).await.unwrap());
    assert_eq!(whoami(&ada).await.unwrap(), None);
    assert_eq!(whoami(&bob).await.unwrap().as_deref(), Some("bob"));

    // A new connection starts with nothing.
    drop(ada);
    let again = Client::connect(&server.url()).await.unwrap();
    assert_eq!(whoami(&again).await.unwrap(), None);
    stop(&server).await;
}

fn with_context(builder: ServerBuilder) -> ServerBuilder {
    builder.sync_method("context", |conn: Connection, (): ()| {
        Ok::<_, ErrorObject>(json!({
            "session": conn.cookie("session"),
            "theme": conn.cookie("theme"),
            "missing": conn.cookie("missing"),
            "origin": conn.origin(),
            "trace": conn.header("x-trace-id"),
            "path": conn.path(),
            "peer": conn.peer_addr().map(|a| a.ip().to_string()),
        }))
    })
}

#[tokio::test]
async fn handshake_headers_reach_handlers() {
    let server = start(with_context(basic())).await;
    let origin = format!("http://{}", server.local_addr());
    let request = request_with(
        &server.url(),
        &[
            ("Cookie", r#"theme=dark; session="abc123""#),
            ("Origin", &origin),
            ("X-Trace-Id", "t-42"),
        ],
    );
    let mut raw = Raw::try_connect(request).await.unwrap();
    let reply = raw
        .call(r#"{"jsonrpc":"2.0","method":"context","id":1}"#)
        .await;
    assert_eq!(
        reply["result"],
        json!({
            "session": "abc123",
            "theme": "dark",
            "missing": null,
            "origin": origin,
            "trace": "t-42",
            "path": "/rpc",
            "peer": "127.0.0.1",
        })
    );

    // A native client sends neither cookies nor an Origin.
    let client = Client::connect(&server.url()).await.unwrap();
    let context: serde_json::Value = client.request("context", &()).await.unwrap();
    assert_eq!(context["session"], json!(null));
    assert_eq!(context["origin"], json!(null));
    assert_eq!(context["path"], "/rpc");
    drop(raw);
    stop(&server).await;
}

/// Application state: a counter every connection shares, and a name.
struct Hits(std::sync::atomic::AtomicU64);
struct Name(&'static str);

#[tokio::test]
async fn state_given_to_the_builder_is_shared_by_every_connection() {
    use std::sync::atomic::Ordering;
    let builder = basic()
        .state(Hits(0.into()))
        .state(Name("first"))
        // A later value of the same type replaces the earlier one.
        .state(Name("jrpc"))
        .sync_method("hit", |conn: Connection, (): ()| {
            let hits = conn
                .state::<Hits>()
                .ok_or_else(|| ErrorObject::internal_error("no Hits"))?;
            Ok::<_, ErrorObject>(hits.0.fetch_add(1, Ordering::Relaxed) + 1)
        })
        .method("name", |conn: Connection, (): ()| async move {
            Ok::<_, ErrorObject>(conn.state::<Name>().map(|n| n.0))
        })
        .sync_method("missing", |conn: Connection, (): ()| {
            Ok::<_, ErrorObject>(conn.state::<User>().is_none())
        });
    let server = start(builder).await;
    let a = Client::connect(&server.url()).await.unwrap();
    let b = Client::connect(&server.url()).await.unwrap();
    assert_eq!(a.request::<u64, _>("hit", &()).await.unwrap(), 1);
    assert_eq!(b.request::<u64, _>("hit", &()).await.unwrap(), 2);
    assert_eq!(a.request::<u64, _>("hit", &()).await.unwrap(), 3);
    assert_eq!(b.request::<String, _>("name", &()).await.unwrap(), "jrpc");
    assert!(a.request::<bool, _>("missing", &()).await.unwrap());
    stop(&server).await;
}

#[tokio::test]
async fn a_client_builder_gives_state_to_the_methods_the_server_calls() {
    let server = start(
        basic().method("ask", |conn: Connection, (): ()| async move {
            conn.request::<String, _>("client.name", &())
                .await
                .map_err(ErrorObject::internal_error)
        }),
    )
    .await;
    let client = Client::builder()
        .state(Name("the client"))
        .sync_method("client.name", |conn: Connection, (): ()| {
            Ok::<_, ErrorObject>(conn.state::<Name>().map(|n| n.0).unwrap_or("none"))
        })
        .connect(&server.url())
        .await
        .unwrap();
    assert_eq!(
        client.request::<String, _>("ask", &()).await.unwrap(),
        "the client"
    );
    stop(&server).await;
}
