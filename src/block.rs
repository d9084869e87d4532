//! A block of timeline lines, handed back grouped by user.
//!
//! A timeline interleaves its users in time order, so consecutive steps
//! mostly belong to different users: every step reads a user's state
//! (signal windows, journal, values) that the previous steps pushed out of
//! the processor's caches. Users are independent (a step reads and changes
//! only its own user's engine), so `simulate` applies a block of lines one
//! user at a time, each user's lines in their order, and prints what they
//! wrote in line order: the same output, with a user's state in the cache
//! for all of its steps in the block. Measured: docs/architecture.md
//! ("Replay speed").
//!
//! A line is grouped only when its user is certain from its text alone
//! ([`user_of`]); any other line ends the block, after every line before
//! it, so it is applied after all of them, as in the input.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Lines a block holds at most (with [`BLOCK_BYTES`]): a few dozen steps
/// of each of a thousand interleaved users.
pub const BLOCK_LINES: usize = 1 << 16;

/// Bytes of text a block holds at most (it always takes one line, however
/// long: a line's own limit is `lines::MAX_LINE_BYTES`).
pub const BLOCK_BYTES: usize = 16 << 20;

struct Line {
    number: usize,
    start: usize,
    end: usize,
    /// The user's id, in `text`, when the text alone tells it.
    user: Option<(usize, usize)>,
}

/// Lines of a timeline, copied, and the order to apply them in.
pub struct Block {
    text: String,
    lines: Vec<Line>,
    max_lines: usize,
    /// Whether the last line ends the block (its user not certain).
    closed: bool,
    /// Scratch of [`Block::lines_by_user`]: each line's group, each
    /// group's next place, the order.
    keys: Vec<usize>,
    places: Vec<usize>,
    order: Vec<usize>,
    /// The lines copied in that order, and each one's number and place.
    sorted: String,
    spans: Vec<(usize, usize, usize)>,
}

impl Block {
    /// An empty block of at most `max_lines` lines (at least one).
    pub fn new(max_lines: usize) -> Block {
        Block {
            text: String::new(),
            lines: Vec::new(),
            max_lines: max_lines.max(1),
            closed: false,
            keys: Vec::new(),
            places: Vec::new(),
            order: Vec::new(),
            sorted: String::new(),
            spans: Vec::new(),
        }
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.lines.clear();
        self.closed = false;
    }

    /// Whether the block takes another line.
    pub fn has_room(&self) -> bool {
        !self.closed && self.lines.len() < self.max_lines && self.text.len() < BLOCK_BYTES
    }

    /// Adds line `number`.
    pub fn push(&mut self, number: usize, line: &str) {
        let start = self.text.len();
        self.text.push_str(line);
        let user = user_of(line).map(|(from, to)| (start + from, start + to));
        // A line whose user is not certain is applied after every line
        // before it, and before any after it: it ends the block.
        self.closed = user.is_none();
        self.lines.push(Line { number, start, end: self.text.len(), user });
    }

    /// The lines, as `(number, text)`, grouped by user in the order of
    /// each user's first line, each user's lines in their order; a last
    /// line whose user is not certain comes last.
    pub fn lines_by_user(&mut self) -> impl Iterator<Item = (usize, &str)> + '_ {
        self.order_by_user();
        // Copied in that order first: a user's lines lie far apart in
        // `text`, and reading each where it lies, between two steps, waited
        // for memory at almost every line; the copy's reads overlap.
        self.sorted.clear();
        self.spans.clear();
        for &i in &self.order {
            let Some(line) = self.lines.get(i) else { continue };
            let start = self.sorted.len();
            self.sorted.push_str(self.text.get(line.start..line.end).unwrap_or_default());
            self.spans.push((line.number, start, self.sorted.len()));
        }
        let sorted = &self.sorted;
        self.spans.iter().map(move |&(number, start, end)| (number, sorted.get(start..end).unwrap_or_default()))
    }

    /// Fills `order` with the lines' indexes: a stable counting sort by the
    /// user's group (groups numbered in the order of their first line).
    fn order_by_user(&mut self) {
        self.keys.clear();
        self.places.clear();
        self.order.clear();
        // Made once a block (a few dozen lines a user).
        let mut groups: HashMap<&str, usize, BuildHasherDefault<IdHasher>> = HashMap::default();
        for line in &self.lines {
            let next = self.places.len();
            // The last line may have no user: it gets a group of its own,
            // the last one (no line after it is in the block).
            let group = match line.user.and_then(|(from, to)| self.text.get(from..to)) {
                Some(user) => *groups.entry(user).or_insert(next),
                None => next,
            };
            if group == next {
                self.places.push(0);
            }
            if let Some(count) = self.places.get_mut(group) {
                *count += 1;
            }
            self.keys.push(group);
        }
        // Counts to first places.
        let mut at = 0;
        for place in &mut self.places {
            let count = *place;
            *place = at;
            at += count;
        }
        self.order.resize(self.lines.len(), 0);
        for (i, &group) in self.keys.iter().enumerate() {
            if let Some(place) = self.places.get_mut(group) {
                if let Some(slot) = self.order.get_mut(*place) {
                    *slot = i;
                }
                *place += 1;
            }
        }
    }
}

/// The hash of user ids (the replay's index of users, a block's groups): FxHash's mixing (rustc's), a few
/// instructions per word where the standard SipHash takes ~20 per byte.
/// User ids come from the timeline, not from an adversary the replay
/// must withstand. Measured: docs/architecture.md ("Replay speed").
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        // The last bytes as one word, zero-padded (a user id of up to 8
        // bytes takes one round instead of one a byte).
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            for (w, b) in word.iter_mut().zip(rest) {
                *w = *b;
            }
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
    }
}

/// Where the user's id is in `line`, when the text alone makes it certain:
/// the line starts `{"user":"`, the id has no escape or control character,
/// and the rest of the line has no backslash and no other `"user"` (so no
/// second `user` key, written plainly or with escapes, can replace it).
/// The step's reader gives this user, or refuses the line.
pub fn user_of(line: &str) -> Option<(usize, usize)> {
    const OPEN: &str = "{\"user\":\"";
    let rest = line.strip_prefix(OPEN)?;
    let len = crate::json::plain_len(rest.as_bytes())?;
    let after = rest.get(len..)?;
    if !after.starts_with('"') {
        return None;
    }
    let rest = after.get(1..).unwrap_or_default().as_bytes();
    if memchr::memchr(b'\\', rest).is_some() || user_key().find(rest).is_some() {
        return None;
    }
    Some((OPEN.len(), OPEN.len() + len))
}

/// The searcher of `"user"`, built once.
fn user_key() -> &'static memchr::memmem::Finder<'static> {
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    FINDER.get_or_init(|| memchr::memmem::Finder::new(b"\"user\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_is_read_only_when_certain() {
        fn user(line: &str) -> Option<&str> {
            user_of(line).and_then(|(a, b)| line.get(a..b))
        }
        assert_eq!(user(r#"{"user":"u1","at":"x","track":"a"}"#), Some("u1"));
        assert_eq!(user(r#"{"user":"","at":"x"}"#), Some(""));
        assert_eq!(user(r#"{"at":"x","user":"u1"}"#), None);
        assert_eq!(user(r#"{ "user":"u1"}"#), None);
        assert_eq!(user(r#"{"user":"u\"1","at":"x"}"#), None);
        assert_eq!(user(r#"{"user":"u1","at":"x","user":"u2"}"#), None);
        assert_eq!(user(r#"{"user":"u1","at":"x","\u0075ser":"u2"}"#), None);
        assert_eq!(user(r#"{"user":"u1"#), None);
        assert_eq!(user("{\"user\":\"u\n1\"}"), None);
        // A second `user` key or a backslash anywhere after the first.
        let base = r#"{"user":"u1","at":"2026-03-04T12:40:29Z","track":"a","props":{"k":"v"}}"#;
        assert_eq!(user(base), Some("u1"));
        for at in 12..base.len() {
            for insert in ["\"user\":\"u2\",", "\\"] {
                let line = format!("{}{insert}{}", &base[..at], &base[at..]);
                assert_eq!(user(&line), None, "{line}");
            }
            let line = format!("{}\"u{}", &base[..at], &base[at..]);
            assert_eq!(user(&line), Some("u1"), "{line}");
        }
    }

    fn order(lines: &[&str], max: usize) -> Vec<Vec<usize>> {
        let mut block = Block::new(max);
        let mut blocks = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            block.clear();
            while block.has_room() && i < lines.len() {
                block.push(i + 1, lines[i]);
                i += 1;
            }
            blocks.push(block.lines_by_user().map(|(n, _)| n).collect());
        }
        blocks
    }

    #[test]
    fn lines_are_grouped_by_user_and_an_uncertain_line_ends_the_block() {
        let lines = [
            r#"{"user":"a","at":"1"}"#,
            r#"{"user":"b","at":"2"}"#,
            r#"{"user":"a","at":"3"}"#,
            r#"{"user":"c","at":"4"}"#,
            r#"{"user":"b","at":"5"}"#,
            r#"{"at":"6","user":"a"}"#,
            r#"{"user":"a","at":"7"}"#,
            r#"{"user":"b","at":"8"}"#,
        ];
        assert_eq!(order(&lines, 100), vec![vec![1, 3, 2, 5, 4, 6], vec![7, 8]]);
        assert_eq!(order(&lines, 3), vec![vec![1, 3, 2], vec![4, 5, 6], vec![7, 8]]);
        assert_eq!(order(&lines, 1), (1..=8).map(|n| vec![n]).collect::<Vec<_>>());
    }
}
