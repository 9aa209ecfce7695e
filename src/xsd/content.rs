//! Content models: matching a sequence of child elements against a particle tree, and the
//! Unique Particle Attribution check (cos-nonambig).
//!
//! A match position is a stack of frames from the outermost particle inwards, with occurrence
//! counters instead of unrolled repetitions, so `maxOccurs="1000000"` costs no more than `1`.
//! Validation simulates all positions at once (a set, normally of one element since schemas obey
//! UPA); the UPA check explores every reachable position with counters abstracted to the classes
//! that decide the next move (below minOccurs, between, at maxOccurs).

use std::collections::HashSet;

use super::model::{Particle, ParticleId, Term};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Frame {
    /// Inside particle `p`, in its `n`th iteration (1-based).
    Particle { p: ParticleId, n: u32 },
    /// Inside the sequence of the enclosing particle frame; `next` child comes next.
    Sequence { next: usize },
    /// Inside the all group of the enclosing particle frame; bits of the children seen.
    All { done: Vec<u64> },
}

type Position = Vec<Frame>;

/// A safety net for schemas that break UPA yet are validated: positions beyond this are dropped.
const MAX_POSITIONS: usize = 256;

/// The particles of a schema set with their precomputed emptiability.
pub struct Models<'p> {
    particles: &'p [Particle],
    nullable: &'p [bool],
}

/// Where a content model match stands after some children.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct MatchState {
    started: bool,
    positions: Vec<Position>,
}

/// Working memory of walks over content models, kept from step to step (and element to
/// element), so a step in the usual one-position case allocates nothing.
#[derive(Debug, Clone, Default)]
pub struct Buffers {
    /// The position being built: walkers push a frame, recurse and pop it again.
    stack: Position,
    /// The moves found: the leaf matched and the position after it.
    out: Vec<(ParticleId, Position)>,
    /// Position vectors no longer used, to be refilled instead of allocated.
    spare: Vec<Position>,
}

/// One walk: its buffers, the test a leaf must pass, and whether counters are abstracted to
/// their classes (for the UPA check) or exact (for validation).
struct Walk<'f> {
    buffers: Buffers,
    matches: &'f mut dyn FnMut(ParticleId) -> bool,
    abstract_counts: bool,
}

fn bit(done: &[u64], j: usize) -> bool {
    done.get(j / 64).is_some_and(|w| w & (1 << (j % 64)) != 0)
}

fn with_bit(done: &[u64], j: usize) -> Vec<u64> {
    let mut d = done.to_vec();
    if d.len() <= j / 64 {
        d.resize(j / 64 + 1, 0);
    }
    d[j / 64] |= 1 << (j % 64);
    d
}

/// Computes which particles can match nothing, for a whole particle arena.
pub fn compute_nullable(particles: &[Particle]) -> Vec<bool> {
    fn visit(
        particles: &[Particle],
        p: ParticleId,
        memo: &mut [Option<bool>],
        depth: usize,
    ) -> bool {
        if let Some(v) = memo[p] {
            return v;
        }
        let part = &particles[p];
        let v = part.min == 0
            || depth > 256
            || match &part.term {
                Term::Element(_) | Term::Wildcard(_) => false,
                Term::Sequence(ch) | Term::All(ch) => {
                    ch.iter().all(|&c| visit(particles, c, memo, depth + 1))
                }
                Term::Choice(ch) => ch.iter().any(|&c| visit(particles, c, memo, depth + 1)),
            };
        memo[p] = Some(v);
        v
    }
    let mut memo = vec![None; particles.len()];
    (0..particles.len())
        .map(|p| visit(particles, p, &mut memo, 0))
        .collect()
}

impl<'p> Models<'p> {
    pub fn new(particles: &'p [Particle], nullable: &'p [bool]) -> Self {
        Models {
            particles,
            nullable,
        }
    }

    fn term_nullable(&self, p: ParticleId) -> bool {
        match &self.particles[p].term {
            Term::Element(_) | Term::Wildcard(_) => false,
            Term::Sequence(ch) | Term::All(ch) => ch.iter().all(|&c| self.nullable[c]),
            Term::Choice(ch) => ch.iter().any(|&c| self.nullable[c]),
        }
    }

    fn children(&self, p: ParticleId) -> &[ParticleId] {
        match &self.particles[p].term {
            Term::Sequence(ch) | Term::Choice(ch) | Term::All(ch) => ch,
            Term::Element(_) | Term::Wildcard(_) => &[],
        }
    }

    /// The counter values an iteration after the `n`th may have: `(values, how many)`.
    fn next_counts(&self, p: ParticleId, n: u32, abstract_counts: bool) -> ([u32; 4], usize) {
        let part = &self.particles[p];
        let below_max = |k: u32| part.max.is_none_or(|m| k <= m);
        let mut out = [0; 4];
        if !abstract_counts {
            // with no upper bound only "minOccurs reached" matters, so counts stop there and
            // repetitions of repetitions do not multiply positions
            out[0] = if part.max.is_none() {
                n.saturating_add(1).min(part.min.max(1))
            } else {
                n.saturating_add(1)
            };
            return (out, usize::from(below_max(n + 1)));
        }
        let mut len = 0;
        for k in [
            Some(n.saturating_add(1)),
            Some(part.min),
            Some(part.min.saturating_add(1)),
            part.max,
        ]
        .into_iter()
        .flatten()
        {
            if k > n && below_max(k) {
                let class = self.count_class(p, k);
                if !out[..len].contains(&class) {
                    out[len] = class;
                    len += 1;
                }
            }
        }
        (out, len)
    }

    /// The representative of the counter class `k` belongs to.
    fn count_class(&self, p: ParticleId, k: u32) -> u32 {
        let part = &self.particles[p];
        if part.max == Some(k) {
            k
        } else if k < part.min {
            1
        } else {
            part.min.max(1)
        }
    }

    // The walkers below share one position stack (`Walk::buffers`): they push a frame, recurse
    // and pop it again, and copy the stack only for a leaf that matches, into a spare vector.

    fn particle_first(&self, p: ParticleId, walk: &mut Walk) {
        let part = &self.particles[p];
        if part.max == Some(0) {
            return;
        }
        let n = if walk.abstract_counts {
            self.count_class(p, 1)
        } else {
            1
        };
        walk.buffers.stack.push(Frame::Particle { p, n });
        self.term_first(p, walk);
        walk.buffers.stack.pop();
    }

    fn term_first(&self, p: ParticleId, walk: &mut Walk) {
        match &self.particles[p].term {
            Term::Element(_) | Term::Wildcard(_) => {
                if (walk.matches)(p) {
                    let buffers = &mut walk.buffers;
                    let mut pos = buffers.spare.pop().unwrap_or_default();
                    pos.clone_from(&buffers.stack);
                    buffers.out.push((p, pos));
                }
            }
            Term::Sequence(ch) => {
                self.sequence_from(ch, 0, walk);
            }
            Term::Choice(ch) => {
                for &c in ch {
                    self.particle_first(c, walk);
                }
            }
            Term::All(ch) => {
                self.all_from(ch, &[], walk);
            }
        }
    }

    /// Starts the children `from..` of a sequence; true when they can all be skipped.
    fn sequence_from(&self, ch: &[ParticleId], from: usize, walk: &mut Walk) -> bool {
        for (j, &c) in ch.iter().enumerate().skip(from) {
            walk.buffers.stack.push(Frame::Sequence { next: j + 1 });
            self.particle_first(c, walk);
            walk.buffers.stack.pop();
            if !self.nullable[c] {
                return false;
            }
        }
        true
    }

    /// Starts any child of an all group not yet seen; true when those left can all be skipped.
    fn all_from(&self, ch: &[ParticleId], done: &[u64], walk: &mut Walk) -> bool {
        let mut rest_nullable = true;
        for (j, &c) in ch.iter().enumerate() {
            if bit(done, j) {
                continue;
            }
            walk.buffers.stack.push(Frame::All {
                done: with_bit(done, j),
            });
            self.particle_first(c, walk);
            walk.buffers.stack.pop();
            rest_nullable &= self.nullable[c];
        }
        rest_nullable
    }

    /// All moves from `pos` that consume one child accepted by `matches`.
    fn advance(&self, pos: &Position, walk: &mut Walk) {
        walk.buffers.stack.clone_from(pos);
        let mut i = pos.len();
        while i > 0 {
            i -= 1;
            walk.buffers.stack.truncate(i);
            let can_exit = match &pos[i] {
                Frame::Particle { p, n } => {
                    let (counts, len) = self.next_counts(*p, *n, walk.abstract_counts);
                    for &n2 in &counts[..len] {
                        walk.buffers.stack.push(Frame::Particle { p: *p, n: n2 });
                        self.term_first(*p, walk);
                        walk.buffers.stack.pop();
                    }
                    *n >= self.particles[*p].min || self.term_nullable(*p)
                }
                Frame::Sequence { next } => {
                    let Some(Frame::Particle { p, .. }) = i.checked_sub(1).map(|k| &pos[k]) else {
                        return;
                    };
                    self.sequence_from(self.children(*p), *next, walk)
                }
                Frame::All { done } => {
                    let Some(Frame::Particle { p, .. }) = i.checked_sub(1).map(|k| &pos[k]) else {
                        return;
                    };
                    self.all_from(self.children(*p), done, walk)
                }
            };
            if !can_exit {
                return;
            }
        }
    }

    fn can_finish(&self, pos: &Position) -> bool {
        pos.iter().enumerate().all(|(i, frame)| match frame {
            Frame::Particle { p, n } => *n >= self.particles[*p].min || self.term_nullable(*p),
            Frame::Sequence { next } => match i.checked_sub(1).map(|k| &pos[k]) {
                Some(Frame::Particle { p, .. }) => self.children(*p)
                    [(*next).min(self.children(*p).len())..]
                    .iter()
                    .all(|&c| self.nullable[c]),
                _ => false,
            },
            Frame::All { done } => match i.checked_sub(1).map(|k| &pos[k]) {
                Some(Frame::Particle { p, .. }) => self
                    .children(*p)
                    .iter()
                    .enumerate()
                    .all(|(j, &c)| bit(done, j) || self.nullable[c]),
                _ => false,
            },
        })
    }

    /// Fills `walk.buffers.out` with the moves from `positions` (from the start when not
    /// `started`).
    fn moves(&self, root: ParticleId, started: bool, positions: &[Position], walk: &mut Walk) {
        if started {
            for pos in positions {
                self.advance(pos, walk);
            }
        } else {
            walk.buffers.stack.clear();
            self.particle_first(root, walk);
        }
    }

    /// Consumes one child: returns the leaf particle (element or wildcard) it matched, or None
    /// (the state is then unchanged, so validation can go on with the next child).
    pub fn step(
        &self,
        root: ParticleId,
        state: &mut MatchState,
        buffers: &mut Buffers,
        matches: &mut dyn FnMut(ParticleId) -> bool,
    ) -> Option<ParticleId> {
        let mut walk = Walk {
            buffers: std::mem::take(buffers),
            matches,
            abstract_counts: false,
        };
        self.moves(root, state.started, &state.positions, &mut walk);
        *buffers = walk.buffers;
        let leaf = buffers.out.first().map(|(leaf, _)| *leaf);
        if leaf.is_some() {
            state.started = true;
            buffers.spare.append(&mut state.positions);
            if buffers.out.len() == 1 {
                // the usual case: a schema that obeys UPA has one position after each child
                state
                    .positions
                    .extend(buffers.out.drain(..).map(|(_, pos)| pos));
            } else {
                // a handful of positions: comparing them beats hashing them
                let mut positions: Vec<Position> = vec![];
                for (_, pos) in buffers.out.drain(..) {
                    if positions.len() < MAX_POSITIONS && !positions.contains(&pos) {
                        positions.push(pos);
                    } else {
                        buffers.spare.push(pos);
                    }
                }
                state.positions = self.prune_dominated(positions);
            }
        }
        leaf
    }

    /// Drops positions another position can do everything of: same frames except counters
    /// that are at least minOccurs and not smaller. Keeps the set small for nested repetitions.
    fn prune_dominated(&self, positions: Vec<Position>) -> Vec<Position> {
        if positions.len() < 2 {
            return positions;
        }
        let dominates = |a: &Position, b: &Position| {
            a.len() == b.len()
                && a.iter().zip(b).all(|(x, y)| match (x, y) {
                    (Frame::Particle { p, n }, Frame::Particle { p: q, n: m }) => {
                        p == q && (n == m || (n < m && *n >= self.particles[*p].min))
                    }
                    _ => x == y,
                })
        };
        let mut kept: Vec<Position> = vec![];
        for pos in positions {
            if kept.iter().any(|k| dominates(k, &pos)) {
                continue;
            }
            kept.retain(|k| !dominates(&pos, k));
            kept.push(pos);
        }
        kept
    }

    /// The leaf particles that could match the next child.
    pub fn expected(&self, root: ParticleId, state: &MatchState) -> Vec<ParticleId> {
        let mut walk = Walk {
            buffers: Buffers::default(),
            matches: &mut |_| true,
            abstract_counts: false,
        };
        self.moves(root, state.started, &state.positions, &mut walk);
        let mut leaves = vec![];
        for (leaf, _) in walk.buffers.out {
            if !leaves.contains(&leaf) {
                leaves.push(leaf);
            }
        }
        leaves
    }

    /// True when the children seen so far are a complete match.
    pub fn is_complete(&self, root: ParticleId, state: &MatchState) -> bool {
        if state.started {
            state.positions.iter().any(|pos| self.can_finish(pos))
        } else {
            self.nullable[root]
        }
    }

    /// Unique Particle Attribution: two different leaf particles that `overlap` and can both
    /// match the next child at some reachable position. Explores at most `limit` positions.
    pub fn find_ambiguity(
        &self,
        root: ParticleId,
        overlap: &dyn Fn(ParticleId, ParticleId) -> bool,
        limit: usize,
    ) -> Option<(ParticleId, ParticleId)> {
        let mut seen: HashSet<Position> = HashSet::new();
        let mut queue: Vec<Position> = vec![];
        let mut walk = Walk {
            buffers: Buffers::default(),
            matches: &mut |_| true,
            abstract_counts: true,
        };
        self.particle_first(root, &mut walk);
        let mut pending = Some(std::mem::take(&mut walk.buffers.out));
        loop {
            let moves = match pending.take() {
                Some(m) => m,
                None => {
                    let pos = queue.pop()?;
                    self.advance(&pos, &mut walk);
                    std::mem::take(&mut walk.buffers.out)
                }
            };
            for (a, (la, _)) in moves.iter().enumerate() {
                for (lb, _) in &moves[a + 1..] {
                    if la != lb && overlap(*la, *lb) {
                        return Some((*la, *lb));
                    }
                }
            }
            for (_, pos) in moves {
                if seen.len() < limit && seen.insert(pos.clone()) {
                    queue.push(pos);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xsd::model::{NsConstraint, ProcessContents, Wildcard};

    fn el(min: u32, max: Option<u32>, id: usize) -> Particle {
        Particle {
            min,
            max,
            term: Term::Element(id),
        }
    }

    /// Particles 0..: leaves, then groups; element ids double as names.
    fn run(particles: &[Particle], root: ParticleId, names: &[usize]) -> bool {
        let nullable = compute_nullable(particles);
        let models = Models::new(particles, &nullable);
        let mut state = MatchState::default();
        let mut buffers = Buffers::default();
        for &name in names {
            let mut matches =
                |p: ParticleId| matches!(particles[p].term, Term::Element(e) if e == name);
            if models
                .step(root, &mut state, &mut buffers, &mut matches)
                .is_none()
            {
                return false;
            }
        }
        models.is_complete(root, &state)
    }

    #[test]
    fn sequence_with_counted_repetition() {
        // (a{2,3}, b?)
        let ps = vec![
            el(2, Some(3), 0),
            el(0, Some(1), 1),
            Particle {
                min: 1,
                max: Some(1),
                term: Term::Sequence(vec![0, 1]),
            },
        ];
        assert!(run(&ps, 2, &[0, 0]));
        assert!(run(&ps, 2, &[0, 0, 0, 1]));
        assert!(!run(&ps, 2, &[0]));
        assert!(!run(&ps, 2, &[0, 0, 0, 0]));
        assert!(!run(&ps, 2, &[0, 0, 1, 1]));
    }

    #[test]
    fn large_bounds_do_not_unroll() {
        let ps = vec![el(100_000, None, 0)];
        assert!(!run(&ps, 0, &[0; 99_999][..10]));
        let seq = vec![0usize; 100_000];
        assert!(run(&ps, 0, &seq));
    }

    #[test]
    fn all_group_any_order_each_once() {
        let ps = vec![
            el(1, Some(1), 0),
            el(0, Some(1), 1),
            Particle {
                min: 1,
                max: Some(1),
                term: Term::All(vec![0, 1]),
            },
        ];
        assert!(run(&ps, 2, &[1, 0]));
        assert!(run(&ps, 2, &[0]));
        assert!(!run(&ps, 2, &[1]));
        assert!(!run(&ps, 2, &[0, 0]));
    }

    #[test]
    fn upa_finds_optional_followed_by_same_name() {
        // (a?, a) is ambiguous; (a, a?) is not.
        let same = |x: ParticleId, y: ParticleId, ps: &[Particle]| match (&ps[x].term, &ps[y].term)
        {
            (Term::Element(a), Term::Element(b)) => a == b,
            _ => true,
        };
        let amb = vec![
            el(0, Some(1), 0),
            el(1, Some(1), 0),
            Particle {
                min: 1,
                max: Some(1),
                term: Term::Sequence(vec![0, 1]),
            },
        ];
        let ok = vec![
            el(1, Some(1), 0),
            el(0, Some(1), 0),
            Particle {
                min: 1,
                max: Some(1),
                term: Term::Sequence(vec![0, 1]),
            },
        ];
        for (ps, ambiguous) in [(amb, true), (ok, false)] {
            let nullable = compute_nullable(&ps);
            let models = Models::new(&ps, &nullable);
            let found = models.find_ambiguity(2, &|x, y| same(x, y, &ps), 1000);
            assert_eq!(found.is_some(), ambiguous);
        }
    }

    #[test]
    fn upa_sees_repetition_against_following_wildcard() {
        // (a{1,2}, any) with a wildcard that matches a: ambiguous after the first a.
        let any = Wildcard {
            ns: NsConstraint::Any,
            process: ProcessContents::Lax,
        };
        let ps = vec![
            el(1, Some(2), 0),
            Particle {
                min: 1,
                max: Some(1),
                term: Term::Wildcard(any),
            },
            Particle {
                min: 1,
                max: Some(1),
                term: Term::Sequence(vec![0, 1]),
            },
        ];
        let nullable = compute_nullable(&ps);
        let models = Models::new(&ps, &nullable);
        assert!(models.find_ambiguity(2, &|_, _| true, 1000).is_some());
    }
}
