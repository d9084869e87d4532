//! A parsed pattern compiled to a Thompson NFA (a flat list of
//! instructions), and `is_match` by simulating the set of its states over
//! the text: every state is visited at most once a character, so the time
//! is O(text × program) whatever the pattern, with no backtracking.

use super::parse::{Kind, Look, Node};
use std::cell::RefCell;

/// Not patched yet.
const HOLE: u32 = u32::MAX;

#[derive(Clone, Copy)]
pub(crate) enum Inst {
    /// One character (the common case), then `next`.
    Char(u32, u32),
    /// A character in `ranges[from..to]`, then `next` (none: never).
    Class {
        from: u32,
        to: u32,
        next: u32,
    },
    /// Either way, without reading.
    Split(u32, u32),
    /// On, without reading.
    Goto(u32),
    /// On if the assertion holds here.
    Look(Look, u32),
    Match,
}

/// The compiled size counted for the limits: each instruction as 16
/// bytes (what one takes in memory), each class range as 8.
pub(crate) const INST_BYTES: usize = 16;
pub(crate) const RANGE_BYTES: usize = 8;

/// A compiled pattern.
#[derive(Clone)]
pub(crate) struct Program {
    pub(crate) insts: Box<[Inst]>,
    pub(crate) ranges: Box<[(u32, u32)]>,
    pub(crate) start: u32,
    pub(crate) anchored: bool,
}

impl core::fmt::Debug for Program {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Regex({} instructions)", self.insts.len())
    }
}

/// The program would be larger than the limit.
pub(super) struct TooLarge;

struct Compiler<'a> {
    nodes: &'a [Node],
    insts: Vec<Inst>,
    ranges: Vec<(u32, u32)>,
    limit: usize,
}

/// A compiled part: where it starts, and the instruction whose way out
/// is still a hole.
#[derive(Clone, Copy)]
struct Frag {
    start: u32,
    end: u32,
}

/// Compiles the tree from `root`; its size in bytes, at most `limit`.
pub(super) fn compile(nodes: &[Node], root: usize, limit: usize) -> Result<(Program, usize), TooLarge> {
    let mut c = Compiler { nodes, insts: Vec::new(), ranges: Vec::new(), limit };
    let body = c.node(root)?;
    let done = c.add(Inst::Match)?;
    c.patch(body.end, done);
    let size = c.size();
    let program = Program {
        insts: c.insts.into_boxed_slice(),
        ranges: c.ranges.into_boxed_slice(),
        start: body.start,
        anchored: nodes.get(root).is_some_and(|n| n.anchored),
    };
    Ok((program, size))
}

impl Compiler<'_> {
    fn size(&self) -> usize {
        self.insts.len() * INST_BYTES + self.ranges.len() * RANGE_BYTES
    }

    fn add(&mut self, inst: Inst) -> Result<u32, TooLarge> {
        self.insts.push(inst);
        if self.size() > self.limit {
            return Err(TooLarge);
        }
        Ok(self.insts.len() as u32 - 1)
    }

    fn one(&mut self, inst: Inst) -> Result<Frag, TooLarge> {
        let id = self.add(inst)?;
        Ok(Frag { start: id, end: id })
    }

    /// Sets the hole of `from` (a split's second way when its first is set).
    fn patch(&mut self, from: u32, to: u32) {
        if let Some(inst) = self.insts.get_mut(from as usize) {
            match inst {
                Inst::Char(_, next) | Inst::Class { next, .. } | Inst::Goto(next) | Inst::Look(_, next) => *next = to,
                Inst::Split(a, b) => *(if *a == HOLE { a } else { b }) = to,
                Inst::Match => {}
            }
        }
    }

    fn node(&mut self, id: usize) -> Result<Frag, TooLarge> {
        let Some(node) = self.nodes.get(id) else { return self.one(Inst::Goto(HOLE)) };
        match &node.kind {
            Kind::Empty => self.one(Inst::Goto(HOLE)),
            Kind::Class(ranges) => match ranges.as_slice() {
                [(lo, hi)] if lo == hi => self.one(Inst::Char(*lo, HOLE)),
                _ => {
                    let from = self.ranges.len() as u32;
                    self.ranges.extend_from_slice(ranges);
                    let to = self.ranges.len() as u32;
                    self.one(Inst::Class { from, to, next: HOLE })
                }
            },
            Kind::Look(look) => self.one(Inst::Look(*look, HOLE)),
            Kind::Group(sub) => self.node(*sub),
            Kind::Concat(subs) => self.concat(subs.iter().copied()),
            Kind::Alt(subs) => {
                let end = self.add(Inst::Goto(HOLE))?;
                let mut start = HOLE;
                let mut open = HOLE;
                let mut subs = subs.iter().peekable();
                while let Some(&sub) = subs.next() {
                    let f = self.node(sub)?;
                    self.patch(f.end, end);
                    let entry = if subs.peek().is_some() { self.add(Inst::Split(f.start, HOLE))? } else { f.start };
                    if open == HOLE {
                        start = entry;
                    } else {
                        self.patch(open, entry);
                    }
                    open = entry;
                }
                Ok(Frag { start, end })
            }
            &Kind::Rep { min, max, sub } => match max {
                // `*`: a split into one copy, which loops back to it.
                None if min == 0 => {
                    let split = self.add(Inst::Split(HOLE, HOLE))?;
                    let f = self.node(sub)?;
                    self.patch(split, f.start);
                    self.patch(f.end, split);
                    Ok(Frag { start: split, end: split })
                }
                // `{min,}`: min copies, the last one looping.
                None => {
                    let first = if min > 1 { Some(self.concat((1..min).map(|_| sub))?) } else { None };
                    let last = self.node(sub)?;
                    let split = self.add(Inst::Split(last.start, HOLE))?;
                    self.patch(last.end, split);
                    let start = match first {
                        Some(f) => {
                            self.patch(f.end, last.start);
                            f.start
                        }
                        None => last.start,
                    };
                    Ok(Frag { start, end: split })
                }
                // `{min,max}`: min copies, then each further one optional.
                Some(max) => {
                    let Frag { start, mut end } = self.concat((0..min).map(|_| sub))?;
                    let out = self.add(Inst::Goto(HOLE))?;
                    for _ in min..max {
                        let f = self.node(sub)?;
                        let split = self.add(Inst::Split(f.start, out))?;
                        self.patch(end, split);
                        end = f.end;
                    }
                    self.patch(end, out);
                    Ok(Frag { start, end: out })
                }
            },
        }
    }

    /// The parts one after another (an empty list: one empty instruction).
    fn concat(&mut self, subs: impl Iterator<Item = usize>) -> Result<Frag, TooLarge> {
        let mut whole: Option<Frag> = None;
        for sub in subs {
            let f = self.node(sub)?;
            whole = Some(match whole {
                Some(w) => {
                    self.patch(w.end, f.start);
                    Frag { start: w.start, end: f.end }
                }
                None => f,
            });
        }
        match whole {
            Some(w) => Ok(w),
            None => self.one(Inst::Goto(HOLE)),
        }
    }
}

/// The states of one position: a sparse set (insert, test and clear in
/// constant time), kept from one match to the next.
#[derive(Default)]
struct Set {
    dense: Vec<u32>,
    sparse: Vec<u32>,
    len: usize,
}

impl Set {
    const fn new() -> Set {
        Set { dense: Vec::new(), sparse: Vec::new(), len: 0 }
    }

    fn reset(&mut self, n: usize) {
        if self.sparse.len() < n {
            self.sparse.resize(n, 0);
            self.dense.resize(n, 0);
        }
        self.len = 0;
    }

    /// Adds `id`; false if it was there already (or is out of range).
    fn insert(&mut self, id: u32) -> bool {
        let Some(&at) = self.sparse.get(id as usize) else { return false };
        if (at as usize) < self.len && self.dense.get(at as usize) == Some(&id) {
            return false;
        }
        let (Some(slot), Some(back)) = (self.dense.get_mut(self.len), self.sparse.get_mut(id as usize)) else {
            return false;
        };
        *slot = id;
        *back = self.len as u32;
        self.len += 1;
        true
    }
}

/// The matching memory, one per thread: after a thread's first match with
/// the largest program, matching does not allocate.
#[derive(Default)]
struct Cache {
    curr: Set,
    next: Set,
    stack: Vec<u32>,
}

thread_local! {
    static CACHE: RefCell<Cache> = const { RefCell::new(Cache { curr: Set::new(), next: Set::new(), stack: Vec::new() }) };
}

fn is_word(b: Option<u8>) -> bool {
    b.is_some_and(|b| b == b'_' || b.is_ascii_alphanumeric())
}

/// Whether `look` holds at byte `at` of the text (regex-lite's rules: word
/// characters are ASCII, tested on the bytes on either side).
fn look(look: Look, text: &[u8], at: usize) -> bool {
    let before = at.checked_sub(1).and_then(|i| text.get(i)).copied();
    let after = text.get(at).copied();
    let (wb, wa) = (is_word(before), is_word(after));
    match look {
        Look::Start => at == 0,
        Look::End => after.is_none(),
        Look::StartLf => at == 0 || before == Some(b'\n'),
        Look::EndLf => after.is_none() || after == Some(b'\n'),
        Look::StartCrlf => at == 0 || before == Some(b'\n') || (before == Some(b'\r') && after != Some(b'\n')),
        Look::EndCrlf => after.is_none() || after == Some(b'\r') || (after == Some(b'\n') && before != Some(b'\r')),
        Look::Word => wb != wa,
        Look::NotWord => wb == wa,
        Look::WordStart => !wb && wa,
        Look::WordEnd => wb && !wa,
        Look::WordStartHalf => !wb,
        Look::WordEndHalf => !wa,
    }
}

impl Program {
    /// Whether the pattern matches somewhere in `text`.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        CACHE
            .try_with(|cache| match cache.try_borrow_mut() {
                Ok(mut cache) => self.run(&mut cache, text),
                Err(_) => self.run(&mut Cache::default(), text),
            })
            .unwrap_or_else(|_| self.run(&mut Cache::default(), text))
    }

    fn run(&self, cache: &mut Cache, text: &str) -> bool {
        let Cache { curr, next, stack } = cache;
        curr.reset(self.insts.len());
        next.reset(self.insts.len());
        let bytes = text.as_bytes();
        let mut at = 0;
        loop {
            // A match may start here (anchored: only at the start).
            if at == 0 || !self.anchored {
                if self.closure(curr, stack, bytes, at, self.start) {
                    return true;
                }
            } else if curr.len == 0 {
                return false;
            }
            let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) else { return false };
            at += c.len_utf8();
            let c = c as u32;
            for &id in curr.dense.get(..curr.len).unwrap_or_default() {
                let to = match self.insts.get(id as usize) {
                    Some(&Inst::Char(want, to)) if want == c => to,
                    Some(&Inst::Class { from, to: end, next }) => {
                        let ranges = self.ranges.get(from as usize..end as usize).unwrap_or_default();
                        if !ranges.iter().take_while(|r| r.0 <= c).any(|r| c <= r.1) {
                            continue;
                        }
                        next
                    }
                    _ => continue,
                };
                if self.closure(next, stack, bytes, at, to) {
                    return true;
                }
            }
            core::mem::swap(curr, next);
            next.len = 0;
        }
    }

    /// Adds `from` and the states reached from it without reading (at byte
    /// `at`); true if that reaches the match.
    fn closure(&self, set: &mut Set, stack: &mut Vec<u32>, text: &[u8], at: usize, from: u32) -> bool {
        stack.clear();
        stack.push(from);
        while let Some(mut id) = stack.pop() {
            while set.insert(id) {
                id = match self.insts.get(id as usize) {
                    Some(&Inst::Goto(to)) => to,
                    Some(&Inst::Look(kind, to)) if look(kind, text, at) => to,
                    Some(&Inst::Split(a, b)) => {
                        stack.push(b);
                        a
                    }
                    Some(Inst::Match) => return true,
                    _ => break,
                };
            }
        }
        false
    }
}
