//! Content models compiled to deterministic automata when the schema set is compiled, so that
//! validating a child element is a scan of a few names instead of a walk over the particle tree.
//!
//! The automaton is built by running the interpreter (`content::Models::step`) on every element
//! name a model mentions from every reachable match state, so it accepts exactly what the
//! interpreter accepts and reports the same leaf. UPA makes the reachable states few; a model
//! with more (large bounded maxOccurs, all groups of many children) keeps the interpreter.
//! Names a model does not mention can only match its wildcards: those steps go to the
//! interpreter from the state's match state, and back to the automaton when they land on one of
//! its states.

use std::collections::HashMap;

use super::content::{Buffers, MatchState, Models};
use super::model::{Components, ContentType, ElemId, ParticleId, QName, Term};

/// Models with more reachable states than this are left to the interpreter.
const MAX_STATES: usize = 256;

/// Whether leaf particle `p` (an element, its substitution group, or a wildcard) accepts a
/// child element named `{ns}local`.
pub fn leaf_matches(c: &Components, p: ParticleId, ns: Option<&str>, local: &str) -> bool {
    match &c.particles[p].term {
        Term::Element(e) => c.element_named(*e, ns, local).is_some(),
        Term::Wildcard(w) => w.allows(ns),
        _ => false,
    }
}

struct Move {
    /// Index into `Automaton::names`.
    name: usize,
    matched: Matched,
    next: usize,
}

/// What a child element matched: the leaf particle, and for an element leaf the declaration the
/// child's name picks (the leaf's own or a member of its substitution group), so the validator
/// need not compare the name again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Matched {
    pub leaf: ParticleId,
    pub element: Option<ElemId>,
}

impl Matched {
    fn new(c: &Components, leaf: ParticleId, ns: Option<&str>, local: &str) -> Self {
        let element = match &c.particles[leaf].term {
            Term::Element(head) => Some(c.element_named(*head, ns, local).unwrap_or(*head)),
            _ => None,
        };
        Matched { leaf, element }
    }
}

struct State {
    /// The interpreter's state, for wildcard steps and for describing what was expected.
    interpreted: MatchState,
    complete: bool,
    moves: Vec<Move>,
}

struct Automaton {
    /// Every element name the model's leaves accept, including substitution group members.
    names: Vec<QName>,
    has_wildcard: bool,
    /// State 0 is the start.
    states: Vec<State>,
    index: HashMap<MatchState, usize>,
}

/// The automata of a schema set's content models, indexed by root particle (a lookup per
/// element, so no hashing).
#[derive(Default)]
pub struct Automata {
    by_root: Vec<Option<Automaton>>,
}

impl std::fmt::Debug for Automata {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let built = self.by_root.iter().flatten().count();
        write!(f, "Automata({built} models)")
    }
}

/// Where the match of one element's children stands: in an automaton state, or interpreted
/// (no automaton for the model, or a wildcard step led off the automaton's states).
pub enum Cursor {
    State(usize),
    Interpreted(MatchState),
}

fn leaves(c: &Components, root: ParticleId, out: &mut Vec<ParticleId>) {
    match &c.particles[root].term {
        Term::Element(_) | Term::Wildcard(_) => out.push(root),
        Term::Sequence(ch) | Term::Choice(ch) | Term::All(ch) => {
            for &p in ch {
                leaves(c, p, out);
            }
        }
    }
}

impl Automaton {
    fn build(c: &Components, models: &Models, root: ParticleId) -> Option<Automaton> {
        let mut leaf_particles = vec![];
        leaves(c, root, &mut leaf_particles);
        let mut names: Vec<QName> = vec![];
        let mut has_wildcard = false;
        for &p in &leaf_particles {
            match &c.particles[p].term {
                Term::Element(e) => {
                    let members = c.substitutes.get(e).into_iter().flatten();
                    for &x in std::iter::once(e).chain(members) {
                        let name = &c.elements[x].name;
                        if !names.contains(name) {
                            names.push(name.clone());
                        }
                    }
                }
                _ => has_wildcard = true,
            }
        }
        let mut automaton = Automaton {
            names,
            has_wildcard,
            states: vec![],
            index: HashMap::new(),
        };
        automaton.add_state(models, root, MatchState::default());
        let mut buffers = Buffers::default();
        let mut next = 0;
        while next < automaton.states.len() {
            for name in 0..automaton.names.len() {
                let QName { ns, local } = &automaton.names[name];
                let mut state = automaton.states[next].interpreted.clone();
                let mut matches = |p| leaf_matches(c, p, ns.as_deref(), local);
                let Some(leaf) = models.step(root, &mut state, &mut buffers, &mut matches) else {
                    continue;
                };
                let target = match automaton.index.get(&state) {
                    Some(&s) => s,
                    None if automaton.states.len() >= MAX_STATES => return None,
                    None => automaton.add_state(models, root, state),
                };
                let QName { ns, local } = &automaton.names[name];
                let matched = Matched::new(c, leaf, ns.as_deref(), local);
                automaton.states[next].moves.push(Move {
                    name,
                    matched,
                    next: target,
                });
            }
            next += 1;
        }
        Some(automaton)
    }

    fn add_state(&mut self, models: &Models, root: ParticleId, interpreted: MatchState) -> usize {
        let id = self.states.len();
        self.index.insert(interpreted.clone(), id);
        self.states.push(State {
            complete: models.is_complete(root, &interpreted),
            interpreted,
            moves: vec![],
        });
        id
    }
}

impl Automata {
    /// Builds the automaton of every element-only or mixed content model of `c`.
    pub fn build(c: &Components, models: &Models) -> Automata {
        let mut by_root: Vec<Option<Automaton>> = std::iter::repeat_with(|| None)
            .take(c.particles.len())
            .collect();
        for t in 0..c.types.len() {
            if let Some(ContentType::Elements { particle, .. }) = c.complex(t).map(|ct| &ct.content)
                && by_root[*particle].is_none()
                && let Some(a) = Automaton::build(c, models, *particle)
            {
                by_root[*particle] = Some(a);
            }
        }
        Automata { by_root }
    }

    fn get(&self, root: ParticleId) -> Option<&Automaton> {
        self.by_root.get(root).and_then(Option::as_ref)
    }

    /// The automaton of a model a `Cursor::State` is in.
    fn built(&self, root: ParticleId) -> &Automaton {
        self.get(root)
            .expect("a cursor is in an automaton state only when the model has one")
    }

    pub fn start(&self, root: ParticleId) -> Cursor {
        if self.get(root).is_some() {
            Cursor::State(0)
        } else {
            Cursor::Interpreted(MatchState::default())
        }
    }

    /// Consumes one child named `{ns}local`: returns what it matched (the leaf particle exactly
    /// as `Models::step` does), or None (the cursor is then unchanged).
    pub fn step(
        &self,
        c: &Components,
        models: &Models,
        root: ParticleId,
        cursor: &mut Cursor,
        buffers: &mut Buffers,
        (ns, local): (Option<&str>, &str),
    ) -> Option<Matched> {
        let mut state = match cursor {
            Cursor::State(s) => {
                let automaton = self.built(root);
                let state = &automaton.states[*s];
                if let Some(m) = state
                    .moves
                    .iter()
                    .find(|m| automaton.names[m.name].is(ns, local))
                {
                    *s = m.next;
                    return Some(m.matched);
                }
                // every name the model mentions has its moves; any other can only match a
                // wildcard
                if !automaton.has_wildcard || automaton.names.iter().any(|n| n.is(ns, local)) {
                    return None;
                }
                state.interpreted.clone()
            }
            Cursor::Interpreted(state) => std::mem::take(state),
        };
        let leaf = models.step(root, &mut state, buffers, &mut |p| {
            leaf_matches(c, p, ns, local)
        });
        *cursor = match self.get(root).and_then(|a| a.index.get(&state)) {
            Some(&s) => Cursor::State(s),
            None => Cursor::Interpreted(state),
        };
        leaf.map(|leaf| Matched::new(c, leaf, ns, local))
    }

    /// The interpreter's state at `cursor`.
    pub fn match_state<'a>(&'a self, root: ParticleId, cursor: &'a Cursor) -> &'a MatchState {
        match cursor {
            Cursor::State(s) => &self.built(root).states[*s].interpreted,
            Cursor::Interpreted(state) => state,
        }
    }

    /// True when the children seen so far are a complete match.
    pub fn is_complete(&self, models: &Models, root: ParticleId, cursor: &Cursor) -> bool {
        match cursor {
            Cursor::State(s) => self.built(root).states[*s].complete,
            Cursor::Interpreted(state) => models.is_complete(root, state),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xsd::{CompileOptions, SchemaSet};

    /// Every sequence of up to four children drawn from `names`, stepped through the automaton
    /// and through the interpreter: same leaves, same refusals, same completeness.
    fn agrees_with_interpreter(schema: &str, root_element: &str, names: &[(Option<&str>, &str)]) {
        // a directory per call: tests run in parallel and may write the same file name
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("{root_element}.xsd"));
        std::fs::write(&path, schema).unwrap();
        let set = SchemaSet::compile(&[path], &CompileOptions::default()).unwrap();
        let c = &set.components;
        let decl = c.global_elements[&QName::new(None, root_element)];
        let Some(ContentType::Elements { particle: root, .. }) =
            c.complex(c.elements[decl].type_id).map(|ct| &ct.content)
        else {
            panic!("{root_element} has no element content");
        };
        assert!(set.automata.get(*root).is_some(), "no automaton built");
        let models = Models::new(&c.particles, &set.nullable);
        let mut sequences: Vec<Vec<usize>> = vec![vec![]];
        for _ in 0..4 {
            let longer: Vec<Vec<usize>> = sequences
                .iter()
                .filter(|s| s.len() == sequences.last().map_or(0, Vec::len))
                .flat_map(|s| (0..names.len()).map(move |n| [s.clone(), vec![n]].concat()))
                .collect();
            sequences.extend(longer);
        }
        let mut buffers = Buffers::default();
        for sequence in &sequences {
            let mut cursor = set.automata.start(*root);
            let mut state = MatchState::default();
            for &n in sequence {
                let (ns, local) = names[n];
                let ours =
                    set.automata
                        .step(c, &models, *root, &mut cursor, &mut buffers, (ns, local));
                let mut matches = |p| leaf_matches(c, p, ns, local);
                let theirs = models.step(*root, &mut state, &mut buffers, &mut matches);
                assert_eq!(ours.map(|m| m.leaf), theirs, "{sequence:?}");
                if let Some(Term::Element(head)) = theirs.map(|leaf| &c.particles[leaf].term) {
                    let named = c.element_named(*head, ns, local);
                    assert_eq!(ours.and_then(|m| m.element), named, "{sequence:?}");
                }
            }
            assert_eq!(
                set.automata.is_complete(&models, *root, &cursor),
                models.is_complete(*root, &state),
                "{sequence:?}"
            );
            assert_eq!(set.automata.match_state(*root, &cursor), &state);
        }
    }

    const XS: &str = r#"xmlns:xs="http://www.w3.org/2001/XMLSchema""#;

    #[test]
    fn sequence_choice_and_bounded_repetition() {
        let schema = format!(
            r#"<xs:schema {XS}><xs:element name="r"><xs:complexType><xs:sequence>
                 <xs:element name="a" minOccurs="0"/>
                 <xs:choice maxOccurs="2"><xs:element name="b"/><xs:element name="c" maxOccurs="3"/></xs:choice>
                 <xs:element name="a" minOccurs="0" maxOccurs="unbounded"/>
               </xs:sequence></xs:complexType></xs:element></xs:schema>"#
        );
        let names = [(None, "a"), (None, "b"), (None, "c"), (None, "d")];
        agrees_with_interpreter(&schema, "r", &names);
    }

    #[test]
    fn wildcards_and_substitution_groups() {
        let schema = format!(
            r###"<xs:schema {XS}>
                 <xs:element name="head"/><xs:element name="member" substitutionGroup="head"/>
                 <xs:element name="r"><xs:complexType><xs:sequence>
                   <xs:element ref="head" maxOccurs="2"/>
                   <xs:any namespace="##other" processContents="skip" minOccurs="0"/>
                   <xs:element name="z" minOccurs="0"/>
                 </xs:sequence></xs:complexType></xs:element></xs:schema>"###
        );
        let names = [
            (None, "head"),
            (None, "member"),
            (Some("urn:elsewhere"), "x"),
            (None, "z"),
            (None, "y"),
        ];
        agrees_with_interpreter(&schema, "r", &names);
    }
}
