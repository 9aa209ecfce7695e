//! The XPath subset of identity-constraint selectors and fields (XSD 1.0, 3.11.6).

use std::collections::HashMap;

use super::model::{Components, IdcId, IdcKind, QName, TypedValue};
use super::simple;
use super::validate::Attribute;

/// Steps of one alternative, and alternatives of one path, that a `u64` mask can follow.
const MAX_STEPS: usize = 63;
const MAX_ALTERNATIVES: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameTest {
    Any,
    Namespace(Option<String>),
    Name(Option<String>, String),
}

impl NameTest {
    pub fn matches(&self, ns: Option<&str>, local: &str) -> bool {
        match self {
            NameTest::Any => true,
            NameTest::Namespace(n) => n.as_deref() == ns,
            NameTest::Name(n, l) => n.as_deref() == ns && l == local,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    SelfNode,
    Child(NameTest),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Alternative {
    descendants: bool,
    steps: Vec<Step>,
    attribute: Option<NameTest>,
}

/// A parsed selector or field expression: alternatives separated by `|`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    alternatives: Vec<Alternative>,
}

fn tokenize(expr: &str) -> Result<Vec<String>, String> {
    let mut tokens = vec![];
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            tokens.push("//".to_owned());
            i += 2;
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push("::".to_owned());
            i += 2;
        } else if "/|@*.:".contains(c) {
            tokens.push(c.to_string());
            i += 1;
        } else if c.is_alphanumeric() || c == '_' || c == '-' || !c.is_ascii() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric()
                    || "_-.".contains(chars[i])
                    || (!chars[i].is_ascii() && !chars[i].is_whitespace()))
            {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
        } else {
            return Err(format!("unexpected {c:?} in XPath {expr:?}"));
        }
    }
    Ok(tokens)
}

impl Path {
    /// Parses a selector (`field = false`) or field expression; `resolve` maps prefixes.
    pub fn parse(
        expr: &str,
        field: bool,
        resolve: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Path, String> {
        let tokens = tokenize(expr)?;
        let mut alternatives = vec![];
        let mut i = 0;
        let bad = |why: &str| {
            Err(format!(
                "invalid {} XPath {expr:?}: {why}",
                if field { "field" } else { "selector" }
            ))
        };
        loop {
            let mut alt = Alternative {
                descendants: false,
                steps: vec![],
                attribute: None,
            };
            if tokens.get(i).map(String::as_str) == Some(".")
                && tokens.get(i + 1).map(String::as_str) == Some("//")
            {
                alt.descendants = true;
                i += 2;
            }
            loop {
                let tok = tokens.get(i).map(String::as_str);
                let mut attribute = false;
                match tok {
                    Some(".") => {
                        alt.steps.push(Step::SelfNode);
                        i += 1;
                    }
                    Some("@") => {
                        attribute = true;
                        i += 1;
                    }
                    Some("attribute") if tokens.get(i + 1).map(String::as_str) == Some("::") => {
                        attribute = true;
                        i += 2;
                    }
                    Some("child") if tokens.get(i + 1).map(String::as_str) == Some("::") => i += 2,
                    Some(_) => {}
                    None => return bad("missing step"),
                }
                if tok != Some(".") {
                    let (test, used) =
                        match Self::name_test(&tokens[i.min(tokens.len())..], resolve) {
                            Ok(v) => v,
                            Err(e) => return bad(&e),
                        };
                    i += used;
                    if attribute {
                        if !field {
                            return bad("attributes are not allowed in a selector");
                        }
                        alt.attribute = Some(test);
                    } else {
                        alt.steps.push(Step::Child(test));
                    }
                }
                match tokens.get(i).map(String::as_str) {
                    Some("/") if alt.attribute.is_none() => i += 1,
                    _ => break,
                }
            }
            // a path's progress is kept as bit masks (see `Progress`)
            if alt.steps.len() >= MAX_STEPS || alternatives.len() >= MAX_ALTERNATIVES {
                return bad("too many steps or alternatives");
            }
            alternatives.push(alt);
            match tokens.get(i).map(String::as_str) {
                None => break,
                Some("|") => i += 1,
                Some(t) => return bad(&format!("unexpected {t:?}")),
            }
        }
        Ok(Path { alternatives })
    }

    fn name_test(
        tokens: &[String],
        resolve: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(NameTest, usize), String> {
        let is_name = |t: &str| {
            t.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
        };
        match tokens {
            [star, ..] if star == "*" => Ok((NameTest::Any, 1)),
            [p, colon, rest, ..] if colon == ":" && is_name(p) => {
                let ns = resolve(p).ok_or_else(|| format!("prefix {p:?} is not declared"))?;
                if rest == "*" {
                    Ok((NameTest::Namespace(Some(ns)), 3))
                } else if is_name(rest) {
                    Ok((NameTest::Name(Some(ns), rest.clone()), 3))
                } else {
                    Err(format!("bad name after {p}:"))
                }
            }
            [name, ..] if is_name(name) => Ok((NameTest::Name(None, name.clone()), 1)),
            _ => Err("expected a name test".to_owned()),
        }
    }
}

/// Where a path stands at one element below its context: for each alternative, bit n set when
/// its first n steps lead from the context to this element.
type Progress = Vec<u64>;

impl Alternative {
    /// Adds the positions reached from `mask` by `.` steps, which stay on the same element.
    fn close_over_self_steps(&self, mut mask: u64) -> u64 {
        for (i, step) in self.steps.iter().enumerate() {
            if mask & (1 << i) != 0 && *step == Step::SelfNode {
                mask |= 1 << (i + 1);
            }
        }
        mask
    }

    fn at_child(&self, parent: u64, ns: Option<&str>, local: &str) -> u64 {
        // `.//` starts the path afresh at every descendant
        let mut mask = u64::from(self.descendants);
        for (i, step) in self.steps.iter().enumerate() {
            if let Step::Child(test) = step
                && parent & (1 << i) != 0
                && test.matches(ns, local)
            {
                mask |= 1 << (i + 1);
            }
        }
        self.close_over_self_steps(mask)
    }

    fn is_complete(&self, mask: u64) -> bool {
        mask & (1 << self.steps.len()) != 0
    }
}

/// A path followed down the subtree of its context element as the elements open and close.
#[derive(Debug)]
struct Matcher<'s> {
    path: &'s Path,
    levels: Vec<Progress>,
}

impl<'s> Matcher<'s> {
    fn at_context(path: &'s Path) -> Self {
        let start = path
            .alternatives
            .iter()
            .map(|a| a.close_over_self_steps(1))
            .collect();
        Matcher {
            path,
            levels: vec![start],
        }
    }

    fn open(&mut self, ns: Option<&str>, local: &str) {
        let parent = self.levels.last().map(Vec::as_slice).unwrap_or_default();
        let next = (self.path.alternatives.iter().zip(parent))
            .map(|(a, &mask)| a.at_child(mask, ns, local))
            .collect();
        self.levels.push(next);
    }

    fn close(&mut self) {
        self.levels.pop();
    }

    /// The alternatives that select the element last opened (or the context).
    fn selecting(&self) -> impl Iterator<Item = (usize, &'s Alternative)> + '_ {
        let current = self.levels.last().map(Vec::as_slice).unwrap_or_default();
        (self.path.alternatives.iter().enumerate().zip(current))
            .filter(|((_, a), mask)| a.is_complete(**mask))
            .map(|(alternative, _)| alternative)
    }
}

/// How far an element or attribute was assessed: the value an identity-constraint field gets.
#[derive(Debug, Clone, Default)]
pub enum Assessed {
    /// Not assessed (skipped, or its assessment stopped at an error).
    #[default]
    Skipped,
    /// Assessed, but without a simple value (complex content, nil, or invalid).
    NoValue,
    Value(TypedValue),
}

/// An element as the identity constraints see it when it opens.
pub struct Opened<'e> {
    pub ns: Option<&'e str>,
    pub local: &'e str,
    pub offset: usize,
    pub ordinal: usize,
    pub attributes: &'e [Attribute<'e>],
    /// The attributes' assessment, in the same order (shorter when not assessed).
    pub values: &'e [Assessed],
    /// Attributes absent from the element but given a default by its type.
    pub defaulted: &'e [(QName, TypedValue)],
    pub nil_attribute: bool,
}

#[derive(Debug)]
enum Selection {
    Attribute(Assessed),
    /// The element's value arrives when it closes.
    Element {
        value: Assessed,
        nil_attribute: bool,
    },
}

#[derive(Debug)]
struct Field<'s> {
    matcher: Matcher<'s>,
    count: usize,
    first: Option<Selection>,
    /// The default of an absent attribute the field names, by the first alternative giving one.
    default: Option<(usize, TypedValue)>,
}

#[derive(Debug)]
struct Target<'s> {
    offset: usize,
    depth: usize,
    fields: Vec<Field<'s>>,
}

/// One identity constraint of one element, collecting its targets while the element is open.
#[derive(Debug)]
struct Scope<'s> {
    idc: IdcId,
    owner_depth: usize,
    owner_ordinal: usize,
    owner_offset: usize,
    selector: Matcher<'s>,
    targets: Vec<Target<'s>>,
    /// Indices of the targets still open, innermost last.
    open: Vec<usize>,
}

/// The field values of the targets of a key or unique constraint.
type KeyTable = Vec<Vec<TypedValue>>;

/// Which field waits for an element's value: (scope, target, field).
type Waiter = (usize, usize, usize);

/// An error of an identity constraint: where (byte offset), what; the path is its element's.
pub struct IdcError {
    pub offset: usize,
    pub message: String,
}

/// Identity constraints evaluated while the document streams by (as Xerces does): a constraint
/// is active from its element's start to its end, selects targets in that subtree, fills their
/// fields, and is judged when the element closes; keyrefs look up the key tables of the same
/// element or its descendants.
pub struct Tracker<'s> {
    c: &'s Components,
    scopes: Vec<Scope<'s>>,
    /// Per open element: the fields that selected it.
    waiters: Vec<Vec<Waiter>>,
    /// Per key or unique constraint: the element that owned a table (its ordinal) and the table.
    tables: HashMap<IdcId, Vec<(usize, KeyTable)>>,
}

impl<'s> Tracker<'s> {
    pub fn new(c: &'s Components) -> Self {
        Tracker {
            c,
            scopes: vec![],
            waiters: vec![],
            tables: HashMap::new(),
        }
    }

    /// An element opens; `idcs` are the constraints its declaration activates.
    pub fn open(&mut self, element: &Opened, idcs: &[IdcId]) {
        let depth = self.waiters.len();
        self.waiters.push(vec![]);
        for index in 0..self.scopes.len() {
            let scope = &mut self.scopes[index];
            scope.selector.open(element.ns, element.local);
            for &t in &scope.open {
                for (f, field) in scope.targets[t].fields.iter_mut().enumerate() {
                    field.matcher.open(element.ns, element.local);
                    select(field, element, (index, t, f), &mut self.waiters);
                }
            }
            self.add_target(index, element, depth);
        }
        for &idc in idcs {
            self.scopes.push(Scope {
                idc,
                owner_depth: depth,
                owner_ordinal: element.ordinal,
                owner_offset: element.offset,
                selector: Matcher::at_context(&self.c.idcs[idc].selector),
                targets: vec![],
                open: vec![],
            });
            self.add_target(self.scopes.len() - 1, element, depth);
        }
    }

    /// Makes `element` a target of the scope when the selector selects it.
    fn add_target(&mut self, index: usize, element: &Opened, depth: usize) {
        let scope = &mut self.scopes[index];
        if scope.selector.selecting().next().is_none() {
            return;
        }
        let t = scope.targets.len();
        let fields = self.c.idcs[scope.idc].fields.iter().enumerate();
        let fields = fields
            .map(|(f, path)| {
                let mut field = Field {
                    matcher: Matcher::at_context(path),
                    count: 0,
                    first: None,
                    default: None,
                };
                select(&mut field, element, (index, t, f), &mut self.waiters);
                field
            })
            .collect();
        scope.targets.push(Target {
            offset: element.offset,
            depth,
            fields,
        });
        scope.open.push(t);
    }

    /// The element last opened closes with `value`; returns the errors of the constraints it
    /// owned (their path is the element's).
    pub fn close(&mut self, value: Assessed) -> Vec<IdcError> {
        let depth = self.waiters.len() - 1;
        for (s, t, f) in self.waiters.pop().unwrap_or_default() {
            if let Some(Selection::Element { value: slot, .. }) =
                &mut self.scopes[s].targets[t].fields[f].first
            {
                *slot = value.clone();
            }
        }
        for scope in &mut self.scopes {
            scope.selector.close();
            if let Some(&t) = scope.open.last()
                && scope.targets[t].depth == depth
            {
                scope.open.pop();
                // a closed target's fields select nothing more
                for field in &mut scope.targets[t].fields {
                    field.matcher.levels = vec![];
                }
            }
            for &t in &scope.open {
                for field in &mut scope.targets[t].fields {
                    field.matcher.close();
                }
            }
        }
        let owned = self.scopes.iter().position(|s| s.owner_depth == depth);
        let mut owned: Vec<Scope> = match owned {
            Some(first) => self.scopes.drain(first..).collect(),
            None => return vec![],
        };
        // keyrefs look up the keys of the same element, so those are judged first
        owned.sort_by_key(|s| self.c.idcs[s.idc].kind == IdcKind::KeyRef);
        let mut errors = vec![];
        for scope in owned {
            self.judge(scope, &mut errors);
        }
        errors
    }

    fn judge(&mut self, scope: Scope, errors: &mut Vec<IdcError>) {
        let c = self.c;
        let idc = &c.idcs[scope.idc];
        let name = &idc.name.local;
        let mut error = |offset, message| errors.push(IdcError { offset, message });
        let mut tuples: Vec<Vec<TypedValue>> = vec![];
        for target in scope.targets {
            let mut tuple = vec![];
            let mut complete = true;
            for field in target.fields {
                if field.count > 1 {
                    let message = format!("a field of {name} selects more than one node");
                    error(target.offset, message);
                    complete = false;
                    break;
                }
                let Some(selection) = field.first else {
                    match field.default {
                        Some((_, v)) => tuple.push(v),
                        None => complete = false,
                    }
                    continue;
                };
                let (value, nil) = match selection {
                    Selection::Attribute(v) => (v, false),
                    Selection::Element {
                        value,
                        nil_attribute,
                    } => {
                        let nil = nil_attribute && matches!(value, Assessed::NoValue);
                        (value, nil)
                    }
                };
                match value {
                    Assessed::Value(v) => tuple.push(v),
                    _ => {
                        // a nil element has no value, which only a key may not lack
                        if idc.kind == IdcKind::Key || !nil {
                            let message =
                                format!("a field of {name} does not select a simple value");
                            error(target.offset, message);
                        }
                        complete = false;
                    }
                }
            }
            if !complete {
                if idc.kind == IdcKind::Key && tuple.len() < idc.fields.len() {
                    error(
                        target.offset,
                        format!("key {name} is missing a field value"),
                    );
                }
                continue;
            }
            let duplicate = tuples.iter().any(|t| same_tuple(t, &tuple));
            if idc.kind != IdcKind::KeyRef && duplicate {
                let what = match idc.kind {
                    IdcKind::Key => "key",
                    _ => "unique constraint",
                };
                error(target.offset, format!("duplicate value for {what} {name}"));
                continue;
            }
            tuples.push(tuple);
        }
        if idc.kind != IdcKind::KeyRef {
            let tables = self.tables.entry(scope.idc).or_default();
            tables.push((scope.owner_ordinal, tuples));
            return;
        }
        let Some(refer) = idc.refer else { return };
        // every table recorded at or after the owner's start is in its subtree: elements after
        // it have not opened yet
        let tables: Vec<&KeyTable> = (self.tables.get(&refer).into_iter().flatten())
            .filter(|(owner, _)| *owner >= scope.owner_ordinal)
            .map(|(_, table)| table)
            .collect();
        for tuple in &tuples {
            if !tables
                .iter()
                .any(|t| t.iter().any(|k| same_tuple(k, tuple)))
            {
                let message = format!(
                    "keyref {name} refers to a value {tuple:?} that no {} has",
                    c.idcs[refer].name.local
                );
                errors.push(IdcError {
                    offset: scope.owner_offset,
                    message,
                });
            }
        }
    }
}

fn same_tuple(a: &[TypedValue], b: &[TypedValue]) -> bool {
    a.iter().zip(b).all(|(x, y)| simple::same_value(x, y))
}

/// Counts what the field's alternatives select at the element `element` (or its attributes).
fn select(field: &mut Field, element: &Opened, waiter: Waiter, waiters: &mut [Vec<Waiter>]) {
    for (index, alternative) in field.matcher.selecting() {
        let Some(test) = &alternative.attribute else {
            field.count += 1;
            if field.count == 1 {
                field.first = Some(Selection::Element {
                    value: Assessed::Skipped,
                    nil_attribute: element.nil_attribute,
                });
                if let Some(w) = waiters.last_mut() {
                    w.push(waiter);
                }
            }
            continue;
        };
        for (i, attribute) in element.attributes.iter().enumerate() {
            if test.matches(attribute.ns, attribute.local) {
                field.count += 1;
                if field.count == 1 {
                    let value = element.values.get(i).cloned().unwrap_or_default();
                    field.first = Some(Selection::Attribute(value));
                }
            }
        }
        if field.default.as_ref().is_none_or(|(by, _)| index < *by)
            && let Some((_, v)) = (element.defaulted.iter())
                .find(|(name, _)| test.matches(name.ns.as_deref(), &name.local))
        {
            field.default = Some((index, v.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(p: &str) -> Option<String> {
        (p == "t").then(|| "urn:t".to_owned())
    }

    /// The elements of `<r xmlns:t="urn:t"><a id="1"><t:b/></a><a id="2"/><c><a id="3"/></c></r>`
    /// (namespace, local name, depth below r) in document order, and which `path` selects.
    fn selected(path: &str) -> Vec<&'static str> {
        let path = Path::parse(path, false, &resolve).unwrap();
        let elements = [
            (None, "a", 1, "a1"),
            (Some("urn:t"), "b", 2, "b"),
            (None, "a", 1, "a2"),
            (None, "c", 1, "c"),
            (None, "a", 2, "a3"),
        ];
        let mut matcher = Matcher::at_context(&path);
        let mut depth = 0;
        let mut out = vec![];
        for (ns, local, level, label) in elements {
            while depth >= level {
                matcher.close();
                depth -= 1;
            }
            matcher.open(ns, local);
            depth += 1;
            if matcher.selecting().next().is_some() {
                out.push(label);
            }
        }
        out
    }

    #[test]
    fn selectors_select_elements_as_they_open() {
        assert_eq!(selected(".//a"), ["a1", "a2", "a3"]);
        assert_eq!(selected("a | c/a"), ["a1", "a2", "a3"]);
        assert_eq!(selected("a/t:b"), ["b"]);
        assert_eq!(selected("./c/./a"), ["a3"]);
        assert_eq!(selected("*"), ["a1", "a2", "c"]);
        assert_eq!(selected(".//t:*"), ["b"]);
        assert!(selected(".").is_empty(), "only the context is `.`");
    }

    #[test]
    fn invalid_expressions_are_refused() {
        assert!(Path::parse("@id", false, &resolve).is_err());
        assert!(Path::parse("a/", false, &resolve).is_err());
        assert!(Path::parse("x:a", false, &resolve).is_err());
        assert!(Path::parse("../a", true, &resolve).is_err());
        assert!(Path::parse("a[1]", true, &resolve).is_err());
    }
}
