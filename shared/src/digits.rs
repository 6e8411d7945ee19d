//! Integers written as decimal text without `core::fmt`, whose machinery
//! would otherwise be linked into the browser package for a handful of ids,
//! codes and limits. Nothing here indexes: the message of a failed bounds
//! check would bring that machinery back.

use alloc::string::String;

/// Appends `n` in decimal.
pub(crate) fn push_u64(out: &mut String, mut n: u64) {
    // The 20 digits of `u64::MAX` fill the buffer exactly.
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    for slot in buf.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        at -= 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    for &b in buf.get(at..).unwrap_or_default() {
        out.push(char::from(b));
    }
}

/// Appends `n` in decimal, with a `-` when negative.
pub(crate) fn push_i64(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_u64(out, n.unsigned_abs());
}

/// `n` in decimal.
pub(crate) fn u64_text(n: u64) -> String {
    let mut out = String::with_capacity(20);
    push_u64(&mut out, n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_display() {
        for n in [0i64, 7, -7, 10, 99, 100, i64::MAX, i64::MIN, -32_700] {
            let mut out = String::new();
            push_i64(&mut out, n);
            assert_eq!(out, n.to_string());
        }
        assert_eq!(u64_text(u64::MAX), u64::MAX.to_string());
    }
}
