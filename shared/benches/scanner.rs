//! The JSON scanner against serde_json's validating readers on the frames the
//! server sees: `json::validate` vs `from_str::<IgnoredAny>` and
//! `from_str::<&RawValue>`, in bytes per second.
//! `cargo bench -p jrpc-shared --bench scanner`.

#![allow(clippy::expect_used)] // set-up of fixed inputs, not input handling

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jrpc_shared::json;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

const REQUEST: &str = r#"{"jsonrpc":"2.0","method":"math.sum","params":[1,2],"id":12345}"#;

fn batch_of_ten() -> String {
    format!("[{}]", [REQUEST; 10].join(","))
}

/// About 4 KB: an object of records mixing strings, integers, floats,
/// literals and nesting.
fn object_4k() -> String {
    let mut items = Vec::new();
    let mut len = 0;
    for i in 0.. {
        let item = format!(
            r#"{{"id":{i},"name":"item number {i}","price":{}.{},"tags":["red","large"],"dims":{{"w":{},"h":-{i},"d":[1,2.5e3,3]}},"ok":true,"note":null}}"#,
            i * 7,
            i % 10,
            i * 3,
        );
        len += item.len() + 1;
        items.push(item);
        if len >= 4000 {
            break;
        }
    }
    format!(
        r#"{{"jsonrpc":"2.0","method":"store.put","params":{{"items":[{}]}},"id":1}}"#,
        items.join(",")
    )
}

/// About 16 KB, nearly all of it string contents: long log lines, mostly
/// plain ASCII with some UTF-8 and an escape now and then.
fn strings_16k() -> String {
    let line = r#""2024-05-01T12:00:00Z INFO request handled in 3 ms: path=/api/v1/items?page=2, user=söme-üser, agent=Mozilla/5.0 (X11; Linux x86_64), note=\"ok\"""#;
    let count = 16 * 1024 / (line.len() + 1);
    format!(
        r#"{{"jsonrpc":"2.0","method":"log.write","params":{{"lines":[{}]}}}}"#,
        vec![line; count].join(",")
    )
}

fn scanner(c: &mut Criterion) {
    let frames = [
        ("request", REQUEST.to_owned()),
        ("batch_10", batch_of_ten()),
        ("object_4k", object_4k()),
        ("strings_16k", strings_16k()),
    ];
    for (name, text) in &frames {
        json::validate(text).expect("the scanner accepts the frame");
        serde_json::from_str::<IgnoredAny>(text).expect("serde_json accepts the frame");
        let mut group = c.benchmark_group(format!("validate/{name}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("json::validate", |b| {
            b.iter(|| json::validate(black_box(text)))
        });
        group.bench_function("serde_json IgnoredAny", |b| {
            b.iter(|| serde_json::from_str::<IgnoredAny>(black_box(text)).is_ok())
        });
        group.bench_function("serde_json RawValue", |b| {
            b.iter(|| {
                serde_json::from_str::<&RawValue>(black_box(text))
                    .map(|raw| raw.get().len())
                    .ok()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, scanner);
criterion_main!(benches);
