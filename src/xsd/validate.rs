//! Instance validation: assessing an element against its declaration or type (XSD 1.0, 3.3.4,
//! 3.4.4, 3.11.4), collecting every error up to a limit.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;

use roxmltree::{Node, NodeId};

use super::automaton::Automata;
use super::compile::NodeResolver;
use super::content::{Buffers, MatchState, Models};
use super::error::{ValidationError, ValidationReport};
use super::identity::Selected;
use super::model::*;
use super::simple::{self, Ids};
use super::{XSI, datatypes::BuiltinType};

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

type FieldValue = Option<TypedValue>;

/// The field values of one node an identity constraint selects.
type KeyTuple = Vec<TypedValue>;

pub struct Validator<'s, 'a, 'i> {
    c: &'s Components,
    models: Models<'s>,
    automata: &'s Automata,
    /// Content-model working memory shared by all elements of the document.
    buffers: Buffers,
    doc: &'a roxmltree::Document<'i>,
    pub report: ValidationReport,
    limit: usize,
    ids: HashSet<String>,
    idrefs: Vec<(Node<'a, 'i>, InstancePath<'a, 'i>, String)>,
    /// The element validation started at: paths are given from it.
    root: NodeId,
    track_values: bool,
    values: HashMap<(NodeId, Option<usize>), FieldValue>,
    key_tables: HashMap<IdcId, Vec<(NodeId, Vec<KeyTuple>)>>,
    /// Attributes absent from an element but given a default by its type, for identity fields.
    defaulted: HashMap<NodeId, Vec<(QName, TypedValue)>>,
}

fn is_whitespace(s: &str) -> bool {
    s.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

/// The character content of an element, borrowed when it is one text node (the usual case).
fn element_text<'a>(node: Node<'a, '_>) -> Cow<'a, str> {
    let mut texts = node
        .children()
        .filter(Node::is_text)
        .filter_map(|c| c.text());
    match (texts.next(), texts.next()) {
        (None, _) => Cow::Borrowed(""),
        (Some(only), None) => Cow::Borrowed(only),
        (Some(first), Some(second)) => {
            let mut all = format!("{first}{second}");
            all.extend(texts);
            Cow::Owned(all)
        }
    }
}

/// The element (or one of its attributes) an error is about, rendered as a path only when an
/// error is reported, so valid documents build no path strings.
#[derive(Clone, Copy)]
pub struct InstancePath<'a, 'i> {
    element: Node<'a, 'i>,
    attribute: Option<&'a str>,
}

impl<'a, 'i> InstancePath<'a, 'i> {
    fn element(element: Node<'a, 'i>) -> Self {
        InstancePath {
            element,
            attribute: None,
        }
    }

    fn attribute(self, name: &'a str) -> Self {
        InstancePath {
            attribute: Some(name),
            ..self
        }
    }

    /// `/Envelope/Body/Request/Item[2]/Status/@code` from `root` down, with `[n]` where the
    /// name repeats among the element's siblings.
    fn render(self, root: NodeId) -> String {
        let mut steps = vec![];
        let mut node = self.element;
        loop {
            let name = node.tag_name();
            let parent = node.parent_element().filter(|_| node.id() != root);
            let Some(parent) = parent else {
                steps.push(name.name().to_owned());
                break;
            };
            let (mut position, mut total) = (0, 0);
            for sibling in parent
                .children()
                .filter(|s| s.is_element() && s.tag_name() == name)
            {
                total += 1;
                if sibling == node {
                    position = total;
                }
            }
            steps.push(if total == 1 {
                name.name().to_owned()
            } else {
                format!("{}[{position}]", name.name())
            });
            node = parent;
        }
        steps.reverse();
        let mut path = format!("/{}", steps.join("/"));
        if let Some(attribute) = self.attribute {
            path.push_str("/@");
            path.push_str(attribute);
        }
        path
    }
}

fn display_name(node: Node) -> String {
    match node.tag_name().namespace() {
        Some(ns) => format!("{{{ns}}}{}", node.tag_name().name()),
        None => node.tag_name().name().to_owned(),
    }
}

impl<'s, 'a, 'i> Validator<'s, 'a, 'i> {
    pub fn new(
        c: &'s Components,
        nullable: &'s [bool],
        automata: &'s Automata,
        doc: &'a roxmltree::Document<'i>,
        limit: usize,
    ) -> Self {
        Validator {
            c,
            models: Models::new(&c.particles, nullable),
            automata,
            buffers: Buffers::default(),
            doc,
            report: ValidationReport::default(),
            limit,
            ids: HashSet::new(),
            idrefs: vec![],
            root: doc.root().id(),
            track_values: !c.idcs.is_empty(),
            values: HashMap::new(),
            key_tables: HashMap::new(),
            defaulted: HashMap::new(),
        }
    }

    fn error(&mut self, node: Node, path: InstancePath<'a, 'i>, message: impl Into<String>) {
        self.error_before(self.report.errors.len(), node, path, message);
    }

    /// Reports an error found late as if it had been found when the report had `index` errors:
    /// it goes there, and the limit keeps the earliest.
    fn error_before(
        &mut self,
        index: usize,
        node: Node,
        path: InstancePath<'a, 'i>,
        message: impl Into<String>,
    ) {
        if index >= self.limit {
            self.report.truncated = true;
            return;
        }
        let pos = self.doc.text_pos_at(node.range().start);
        let path = path.render(self.root);
        let error = ValidationError {
            line: pos.row,
            column: pos.col,
            path,
            message: message.into(),
        };
        self.report.errors.insert(index, error);
        if self.report.errors.len() > self.limit {
            self.report.errors.truncate(self.limit);
            self.report.truncated = true;
        }
    }

    /// Validates `node` as the root of an assessment: against its global declaration.
    pub fn validate_root(&mut self, node: Node<'a, 'i>) {
        self.root = node.id();
        let path = InstancePath::element(node);
        let name = QName::new(node.tag_name().namespace(), node.tag_name().name());
        match self.c.global_elements.get(&name) {
            Some(&e) => self.element(node, Some(e), None, path, 0),
            None => {
                if node.attribute((XSI, "type")).is_some() {
                    self.element(node, None, None, path, 0);
                } else {
                    self.error(
                        node,
                        path,
                        format!("no global element declaration for {}", display_name(node)),
                    );
                }
            }
        }
        self.finish_ids();
    }

    fn finish_ids(&mut self) {
        for (node, path, idref) in std::mem::take(&mut self.idrefs) {
            if !self.ids.contains(&idref) {
                self.error(
                    node,
                    path,
                    format!("IDREF {idref:?} does not match any ID in the document"),
                );
            }
        }
    }

    fn xsi_type(
        &mut self,
        node: Node<'a, 'i>,
        path: InstancePath<'a, 'i>,
    ) -> Result<Option<TypeId>, ()> {
        let Some(raw) = node.attribute((XSI, "type")) else {
            return Ok(None);
        };
        let raw = raw.trim();
        let (prefix, local) = raw
            .split_once(':')
            .map_or((None, raw), |(p, l)| (Some(p), l));
        let ns = node.lookup_namespace_uri(prefix);
        if prefix.is_some() && ns.is_none() {
            self.error(
                node,
                path,
                format!("xsi:type {raw:?}: prefix is not declared"),
            );
            return Err(());
        }
        match self.c.global_types.get(&QName::new(ns, local)) {
            Some(&t) => Ok(Some(t)),
            None if ns == Some(super::XS) && local == "anyType" => Ok(Some(self.c.any_type)),
            None => {
                self.error(
                    node,
                    path,
                    format!("xsi:type {raw:?} does not name a type of the schema"),
                );
                Err(())
            }
        }
    }

    /// Validates an element against a declaration, or against a type when `decl` is None.
    fn element(
        &mut self,
        node: Node<'a, 'i>,
        decl: Option<ElemId>,
        ty: Option<TypeId>,
        path: InstancePath<'a, 'i>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            self.error(node, path, "elements nested too deeply to validate");
            return;
        }
        let d = decl.map(|e| &self.c.elements[e]);
        let declared = d.map(|d| d.type_id).or(ty).unwrap_or(self.c.any_type);
        let mut effective = declared;
        match self.xsi_type(node, path) {
            Err(()) => return,
            Ok(Some(t)) => {
                let mut blocked = d.map(|d| d.block).unwrap_or_default();
                if let Some(ct) = self.c.complex(declared) {
                    blocked.extension |= ct.block.extension;
                    blocked.restriction |= ct.block.restriction;
                }
                if !type_derives(self.c, t, declared, blocked) {
                    self.error(
                        node,
                        path,
                        format!(
                            "xsi:type {} is not validly derived from the declared type {}",
                            self.c.type_name(t),
                            self.c.type_name(declared)
                        ),
                    );
                    return;
                }
                effective = t;
            }
            Ok(None) => {}
        }
        if let Some(d) = d
            && d.is_abstract
        {
            self.error(
                node,
                path,
                format!(
                    "element {} is abstract; use a member of its substitution group",
                    d.name
                ),
            );
        }
        if self.c.complex(effective).is_some_and(|ct| ct.is_abstract) {
            self.error(
                node,
                path,
                format!(
                    "type {} is abstract; use xsi:type to name a derived type",
                    self.c.type_name(effective)
                ),
            );
        }
        let mut nil = false;
        if let Some(v) = node.attribute((XSI, "nil")) {
            let v = v.trim();
            let value = match v {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            };
            if !d.is_some_and(|d| d.nillable) {
                self.error(
                    node,
                    path,
                    "xsi:nil is given but the element is not nillable",
                );
            } else if value.is_none() {
                self.error(node, path, format!("xsi:nil {v:?} is not a boolean"));
            } else if value == Some(true) {
                nil = true;
                if node
                    .children()
                    .any(|c| c.is_element() || (c.is_text() && !c.text().unwrap_or("").is_empty()))
                {
                    self.error(node, path, "an element with xsi:nil=\"true\" must be empty");
                }
                if d.is_some_and(|d| d.value.as_ref().is_some_and(|v| v.fixed)) {
                    self.error(node, path, "an element with a fixed value cannot be nil");
                }
            }
        }
        self.attributes(node, effective, path);
        if !nil {
            self.content(node, decl, effective, path, depth);
        } else if self.track_values {
            self.values.insert((node.id(), None), None);
        }
        if let Some(d) = d
            && !d.idcs.is_empty()
        {
            let idcs = d.idcs.clone();
            self.identity_constraints(node, &idcs, path);
        }
    }

    /// Validates a simple value and returns it, or None when it is invalid or, with `keep`
    /// false, when the value is not needed and the type's check needs none.
    fn simple_value(
        &mut self,
        node: Node<'a, 'i>,
        ty: TypeId,
        text: &str,
        path: InstancePath<'a, 'i>,
        what: fmt::Arguments,
        keep: bool,
    ) -> Option<TypedValue> {
        if !keep && simple::is_valid_plain_string(self.c, ty, text) {
            return None;
        }
        let mut ids = Ids::default();
        match simple::validate(self.c, ty, text, &NodeResolver(node), &mut ids) {
            Ok(v) => {
                for id in ids.ids {
                    if !self.ids.insert(id.clone()) {
                        self.error(node, path, format!("duplicate ID {id:?}"));
                    }
                }
                for r in ids.idrefs {
                    self.idrefs.push((node, path, r));
                }
                if ids.entities > 0 {
                    self.error(
                        node,
                        path,
                        format!("{what}: no unparsed entity is declared (documents have no DTD)"),
                    );
                }
                if let TypedValue::Atomic(
                    BuiltinType::Notation,
                    super::datatypes::Value::Notation { namespace, local },
                ) = &v
                    && !self.c.notations.contains_key(&QName {
                        ns: namespace.clone(),
                        local: local.clone(),
                    })
                {
                    self.error(
                        node,
                        path,
                        format!("{what}: notation {local} is not declared"),
                    );
                }
                Some(v)
            }
            Err(e) => {
                self.error(node, path, format!("{what}: {e}"));
                None
            }
        }
    }

    fn attributes(&mut self, node: Node<'a, 'i>, ty: TypeId, path: InstancePath<'a, 'i>) {
        let c = self.c;
        let ct = c.complex(ty);
        for (index, attr) in node.attributes().enumerate() {
            let ns = attr.namespace();
            if ns == Some(XSI)
                && matches!(
                    attr.name(),
                    "type" | "nil" | "schemaLocation" | "noNamespaceSchemaLocation"
                )
            {
                continue;
            }
            let attr_path = path.attribute(attr.name());
            let Some(ct) = ct else {
                self.error(
                    node,
                    attr_path,
                    format!(
                        "attribute {} is not allowed: the element has a simple type",
                        attr.name()
                    ),
                );
                continue;
            };
            let used = ct
                .attributes
                .iter()
                .find(|u| c.attributes[u.decl].name.is(ns, attr.name()));
            let (decl, fixed) = match used {
                Some(u) => {
                    let decl = &c.attributes[u.decl];
                    (
                        Some(u.decl),
                        u.value.as_ref().or(decl.value.as_ref()).filter(|v| v.fixed),
                    )
                }
                None => {
                    match &ct.attribute_wildcard {
                        Some(w) if w.allows(ns) => {
                            let global = c
                                .global_attributes
                                .get(&QName::new(ns, attr.name()))
                                .copied();
                            match (w.process, global) {
                                (ProcessContents::Skip, _) | (ProcessContents::Lax, None) => {
                                    continue;
                                }
                                (_, Some(g)) => {
                                    (Some(g), c.attributes[g].value.as_ref().filter(|v| v.fixed))
                                }
                                (ProcessContents::Strict, None) => {
                                    self.error(node, attr_path, format!("no declaration for attribute {} allowed by the wildcard", attr.name()));
                                    continue;
                                }
                            }
                        }
                        _ => {
                            let allowed: Vec<String> = ct
                                .attributes
                                .iter()
                                .map(|u| c.attributes[u.decl].name.local.clone())
                                .collect();
                            self.error(
                                node,
                                attr_path,
                                format!(
                                    "attribute {} is not allowed; expected one of {{{}}}",
                                    attr.name(),
                                    allowed.join(", ")
                                ),
                            );
                            continue;
                        }
                    }
                }
            };
            let Some(decl) = decl else { continue };
            let value = self.simple_value(
                node,
                c.attributes[decl].type_id,
                attr.value(),
                attr_path,
                format_args!("attribute {}", attr.name()),
                fixed.is_some() || self.track_values,
            );
            if let (Some(v), Some(f)) = (&value, fixed)
                && !f.value.as_ref().is_some_and(|fv| simple::same_value(v, fv))
            {
                self.error(
                    node,
                    attr_path,
                    format!(
                        "attribute {} must have the fixed value {:?}, found {:?}",
                        attr.name(),
                        f.lexical,
                        attr.value()
                    ),
                );
            }
            if self.track_values {
                self.values.insert((node.id(), Some(index)), value);
            }
        }
        if let Some(ct) = ct {
            for u in ct.attributes.iter().filter(|u| u.required) {
                let name = &c.attributes[u.decl].name;
                if !node.attributes().any(|a| name.is(a.namespace(), a.name())) {
                    self.error(
                        node,
                        path,
                        format!("required attribute {} is missing", name.local),
                    );
                }
            }
            if self.track_values {
                for u in &ct.attributes {
                    let name = &c.attributes[u.decl].name;
                    let present = node.attributes().any(|a| name.is(a.namespace(), a.name()));
                    let default = u.value.as_ref().or(c.attributes[u.decl].value.as_ref());
                    if let Some(v) = default.and_then(|v| v.value.clone()).filter(|_| !present) {
                        self.defaulted
                            .entry(node.id())
                            .or_default()
                            .push((name.clone(), v));
                    }
                }
            }
        }
    }

    fn fixed_mismatch(&mut self, node: Node, path: InstancePath<'a, 'i>, fixed: &str, found: &str) {
        let message = format!("the element must have the fixed value {fixed:?}, found {found:?}");
        self.error(node, path, message);
    }

    fn content(
        &mut self,
        node: Node<'a, 'i>,
        decl: Option<ElemId>,
        ty: TypeId,
        path: InstancePath<'a, 'i>,
        depth: usize,
    ) {
        let c = self.c;
        let value_constraint = decl.and_then(|e| c.elements[e].value.as_ref());
        let simple_type = match &c.types[ty].kind {
            TypeKind::Simple(_) => Some(ty),
            TypeKind::Complex(ct) => match ct.content {
                ContentType::Simple(st) => Some(st),
                _ => None,
            },
        };
        if let Some(st) = simple_type {
            if let Some(child) = node.children().find(|n| n.is_element()) {
                self.error(
                    child,
                    path,
                    format!(
                        "element {} is not allowed: the content is a simple value",
                        display_name(child)
                    ),
                );
                return;
            }
            let text = element_text(node);
            let value = match (text.is_empty(), value_constraint) {
                (true, Some(vc)) => vc.value.clone(),
                _ => self.simple_value(
                    node,
                    st,
                    &text,
                    path,
                    format_args!("element {}", node.tag_name().name()),
                    value_constraint.is_some_and(|vc| vc.fixed) || self.track_values,
                ),
            };
            if let (Some(v), Some(vc)) = (&value, value_constraint.filter(|v| v.fixed))
                && !vc.value.as_ref().is_some_and(|f| simple::same_value(v, f))
            {
                self.fixed_mismatch(node, path, &vc.lexical, &text);
            }
            if self.track_values {
                self.values.insert((node.id(), None), value);
            }
            return;
        }
        let Some(ct) = c.complex(ty) else { return };
        if self.track_values {
            self.values.insert((node.id(), None), None);
        }
        let (particle, mixed) = match ct.content {
            ContentType::Elements { particle, mixed } => (Some(particle), mixed),
            _ => (None, false),
        };
        const STRAY_TEXT: &str = "text is not allowed in element-only content";
        let is_stray_text =
            |n: &Node| !mixed && n.is_text() && !is_whitespace(n.text().unwrap_or(""));
        if mixed
            && let Some(vc) = value_constraint.filter(|v| v.fixed)
            && node.children().all(|n| !n.is_element())
        {
            let text = element_text(node);
            if !text.is_empty() && text != vc.lexical {
                self.fixed_mismatch(node, path, &vc.lexical, &text);
            }
        }
        let Some(root) = particle else {
            if let Some(t) = node.children().find(is_stray_text) {
                self.error(t, path, STRAY_TEXT);
            }
            if let Some(child) = node.children().find(|n| n.is_element()) {
                self.error(
                    child,
                    path,
                    format!(
                        "element {} is not allowed: the content must be empty",
                        display_name(child)
                    ),
                );
            }
            return;
        };
        // one pass over the children finds stray text and matches elements (a large element's
        // children are far apart in memory); the text error still comes before the children's
        let errors_before = self.report.errors.len();
        let mut stray_text = None;
        let mut cursor = self.automata.start(root);
        for child in node.children() {
            if !child.is_element() {
                if stray_text.is_none() && is_stray_text(&child) {
                    stray_text = Some(child);
                }
                continue;
            }
            let child_path = InstancePath::element(child);
            let (cns, clocal) = (child.tag_name().namespace(), child.tag_name().name());
            let step = self.automata.step(
                c,
                &self.models,
                root,
                &mut cursor,
                &mut self.buffers,
                (cns, clocal),
            );
            let Some(leaf) = step else {
                let expected =
                    self.describe_expected(root, self.automata.match_state(root, &cursor));
                self.error(
                    child,
                    child_path,
                    format!(
                        "unexpected element {}; expected {expected}",
                        display_name(child)
                    ),
                );
                continue;
            };
            match &c.particles[leaf].term {
                Term::Element(e) => {
                    // The content model matched this leaf by the child's name: the child is the
                    // declaration itself or a member of its substitution group.
                    let actual = c.element_named(*e, cns, clocal).unwrap_or(*e);
                    if actual != *e {
                        let head = &c.elements[*e];
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
                            self.error(
                                child,
                                child_path,
                                format!(
                                    "{} may not substitute for {}: blocked",
                                    display_name(child),
                                    head.name
                                ),
                            );
                        }
                    }
                    self.element(child, Some(actual), None, child_path, depth + 1);
                }
                Term::Wildcard(w) => {
                    let process = w.process;
                    self.wildcard_element(child, process, child_path, depth + 1);
                }
                _ => {}
            }
        }
        if let Some(t) = stray_text {
            self.error_before(errors_before, t, path, STRAY_TEXT);
        }
        if !self.automata.is_complete(&self.models, root, &cursor) {
            let expected = self.describe_expected(root, self.automata.match_state(root, &cursor));
            self.error(
                node,
                path,
                format!(
                    "content of {} is incomplete; expected {expected}",
                    node.tag_name().name()
                ),
            );
        }
    }

    fn wildcard_element(
        &mut self,
        node: Node<'a, 'i>,
        process: ProcessContents,
        path: InstancePath<'a, 'i>,
        depth: usize,
    ) {
        let name = QName::new(node.tag_name().namespace(), node.tag_name().name());
        let global = self.c.global_elements.get(&name).copied();
        match (process, global) {
            (ProcessContents::Skip, _) => {}
            (_, Some(e)) => self.element(node, Some(e), None, path, depth),
            (_, None) if node.attribute((XSI, "type")).is_some() => {
                self.element(node, None, None, path, depth)
            }
            (ProcessContents::Strict, None) => self.error(
                node,
                path,
                format!(
                    "no global declaration for {} (required by a strict wildcard)",
                    display_name(node)
                ),
            ),
            (ProcessContents::Lax, None) => {
                for child in node.children().filter(Node::is_element) {
                    let child_path = InstancePath::element(child);
                    self.wildcard_element(child, ProcessContents::Lax, child_path, depth + 1);
                }
            }
        }
    }

    fn describe_expected(&self, root: ParticleId, state: &MatchState) -> String {
        let mut names: Vec<String> = vec![];
        for leaf in self.models.expected(root, state) {
            let s = match &self.c.particles[leaf].term {
                Term::Element(e) => self.c.elements[*e].name.local.clone(),
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

    fn identity_constraints(
        &mut self,
        node: Node<'a, 'i>,
        idcs: &[IdcId],
        path: InstancePath<'a, 'i>,
    ) {
        let c = self.c;
        let mut order: Vec<IdcId> = idcs.to_vec();
        order.sort_by_key(|i| c.idcs[*i].kind == IdcKind::KeyRef);
        for id in order {
            let idc = &c.idcs[id];
            let mut tuples: Vec<Vec<TypedValue>> = vec![];
            for target in idc.selector.select_elements(node) {
                let mut tuple = vec![];
                let mut complete = true;
                for field in &idc.fields {
                    let selected = field.select(target);
                    if selected.len() > 1 {
                        self.error(
                            target,
                            path,
                            format!("a field of {} selects more than one node", idc.name.local),
                        );
                        complete = false;
                        break;
                    }
                    let Some(sel) = selected.first() else {
                        let default =
                            field
                                .attribute_steps(target)
                                .into_iter()
                                .find_map(|(n, test)| {
                                    let defaults = self.defaulted.get(&n.id())?;
                                    let found = defaults
                                        .iter()
                                        .find(|(q, _)| test.matches(q.ns.as_deref(), &q.local));
                                    found.map(|(_, v)| v.clone())
                                });
                        match default {
                            Some(v) => tuple.push(v),
                            None => complete = false,
                        }
                        continue;
                    };
                    let key = match sel {
                        Selected::Element(n) => (n.id(), None),
                        Selected::Attribute(n, k) => (n.id(), Some(*k)),
                    };
                    match self.values.get(&key) {
                        Some(Some(v)) => tuple.push(v.clone()),
                        _ => {
                            if idc.kind == IdcKind::Key
                                || !matches!(sel, Selected::Element(n) if self.values.get(&(n.id(), None)).is_some_and(Option::is_none) && n.attribute((XSI, "nil")).is_some())
                            {
                                self.error(
                                    target,
                                    path,
                                    format!(
                                        "a field of {} does not select a simple value",
                                        idc.name.local
                                    ),
                                );
                            }
                            complete = false;
                        }
                    }
                }
                if !complete {
                    if idc.kind == IdcKind::Key && tuple.len() < idc.fields.len() {
                        self.error(
                            target,
                            path,
                            format!("key {} is missing a field value", idc.name.local),
                        );
                    }
                    continue;
                }
                let duplicate = tuples
                    .iter()
                    .any(|t| t.iter().zip(&tuple).all(|(a, b)| simple::same_value(a, b)));
                if idc.kind != IdcKind::KeyRef && duplicate {
                    self.error(
                        target,
                        path,
                        format!(
                            "duplicate value for {} {}",
                            if idc.kind == IdcKind::Key {
                                "key"
                            } else {
                                "unique constraint"
                            },
                            idc.name.local
                        ),
                    );
                    continue;
                }
                tuples.push(tuple);
            }
            if idc.kind == IdcKind::KeyRef {
                let Some(refer) = idc.refer else { continue };
                let tables: Vec<&Vec<Vec<TypedValue>>> = self
                    .key_tables
                    .get(&refer)
                    .map(|v| {
                        v.iter()
                            .filter(|(n, _)| {
                                self.doc
                                    .get_node(*n)
                                    .is_some_and(|n| n.ancestors().any(|a| a.id() == node.id()))
                            })
                            .map(|(_, t)| t)
                            .collect()
                    })
                    .unwrap_or_default();
                let mut missing = vec![];
                for tuple in &tuples {
                    let found = tables.iter().any(|t| {
                        t.iter()
                            .any(|k| k.iter().zip(tuple).all(|(a, b)| simple::same_value(a, b)))
                    });
                    if !found {
                        missing.push(format!("{tuple:?}"));
                    }
                }
                for m in missing {
                    self.error(
                        node,
                        path,
                        format!(
                            "keyref {} refers to a value {m} that no {} has",
                            idc.name.local, c.idcs[refer].name.local
                        ),
                    );
                }
            } else {
                self.key_tables
                    .entry(id)
                    .or_default()
                    .push((node.id(), tuples));
            }
        }
    }
}
