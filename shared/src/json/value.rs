//! [`Cursor::value`]: skipping one whole value of any type, iteratively.

use super::cursor::Cursor;
use super::{Error, ErrorKind, MAX_DEPTH, number, string};

// One bit per open container is kept in a `u128`, innermost lowest.
const _: () = assert!(MAX_DEPTH < 128);

/// The containers opened by one `value` call: a bit stack (1 = object,
/// 0 = array). Fixed size, so stack use does not grow with nesting.
struct Open {
    bits: u128,
    len: usize,
}

impl Open {
    fn push(&mut self, object: bool) {
        self.bits = (self.bits << 1) | u128::from(object);
        self.len += 1;
    }

    fn pop(&mut self) {
        self.bits >>= 1;
        self.len = self.len.saturating_sub(1);
    }

    fn in_object(&self) -> bool {
        self.bits & 1 == 1
    }
}

impl<'a> Cursor<'a> {
    /// Skips whitespace, then reads and validates one complete value of any
    /// type; returns its exact text (a subslice of the input, without the
    /// whitespace around it).
    ///
    /// `depth` is the number of containers already open around the value (0 at
    /// top level): opening a container deeper than [`MAX_DEPTH`] is
    /// [`ErrorKind::TooDeep`].
    pub fn value(&mut self, depth: usize) -> Result<&'a str, Error> {
        self.skip_whitespace();
        let start = self.offset();
        let mut open = Open { bits: 0, len: 0 };
        loop {
            // A value starts here.
            self.skip_whitespace();
            let object = match self.byte() {
                Some(b'[') => false,
                Some(b'{') => true,
                _ => {
                    self.scalar()?;
                    if let Some(text) = self.after_value(&mut open, start)? {
                        return Ok(text);
                    }
                    continue;
                }
            };
            if depth.saturating_add(open.len) >= MAX_DEPTH {
                return Err(Error::new(self.offset(), ErrorKind::TooDeep));
            }
            self.set_offset(self.offset() + 1);
            let close = if object { b'}' } else { b']' };
            if !self.eat(close) {
                open.push(object);
                if object {
                    self.member_name()?;
                }
                continue;
            }
            // An empty container is a complete value like a scalar.
            if let Some(text) = self.after_value(&mut open, start)? {
                return Ok(text);
            }
        }
    }

    /// After a complete value: closes the containers that end here, and
    /// returns the whole text once the outermost one closed (or there was
    /// none). `None` when another element or member value follows.
    fn after_value(&mut self, open: &mut Open, start: usize) -> Result<Option<&'a str>, Error> {
        loop {
            if open.len == 0 {
                return self.slice(start, self.offset()).map(Some);
            }
            let object = open.in_object();
            match self.peek() {
                Some(b',') => {
                    self.set_offset(self.offset() + 1);
                    if object {
                        self.member_name()?;
                    }
                    return Ok(None);
                }
                Some(b']') if !object => {}
                Some(b'}') if object => {}
                _ => return Err(self.unexpected()),
            }
            self.set_offset(self.offset() + 1);
            open.pop();
        }
    }

    /// A member's name and its colon, up to the member's value.
    fn member_name(&mut self) -> Result<(), Error> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected());
        }
        self.skip_string()?;
        self.expect(b':')
    }

    /// Passes the string whose opening quote is at the position.
    fn skip_string(&mut self) -> Result<(), Error> {
        let (end, _) = string::scan(self.bytes(), self.offset() + 1)?;
        self.set_offset(end + 1);
        Ok(())
    }

    /// A string, number or literal at the position (no whitespace skipped).
    fn scalar(&mut self) -> Result<(), Error> {
        match self.byte() {
            Some(b'"') => self.skip_string(),
            Some(b'-' | b'0'..=b'9') => {
                let end = number::scan(self.bytes(), self.offset())?;
                self.set_offset(end);
                Ok(())
            }
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            _ => Err(self.unexpected()),
        }
    }
}

/// Reads for the parser's fast path ([`crate::parse`]): exact byte runs, no
/// whitespace skipped, so that the usual shape of a message is read without
/// the general machinery. Only the server's build has them; the browser's
/// reads everything the general way, and its package stays as small.
#[cfg(feature = "std")]
impl<'a> Cursor<'a> {
    /// Consumes `word` if the text goes on with exactly it; says whether it did.
    pub(crate) fn eat_exact(&mut self, word: &[u8]) -> bool {
        let at = self.offset();
        let found = self
            .bytes()
            .get(at..)
            .is_some_and(|rest| rest.starts_with(word));
        if found {
            self.set_offset(at + word.len());
        }
        found
    }

    /// [`Cursor::value`] at the position (no whitespace skipped), with a
    /// scalar, the usual id or method name, read straight away rather than
    /// through the loop that tracks open containers.
    // Inlined: returned through memory, its result is read back slowly.
    #[inline]
    pub(crate) fn value_here(&mut self, depth: usize) -> Result<&'a str, Error> {
        if let Some(b'[' | b'{') | None = self.byte() {
            return self.value(depth);
        }
        let start = self.offset();
        self.scalar()?;
        self.slice(start, self.offset())
    }
}
