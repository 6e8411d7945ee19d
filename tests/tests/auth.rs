//! Who is calling: a handshake hook that reads the request (cookie, query,
//! header) and refuses with 401 or 403 or names the caller; the in-band
//! `rpc.auth` method for browsers; methods that need a signed-in caller
//! answered with -32006 until there is one. Over WebSocket and HTTP POST.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{basic, http_exchange, http_status, start, stop};
use jrpc::{CallError, Client, Connection, ErrorObject, Identity, Refusal, ServerBuilder, code};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn with_identity_methods(builder: ServerBuilder) -> ServerBuilder {
    builder
        .sync_method("whoami", |conn: Connection, (): ()| {
            Ok::<_, ErrorObject>(conn.extension::<Identity>().map(|i| i.0))
        })
        .sync_method("secret", |conn: Connection, (): ()| {
            let Identity(name) = conn
                .extension::<Identity>()
                .expect("checked before the call");
            Ok::<_, ErrorObject>(format!("for {name} only"))
        })
        .authenticated("secret")
}

/// A hook: the `session` cookie or the `token` query names the caller; a
/// `x-banned` header is forbidden; anything else is unauthorized.
fn hooked() -> ServerBuilder {
    with_identity_methods(basic()).on_handshake(|conn: Connection| async move {
        if conn.header("x-banned").is_some() {
            return Err(Refusal::forbidden("banned"));
        }
        let from_cookie = conn.cookie("session").and_then(|s| s.strip_prefix("user-"));
        let from_query = conn.query().and_then(|q| q.strip_prefix("token="));
        match from_cookie.or(from_query) {
            Some(name) => {
                conn.insert_extension(Identity(name.to_owned()));
                Ok(())
            }
            None => Err(Refusal::unauthorized("sign in first")),
        }
    })
}

#[tokio::test]
async fn the_handshake_hook_names_the_caller_or_refuses_with_401_or_403() {
    let server = start(hooked()).await;
    let url = server.url();

    let ada = Client::builder()
        .header("cookie", "theme=dark; session=user-ada")
        .connect(&url)
        .await
        .unwrap();
    assert_eq!(
        ada.request::<Option<String>, _>("whoami", &())
            .await
            .unwrap()
            .as_deref(),
        Some("ada")
    );
    assert_eq!(
        ada.request::<String, _>("secret", &()).await.unwrap(),
        "for ada only"
    );

    let bob = Client::connect(&format!("{url}?token=bob")).await.unwrap();
    assert_eq!(
        bob.request::<Option<String>, _>("whoami", &())
            .await
            .unwrap()
            .as_deref(),
        Some("bob")
    );

    let nobody = Client::connect(&url).await.map(|_| ()).unwrap_err();
    let text = nobody.to_string();
    assert!(text.contains("401"), "{text}");
    let banned = common::Raw::try_connect(common::request_with(
        &format!("{url}?token=eve"),
        &[("x-banned", "yes")],
    ))
    .await;
    assert_eq!(http_status(banned), 403);
    stop(&server).await;
}

#[tokio::test]
async fn the_hook_sees_only_requests_it_could_admit() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&seen);
    let server = start(basic().on_handshake(move |_conn: Connection| {
        counter.fetch_add(1, Ordering::Relaxed);
        async { Ok(()) }
    }))
    .await;
    let addr = server.local_addr();
    // A plain GET of the endpoint is no upgrade: refused before the hook.
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET /rpc HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tcp.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 4"), "{response}");
    assert_eq!(seen.load(Ordering::Relaxed), 0);
    let client = Client::connect(&server.url()).await.unwrap();
    assert_eq!(
        client.request::<String, _>("ping", &()).await.unwrap(),
        "pong"
    );
    assert_eq!(seen.load(Ordering::Relaxed), 1);
    stop(&server).await;
}

#[tokio::test]
async fn rpc_auth_signs_a_connection_in_and_guarded_methods_wait_for_it() {
    let server = start(with_identity_methods(basic()).auth(
        |_conn: Connection, token: String| async move {
            match token.strip_prefix("user:") {
                Some(name) => Ok(Identity(name.to_owned())),
                None => Err(ErrorObject::new(code::UNAUTHENTICATED, "unknown token")),
            }
        },
    ))
    .await;
    let client = Client::connect(&server.url()).await.unwrap();

    match client.request::<String, _>("secret", &()).await {
        Err(CallError::Rpc(e)) => {
            assert_eq!(e.code, code::UNAUTHENTICATED);
            assert!(
                e.message.contains("secret needs a signed-in caller"),
                "{}",
                e.message
            );
        }
        other => panic!("expected -32006, got {other:?}"),
    }
    match client.request::<String, _>("rpc.auth", &("nope",)).await {
        Err(CallError::Rpc(e)) => assert_eq!(e.code, code::UNAUTHENTICATED),
        other => panic!("expected a refused token, got {other:?}"),
    }
    assert_eq!(
        client
            .request::<String, _>("rpc.auth", &("user:ada",))
            .await
            .unwrap(),
        "ada"
    );
    assert_eq!(
        client.request::<String, _>("secret", &()).await.unwrap(),
        "for ada only"
    );
    // Named params work too, and each connection signs in on its own.
    let other = Client::connect(&server.url()).await.unwrap();
    assert!(other.request::<String, _>("secret", &()).await.is_err());
    let named = serde_json::json!({"token": "user:bob"});
    assert_eq!(
        other
            .request::<String, _>("rpc.auth", &named)
            .await
            .unwrap(),
        "bob"
    );
    stop(&server).await;
}

#[tokio::test]
async fn the_hook_and_guarded_methods_hold_over_http_post() {
    let server = start(hooked()).await;
    let addr = server.local_addr();
    let post = |extra: &'static str| async move {
        let body = r#"{"jsonrpc":"2.0","method":"secret","id":1}"#;
        let request = format!(
            "POST /rpc HTTP/1.1\r\nHost: {addr}\r\n{extra}Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        http_exchange(addr, &request).await
    };
    let (status, head, refused) = post("").await;
    assert_eq!(status, 401, "{head}");
    assert!(refused.ends_with("sign in first\n"), "{refused}");
    let (_, _, signed_in) = post("Cookie: session=user-ada\r\n").await;
    let body: Value = serde_json::from_str(&signed_in).unwrap();
    assert_eq!(body["result"], "for ada only");
    stop(&server).await;
}
