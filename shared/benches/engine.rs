//! Micro-benchmarks of the engine's hot paths: parsing a request, dispatching
//! it through a method table to a typed handler and writing the response, and
//! the same for a batch of ten; dispatching both ways a driver can take a
//! synchronous handler's answer (`dispatch`: as a value; `dispatch_into`:
//! written into the reply, as the server does). `cargo bench -p jrpc-shared`.
//!
//! The handler is the demo's `math.sum` shape: two numbers in, their sum out.

#![allow(clippy::expect_used)] // set-up of fixed inputs, not input handling

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jrpc_shared::handler::{DynHandler, Outcome, SyncFn};
use jrpc_shared::parse::{Frame, parse};
use jrpc_shared::{Action, Completion, ErrorObject, Id, Inbound, Methods, RawBuf, response_text};

const REQUEST: &str = r#"{"jsonrpc":"2.0","method":"math.sum","params":[1,2],"id":12345}"#;

fn batch_of(n: usize) -> String {
    let members: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"jsonrpc":"2.0","method":"math.sum","params":[1,2],"id":{i}}}"#))
        .collect();
    format!("[{}]", members.join(","))
}

fn methods() -> Methods<DynHandler<()>> {
    let mut methods = Methods::new();
    let sum = SyncFn::new(|(): (), (x, y): (i64, i64)| Ok::<_, ErrorObject>(x + y));
    methods
        .insert("math.sum", Box::new(sum) as DynHandler<()>)
        .expect("a plain method name registers");
    methods
}

/// How a driver hands a synchronous handler's answer to the engine.
#[derive(Clone, Copy)]
enum Answering {
    /// As a value: `Handler::call`, then `Inbound::complete`.
    Value,
    /// Written into the reply: `Inbound::complete_with` and `Handler::call_into`.
    Into,
}

/// What a driver does with one frame: run each call and send what comes back.
fn dispatch(
    inbound: &mut Inbound,
    methods: &Methods<DynHandler<()>>,
    text: &str,
    answering: Answering,
) -> usize {
    let mut actions = Vec::new();
    let mut sent = 0;
    inbound.receive(text, methods, &mut actions);
    for action in actions {
        match action {
            Action::Call {
                handler,
                params,
                token: Some(token),
                ..
            } => {
                let reply = match answering {
                    Answering::Value => {
                        let Outcome::Ready(result) = handler.call((), params) else {
                            unreachable!("the handler is synchronous")
                        };
                        inbound.complete(token, result)
                    }
                    Answering::Into => {
                        let answer = |out: &mut String| handler.call_into((), params, out);
                        let Completion::Done(reply) = inbound.complete_with(token, answer) else {
                            unreachable!("the handler is synchronous")
                        };
                        reply
                    }
                };
                sent += reply.map_or(0, |reply| reply.len());
            }
            Action::Reply(reply) => sent += reply.len(),
            _ => {}
        }
    }
    sent
}

fn engine(c: &mut Criterion) {
    let batch = batch_of(10);
    let methods = methods();

    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Elements(1));
    group.bench_function("request", |b| {
        b.iter(|| matches!(parse(black_box(REQUEST), 1024), Frame::Single(_)))
    });
    group.throughput(Throughput::Elements(10));
    group.bench_function("batch_of_10", |b| {
        b.iter(|| matches!(parse(black_box(&batch), 1024), Frame::Batch(_)))
    });
    group.finish();

    for (name, answering) in [
        ("dispatch", Answering::Value),
        ("dispatch_into", Answering::Into),
    ] {
        let mut group = c.benchmark_group(name);
        let mut inbound = Inbound::new(1024);
        group.throughput(Throughput::Elements(1));
        group.bench_function("request", |b| {
            b.iter(|| dispatch(&mut inbound, &methods, black_box(REQUEST), answering))
        });
        group.throughput(Throughput::Elements(10));
        group.bench_function("batch_of_10", |b| {
            b.iter(|| dispatch(&mut inbound, &methods, black_box(&batch), answering))
        });
        group.finish();
    }

    let mut group = c.benchmark_group("write");
    let id = Id::from(12345u64);
    let result: Result<RawBuf, ErrorObject> = Ok(RawBuf::new("3".to_owned()).expect("3 is JSON"));
    group.throughput(Throughput::Elements(1));
    group.bench_function("response", |b| {
        b.iter(|| response_text(black_box(&id), black_box(&result)))
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
