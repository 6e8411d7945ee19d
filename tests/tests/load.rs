//! Many calls in flight on one connection, and many connections at once.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::sync::Arc;

use common::{basic, start, stop, within};
use futures_util::future::join_all;
use jrpc::{Client, Connection, ErrorObject};
use tokio::sync::Barrier;

const IN_FLIGHT: usize = 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_calls_on_one_connection() {
    // Every handler waits until all of them run: they really are in flight together.
    let barrier = Arc::new(Barrier::new(IN_FLIGHT));
    let server = start(
        basic().method("gather", move |_c: Connection, (n, tag): (u64, String)| {
            let barrier = Arc::clone(&barrier);
            async move {
                barrier.wait().await;
                Ok::<_, ErrorObject>(format!("{tag}-{n}"))
            }
        }),
    )
    .await;
    let client = Client::connect(&server.url()).await.unwrap();
    let calls = (0..IN_FLIGHT as u64).map(|n| {
        let client = &client;
        async move {
            let answer: String = client.request("gather", &(n, "v")).await.unwrap();
            (n, answer)
        }
    });
    let answers = within("1,000 concurrent calls", join_all(calls)).await;
    assert_eq!(answers.len(), IN_FLIGHT);
    for (n, answer) in answers {
        assert_eq!(answer, format!("v-{n}"), "answer matched to the wrong call");
    }
    // And a second wave, answered synchronously.
    let pairs: Vec<(i64, i64)> = (0..IN_FLIGHT as i64).map(|n| (n, n)).collect();
    let echoes = pairs
        .iter()
        .map(|pair| client.request::<i64, _>("add", pair));
    let sums = within("1,000 more calls", join_all(echoes)).await;
    for (n, sum) in sums.into_iter().enumerate() {
        assert_eq!(sum.unwrap(), 2 * n as i64);
    }
    stop(&server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_connections_at_once() {
    const CONNECTIONS: i64 = 50;
    const CALLS: i64 = 20;
    let server = start(basic().method(
        "slow.add",
        |_c: Connection, (a, b): (i64, i64)| async move {
            tokio::task::yield_now().await;
            Ok::<_, ErrorObject>(a + b)
        },
    ))
    .await;
    let url = server.url();
    let clients = (0..CONNECTIONS).map(|c| {
        let url = url.clone();
        tokio::spawn(async move {
            let client = Client::connect(&url).await.unwrap();
            let calls = (0..CALLS).map(|i| {
                let client = &client;
                async move {
                    let method = if i % 2 == 0 { "add" } else { "slow.add" };
                    client.request::<i64, _>(method, &(c * 1000, i)).await
                }
            });
            let sums = join_all(calls).await;
            for (i, sum) in sums.into_iter().enumerate() {
                assert_eq!(sum.unwrap(), c * 1000 + i as i64, "connection {c}");
            }
            client
        })
    });
    let clients = within("50 connections", join_all(clients)).await;
    let clients: Vec<Client> = clients.into_iter().map(|c| c.unwrap()).collect();
    assert_eq!(server.connections().len(), CONNECTIONS as usize);
    assert_eq!(
        server.broadcast("nobody.listens", &()).unwrap(),
        CONNECTIONS as usize
    );
    // They are all still usable together.
    let pings = clients
        .iter()
        .map(|client| client.request::<String, _>("ping", &()));
    for pong in within("a ping on each", join_all(pings)).await {
        assert_eq!(pong.unwrap(), "pong");
    }
    stop(&server).await;
}
