//! Where a slice of a frame's UTF-8 text is in the JavaScript string it came
//! from: JavaScript strings index UTF-16 code units, the engine reads bytes.
//!
//! For ASCII text (nearly every frame) the two are the same. Otherwise the
//! code units are counted from the last position asked for: the engine asks
//! in frame order, so a frame costs one pass however many slices it has.

/// The offsets of slices of one frame.
pub(crate) struct Utf16<'a> {
    text: &'a str,
    ascii: bool,
    /// The last position counted to, in bytes and in code units.
    byte: usize,
    unit: usize,
}

impl<'a> Utf16<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Utf16 {
            text,
            ascii: text.is_ascii(),
            byte: 0,
            unit: 0,
        }
    }

    /// The code-unit range of `slice`, which must borrow from the text;
    /// `None` if it does not (or the text is over 4 GiB).
    pub(crate) fn range(&mut self, slice: &str) -> Option<(u32, u32)> {
        let base = self.text.as_ptr() as usize;
        let start = (slice.as_ptr() as usize).checked_sub(base)?;
        let end = start + slice.len();
        if end > self.text.len() {
            return None;
        }
        let (start, end) = if self.ascii {
            (start, end)
        } else {
            (self.unit_at(start), self.unit_at(end))
        };
        Some((u32::try_from(start).ok()?, u32::try_from(end).ok()?))
    }

    fn unit_at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            self.byte = 0;
            self.unit = 0;
        }
        let bytes = self
            .text
            .as_bytes()
            .get(self.byte..byte)
            .unwrap_or_default();
        self.unit += bytes.iter().map(|&b| units(b)).sum::<usize>();
        self.byte = byte;
        self.unit
    }
}

/// The UTF-16 code units a character starting with byte `b` takes, counted
/// at its first byte: four-byte sequences are surrogate pairs.
fn units(b: u8) -> usize {
    match b {
        0x80..=0xBF => 0,
        0xF0..=0xFF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16_range(text: &str, slice: &str) -> (usize, usize) {
        let start = text.find(slice).unwrap();
        let before: Vec<u16> = text[..start].encode_utf16().collect();
        let inside: Vec<u16> = slice.encode_utf16().collect();
        (before.len(), before.len() + inside.len())
    }

    #[test]
    fn ascii_offsets_are_byte_offsets() {
        let text = r#"{"id":1,"result":[1,2]}"#;
        let mut at = Utf16::new(text);
        assert_eq!(at.range(&text[17..22]), Some((17, 22)));
    }

    #[test]
    fn non_ascii_offsets_count_code_units_in_any_order() {
        let text = r#"[{"r":"é"},{"r":"😀x"},{"r":"中"}]"#;
        let slices = [r#""é""#, r#""😀x""#, r#""中""#];
        let mut at = Utf16::new(text);
        for slice in slices.iter().chain(slices.iter().rev()) {
            let start = text.find(slice).unwrap();
            let got = at.range(&text[start..start + slice.len()]).unwrap();
            let want = utf16_range(text, slice);
            assert_eq!((got.0 as usize, got.1 as usize), want, "{slice}");
        }
    }

    #[test]
    fn a_slice_of_other_text_has_no_range() {
        let text = "[1]";
        let other = String::from("[1]");
        assert_eq!(Utf16::new(text).range(&other), None);
    }
}
