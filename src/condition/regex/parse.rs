//! The pattern's syntax: regex-lite 0.1.9's (RE2's, less Unicode
//! classes), read the way its parser reads it, so that a pattern is
//! accepted or refused as before and means the same. Its quirks are kept
//! on purpose (`(?i)` folds ASCII letters only, and a class range folds
//! one way: `(?i)[@-a]` has `A` but not `b`; `x` mode's comment skipping
//! in `[a- #...]`). The result is a tree of [`Node`]s in one arena (no
//! recursion to drop it), which `program` compiles. One narrowing: a group
//! name (`(?<name>...)`, `(?P<name>...)`) is ASCII (a letter or `_`, then
//! letters, digits, `_ . [ ]`); regex-lite also took Unicode letters and
//! digits, whose tables would cost 1.6 KB brotli of the browser's package.

/// What a node is. Characters are classes of one range; ranges are
/// sorted, disjoint and not adjacent.
pub(super) enum Kind {
    Empty,
    Class(Vec<(u32, u32)>),
    Look(Look),
    Rep {
        min: u32,
        max: Option<u32>,
        sub: usize,
    },
    /// A capturing group: the same as its sub-node, but one level deeper.
    Group(usize),
    Concat(Vec<usize>),
    Alt(Vec<usize>),
}

pub(super) struct Node {
    pub(super) kind: Kind,
    /// Levels from this node to its deepest leaf (a leaf: 1).
    height: u32,
    /// Matches only at the start of the text.
    pub(super) anchored: bool,
}

/// Zero-width assertions, at a position of the text (between bytes).
#[derive(Clone, Copy)]
pub(crate) enum Look {
    Start,
    End,
    StartLf,
    EndLf,
    StartCrlf,
    EndCrlf,
    Word,
    NotWord,
    WordStart,
    WordEnd,
    WordStartHalf,
    WordEndHalf,
}

/// What is wrong, and the byte of the pattern where it was found.
pub(crate) struct Error {
    pub(crate) what: &'static str,
    pub(crate) at: usize,
}

/// Groups (and the levels of the tree) nest at most this deep.
const NEST_LIMIT: u32 = 50;

#[derive(Clone, Copy, Default)]
struct Flags {
    i: bool,
    m: bool,
    s: bool,
    r: bool,
    x: bool,
}

/// The result of an escape: a character, a class or an assertion.
enum Item {
    Char(char),
    Class(Vec<(u32, u32)>),
    Look(Look),
}

struct Parser<'a> {
    p: &'a str,
    pos: usize,
    flags: Flags,
    depth: u32,
    names: Vec<&'a str>,
    nodes: Vec<Node>,
}

/// Parses a pattern: the arena of its nodes and the root's index.
pub(super) fn parse(pattern: &str, case_insensitive: bool) -> Result<(Vec<Node>, usize), Error> {
    let mut parser = Parser {
        p: pattern,
        pos: 0,
        flags: Flags { i: case_insensitive, ..Flags::default() },
        depth: 0,
        names: Vec::new(),
        nodes: Vec::new(),
    };
    let root = parser.inner()?;
    if parser.nodes.get(root).is_some_and(|n| n.height > NEST_LIMIT + 1) {
        return Err(parser.err("nested more than 50 deep"));
    }
    Ok((parser.nodes, root))
}

const WORD: [(u32, u32); 4] = [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)];
const SPACE: [(u32, u32); 2] = [(0x09, 0x0D), (0x20, 0x20)];
const DIGIT: [(u32, u32); 1] = [(0x30, 0x39)];

fn posix(name: &str) -> Option<&'static [(u32, u32)]> {
    Some(match name {
        "alnum" => &[(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
        "alpha" => &[(0x41, 0x5A), (0x61, 0x7A)],
        "ascii" => &[(0, 0x7F)],
        "blank" => &[(0x09, 0x09), (0x20, 0x20)],
        "cntrl" => &[(0, 0x1F), (0x7F, 0x7F)],
        "digit" => &DIGIT,
        "graph" => &[(0x21, 0x7E)],
        "lower" => &[(0x61, 0x7A)],
        "print" => &[(0x20, 0x7E)],
        "punct" => &[(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
        "space" => &SPACE,
        "upper" => &[(0x41, 0x5A)],
        "word" => &WORD,
        "xdigit" => &[(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
        _ => return None,
    })
}

/// Sorts and merges ranges (overlapping or adjacent).
fn canonical(mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    crate::collections::heap_sort_by(&mut ranges, |a, b| a < b);
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        match out.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

/// The complement of canonical ranges within 0..=0x10FFFF.
fn negate(ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::with_capacity(ranges.len() + 1);
    let mut next = 0;
    for &(lo, hi) in ranges {
        if lo > next {
            out.push((next, lo - 1));
        }
        next = hi + 1;
    }
    if next <= 0x10FFFF {
        out.push((next, 0x10FFFF));
    }
    out
}

/// regex-lite's ASCII fold of one range: its part in `a-z` upper-cased,
/// or else its part in `A-Z` lower-cased (not both).
fn fold(&(lo, hi): &(u32, u32)) -> Option<(u32, u32)> {
    if lo <= 0x7A && hi >= 0x61 {
        return Some((lo.max(0x61) - 32, hi.min(0x7A) - 32));
    }
    if lo <= 0x5A && hi >= 0x41 {
        return Some((lo.max(0x41) + 32, hi.min(0x5A) + 32));
    }
    None
}

fn fold_all(mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    let folded: Vec<_> = ranges.iter().filter_map(fold).collect();
    ranges.extend(folded);
    canonical(ranges)
}

fn is_hex(c: char) -> bool {
    c.is_ascii_hexdigit()
}

fn is_meta(c: char) -> bool {
    "\\.+*?()|[]{}^$#&-~".contains(c)
}

impl<'a> Parser<'a> {
    fn err(&self, what: &'static str) -> Error {
        Error { what, at: self.pos }
    }

    fn cur(&self) -> Option<char> {
        self.p.get(self.pos..).and_then(|s| s.chars().next())
    }

    fn is(&self, c: char) -> bool {
        self.cur() == Some(c)
    }

    fn is_done(&self) -> bool {
        self.pos >= self.p.len()
    }

    /// Moves past the current character; whether one follows.
    fn bump(&mut self) -> bool {
        if let Some(c) = self.cur() {
            self.pos += c.len_utf8();
        }
        !self.is_done()
    }

    fn bump_if(&mut self, prefix: &str) -> bool {
        let yes = self.p.get(self.pos..).is_some_and(|s| s.starts_with(prefix));
        if yes {
            self.pos += prefix.len();
        }
        yes
    }

    fn bump_and_bump_space(&mut self) -> bool {
        if !self.bump() {
            return false;
        }
        self.bump_space();
        !self.is_done()
    }

    fn bump_space(&mut self) {
        if !self.flags.x {
            return;
        }
        while let Some(c) = self.cur() {
            if c.is_whitespace() {
                self.bump();
            } else if c == '#' {
                self.bump();
                while let Some(c) = self.cur() {
                    self.bump();
                    if c == '\n' {
                        break;
                    }
                }
            } else {
                break;
            }
        }
    }

    fn peek(&self) -> Option<char> {
        let c = self.cur()?;
        self.p.get(self.pos + c.len_utf8()..)?.chars().next()
    }

    /// The character after the current one, past white space in `x`
    /// mode (regex-lite's loop, which stops at the first character after
    /// a `#` that is not white space).
    fn peek_space(&self) -> Option<char> {
        if !self.flags.x {
            return self.peek();
        }
        let c = self.cur()?;
        let mut start = self.pos + c.len_utf8();
        let rest = self.p.get(start..)?;
        let mut in_comment = false;
        for (i, ch) in rest.char_indices() {
            if ch.is_whitespace() {
                continue;
            } else if !in_comment && ch == '#' {
                in_comment = true;
            } else {
                start += i;
                break;
            }
        }
        self.p.get(start..)?.chars().next()
    }

    fn node(&mut self, kind: Kind) -> usize {
        let sub = |i: &usize| self.nodes.get(*i);
        let (height, anchored) = match &kind {
            Kind::Empty | Kind::Class(_) => (1, false),
            Kind::Look(look) => (1, matches!(look, Look::Start)),
            Kind::Rep { min, sub: s, .. } => {
                let s = sub(s);
                (s.map_or(1, |n| n.height + 1), *min > 0 && s.is_some_and(|n| n.anchored))
            }
            Kind::Group(s) => sub(s).map_or((1, false), |n| (n.height + 1, n.anchored)),
            Kind::Concat(subs) | Kind::Alt(subs) => {
                let height = subs.iter().filter_map(sub).map(|n| n.height).max().unwrap_or(0) + 1;
                let anchored = if matches!(kind, Kind::Concat(_)) {
                    subs.first().and_then(sub).is_some_and(|n| n.anchored)
                } else {
                    subs.iter().filter_map(sub).all(|n| n.anchored)
                };
                (height, anchored)
            }
        };
        self.nodes.push(Node { kind, height, anchored });
        self.nodes.len() - 1
    }

    fn seq(&mut self, mut subs: Vec<usize>, alt: bool) -> usize {
        match subs.len() {
            0 => self.node(Kind::Empty),
            1 => subs.pop().unwrap_or_default(),
            _ if alt => self.node(Kind::Alt(subs)),
            _ => self.node(Kind::Concat(subs)),
        }
    }

    fn char_node(&mut self, c: char) -> usize {
        let kind = match self.char_item(c) {
            Item::Class(ranges) => Kind::Class(ranges),
            _ => Kind::Class(vec![(c as u32, c as u32)]),
        };
        self.node(kind)
    }

    /// A character, or with `i` an ASCII letter's class of both cases.
    fn char_item(&self, c: char) -> Item {
        let range = (c as u32, c as u32);
        match fold(&range) {
            Some(other) if self.flags.i => Item::Class(canonical(vec![range, other])),
            _ => Item::Char(c),
        }
    }

    fn inner(&mut self) -> Result<usize, Error> {
        let depth = self.depth;
        if depth > NEST_LIMIT {
            return Err(self.err("nested more than 50 deep"));
        }
        self.depth += 1;
        let mut alternates = vec![];
        let mut concat = vec![];
        loop {
            self.bump_space();
            let Some(c) = self.cur() else { break };
            match c {
                '(' => {
                    let old = self.flags;
                    if let Some(sub) = self.group()? {
                        concat.push(sub);
                        self.flags = old;
                    }
                    if !self.is(')') {
                        return Err(self.err("unclosed group"));
                    }
                    self.bump();
                }
                ')' => {
                    if depth == 0 {
                        return Err(self.err("unopened group"));
                    }
                    break;
                }
                '|' => {
                    let seq = self.seq(core::mem::take(&mut concat), false);
                    alternates.push(seq);
                    self.bump();
                }
                '[' => {
                    let class = self.class()?;
                    concat.push(self.node(Kind::Class(class)));
                }
                '?' | '*' | '+' | '{' => {
                    let Some(sub) = concat.pop() else {
                        return Err(self.err("nothing to repeat"));
                    };
                    let rep = self.repetition(c, sub)?;
                    concat.push(rep);
                }
                _ => {
                    self.bump();
                    let node = match c {
                        '\\' => match self.escape()? {
                            Item::Char(c) => self.char_node(c),
                            Item::Class(ranges) => self.node(Kind::Class(ranges)),
                            Item::Look(look) => self.node(Kind::Look(look)),
                        },
                        '.' => {
                            let dot = match (self.flags.s, self.flags.r) {
                                (true, _) => vec![(0, 0x10FFFF)],
                                (false, true) => vec![(0, 9), (0x0B, 0x0C), (0x0E, 0x10FFFF)],
                                (false, false) => vec![(0, 9), (0x0B, 0x10FFFF)],
                            };
                            self.node(Kind::Class(dot))
                        }
                        '^' | '$' => {
                            let start = c == '^';
                            let look = match (self.flags.m, self.flags.r, start) {
                                (false, _, true) => Look::Start,
                                (false, _, false) => Look::End,
                                (true, false, true) => Look::StartLf,
                                (true, false, false) => Look::EndLf,
                                (true, true, true) => Look::StartCrlf,
                                (true, true, false) => Look::EndCrlf,
                            };
                            self.node(Kind::Look(look))
                        }
                        c => self.char_node(c),
                    };
                    concat.push(node);
                }
            }
        }
        self.depth -= 1;
        let seq = self.seq(concat, false);
        alternates.push(seq);
        Ok(self.seq(alternates, true))
    }

    fn escape(&mut self) -> Result<Item, Error> {
        let Some(c) = self.cur() else {
            return Err(self.err("unfinished escape"));
        };
        match c {
            '0'..='9' => return Err(self.err("backreferences are not supported")),
            'p' | 'P' => return Err(self.err("Unicode classes are not supported")),
            'x' | 'u' | 'U' => return self.hex(c),
            'd' | 's' | 'w' | 'D' | 'S' | 'W' => {
                self.bump();
                let ranges = match c.to_ascii_lowercase() {
                    'd' => DIGIT.to_vec(),
                    's' => SPACE.to_vec(),
                    _ => WORD.to_vec(),
                };
                return Ok(Item::Class(if c.is_ascii_uppercase() { negate(&ranges) } else { ranges }));
            }
            _ => {}
        }
        self.bump();
        if is_meta(c) || (c.is_ascii() && !c.is_ascii_alphanumeric() && c != '<' && c != '>') {
            return Ok(self.char_item(c));
        }
        let special = match c {
            'a' => '\x07',
            'f' => '\x0C',
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            'v' => '\x0B',
            _ => {
                let look = match c {
                    'A' => Look::Start,
                    'z' => Look::End,
                    'b' if self.is('{') => self.special_word_boundary()?,
                    'b' => Look::Word,
                    'B' => Look::NotWord,
                    '<' => Look::WordStart,
                    '>' => Look::WordEnd,
                    _ => return Err(self.err("unknown escape")),
                };
                return Ok(Item::Look(look));
            }
        };
        Ok(self.char_item(special))
    }

    /// `\b{start}`, `\b{end}`, `\b{start-half}`, `\b{end-half}`; `\b` then
    /// a repetition when the brace is not followed by a letter or `-`.
    fn special_word_boundary(&mut self) -> Result<Look, Error> {
        let valid = |c: char| c.is_ascii_alphabetic() || c == '-';
        let start = self.pos;
        if !self.bump_and_bump_space() {
            return Err(self.err("unclosed word boundary"));
        }
        if !self.cur().is_some_and(valid) {
            self.pos = start;
            return Ok(Look::Word);
        }
        let mut name = String::new();
        while let Some(c) = self.cur().filter(|&c| valid(c)) {
            name.push(c);
            self.bump_and_bump_space();
        }
        if !self.is('}') {
            return Err(self.err("unknown word boundary"));
        }
        self.bump();
        Ok(match name.as_str() {
            "start" => Look::WordStart,
            "end" => Look::WordEnd,
            "start-half" => Look::WordStartHalf,
            "end-half" => Look::WordEndHalf,
            _ => return Err(self.err("unknown word boundary")),
        })
    }

    /// `\x7F`, `\u2603`, `\U0001F4A9` or any of them with braces: `\x{1F4A9}`.
    fn hex(&mut self, c: char) -> Result<Item, Error> {
        let digits = match c {
            'x' => 2,
            'u' => 4,
            _ => 8,
        };
        if !self.bump_and_bump_space() {
            return Err(self.err("invalid hex escape"));
        }
        let mut value: Option<u32> = Some(0);
        let mut add = |d: char| value = value.and_then(|v| v.checked_mul(16)?.checked_add(d.to_digit(16)?));
        if self.is('{') {
            let mut empty = true;
            while self.bump_and_bump_space() && !self.is('}') {
                match self.cur() {
                    Some(d) if is_hex(d) => add(d),
                    _ => return Err(self.err("invalid hex escape")),
                }
                empty = false;
            }
            if self.is_done() {
                return Err(self.err("invalid hex escape"));
            }
            self.bump_and_bump_space();
            if empty {
                return Err(self.err("invalid hex escape"));
            }
        } else {
            for i in 0..digits {
                if i > 0 && !self.bump_and_bump_space() {
                    return Err(self.err("invalid hex escape"));
                }
                match self.cur() {
                    Some(d) if is_hex(d) => add(d),
                    _ => return Err(self.err("invalid hex escape")),
                }
            }
            self.bump_and_bump_space();
        }
        match value.and_then(char::from_u32) {
            Some(c) => Ok(self.char_item(c)),
            None => Err(self.err("not a Unicode character")),
        }
    }

    fn decimal(&mut self) -> Result<u32, Error> {
        while self.cur().is_some_and(char::is_whitespace) {
            self.bump();
        }
        let mut value: Option<u32> = Some(0);
        let mut empty = true;
        while let Some(d) = self.cur().and_then(|c| c.to_digit(10)) {
            value = value.and_then(|v| v.checked_mul(10)?.checked_add(d));
            empty = false;
            self.bump_and_bump_space();
        }
        while self.cur().is_some_and(char::is_whitespace) {
            self.bump_and_bump_space();
        }
        if empty {
            return Err(self.err("invalid repetition count"));
        }
        value.ok_or_else(|| self.err("invalid repetition count"))
    }

    /// `?`, `*`, `+` or `{n}`, `{n,}`, `{n,m}` (each maybe lazy: `?` after,
    /// which changes nothing to whether there is a match) applied to `sub`.
    fn repetition(&mut self, c: char, sub: usize) -> Result<usize, Error> {
        let (min, max) = match c {
            '?' => (0, Some(1)),
            '*' => (0, None),
            '+' => (1, None),
            _ => {
                if !self.bump_and_bump_space() {
                    return Err(self.err("unclosed counted repetition"));
                }
                let min = self.decimal()?;
                let mut max = Some(min);
                if self.is_done() {
                    return Err(self.err("unclosed counted repetition"));
                }
                if self.is(',') {
                    if !self.bump_and_bump_space() {
                        return Err(self.err("unclosed counted repetition"));
                    }
                    max = if self.is('}') { None } else { Some(self.decimal()?) };
                    if self.is_done() {
                        return Err(self.err("unclosed counted repetition"));
                    }
                }
                if !self.is('}') {
                    return Err(self.err("unclosed counted repetition"));
                }
                if max.is_some_and(|max| min > max) {
                    // Checked after the lazy `?` in regex-lite: the same outcome.
                    return Err(self.err("repetition min above max"));
                }
                (min, max)
            }
        };
        let more = if c == '{' { self.bump_and_bump_space() } else { self.bump() };
        if more && self.is('?') {
            self.bump();
        }
        Ok(match (min, max) {
            (0, Some(0)) => self.node(Kind::Empty),
            (1, Some(1)) => sub,
            _ => self.node(Kind::Rep { min, max, sub }),
        })
    }

    /// After `(`: a group, or `None` for flags that apply to the rest of
    /// the enclosing group (`(?i)`). The caller checks the closing `)`.
    fn group(&mut self) -> Result<Option<usize>, Error> {
        self.bump_and_bump_space();
        if self.bump_if("?=") || self.bump_if("?!") || self.bump_if("?<=") || self.bump_if("?<!") {
            return Err(self.err("lookaround is not supported"));
        }
        if self.bump_if("?P<") || self.bump_if("?<") {
            self.capture_name()?;
            let sub = self.inner()?;
            return Ok(Some(self.node(Kind::Group(sub))));
        }
        if !self.bump_if("?") {
            let sub = self.inner()?;
            return Ok(Some(self.node(Kind::Group(sub))));
        }
        if self.is_done() {
            return Err(self.err("unclosed group"));
        }
        let start = self.pos;
        self.flags = self.flag_list()?;
        if self.is(')') {
            if self.pos == start {
                return Err(self.err("empty flags"));
            }
            return Ok(None);
        }
        // flag_list stopped at ':'.
        self.bump();
        self.inner().map(Some)
    }

    fn capture_name(&mut self) -> Result<(), Error> {
        if self.is_done() {
            return Err(self.err("unclosed group name"));
        }
        let start = self.pos;
        while let Some(c) = self.cur() {
            if c == '>' {
                break;
            }
            let ok = c == '_'
                || if self.pos == start {
                    c.is_ascii_alphabetic()
                } else {
                    c == '.' || c == '[' || c == ']' || c.is_ascii_alphanumeric()
                };
            if !ok {
                return Err(self.err("invalid group name"));
            }
            self.bump();
        }
        if self.is_done() {
            return Err(self.err("unclosed group name"));
        }
        let name = self.p.get(start..self.pos).unwrap_or_default();
        self.bump();
        if name.is_empty() {
            return Err(self.err("empty group name"));
        }
        if self.names.contains(&name) {
            return Err(self.err("duplicate group name"));
        }
        self.names.push(name);
        Ok(())
    }

    fn flag_list(&mut self) -> Result<Flags, Error> {
        let mut flags = self.flags;
        let mut negate = false;
        let mut last_was_negation = false;
        let mut seen = String::new();
        while let Some(c) = self.cur().filter(|&c| c != ':' && c != ')') {
            if c == '-' {
                last_was_negation = true;
                if negate {
                    return Err(self.err("invalid flags"));
                }
                negate = true;
            } else {
                last_was_negation = false;
                let on = !negate;
                match c {
                    'i' => flags.i = on,
                    'm' => flags.m = on,
                    's' => flags.s = on,
                    'R' => flags.r = on,
                    'x' => flags.x = on,
                    // Greed (U) changes nothing to whether there is a match; u is always on.
                    'U' | 'u' => {}
                    _ => return Err(self.err("unknown flag")),
                }
                if seen.contains(c) {
                    return Err(self.err("invalid flags"));
                }
                seen.push(c);
            }
            if !self.bump() {
                return Err(self.err("unclosed group"));
            }
        }
        if last_was_negation {
            return Err(self.err("invalid flags"));
        }
        Ok(flags)
    }

    /// `[...]`: the ranges of a bracketed class (folded, then negated).
    fn class(&mut self) -> Result<Vec<(u32, u32)>, Error> {
        const UNCLOSED: &str = "unclosed class";
        let mut union: Vec<(u32, u32)> = vec![];
        if !self.bump_and_bump_space() {
            return Err(self.err(UNCLOSED));
        }
        let negated = self.is('^');
        if negated && !self.bump_and_bump_space() {
            return Err(self.err(UNCLOSED));
        }
        while self.is('-') {
            union.push((0x2D, 0x2D));
            if !self.bump_and_bump_space() {
                return Err(self.err(UNCLOSED));
            }
        }
        if union.is_empty() && self.is(']') {
            union.push((0x5D, 0x5D));
            if !self.bump_and_bump_space() {
                return Err(self.err(UNCLOSED));
            }
        }
        loop {
            self.bump_space();
            let Some(c) = self.cur() else {
                return Err(self.err(UNCLOSED));
            };
            let twice = self.peek() == Some(c);
            match c {
                '[' => match self.posix_class() {
                    Some(ranges) => union.extend(ranges),
                    None => return Err(self.err("nested class")),
                },
                ']' => {
                    self.bump();
                    let mut class = canonical(union);
                    if self.flags.i {
                        class = fold_all(class);
                    }
                    return Ok(if negated { negate(&class) } else { class });
                }
                '&' | '-' | '~' if twice => return Err(self.err("class operations are not supported")),
                _ => self.class_range(&mut union)?,
            }
        }
    }

    fn class_range(&mut self, union: &mut Vec<(u32, u32)>) -> Result<(), Error> {
        let first = self.class_item()?;
        self.bump_space();
        if self.is_done() {
            return Err(self.err("unclosed class"));
        }
        if !self.is('-') || matches!(self.peek_space(), Some(']' | '-')) {
            match first {
                Item::Char(c) => union.push((c as u32, c as u32)),
                Item::Class(ranges) => union.extend(ranges),
                Item::Look(_) => return Err(self.err("assertion in a class")),
            }
            return Ok(());
        }
        if !self.bump_and_bump_space() {
            return Err(self.err("unclosed class"));
        }
        let last = self.class_item()?;
        let (Item::Char(lo), Item::Char(hi)) = (first, last) else {
            return Err(self.err("invalid class range"));
        };
        if lo > hi {
            return Err(self.err("range out of order"));
        }
        union.push((lo as u32, hi as u32));
        Ok(())
    }

    fn class_item(&mut self) -> Result<Item, Error> {
        let c = self.cur().unwrap_or_default();
        self.bump();
        if c == '\\' {
            self.escape()
        } else {
            Ok(Item::Char(c))
        }
    }

    /// `[:alpha:]` or `[:^alpha:]` inside a class; `None` (and nothing
    /// read) if it is not one.
    fn posix_class(&mut self) -> Option<Vec<(u32, u32)>> {
        let start = self.pos;
        let rest = self.p.get(start + 1..)?.strip_prefix(':')?;
        let (negated, rest) = match rest.strip_prefix('^') {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        let end = rest.find(':')?;
        let name = rest.get(..end)?;
        if !rest.get(end..)?.starts_with(":]") {
            return None;
        }
        let ranges = posix(name)?;
        self.pos = self.p.len() - rest.len() + end + 2;
        Some(if negated { negate(ranges) } else { ranges.to_vec() })
    }
}
