//! `jrpc_shared::json` against serde_json on thousands of generated texts, so
//! that plain `cargo test` keeps checking agreement between fuzzing runs:
//! JSONTestSuite cases and JSON-RPC frames, mutated byte-wise by a small
//! deterministic generator (the same cases on every run).

mod json_oracle;

use jrpc_shared::json::{self, MAX_DEPTH};
use json_oracle::{check, suite_cases};

const FRAMES: &[&str] = &[
    r#"{"jsonrpc":"2.0","method":"math.sum","params":[1,2],"id":12345}"#,
    r#"{"jsonrpc":"2.0","method":"notify","params":{"a":"\u00e9\n\"q\"","b":[true,false,null]}}"#,
    r#"[{"jsonrpc":"2.0","method":"a","id":"x"},{"jsonrpc":"2.0","result":-1.5e-3,"id":1}]"#,
    r#"{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":null}"#,
    r#" { "jsonrpc" : "2.0" , "method" : "$/cancelRequest" , "params" : { "id" : 0 } } "#,
    r#"{"k":"\ud83d\ude00","l":"\udc00","m":[[[{}]]],"n":9223372036854775808}"#,
];

/// The bytes mutations draw from: JSON's punctuation, the starts of every
/// token, whitespace (and non-whitespace look-alikes), a control byte and
/// the first byte of a two-byte UTF-8 sequence.
const ALPHABET: &[u8] = b"{}[],:\"\\/ \t\n\r\x0c\x1f0123456789-+.eEtrufalsn\xc3";

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// One to three byte-wise edits of `input`, sometimes spliced with `other`.
fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut bytes = input.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(7) {
            0 if at < bytes.len() => bytes[at] = rng.pick(ALPHABET),
            1 => bytes.insert(at, rng.pick(ALPHABET)),
            2 if at < bytes.len() => drop(bytes.remove(at)),
            3 => bytes.truncate(at),
            4 => {
                // Duplicate a short run (repeats tokens, deepens nesting).
                let end = (at + 1 + rng.below(8)).min(bytes.len());
                let run = bytes[at.min(end)..end].to_vec();
                bytes.splice(at..at, run);
            }
            5 => {
                let from = rng.below(other.len() + 1);
                bytes.splice(at.., other[from..].iter().copied());
            }
            _ => {
                // Wrap in containers, around the depth limit now and then.
                let depth = if rng.below(4) == 0 {
                    MAX_DEPTH - 2 + rng.below(5)
                } else {
                    1
                };
                let (head, tail): (&[u8], &[u8]) = if rng.below(2) == 0 {
                    (b"[", b"]")
                } else {
                    (b"{\"k\":", b"}")
                };
                let mut wrapped = head.repeat(depth);
                wrapped.extend_from_slice(&bytes);
                wrapped.extend(tail.repeat(depth));
                bytes = wrapped;
            }
        }
    }
    bytes
}

#[test]
fn scanner_agrees_with_serde_json_on_mutations() {
    let mut inputs: Vec<Vec<u8>> = FRAMES.iter().map(|f| f.as_bytes().to_vec()).collect();
    inputs.extend(
        suite_cases()
            .into_iter()
            .map(|(_, bytes)| bytes)
            .filter(|bytes| bytes.len() <= 4096),
    );
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut valid, mut invalid) = (0, 0);
    for round in 0..6000 {
        let input = &inputs[round % inputs.len()];
        let other = &inputs[rng.below(inputs.len())];
        let bytes = mutate(&mut rng, input, other);
        // Byte-wise edits can break UTF-8; those are not a `&str` to test.
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        check(text);
        if json::validate(text).is_ok() {
            valid += 1;
        } else {
            invalid += 1;
        }
    }
    // Both verdicts must be well represented, or the test proves little.
    assert!(
        valid >= 400 && invalid >= 2000,
        "{valid} valid, {invalid} invalid"
    );
}

#[test]
fn frames_around_the_depth_limit() {
    for frame in FRAMES {
        for depth in MAX_DEPTH - 3..=MAX_DEPTH + 1 {
            check(&("[".repeat(depth) + frame + &"]".repeat(depth)));
            check(&("{\"a\":".repeat(depth) + frame + &"}".repeat(depth)));
        }
    }
}
