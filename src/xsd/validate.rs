//! Instance validation: assessing an element against its declaration or type (XSD 1.0, 3.3.4,
//! 3.4.4, 3.11.4), collecting every error up to a limit.
//!
//! The validator is pushed events (element start with its attributes, text, element end) by a
//! source, the parsed tree (`walk`) or the byte stream (`stream`), and keeps one frame per open
//! element, so its memory follows the document's depth, not its size. Errors are located by
//! byte offset and by the element's ordinal in document order; the source turns those into
//! line:column and an element path once the document is done (a path's `[n]` needs the
//! element's later siblings).

use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;

use super::XSI;
use super::automaton::{Automata, Cursor};
use super::content::{Buffers, MatchState, Models};
use super::datatypes::{BuiltinType, NamespaceResolver};
use super::identity::{Assessed, Opened, Tracker};
use super::memo::{self, ValidValues};
use super::model::*;
use super::simple::{self, Ids};

/// Deeper instances get an error instead of a deeper stack.
const MAX_DEPTH: usize = 256;

/// Type Derivation OK (Complex, 3.4.6) and cos-st-derived-ok (3.14.6): whether `derived` is
/// `base` or derived from it without using a method in `blocked`.
pub fn type_derives(c: &Components, derived: TypeId, base: TypeId, blocked: DerivationSet) -> bool {
    let mut t = derived;
    for _ in 0..1024 {
        if t == base {
            return true;
        }
        if let Some(Variety::Union { members }) = c.simple(base).map(|s| &s.variety)
            && c.simple(t).is_some()
            && members.iter().any(|&m| type_derives(c, t, m, blocked))
        {
            return true;
        }
        let step_blocked = match &c.types[t].kind {
            TypeKind::Complex(ct) => match ct.derivation {
                Derivation::Extension => blocked.extension,
                Derivation::Restriction => blocked.restriction,
            },
            TypeKind::Simple(_) => blocked.restriction,
        };
        if step_blocked {
            return false;
        }
        match c.base_of(t) {
            Some(b) if b != t => t = b,
            _ => return false,
        }
    }
    false
}

/// An attribute of an element start, namespace declarations excluded, its value normalised.
#[derive(Debug, Clone, Copy)]
pub struct Attribute<'a> {
    pub ns: Option<&'a str>,
    pub local: &'a str,
    pub value: &'a str,
}

/// An element start as a source reports it.
pub struct StartTag<'a> {
    pub ns: Option<&'a str>,
    pub local: &'a str,
    pub attributes: &'a [Attribute<'a>],
    /// Byte offset of the `<`.
    pub offset: usize,
}

impl<'a> StartTag<'a> {
    fn name(&self) -> QNameRef<'a> {
        QNameRef {
            ns: self.ns,
            local: self.local,
        }
    }
}

/// An error before it is given line:column and a path.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Byte offset the error is reported at (an element's or a text's start).
    pub offset: usize,
    /// The element the path names: its ordinal in document order from the validation root (0).
    pub ordinal: usize,
    /// The attribute the path ends in.
    pub attribute: Option<String>,
    pub message: String,
}

/// Every error found, up to the limit.
#[derive(Debug, Default)]
pub struct Findings {
    pub errors: Vec<Finding>,
    pub truncated: bool,
}

/// The element (by ordinal), and maybe its attribute, an error's path names.
#[derive(Clone, Copy)]
struct At<'n> {
    ordinal: usize,
    attribute: Option<&'n str>,
}

impl At<'_> {
    fn element(ordinal: usize) -> Self {
        At {
            ordinal,
            attribute: None,
        }
    }
}

/// How an element's children and text are assessed.
enum Content {
    /// Not assessed: a skip wildcard's match, an unexpected element, an error that stopped the
    /// element's assessment, or the children of any of those.
    Skip,
    /// An element a lax wildcard matched without a declaration: its children are lax matches.
    Lax,
    /// xsi:nil="true": must stay empty; the error goes where the tree walk reported it.
    Nil { report_at: usize, has_content: bool },
    /// A simple value (simple type or simple content), gathered in `Validator::text_value`.
    Simple { ty: TypeId, child_seen: bool },
    /// Empty content: the first stray text and the first child element, reported at the end.
    Empty {
        stray_text: Option<usize>,
        first_child: Option<(usize, String)>,
    },
    Elements {
        root: ParticleId,
        cursor: Cursor,
        mixed: bool,
        errors_before: usize,
        stray_text: Option<usize>,
        /// A mixed element with a fixed value while it has no child element: its text is
        /// gathered in `Validator::text_value`.
        fixed_text: bool,
    },
}

/// How an element's content is to be assessed, as far as its declaration and type decide it.
#[derive(Debug, Clone, Copy)]
pub enum ContentStart {
    Simple(TypeId),
    Elements {
        particle: ParticleId,
        mixed: bool,
        /// The declaration has a fixed value (only a mixed element's text can have it).
        fixed: bool,
    },
    Empty,
}

impl ContentStart {
    fn of(c: &Components, decl: Option<ElemId>, ty: TypeId) -> Self {
        let ct = match &c.types[ty].kind {
            TypeKind::Simple(_) => return ContentStart::Simple(ty),
            TypeKind::Complex(ct) => ct,
        };
        match ct.content {
            ContentType::Simple(st) => ContentStart::Simple(st),
            ContentType::Elements { particle, mixed } => ContentStart::Elements {
                particle,
                mixed,
                fixed: decl
                    .and_then(|e| c.elements[e].value.as_ref())
                    .is_some_and(|v| v.fixed),
            },
            ContentType::Empty => ContentStart::Empty,
        }
    }
}

/// By element declaration: how the content of an element of it starts when its start tag has
/// no attributes, where nothing about it but its content needs assessing (None: the
/// declaration or its type is abstract, or the type declares attributes). Computed once per
/// schema set, so that the usual element skips the start tag's checks.
pub fn plain_starts(c: &Components) -> Vec<Option<ContentStart>> {
    (c.elements.iter().enumerate())
        .map(|(e, d)| {
            let ct = c.complex(d.type_id);
            let checked =
                d.is_abstract || ct.is_some_and(|ct| ct.is_abstract || !ct.attributes.is_empty());
            (!checked).then(|| ContentStart::of(c, Some(e), d.type_id))
        })
        .collect()
}

struct Frame {
    ordinal: usize,
    offset: usize,
    decl: Option<ElemId>,
    /// The element's local name, kept only where no declaration gives it.
    name: Option<Box<str>>,
    content: Content,
}

/// A validator's buffers that outlive it, per thread: taken when a validator starts and given
/// back when it finishes, so that validating one small document after another (one per exchange)
/// allocates none of them and finds the values the thread's earlier validations found valid. A
/// validator started while another on the thread has them gets new ones; the thread keeps the
/// last given back.
struct Workspace {
    stack: Vec<Frame>,
    text_value: String,
    memo_slots: memo::Slots,
}

/// The most of each growing buffer a thread keeps, so that one deep document or one long value
/// does not hold memory for the rest of the run (the memo's slots are bounded by themselves).
const KEPT_FRAMES: usize = 64;
const KEPT_TEXT: usize = 4096;

thread_local! {
    static IDLE_WORKSPACE: Cell<Option<Workspace>> = const { Cell::new(None) };
}

impl Workspace {
    fn take() -> Workspace {
        let idle = IDLE_WORKSPACE.try_with(Cell::take).unwrap_or_default();
        // sized for the usual document's depth and values, instead of grown step by step
        idle.unwrap_or_else(|| Workspace {
            stack: Vec::with_capacity(16),
            text_value: String::with_capacity(64),
            memo_slots: memo::Slots::new(),
        })
    }

    fn give_back(mut self) {
        self.stack.clear();
        self.stack.shrink_to(KEPT_FRAMES);
        self.text_value.clear();
        self.text_value.shrink_to(KEPT_TEXT);
        // during the thread's teardown there is no one left to give them to
        let _ = IDLE_WORKSPACE.try_with(|idle| idle.set(Some(self)));
    }
}

/// Runs `f` with the thread's memo of valid values (see [`memo`]), outside a validation.
pub fn with_memo_slots<R>(f: impl FnOnce(&mut memo::Slots) -> R) -> R {
    let mut workspace = Workspace::take();
    let result = f(&mut workspace.memo_slots);
    workspace.give_back();
    result
}

/// What the parent's content model makes of a child element.
enum Assess {
    Decl(ElemId),
    /// No declaration, but an xsi:type to validate against.
    Typed,
    Lax,
    Skip,
}

pub struct Validator<'s> {
    c: &'s Components,
    models: Models<'s>,
    automata: &'s Automata,
    /// By declaration, from [`plain_starts`].
    plain_starts: &'s [Option<ContentStart>],
    /// Content-model working memory shared by all elements of the document.
    buffers: Buffers,
    findings: Findings,
    limit: usize,
    ids: HashSet<String>,
    idrefs: Vec<(usize, usize, Option<String>, String)>,
    stack: Vec<Frame>,
    next_ordinal: usize,
    /// The text of the element being read whose text is a value: one with simple content, or a
    /// mixed one with a fixed value. Only the innermost open element gathers (an element child
    /// ends the gathering), so they share one buffer.
    text_value: String,
    /// With identity constraints, for the tracker: the attribute values of the element being
    /// started, and the defaults of its absent attributes (kept to reuse their memory).
    attribute_values: Vec<Assessed>,
    defaulted: Vec<(QName, TypedValue)>,
    /// Present when the schema has identity constraints: then values are kept for their fields.
    identity: Option<Tracker<'s>>,
    /// Values found valid before, by this validator or an earlier one on the thread: the schema
    /// set's view of them, and the thread's memory of them (from the workspace).
    valid_values: ValidValues<'s>,
    memo_slots: memo::Slots,
    /// Text nodes whose judging is watched, when a caller asked (see [`Validator::watch`]).
    watch: Option<Watch>,
}

/// How one watched text node was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watched {
    /// No event reached the validator: it lies outside the validated element.
    Outside,
    /// It was the whole value of an element with simple content, judged by its type alone: no
    /// fixed value, no identity constraints, a context-free type.
    ByType(TypeId),
    /// Whitespace between the children of an element whose content is elements only, or in
    /// one whose content is empty: any other whitespace would be judged the same.
    IgnoredWhitespace,
    /// Anything else: the verdict may depend on it in other ways.
    Otherwise,
}

/// The watched text nodes' start offsets (in document order) and what became of each.
struct Watch {
    offsets: Vec<usize>,
    watched: Vec<Watched>,
    /// The first watched offset not yet reached.
    next: usize,
    /// The watched text the open element with simple content gathered as its value's start,
    /// and the depth of that element.
    gathered: Option<(usize, usize)>,
}

/// XML whitespace only (bytes suffice: every other character, non-ASCII ones too, fails).
pub fn is_whitespace(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

fn display_name(ns: Option<&str>, local: &str) -> String {
    match ns {
        Some(ns) => format!("{{{ns}}}{local}"),
        None => local.to_owned(),
    }
}

fn attribute<'a>(attributes: &[Attribute<'a>], ns: &str, local: &str) -> Option<&'a str> {
    (attributes.iter())
        .find(|a| a.ns == Some(ns) && a.local == local)
        .map(|a| a.value)
}

const STRAY_TEXT: &str = "text is not allowed in element-only content";

impl<'s> Validator<'s> {
    pub fn new(
        c: &'s Components,
        nullable: &'s [bool],
        automata: &'s Automata,
        plain_starts: &'s [Option<ContentStart>],
        limit: usize,
        valid_values: ValidValues<'s>,
    ) -> Self {
        let Workspace {
            stack,
            text_value,
            memo_slots,
        } = Workspace::take();
        Validator {
            c,
            models: Models::new(&c.particles, nullable),
            automata,
            plain_starts,
            buffers: Buffers::default(),
            findings: Findings::default(),
            limit,
            ids: HashSet::new(),
            idrefs: vec![],
            stack,
            next_ordinal: 0,
            text_value,
            attribute_values: vec![],
            defaulted: vec![],
            identity: (!c.idcs.is_empty()).then(|| Tracker::new(c)),
            valid_values,
            memo_slots,
            watch: None,
        }
    }

    /// Watches how the text nodes starting at `offsets` (ascending) are judged; see
    /// [`Validator::watched`].
    pub fn watch(&mut self, offsets: Vec<usize>) {
        let watched = vec![Watched::Outside; offsets.len()];
        self.watch = Some(Watch {
            offsets,
            watched,
            next: 0,
            gathered: None,
        });
    }

    /// How each watched text node was judged, in the order given to [`Validator::watch`].
    pub fn watched(&mut self) -> Vec<Watched> {
        self.watch.take().map(|w| w.watched).unwrap_or_default()
    }

    /// Notes a text event at `node` for the watch: a watched text that starts the value of the
    /// open element with simple content is pending until the element ends; any other watched
    /// text, and a text after a pending one (the value is more than it), is judged otherwise.
    #[cold]
    fn watch_text(&mut self, text: &str, node: usize) {
        let content = self.stack.last().map(|frame| &frame.content);
        let starts_value = self.text_value.is_empty()
            && matches!(
                content,
                Some(Content::Simple {
                    child_seen: false,
                    ..
                })
            );
        // whitespace is nothing to content of elements only or to empty content: another
        // whitespace text there would be judged the same
        let ignored_whitespace = is_whitespace(text)
            && matches!(
                content,
                Some(Content::Elements { mixed: false, .. } | Content::Empty { .. })
            );
        let Some(watch) = &mut self.watch else {
            return;
        };
        if let Some((pending, _)) = watch.gathered.take() {
            watch.watched[pending] = Watched::Otherwise;
        }
        while watch.offsets.get(watch.next).is_some_and(|&o| o < node) {
            watch.next += 1;
        }
        if watch.offsets.get(watch.next) == Some(&node) {
            watch.watched[watch.next] = if starts_value {
                watch.gathered = Some((watch.next, self.stack.len()));
                Watched::Otherwise
            } else if ignored_whitespace {
                Watched::IgnoredWhitespace
            } else {
                Watched::Otherwise
            };
            watch.next += 1;
        }
    }

    fn error(&mut self, offset: usize, at: At, message: impl Into<String>) {
        self.error_before(self.findings.errors.len(), offset, at, message);
    }

    /// Reports an error found late as if it had been found when the report had `index` errors:
    /// it goes there, and the limit keeps the earliest.
    fn error_before(&mut self, index: usize, offset: usize, at: At, message: impl Into<String>) {
        if index >= self.limit {
            self.findings.truncated = true;
            return;
        }
        let finding = Finding {
            offset,
            ordinal: at.ordinal,
            attribute: at.attribute.map(str::to_owned),
            message: message.into(),
        };
        self.findings.errors.insert(index, finding);
        if self.findings.errors.len() > self.limit {
            self.findings.errors.truncate(self.limit);
            self.findings.truncated = true;
        }
    }

    /// The IDREFs without an ID, and every error found. Gives the thread back the workspace: a
    /// validator dropped unfinished leaves the thread's next validator new buffers and an empty memo.
    pub fn finish(mut self) -> Findings {
        for (offset, ordinal, attribute, idref) in std::mem::take(&mut self.idrefs) {
            if !self.ids.contains(&idref) {
                let at = At {
                    ordinal,
                    attribute: attribute.as_deref(),
                };
                let message = format!("IDREF {idref:?} does not match any ID in the document");
                self.error(offset, at, message);
            }
        }
        Workspace {
            stack: self.stack,
            text_value: self.text_value,
            memo_slots: self.memo_slots,
        }
        .give_back();
        self.findings
    }

    /// An element starts; `scope` resolves the prefixes in scope at it (for xsi:type and
    /// QName values).
    pub fn start_element(&mut self, tag: &StartTag, scope: &dyn NamespaceResolver) {
        let ordinal = self.next_ordinal;
        self.next_ordinal += 1;
        let assess = if self.stack.is_empty() {
            self.root(tag, ordinal)
        } else {
            self.child(tag, ordinal)
        };
        let depth = self.stack.len();
        if self.identity.is_some() {
            self.attribute_values.clear();
            self.defaulted.clear();
        }
        let decl = match assess {
            Assess::Decl(e) => Some(e),
            _ => None,
        };
        let content = match assess {
            Assess::Decl(_) | Assess::Typed => self.element(tag, decl, (ordinal, depth), scope),
            Assess::Lax => Content::Lax,
            Assess::Skip => Content::Skip,
        };
        if let Some(tracker) = &mut self.identity {
            // the constraints of an element whose assessment stopped at an error are not
            // evaluated (there is nothing assessed to evaluate them on)
            let idcs = match (&content, decl) {
                (Content::Skip | Content::Lax, _) | (_, None) => &[][..],
                (_, Some(e)) => &self.c.elements[e].idcs[..],
            };
            let opened = Opened {
                ns: tag.ns,
                local: tag.local,
                offset: tag.offset,
                ordinal,
                attributes: tag.attributes,
                values: &self.attribute_values,
                defaulted: &self.defaulted,
                nil_attribute: attribute(tag.attributes, XSI, "nil").is_some(),
            };
            tracker.open(&opened, idcs);
        }
        let name = match (&content, decl) {
            (Content::Simple { .. } | Content::Elements { .. }, None) => Some(tag.local.into()),
            _ => None,
        };
        if matches!(
            content,
            Content::Simple { .. }
                | Content::Elements {
                    fixed_text: true,
                    ..
                }
        ) {
            self.text_value.clear();
        }
        self.stack.push(Frame {
            ordinal,
            offset: tag.offset,
            decl,
            name,
            content,
        });
    }

    /// What the validation root is assessed against: its global declaration, or its xsi:type.
    fn root(&mut self, tag: &StartTag, ordinal: usize) -> Assess {
        match self.c.global_elements.get(&tag.name()) {
            Some(&e) => Assess::Decl(e),
            None if attribute(tag.attributes, XSI, "type").is_some() => Assess::Typed,
            None => {
                let name = display_name(tag.ns, tag.local);
                let message = format!("no global element declaration for {name}");
                self.error(tag.offset, At::element(ordinal), message);
                Assess::Skip
            }
        }
    }

    /// What the parent's content makes of a child element (the parent is on the stack).
    fn child(&mut self, tag: &StartTag, ordinal: usize) -> Assess {
        let c = self.c;
        let automata = self.automata;
        let Some(parent) = self.stack.last_mut() else {
            return Assess::Skip;
        };
        let parent_at = At::element(parent.ordinal);
        // cvc-elt.5.2.2.1: a fixed value leaves no room for element children
        if let Content::Elements { fixed_text, .. } = &mut parent.content
            && std::mem::take(fixed_text)
        {
            let message = "an element with a fixed value may not have element children";
            let offset = parent.offset;
            self.error(offset, parent_at, message);
        }
        let Some(parent) = self.stack.last_mut() else {
            return Assess::Skip;
        };
        match &mut parent.content {
            Content::Skip => Assess::Skip,
            Content::Lax => self.wildcard(tag, ProcessContents::Lax, ordinal),
            Content::Nil { has_content, .. } => {
                *has_content = true;
                Assess::Skip
            }
            Content::Simple { child_seen, .. } => {
                if !std::mem::replace(child_seen, true) {
                    let message = format!(
                        "element {} is not allowed: the content is a simple value",
                        display_name(tag.ns, tag.local)
                    );
                    self.error(tag.offset, parent_at, message);
                }
                Assess::Skip
            }
            Content::Empty { first_child, .. } => {
                first_child.get_or_insert_with(|| (tag.offset, display_name(tag.ns, tag.local)));
                Assess::Skip
            }
            Content::Elements { root, cursor, .. } => {
                let root = *root;
                let name = (tag.ns, tag.local);
                let step = automata.step(c, &self.models, root, cursor, &mut self.buffers, name);
                let Some(matched) = step else {
                    let state = automata.match_state(root, cursor);
                    let expected = describe_expected(c, &self.models, root, state);
                    let message = format!(
                        "unexpected element {}; expected {expected}",
                        display_name(tag.ns, tag.local)
                    );
                    self.error(tag.offset, At::element(ordinal), message);
                    return Assess::Skip;
                };
                match (&c.particles[matched.leaf].term, matched.element) {
                    // the usual child is the leaf's own declaration: no substitution to check
                    (Term::Element(head), Some(actual)) if *head == actual => Assess::Decl(actual),
                    (Term::Element(head), Some(actual)) => {
                        Assess::Decl(self.substitute(tag, *head, actual, ordinal))
                    }
                    (Term::Wildcard(w), _) => self.wildcard(tag, w.process, ordinal),
                    _ => Assess::Skip,
                }
            }
        }
    }

    /// The declaration `actual`, a member of the substitution group of `head_id`, whose leaf
    /// matched the child: the head may block it.
    fn substitute(
        &mut self,
        tag: &StartTag,
        head_id: ElemId,
        actual: ElemId,
        ordinal: usize,
    ) -> ElemId {
        let c = self.c;
        let head = &c.elements[head_id];
        let mut blocked = DerivationSet {
            substitution: false,
            ..head.block
        };
        if let Some(ct) = c.complex(head.type_id) {
            blocked.extension |= ct.block.extension;
            blocked.restriction |= ct.block.restriction;
        }
        if head.block.substitution
            || !type_derives(c, c.elements[actual].type_id, head.type_id, blocked)
        {
            let message = format!(
                "{} may not substitute for {}: blocked",
                display_name(tag.ns, tag.local),
                head.name
            );
            self.error(tag.offset, At::element(ordinal), message);
        }
        actual
    }

    fn wildcard(&mut self, tag: &StartTag, process: ProcessContents, ordinal: usize) -> Assess {
        let global = self.c.global_elements.get(&tag.name()).copied();
        match (process, global) {
            (ProcessContents::Skip, _) => Assess::Skip,
            (_, Some(e)) => Assess::Decl(e),
            (_, None) if attribute(tag.attributes, XSI, "type").is_some() => Assess::Typed,
            (ProcessContents::Strict, None) => {
                let message = format!(
                    "no global declaration for {} (required by a strict wildcard)",
                    display_name(tag.ns, tag.local)
                );
                self.error(tag.offset, At::element(ordinal), message);
                Assess::Skip
            }
            (ProcessContents::Lax, None) => Assess::Lax,
        }
    }

    fn xsi_type(
        &mut self,
        tag: &StartTag,
        at: At,
        scope: &dyn NamespaceResolver,
    ) -> Result<Option<TypeId>, ()> {
        let Some(raw) = attribute(tag.attributes, XSI, "type") else {
            return Ok(None);
        };
        let raw = raw.trim();
        let (prefix, local) = raw
            .split_once(':')
            .map_or((None, raw), |(p, l)| (Some(p), l));
        let ns = scope.resolve(prefix.unwrap_or(""));
        if prefix.is_some() && ns.is_none() {
            let message = format!("xsi:type {raw:?}: prefix is not declared");
            self.error(tag.offset, at, message);
            return Err(());
        }
        match self.c.global_types.get(&QNameRef {
            ns: ns.as_deref(),
            local,
        }) {
            Some(&t) => Ok(Some(t)),
            None if ns.as_deref() == Some(super::XS) && local == "anyType" => {
                Ok(Some(self.c.any_type))
            }
            None => {
                let message = format!("xsi:type {raw:?} does not name a type of the schema");
                self.error(tag.offset, at, message);
                Err(())
            }
        }
    }

    /// Starts assessing an element against a declaration, or against its xsi:type when `decl`
    /// is None: everything its start tag decides, and how its content is to be assessed.
    fn element(
        &mut self,
        tag: &StartTag,
        decl: Option<ElemId>,
        (ordinal, depth): (usize, usize),
        scope: &dyn NamespaceResolver,
    ) -> Content {
        let at = At::element(ordinal);
        if depth > MAX_DEPTH {
            self.error(tag.offset, at, "elements nested too deeply to validate");
            return Content::Skip;
        }
        if let Some(&Some(start)) = decl.and_then(|e| self.plain_starts.get(e))
            && tag.attributes.is_empty()
        {
            return self.content_start(start);
        }
        let c = self.c;
        let d = decl.map(|e| &c.elements[e]);
        let declared = d.map(|d| d.type_id).unwrap_or(c.any_type);
        let mut effective = declared;
        match self.xsi_type(tag, at, scope) {
            Err(()) => return Content::Skip,
            Ok(Some(t)) => {
                let mut blocked = d.map(|d| d.block).unwrap_or_default();
                if let Some(ct) = c.complex(declared) {
                    blocked.extension |= ct.block.extension;
                    blocked.restriction |= ct.block.restriction;
                }
                if !type_derives(c, t, declared, blocked) {
                    let message = format!(
                        "xsi:type {} is not validly derived from the declared type {}",
                        c.type_name(t),
                        c.type_name(declared)
                    );
                    self.error(tag.offset, at, message);
                    return Content::Skip;
                }
                effective = t;
            }
            Ok(None) => {}
        }
        if let Some(d) = d
            && d.is_abstract
        {
            let message = format!(
                "element {} is abstract; use a member of its substitution group",
                d.name
            );
            self.error(tag.offset, at, message);
        }
        if c.complex(effective).is_some_and(|ct| ct.is_abstract) {
            let message = format!(
                "type {} is abstract; use xsi:type to name a derived type",
                c.type_name(effective)
            );
            self.error(tag.offset, at, message);
        }
        let mut nil = None;
        if let Some(v) = attribute(tag.attributes, XSI, "nil") {
            let v = v.trim();
            let value = match v {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            };
            if !d.is_some_and(|d| d.nillable) {
                let message = "xsi:nil is given but the element is not nillable";
                self.error(tag.offset, at, message);
            } else if value.is_none() {
                self.error(tag.offset, at, format!("xsi:nil {v:?} is not a boolean"));
            } else if value == Some(true) {
                nil = Some(self.findings.errors.len());
                if d.is_some_and(|d| d.value.as_ref().is_some_and(|v| v.fixed)) {
                    let message = "an element with a fixed value cannot be nil";
                    self.error(tag.offset, at, message);
                }
            }
        }
        self.attributes(tag, effective, at, scope);
        match nil {
            Some(report_at) => Content::Nil {
                report_at,
                has_content: false,
            },
            None => self.content_start(ContentStart::of(c, decl, effective)),
        }
    }

    fn content_start(&mut self, start: ContentStart) -> Content {
        match start {
            ContentStart::Simple(ty) => Content::Simple {
                ty,
                child_seen: false,
            },
            ContentStart::Elements {
                particle,
                mixed,
                fixed,
            } => Content::Elements {
                root: particle,
                cursor: self.automata.start(particle),
                mixed,
                errors_before: self.findings.errors.len(),
                stray_text: None,
                fixed_text: mixed && fixed,
            },
            ContentStart::Empty => Content::Empty {
                stray_text: None,
                first_child: None,
            },
        }
    }

    /// Text in the element last started: a text node as the tree has it (character data,
    /// references and CDATA sections run together up to the next markup that is not those), or
    /// a piece of one; `node` is the byte offset where the node starts.
    pub fn text(&mut self, text: &str, node: usize) {
        if self.watch.is_some() {
            self.watch_text(text, node);
        }
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        match &mut frame.content {
            Content::Skip | Content::Lax => {}
            Content::Nil { has_content, .. } => *has_content |= !text.is_empty(),
            Content::Simple { child_seen, .. } => {
                if !*child_seen {
                    self.text_value.push_str(text);
                }
            }
            Content::Empty { stray_text, .. } => {
                if stray_text.is_none() && !is_whitespace(text) {
                    *stray_text = Some(node);
                }
            }
            Content::Elements {
                mixed,
                stray_text,
                fixed_text,
                ..
            } => {
                if !*mixed && stray_text.is_none() && !is_whitespace(text) {
                    *stray_text = Some(node);
                }
                if *fixed_text {
                    self.text_value.push_str(text);
                }
            }
        }
    }

    /// The element last started ends; `scope` resolves the prefixes in scope at it.
    pub fn end_element(&mut self, scope: &dyn NamespaceResolver) {
        let Some(Frame {
            ordinal,
            offset,
            decl,
            name,
            content,
        }) = self.stack.pop()
        else {
            return;
        };
        let at = At::element(ordinal);
        let c = self.c;
        let pending = self.watch.as_mut().and_then(|w| w.gathered.take());
        let mut judged_by_type = None;
        // the local name, for messages: looked up only when there is one to write
        let name = || -> &str {
            match (&name, decl) {
                (Some(name), _) => name,
                (None, Some(e)) => &c.elements[e].name.local,
                (None, None) => "",
            }
        };
        let value = match content {
            Content::Skip | Content::Lax => Assessed::Skipped,
            Content::Nil {
                report_at,
                has_content,
            } => {
                if has_content {
                    let message = "an element with xsi:nil=\"true\" must be empty";
                    self.error_before(report_at, offset, at, message);
                }
                Assessed::NoValue
            }
            Content::Simple {
                child_seen: true, ..
            } => Assessed::Skipped,
            Content::Simple { ty, .. } => {
                let text = std::mem::take(&mut self.text_value);
                let value_constraint = decl.and_then(|e| c.elements[e].value.as_ref());
                let value = match (text.is_empty(), value_constraint) {
                    (true, Some(vc)) => vc.value.clone(),
                    _ => {
                        let keep =
                            value_constraint.is_some_and(|vc| vc.fixed) || self.identity.is_some();
                        if !keep && self.valid_values.is_context_free(ty) {
                            judged_by_type = Some(ty);
                        }
                        if !keep && self.valid_values.contains(&self.memo_slots, ty, &text) {
                            None
                        } else {
                            let what = format_args!("element {}", name());
                            self.simple_value(offset, ty, &text, at, what, keep, scope)
                        }
                    }
                };
                if let (Some(v), Some(vc)) = (&value, value_constraint.filter(|v| v.fixed))
                    && !vc.value.as_ref().is_some_and(|f| simple::same_value(v, f))
                {
                    self.fixed_mismatch(offset, at, &vc.lexical, &text);
                }
                self.text_value = text;
                value.map_or(Assessed::NoValue, Assessed::Value)
            }
            Content::Empty {
                stray_text,
                first_child,
            } => {
                if let Some(offset) = stray_text {
                    self.error(offset, at, STRAY_TEXT);
                }
                if let Some((offset, name)) = first_child {
                    let message =
                        format!("element {name} is not allowed: the content must be empty");
                    self.error(offset, at, message);
                }
                Assessed::NoValue
            }
            Content::Elements {
                root,
                cursor,
                errors_before,
                stray_text,
                fixed_text,
                ..
            } => {
                if let Some(offset) = stray_text {
                    // the text error comes before the children's, as in document order
                    self.error_before(errors_before, offset, at, STRAY_TEXT);
                }
                let fixed = decl.and_then(|e| c.elements[e].value.as_ref());
                if let (true, Some(vc)) = (fixed_text, fixed)
                    && !self.text_value.is_empty()
                    && self.text_value != vc.lexical
                {
                    let text = std::mem::take(&mut self.text_value);
                    self.fixed_mismatch(offset, at, &vc.lexical, &text);
                    self.text_value = text;
                }
                if !self.automata.is_complete(&self.models, root, &cursor) {
                    let state = self.automata.match_state(root, &cursor);
                    let expected = describe_expected(c, &self.models, root, state);
                    let message =
                        format!("content of {} is incomplete; expected {expected}", name());
                    self.error(offset, at, message);
                }
                Assessed::NoValue
            }
        };
        if let (Some((pending, depth)), Some(watch)) = (pending, &mut self.watch) {
            // the element that gathered it (the stack no longer holds it), or one inside it
            let judged = judged_by_type.filter(|_| depth == self.stack.len() + 1);
            watch.watched[pending] = judged.map_or(Watched::Otherwise, Watched::ByType);
        }
        if let Some(tracker) = &mut self.identity {
            for e in tracker.close(value) {
                self.error(e.offset, at, e.message);
            }
        }
    }

    /// Validates a simple value not remembered as valid (callers ask
    /// [`ValidValues::contains`] first) and returns it, or None when it is invalid or, with
    /// `keep` false, when the value is not needed and the type's check needs none. Out of line,
    /// so that a remembered value costs its caller the lookup and not this function's frame.
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    fn simple_value(
        &mut self,
        offset: usize,
        ty: TypeId,
        text: &str,
        at: At,
        what: fmt::Arguments,
        keep: bool,
        scope: &dyn NamespaceResolver,
    ) -> Option<TypedValue> {
        if !keep && simple::is_valid_plain_string(self.c, ty, text) {
            self.valid_values.insert(&mut self.memo_slots, ty, text);
            return None;
        }
        let mut ids = Ids::default();
        match simple::validate(self.c, ty, text, scope, &mut ids) {
            Ok(v) => {
                if !keep {
                    // takes no type with IDs, entities or notations, whose checks below may
                    // still find the value wrong
                    self.valid_values.insert(&mut self.memo_slots, ty, text);
                }
                for id in ids.ids {
                    if !self.ids.insert(id.clone()) {
                        self.error(offset, at, format!("duplicate ID {id:?}"));
                    }
                }
                for r in ids.idrefs {
                    let attribute = at.attribute.map(str::to_owned);
                    self.idrefs.push((offset, at.ordinal, attribute, r));
                }
                if ids.entities > 0 {
                    let message =
                        format!("{what}: no unparsed entity is declared (documents have no DTD)");
                    self.error(offset, at, message);
                }
                if let TypedValue::Atomic(
                    BuiltinType::Notation,
                    super::datatypes::Value::Notation { namespace, local },
                ) = &v
                    && !self.c.notations.contains_key(&QNameRef {
                        ns: namespace.as_deref(),
                        local,
                    })
                {
                    self.error(
                        offset,
                        at,
                        format!("{what}: notation {local} is not declared"),
                    );
                }
                Some(v)
            }
            Err(e) => {
                self.error(offset, at, format!("{what}: {e}"));
                None
            }
        }
    }

    /// Checks the attributes against the type; with identity constraints, records each
    /// attribute's value in `attribute_values` and the defaults of absent ones in `defaulted`.
    fn attributes(&mut self, tag: &StartTag, ty: TypeId, at: At, scope: &dyn NamespaceResolver) {
        let c = self.c;
        let ct = c.complex(ty);
        let track = self.identity.is_some();
        for attr in tag.attributes {
            let value = self.attribute(tag, attr, ct, at, scope);
            if track {
                self.attribute_values.push(value);
            }
        }
        let Some(ct) = ct else { return };
        for u in ct.attributes.iter().filter(|u| u.required) {
            let name = &c.attributes[u.decl].name;
            if !tag.attributes.iter().any(|a| name.is(a.ns, a.local)) {
                let message = format!("required attribute {} is missing", name.local);
                self.error(tag.offset, at, message);
            }
        }
        if track {
            for u in &ct.attributes {
                let name = &c.attributes[u.decl].name;
                let present = tag.attributes.iter().any(|a| name.is(a.ns, a.local));
                let default = u.value.as_ref().or(c.attributes[u.decl].value.as_ref());
                if let Some(v) = default.and_then(|v| v.value.clone()).filter(|_| !present) {
                    self.defaulted.push((name.clone(), v));
                }
            }
        }
    }

    /// Checks one attribute against the element's complex type (None: a simple type).
    fn attribute(
        &mut self,
        tag: &StartTag,
        attr: &Attribute,
        ct: Option<&'s ComplexType>,
        at: At,
        scope: &dyn NamespaceResolver,
    ) -> Assessed {
        let c = self.c;
        let ns = attr.ns;
        if ns == Some(XSI)
            && matches!(
                attr.local,
                "type" | "nil" | "schemaLocation" | "noNamespaceSchemaLocation"
            )
        {
            return Assessed::Skipped;
        }
        let attr_at = At {
            attribute: Some(attr.local),
            ..at
        };
        let Some(ct) = ct else {
            let message = format!(
                "attribute {} is not allowed: the element has a simple type",
                attr.local
            );
            self.error(tag.offset, attr_at, message);
            return Assessed::Skipped;
        };
        let used = ct
            .attributes
            .iter()
            .find(|u| c.attributes[u.decl].name.is(ns, attr.local));
        let (decl, fixed) = match used {
            Some(u) => {
                let decl = &c.attributes[u.decl];
                let fixed = u.value.as_ref().or(decl.value.as_ref()).filter(|v| v.fixed);
                (u.decl, fixed)
            }
            None => match &ct.attribute_wildcard {
                Some(w) if w.allows(ns) => {
                    let global = c.global_attributes.get(&QNameRef {
                        ns,
                        local: attr.local,
                    });
                    match (w.process, global.copied()) {
                        (ProcessContents::Skip, _) | (ProcessContents::Lax, None) => {
                            return Assessed::Skipped;
                        }
                        (_, Some(g)) => (g, c.attributes[g].value.as_ref().filter(|v| v.fixed)),
                        (ProcessContents::Strict, None) => {
                            let message = format!(
                                "no declaration for attribute {} allowed by the wildcard",
                                attr.local
                            );
                            self.error(tag.offset, attr_at, message);
                            return Assessed::Skipped;
                        }
                    }
                }
                _ => {
                    let allowed: Vec<&str> = (ct.attributes.iter())
                        .map(|u| c.attributes[u.decl].name.local.as_str())
                        .collect();
                    let message = format!(
                        "attribute {} is not allowed; expected one of {{{}}}",
                        attr.local,
                        allowed.join(", ")
                    );
                    self.error(tag.offset, attr_at, message);
                    return Assessed::Skipped;
                }
            },
        };
        let type_id = c.attributes[decl].type_id;
        let keep = fixed.is_some() || self.identity.is_some();
        let value = if !keep
            && self
                .valid_values
                .contains(&self.memo_slots, type_id, attr.value)
        {
            None
        } else {
            self.simple_value(
                tag.offset,
                type_id,
                attr.value,
                attr_at,
                format_args!("attribute {}", attr.local),
                keep,
                scope,
            )
        };
        if let (Some(v), Some(f)) = (&value, fixed)
            && !f.value.as_ref().is_some_and(|fv| simple::same_value(v, fv))
        {
            let message = format!(
                "attribute {} must have the fixed value {:?}, found {:?}",
                attr.local, f.lexical, attr.value
            );
            self.error(tag.offset, attr_at, message);
        }
        value.map_or(Assessed::NoValue, Assessed::Value)
    }

    fn fixed_mismatch(&mut self, offset: usize, at: At, fixed: &str, found: &str) {
        let message = format!("the element must have the fixed value {fixed:?}, found {found:?}");
        self.error(offset, at, message);
    }
}

fn describe_expected(
    c: &Components,
    models: &Models,
    root: ParticleId,
    state: &MatchState,
) -> String {
    let mut names: Vec<String> = vec![];
    for leaf in models.expected(root, state) {
        let s = match &c.particles[leaf].term {
            Term::Element(e) => c.elements[*e].name.local.clone(),
            Term::Wildcard(w) => w.describe(),
            _ => continue,
        };
        if !names.contains(&s) {
            names.push(s);
        }
    }
    if names.is_empty() {
        "no more elements".to_owned()
    } else {
        format!("one of {{{}}}", names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A memo of one context-free type, and the thread's workspace with "a" remembered in it.
    fn remembering_a(context_free: &[bool]) -> (ValidValues<'_>, Workspace) {
        let memo = ValidValues::new(memo::new_set_identity(), context_free);
        let mut workspace = Workspace::take();
        memo.insert(&mut workspace.memo_slots, 0, "a");
        (memo, workspace)
    }

    #[test]
    fn the_thread_keeps_the_memo_and_a_validator_inside_another_gets_its_own() {
        let (memo, outer) = remembering_a(&[true]);
        let mut inner = Workspace::take();
        memo.insert(&mut inner.memo_slots, 0, "b");
        assert!(memo.contains(&inner.memo_slots, 0, "b"));
        assert!(!memo.contains(&inner.memo_slots, 0, "a"));
        inner.give_back();
        outer.give_back();
        let again = Workspace::take();
        assert!(
            memo.contains(&again.memo_slots, 0, "a"),
            "kept by the thread"
        );
    }

    #[test]
    fn a_long_value_leaves_its_memory_but_not_the_memo() {
        let (memo, mut workspace) = remembering_a(&[true]);
        workspace.text_value.push_str(&"x".repeat(2 * KEPT_TEXT));
        workspace.give_back();
        let again = Workspace::take();
        assert!(again.text_value.capacity() <= KEPT_TEXT);
        assert!(memo.contains(&again.memo_slots, 0, "a"));
    }
}
