//! [`Cursor`]: a position in a text and the single-token reads on it.

use super::string::{self, Str};
use super::{Error, ErrorKind, is_whitespace};

/// A position in a text, reading JSON tokens and values.
///
/// Every read skips JSON whitespace first. A failed read leaves the position
/// wherever the mistake was found; the text is not meant to be read further.
#[derive(Clone, Debug)]
pub struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Cursor { text, pos: 0 }
    }

    /// The byte offset of the next unread byte.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// The next byte after whitespace, which is skipped; the byte is not
    /// consumed. `None` at the end of the text.
    #[inline(always)]
    pub fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.byte()
    }

    /// Skips whitespace, then consumes `byte` if it is next; says whether it was.
    pub fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Skips whitespace, then consumes `byte`, which must be next.
    pub fn expect(&mut self, byte: u8) -> Result<(), Error> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    /// Skips whitespace, then reads a JSON string (the next byte must be `"`).
    pub fn string(&mut self) -> Result<Str<'a>, Error> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected());
        }
        let start = self.pos + 1;
        let (end, escaped) = string::scan(self.bytes(), start)?;
        self.pos = end + 1;
        let raw = self.slice(start, end)?;
        Ok(Str::new(raw, escaped))
    }

    /// Skips whitespace; `Ok` only if nothing but whitespace remains (else
    /// [`ErrorKind::TrailingCharacters`] at the first other byte).
    pub fn end(&mut self) -> Result<(), Error> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(Error::new(self.pos, ErrorKind::TrailingCharacters)),
        }
    }

    /// The rest of the text, from the next unread byte (whitespace included).
    pub fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    #[inline(always)]
    pub(super) fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The byte at the position, without skipping anything.
    #[inline(always)]
    pub(super) fn byte(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    pub(super) fn set_offset(&mut self, pos: usize) {
        self.pos = pos;
    }

    #[inline(always)]
    pub(super) fn skip_whitespace(&mut self) {
        while self.byte().is_some_and(is_whitespace) {
            self.pos += 1;
        }
    }

    /// The error for the byte at the position, which is not what the grammar wants.
    pub(super) fn unexpected(&self) -> Error {
        match self.byte() {
            None => Error::new(self.text.len(), ErrorKind::UnexpectedEnd),
            Some(_) => Error::new(self.pos, ErrorKind::UnexpectedByte),
        }
    }

    /// Consumes exactly `word` (the rest of a `true`, `false` or `null`).
    pub(super) fn literal(&mut self, word: &[u8]) -> Result<(), Error> {
        for &want in word {
            if self.byte() != Some(want) {
                return Err(self.unexpected());
            }
            self.pos += 1;
        }
        Ok(())
    }

    /// `text[start..end]`. Callers only pass offsets of ASCII bytes (quotes,
    /// brackets, digits), which are char boundaries; should one not be, this
    /// is an error rather than a panic.
    pub(super) fn slice(&self, start: usize, end: usize) -> Result<&'a str, Error> {
        self.text
            .get(start..end)
            .ok_or(Error::new(start, ErrorKind::UnexpectedByte))
    }
}
