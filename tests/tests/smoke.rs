//! Quick end-to-end smoke test: server and client on a free port.
#![allow(clippy::unwrap_used, missing_docs)]

use jrpc_server::{Client, Connection, ErrorObject, Server};

#[tokio::test]
async fn add_over_a_real_socket() {
    let server = Server::builder()
        .sync_method("Add", |_c: Connection, (a, b): (i64, i64)| {
            Ok::<_, ErrorObject>(a + b)
        })
        .bind("127.0.0.1:0")
        .await
        .unwrap()
        .spawn();
    let client = Client::connect(&server.url()).await.unwrap();
    assert_eq!(client.request::<i64, _>("Add", &(5, 10)).await.unwrap(), 15);
    server.shutdown();
    server.stopped().await;
}
