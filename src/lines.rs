//! JSON Lines input with bounded memory: a line is read only up to
//! [`MAX_LINE_BYTES`], so an input without line breaks (`/dev/zero`, a
//! binary file) is refused at once instead of filling the memory.

use std::io::BufRead;

/// The longest line accepted, in bytes: four times the largest argument
/// the browser package accepts (1 MiB), so any step it can take fits.
pub const MAX_LINE_BYTES: usize = 4 << 20;

/// Why a line could not be read.
#[derive(Debug)]
pub enum LineError {
    /// Reading failed (the input, not its content).
    Io(std::io::Error),
    /// Longer than [`MAX_LINE_BYTES`].
    TooLong,
    /// Not UTF-8 text.
    NotUtf8,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineError::Io(e) => write!(f, "cannot read the input: {e}"),
            LineError::TooLong => write!(f, "the line is longer than {} MiB", MAX_LINE_BYTES >> 20),
            LineError::NotUtf8 => write!(f, "the line is not UTF-8 text"),
        }
    }
}

/// The lines of `input` (without `\n` or `\r\n`), numbered from 1; the
/// first error ends them.
pub fn lines<R: BufRead>(input: R) -> Lines<R> {
    Lines { input, max: MAX_LINE_BYTES, number: 0, done: false, pending: 0, buf: Vec::new() }
}

pub struct Lines<R> {
    input: R,
    max: usize,
    number: usize,
    done: bool,
    /// The bytes of the line last given out borrowed from the reader's
    /// buffer (with its `\n`): consumed at the next call, once the line is
    /// no longer borrowed.
    pending: usize,
    /// A line that straddles a refill of the reader's buffer, copied.
    buf: Vec<u8>,
}

impl<R: BufRead> Lines<R> {
    /// The same lines with another limit (tests).
    #[cfg(test)]
    pub fn with_max(self, max: usize) -> Self {
        Lines { max, ..self }
    }
}

impl<R: BufRead> Lines<R> {
    /// The next line, without a copy when it lies whole in the reader's
    /// buffer (almost every line of a replay: a line is copied into
    /// `buf`, reused, only when it straddles a refill). None at the end;
    /// the first error ends the lines.
    pub fn next_line(&mut self) -> Option<(usize, Result<&str, LineError>)> {
        if self.done {
            return None;
        }
        self.input.consume(std::mem::take(&mut self.pending));
        self.number += 1;
        // The line is borrowed when its `\n` is in the buffer within the
        // limit. Found first, then taken by a second `fill_buf` (which
        // only hands back the same buffer): a borrow returned from one
        // branch could not be let go in the other.
        let limit = self.max.saturating_add(1);
        let found = match self.input.fill_buf() {
            Ok(available) => find_line_end(available.get(..limit).unwrap_or(available)),
            // Tried again by `read_line`.
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => None,
            Err(e) => {
                self.done = true;
                return Some((self.number, Err(LineError::Io(e))));
            }
        };
        if let Some((end, ascii)) = found {
            let result = match self.input.fill_buf() {
                Ok(available) => {
                    let line = available.get(..end).unwrap_or(available);
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    if ascii {
                        // SAFETY: every byte of the line is below 0x80
                        // (`find_line_end`), and ASCII is UTF-8. Checked
                        // in the same pass as the search for its end: a
                        // second pass by `from_utf8` took more than that
                        // search (~130 instructions a line).
                        Ok(unsafe { std::str::from_utf8_unchecked(line) })
                    } else {
                        utf8(line)
                    }
                }
                Err(e) => Err(LineError::Io(e)),
            };
            self.pending = end + 1;
            self.done = result.is_err();
            return Some((self.number, result));
        }
        self.buf.clear();
        let result = match self.read_line() {
            Err(e) => Err(LineError::Io(e)),
            Ok(0) => return None,
            Ok(_) if self.buf.last() == Some(&b'\n') => {
                self.buf.pop();
                if self.buf.last() == Some(&b'\r') {
                    self.buf.pop();
                }
                Ok(())
            }
            Ok(_) if self.buf.len() > self.max => Err(LineError::TooLong),
            Ok(_) => Ok(()),
        };
        let result = result.and_then(|()| utf8(&self.buf));
        self.done = result.is_err();
        Some((self.number, result))
    }
}

/// The line as text, or [`LineError::NotUtf8`].
fn utf8(line: &[u8]) -> Result<&str, LineError> {
    std::str::from_utf8(line).map_err(|_| LineError::NotUtf8)
}

impl<R: BufRead> Lines<R> {
    /// Reads up to and including the next `\n` into `buf`, at most
    /// `max + 1` bytes: what `take(max + 1).read_until(b'\n', buf)` reads,
    /// without the adapter, the newline found a word at a time.
    fn read_line(&mut self) -> std::io::Result<usize> {
        let limit = self.max.saturating_add(1);
        let mut read = 0;
        loop {
            let available = match self.input.fill_buf() {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let room = limit.saturating_sub(read);
            let chunk = available.get(..room).unwrap_or(available);
            let (used, done) = match find_newline(chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), chunk.is_empty() || chunk.len() == room),
            };
            self.buf.extend_from_slice(chunk.get(..used).unwrap_or(chunk));
            self.input.consume(used);
            read += used;
            if done {
                return Ok(read);
            }
        }
    }
}

/// The index of the first `\n` in `bytes`, eight bytes at a time (a byte
/// equal to `\n` is a zero byte of the word xor `\n` repeated; the lowest
/// such byte is found exactly).
fn find_newline(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ (ONES * u64::from(b'\n'));
        let zero = x.wrapping_sub(ONES) & !x & HIGH;
        if zero != 0 {
            return Some(at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks.remainder().iter().position(|&b| b == b'\n').map(|i| at + i)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` equal to `\n` (exact for the
/// lowest one; a byte above it may be marked too).
#[inline(always)]
fn newlines(word: u64) -> u64 {
    let x = word ^ (ONES * u64::from(b'\n'));
    x.wrapping_sub(ONES) & !x & HIGH
}

/// The index of the first `\n` in `bytes`, and whether every byte before
/// it is ASCII: [`find_newline`] and an ASCII check in one pass, sixteen
/// bytes at a time. None without a `\n`.
fn find_line_end(bytes: &[u8]) -> Option<(usize, bool)> {
    let mut high = 0u64;
    let mut at = 0;
    let mut chunks = bytes.chunks_exact(16);
    for chunk in &mut chunks {
        let (a, b) = chunk.split_at(8);
        let (a, b) = (word(a), word(b));
        let (na, nb) = (newlines(a), newlines(b));
        if na | nb != 0 {
            // The bytes before the first `\n` (the lowest marked byte).
            let (i, before) = if na != 0 {
                let i = na.trailing_zeros() / 8;
                (i, a & !(u64::MAX << (8 * i)))
            } else {
                let i = nb.trailing_zeros() / 8;
                (8 + i, a | (b & !(u64::MAX << (8 * i))))
            };
            return Some((at + i as usize, (high | before) & HIGH == 0));
        }
        high |= a | b;
        at += 16;
    }
    let rest = chunks.remainder();
    let i = rest.iter().position(|&b| b == b'\n')?;
    let ascii = high & HIGH == 0 && rest.get(..i).is_some_and(<[u8]>::is_ascii);
    Some((at + i, ascii))
}

/// The first eight bytes (little-endian) as a word (0 for a shorter
/// slice, which the halves of a chunk of sixteen never are).
#[inline(always)]
fn word(bytes: &[u8]) -> u64 {
    bytes.first_chunk::<8>().map_or(0, |w| u64::from_le_bytes(*w))
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = (usize, Result<String, LineError>);

    fn next(&mut self) -> Option<Self::Item> {
        let (number, line) = self.next_line()?;
        Some((number, line.map(str::to_string)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &[u8], max: usize) -> Vec<Result<String, String>> {
        lines(text).with_max(max).map(|(_, l)| l.map_err(|e| e.to_string())).collect()
    }

    #[test]
    fn reads_lines_up_to_the_limit() {
        assert_eq!(all(b"ab\r\ncd\n\nef", 4), vec![Ok("ab".into()), Ok("cd".into()), Ok("".into()), Ok("ef".into())]);
        assert_eq!(all(b"abcd\nabcde\nx", 4)[1], Err(LineError::TooLong.to_string()));
        assert_eq!(all(b"abcd\nabcde\nx", 4).len(), 2, "the first error ends the lines");
        assert_eq!(all(b"abcde", 4).len(), 1);
        assert_eq!(all(b"a\xff\n", 4), vec![Err("the line is not UTF-8 text".into())]);
    }

    #[test]
    fn finds_the_first_newline_as_a_byte_search_does() {
        let mut text: Vec<u8> = (0..=255u8).filter(|&b| b != b'\n').collect();
        for at in [0, 1, 7, 8, 9, 15, 16, 100, 254] {
            for second in [None, Some(at + 1), Some(at + 8)] {
                let mut t = text.clone();
                t.insert(at, b'\n');
                if let Some(s) = second {
                    t.insert(s.min(t.len()), b'\n');
                }
                for len in [at, at + 1, at + 3, t.len()] {
                    let part = &t[..len.min(t.len())];
                    assert_eq!(find_newline(part), part.iter().position(|&b| b == b'\n'), "{at} {second:?} {len}");
                }
            }
        }
        text.truncate(13);
        assert_eq!(find_newline(&text), None);
        // Lines cut across the reader's buffer, and a limit inside one.
        let input = b"0123456789\nabcdefghijklmnopqrstuvwxyz\n\nxyz";
        let reader = std::io::BufReader::with_capacity(3, &input[..]);
        let got: Vec<_> = lines(reader).with_max(26).map(|(_, l)| l.map_err(|e| e.to_string())).collect();
        assert_eq!(
            got,
            vec![Ok("0123456789".into()), Ok("abcdefghijklmnopqrstuvwxyz".into()), Ok("".into()), Ok("xyz".into())]
        );
        let reader = std::io::BufReader::with_capacity(3, &input[..]);
        assert_eq!(lines(reader).with_max(25).nth(1).map(|(_, l)| l.is_err()), Some(true));
    }

    #[test]
    fn finds_the_end_of_a_line_and_whether_it_is_ascii() {
        let naive = |b: &[u8]| b.iter().position(|&c| c == b'\n').map(|i| (i, b[..i].is_ascii()));
        let base: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
        for newline in
            [None, Some(0), Some(1), Some(7), Some(8), Some(9), Some(15), Some(16), Some(17), Some(31), Some(33)]
        {
            for high in [None, Some(0), Some(5), Some(7), Some(8), Some(15), Some(16), Some(17), Some(32), Some(39)] {
                for len in [0, 1, 8, 15, 16, 17, 20, 32, 33, 40] {
                    let mut t = base.clone();
                    if let Some(h) = high {
                        t[h] = 0xc3;
                    }
                    if let Some(n) = newline {
                        t[n] = b'\n';
                    }
                    // A second newline, and a byte 0x8a (`\n` with the high bit).
                    t[34] = b'\n';
                    t[3] = if high == Some(0) { 0x8a } else { t[3] };
                    let part = &t[..len];
                    assert_eq!(find_line_end(part), naive(part), "{newline:?} {high:?} {len}");
                }
            }
        }
        assert_eq!(all("é\nab\n".as_bytes(), 4), vec![Ok("é".into()), Ok("ab".into())]);
        assert_eq!(all(b"ab\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4\xf3\xf2\xf1\n", 99).len(), 1);
    }

    #[test]
    fn an_endless_line_is_refused_without_reading_it_all() {
        let mut zeros = std::io::BufReader::new(std::io::repeat(0));
        let (n, first) = lines(&mut zeros).next().unwrap();
        assert_eq!(n, 1);
        assert!(matches!(first, Err(LineError::TooLong)));
    }
}
