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
    Lines { input, max: MAX_LINE_BYTES, number: 0, done: false }
}

pub struct Lines<R> {
    input: R,
    max: usize,
    number: usize,
    done: bool,
}

impl<R: BufRead> Lines<R> {
    /// The same lines with another limit (tests).
    #[cfg(test)]
    pub fn with_max(self, max: usize) -> Self {
        Lines { max, ..self }
    }
}

impl<R: BufRead> Lines<R> {
    /// The next line into `buf` (replacing what it held), without a new
    /// allocation per line: the replay of a large timeline reads every
    /// line through one buffer. None at the end; the first error ends the
    /// lines.
    pub fn next_into<'b>(&mut self, buf: &'b mut Vec<u8>) -> Option<(usize, Result<&'b str, LineError>)> {
        if self.done {
            return None;
        }
        buf.clear();
        let read = self.read_line(buf);
        self.number += 1;
        let result = match read {
            Err(e) => Err(LineError::Io(e)),
            Ok(0) => return None,
            Ok(_) if buf.last() == Some(&b'\n') => {
                buf.pop();
                if buf.last() == Some(&b'\r') {
                    buf.pop();
                }
                Ok(())
            }
            Ok(_) if buf.len() > self.max => Err(LineError::TooLong),
            Ok(_) => Ok(()),
        };
        let result = result.and_then(|()| std::str::from_utf8(buf).map_err(|_| LineError::NotUtf8));
        self.done = result.is_err();
        Some((self.number, result))
    }
}

impl<R: BufRead> Lines<R> {
    /// Reads up to and including the next `\n` into `buf`, at most
    /// `max + 1` bytes: what `take(max + 1).read_until(b'\n', buf)` reads,
    /// without the adapter, the newline found a word at a time.
    fn read_line(&mut self, buf: &mut Vec<u8>) -> std::io::Result<usize> {
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
            buf.extend_from_slice(chunk.get(..used).unwrap_or(chunk));
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
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
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

impl<R: BufRead> Iterator for Lines<R> {
    type Item = (usize, Result<String, LineError>);

    fn next(&mut self) -> Option<Self::Item> {
        let mut buf = Vec::new();
        let (number, line) = self.next_into(&mut buf)?;
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
    fn an_endless_line_is_refused_without_reading_it_all() {
        let mut zeros = std::io::BufReader::new(std::io::repeat(0));
        let (n, first) = lines(&mut zeros).next().unwrap();
        assert_eq!(n, 1);
        assert!(matches!(first, Err(LineError::TooLong)));
    }
}
