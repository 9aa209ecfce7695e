//! Documents valid by construction, generated from the compiled schema model: occurrence
//! counts at their bounds and in between, every choice branch in turn of the draws, facet
//! boundary values (lengths, inclusive and exclusive bounds, total digits, enumerations) and
//! strings matching the pattern facets (walked from the pattern's syntax tree).
//!
//! Every generated value is checked against its type; a type whose facets cannot be met fails
//! loudly, naming the type and the element, instead of yielding an invalid document. A
//! [`TextOverride`] lets the caller supply the text of chosen elements (e.g. a domain value a
//! contract binds to a field); an override the schema refuses is an error too.
//!
//! Draws come from a proptest [`TestRng`], so a seed reproduces a document exactly.

use proptest::prelude::RngExt;
use proptest::test_runner::TestRng;
use regex_syntax::hir::{Class, Hir, HirKind};

use super::api::{ElementDeclRef, ParticleRef, SimpleTypeRef, TermRef, TypeRef, WildcardRef};
use super::datatypes::{BuiltinType, FacetSet, Value, pattern_hir};

/// How big generated documents get.
#[derive(Debug, Clone, Copy)]
pub struct GenerateOptions {
    /// 0 is the minimal document: optional particles left out, repeated ones at minOccurs.
    /// Larger sizes include optional particles and repeat up to `size` times beyond the minimum.
    pub size: u32,
    /// Below this depth, optional particles stay out, so recursive types end.
    pub max_depth: usize,
    /// Once this many elements are generated, every further particle occurs at its minimum,
    /// so nested repetitions cannot multiply without bound.
    pub max_elements: usize,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            size: 3,
            max_depth: 12,
            max_elements: 300,
        }
    }
}

/// An expanded element or attribute name, borrowed from the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Name<'s> {
    pub namespace: Option<&'s str>,
    pub local: &'s str,
}

/// Supplies the text of chosen simple-content elements instead of the generic strategy.
pub trait TextOverride {
    /// The text for the element at `path` (document element first), or None for the schema's
    /// own strategy.
    fn text(&self, path: &[Name<'_>], rng: &mut TestRng) -> Option<String>;
}

/// No overrides: every value comes from the schema.
pub struct SchemaOnly;

impl TextOverride for SchemaOnly {
    fn text(&self, _: &[Name<'_>], _: &mut TestRng) -> Option<String> {
        None
    }
}

/// Occurrence bounds of the particle an element was generated for, and how many siblings it
/// produced; mutations read them to know what is required and what may repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurs {
    pub min: u32,
    /// None: unbounded.
    pub max: Option<u32>,
    /// Elements generated for the particle in this repetition of its group.
    pub count: u32,
    /// The first of them.
    pub first: bool,
}

/// A generated element with what the schema says about it.
#[derive(Debug, Clone)]
pub struct Element<'s> {
    pub name: Name<'s>,
    pub attributes: Vec<(Name<'s>, String)>,
    /// The text of a simple-content element.
    pub text: Option<String>,
    /// The simple type of the text, for a simple-content element.
    pub simple_type: Option<SimpleTypeRef<'s>>,
    pub children: Vec<Element<'s>>,
    /// The type has element-only or mixed content (a content model), which whitespace may
    /// fill: such an element without children is written with an end tag, so that the
    /// document element always has a child to insert SOAP contexts before.
    pub has_content_model: bool,
    pub occurs: Occurs,
}

/// Why no valid document could be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    #[error("{path}: no value of type {type_name} satisfies its facets ({attempts} attempts)")]
    Unsatisfiable {
        path: String,
        type_name: String,
        attempts: usize,
    },
    #[error("{path}: pattern {pattern:?} of type {type_name}: {reason}")]
    Pattern {
        path: String,
        type_name: String,
        pattern: String,
        reason: String,
    },
    #[error("{path}: the override {value:?} is not a valid {type_name}")]
    InvalidOverride {
        path: String,
        type_name: String,
        value: String,
    },
    #[error("{path}: {reason}")]
    Unsupported { path: String, reason: String },
    #[error("{path}: the content model requires nesting deeper than {depth} elements")]
    TooDeep { path: String, depth: usize },
}

/// Values drawn per simple type before giving up on its facets.
const ATTEMPTS: usize = 200;

/// Beyond `max_depth` optional parts stay out; a model that still requires more nesting than
/// this many further levels is recursive without end.
const REQUIRED_DEPTH_SLACK: usize = 48;

/// Repetitions of an unbounded pattern atom (`*`, `+`, `{n,}`) beyond its minimum.
const PATTERN_REPEAT: u32 = 6;

/// Namespace of elements a lax or skip wildcard admits when none is listed.
const WILDCARD_NAMESPACE: &str = "urn:kontrakt:generated";

/// A document for `decl` (its document element), valid by construction.
pub fn generate<'s>(
    decl: ElementDeclRef<'s>,
    options: &GenerateOptions,
    overrides: &dyn TextOverride,
    rng: &mut TestRng,
) -> Result<Element<'s>, GenerateError> {
    let mut generator = Generator {
        options: *options,
        overrides,
        rng,
        path: Vec::new(),
        elements: 0,
    };
    let whole = Occurs {
        min: 1,
        max: Some(1),
        count: 1,
        first: true,
    };
    generator.element(decl, whole)
}

/// One value of `simple_type` (outside any document), valid by construction.
pub fn generate_value(
    simple_type: SimpleTypeRef<'_>,
    rng: &mut TestRng,
) -> Result<String, GenerateError> {
    let mut generator = Generator {
        options: GenerateOptions::default(),
        overrides: &SchemaOnly,
        rng,
        path: Vec::new(),
        elements: 0,
    };
    generator.simple_value(simple_type)
}

struct Generator<'g, 's> {
    options: GenerateOptions,
    overrides: &'g dyn TextOverride,
    rng: &'g mut TestRng,
    path: Vec<Name<'s>>,
    /// Elements generated so far.
    elements: usize,
}

impl<'s> Generator<'_, 's> {
    fn path_text(&self) -> String {
        let names: Vec<&str> = self.path.iter().map(|n| n.local).collect();
        format!("/{}", names.join("/"))
    }

    fn unsupported(&self, reason: impl Into<String>) -> GenerateError {
        GenerateError::Unsupported {
            path: self.path_text(),
            reason: reason.into(),
        }
    }

    fn element(
        &mut self,
        decl: ElementDeclRef<'s>,
        occurs: Occurs,
    ) -> Result<Element<'s>, GenerateError> {
        let decl = self.concrete(decl)?;
        self.elements += 1;
        self.path.push(Name {
            namespace: decl.namespace(),
            local: decl.name(),
        });
        if self.path.len() > self.options.max_depth + REQUIRED_DEPTH_SLACK {
            return Err(GenerateError::TooDeep {
                path: self.path_text(),
                depth: self.path.len(),
            });
        }
        let element = self.element_content(decl, occurs);
        self.path.pop();
        element
    }

    /// The declaration itself, or a non-abstract member of its substitution group.
    fn concrete(&mut self, decl: ElementDeclRef<'s>) -> Result<ElementDeclRef<'s>, GenerateError> {
        if !decl.is_abstract() {
            return Ok(decl);
        }
        let members: Vec<_> = decl
            .substitutes()
            .into_iter()
            .filter(|m| !m.is_abstract())
            .collect();
        if members.is_empty() {
            return Err(self.unsupported(format!(
                "element {} is abstract and has no concrete substitute",
                decl.name()
            )));
        }
        Ok(members[self.rng.random_range(0..members.len())])
    }

    fn element_content(
        &mut self,
        decl: ElementDeclRef<'s>,
        occurs: Occurs,
    ) -> Result<Element<'s>, GenerateError> {
        let type_def = decl.type_def();
        if type_def.is_abstract() {
            return Err(self.unsupported("the element's type is abstract (xsi:type not generated)"));
        }
        let attributes = self.attributes(type_def)?;
        let mut element = Element {
            name: Name {
                namespace: decl.namespace(),
                local: decl.name(),
            },
            attributes,
            text: None,
            simple_type: None,
            children: Vec::new(),
            has_content_model: type_def.particle().is_some(),
            occurs,
        };
        if let Some(simple_type) = type_def.simple_content() {
            let text = match decl.value_constraint() {
                Some((value, true)) => value.to_owned(),
                _ => self.element_text(simple_type)?,
            };
            element.text = Some(text);
            element.simple_type = Some(simple_type);
        } else if let Some(particle) = type_def.particle() {
            element.children = self.particle(particle)?;
        }
        Ok(element)
    }

    fn element_text(&mut self, simple_type: SimpleTypeRef<'s>) -> Result<String, GenerateError> {
        let Some(value) = self.overrides.text(&self.path, self.rng) else {
            return self.simple_value(simple_type);
        };
        if simple_type.is_valid(&value) {
            Ok(value)
        } else {
            Err(GenerateError::InvalidOverride {
                path: self.path_text(),
                type_name: simple_type.display_name(),
                value,
            })
        }
    }

    fn attributes(
        &mut self,
        type_def: TypeRef<'s>,
    ) -> Result<Vec<(Name<'s>, String)>, GenerateError> {
        let mut out = Vec::new();
        for attribute in type_def.attributes() {
            let include =
                attribute.required() || (self.options.size > 0 && self.rng.random_bool(0.5));
            if !include {
                continue;
            }
            let value = match attribute.value_constraint() {
                Some((value, true)) => value.to_owned(),
                _ => self.simple_value(attribute.simple_type())?,
            };
            let name = Name {
                namespace: attribute.namespace(),
                local: attribute.name(),
            };
            out.push((name, value));
        }
        Ok(out)
    }

    /// How many times a particle occurs: its minimum at size 0 or below the depth limit,
    /// otherwise its minimum, its (capped) maximum or something in between, a third each.
    fn occurrences(&mut self, min: u32, max: Option<u32>) -> u32 {
        if self.options.size == 0
            || self.path.len() >= self.options.max_depth
            || self.elements >= self.options.max_elements
        {
            return min;
        }
        let cap = min.saturating_add(self.options.size);
        let high = max.map_or(cap, |max| max.min(cap)).max(min);
        match self.rng.random_range(0..3) {
            0 => min,
            1 => high,
            _ => self.rng.random_range(min..=high),
        }
    }

    fn particle(&mut self, particle: ParticleRef<'s>) -> Result<Vec<Element<'s>>, GenerateError> {
        let (min, max) = (particle.min_occurs(), particle.max_occurs());
        let term = particle.term();
        if let TermRef::Wildcard(wildcard) = &term {
            // Optional wildcards stay empty: what they admit is outside the schema's model.
            return (0..min).map(|_| self.wildcard_element(*wildcard)).collect();
        }
        let count = self.occurrences(min, max);
        let mut out = Vec::new();
        match term {
            TermRef::Element(decl) => {
                for index in 0..count {
                    let occurs = Occurs {
                        min,
                        max,
                        count,
                        first: index == 0,
                    };
                    out.push(self.element(decl, occurs)?);
                }
            }
            TermRef::Sequence(children) | TermRef::All(children) => {
                for _ in 0..count {
                    for child in &children {
                        out.extend(self.particle(*child)?);
                    }
                }
            }
            TermRef::Choice(branches) => {
                for _ in 0..count {
                    if branches.is_empty() {
                        continue;
                    }
                    let branch = branches[self.rng.random_range(0..branches.len())];
                    out.extend(self.particle(branch)?);
                }
            }
            TermRef::Wildcard(_) => {}
        }
        Ok(out)
    }

    /// An empty element a required lax or skip wildcard admits.
    fn wildcard_element(
        &mut self,
        wildcard: WildcardRef<'s>,
    ) -> Result<Element<'s>, GenerateError> {
        let namespace = match wildcard.namespaces() {
            Some(listed) => listed.into_iter().next().flatten(),
            None => Some(WILDCARD_NAMESPACE),
        };
        if !wildcard.allows(namespace) {
            return Err(
                self.unsupported("a required wildcard admits no namespace the generator knows")
            );
        }
        Ok(Element {
            name: Name {
                namespace,
                local: "Vilkaarligt",
            },
            attributes: Vec::new(),
            text: None,
            simple_type: None,
            children: Vec::new(),
            has_content_model: false,
            occurs: Occurs {
                min: 1,
                max: Some(1),
                count: 1,
                first: true,
            },
        })
    }

    fn simple_value(&mut self, simple_type: SimpleTypeRef<'s>) -> Result<String, GenerateError> {
        for _ in 0..ATTEMPTS {
            let candidate = self.candidate(simple_type)?;
            if simple_type.is_valid(&candidate) {
                return Ok(candidate);
            }
        }
        Err(GenerateError::Unsatisfiable {
            path: self.path_text(),
            type_name: simple_type.display_name(),
            attempts: ATTEMPTS,
        })
    }

    fn candidate(&mut self, simple_type: SimpleTypeRef<'s>) -> Result<String, GenerateError> {
        let members = simple_type.union_members();
        if !members.is_empty() {
            let member = members[self.rng.random_range(0..members.len())];
            return self.candidate(member);
        }
        let Some(facets) = simple_type.facet_set() else {
            return Err(self.unsupported(format!(
                "type {} has no facets to generate from",
                simple_type.display_name()
            )));
        };
        if let Some(values) = facets.enumeration() {
            return Ok(values[self.rng.random_range(0..values.len())]
                .lexical
                .clone());
        }
        if let Some(item) = simple_type.list_item() {
            let (low, high) = length_range(facets, 1, 3);
            let count = self.at_bounds(low, high);
            let items = (0..count)
                .map(|_| self.candidate(item))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(items.join(" "));
        }
        let Some(builtin) = simple_type.builtin() else {
            return Err(self.unsupported(format!(
                "type {} is neither atomic, list nor union",
                simple_type.display_name()
            )));
        };
        let own_patterns = &facets.patterns()[FacetSet::for_builtin(builtin).patterns().len()..];
        if let Some(step) = own_patterns.last().filter(|step| !step.is_empty()) {
            let pattern = step[self.rng.random_range(0..step.len())].as_str();
            let hir = pattern_hir(pattern).map_err(|e| GenerateError::Pattern {
                path: self.path_text(),
                type_name: simple_type.display_name(),
                pattern: pattern.to_owned(),
                reason: e.reason,
            })?;
            let mut out = String::new();
            self.matching(&hir, &mut out);
            return Ok(out);
        }
        Ok(self.builtin_value(builtin, facets))
    }

    /// `low`, `high` or something in between, a third each.
    fn at_bounds(&mut self, low: usize, high: usize) -> usize {
        let high = high.max(low);
        match self.rng.random_range(0..3) {
            0 => low,
            1 => high,
            _ => self.rng.random_range(low..=high),
        }
    }

    /// Appends a string the syntax tree matches.
    fn matching(&mut self, hir: &Hir, out: &mut String) {
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => {}
            HirKind::Literal(literal) => out.push_str(&String::from_utf8_lossy(&literal.0)),
            HirKind::Class(Class::Unicode(class)) => {
                let ranges: Vec<(char, char)> = class
                    .ranges()
                    .iter()
                    .map(|r| (r.start(), r.end()))
                    .collect();
                if let Some(c) = self.class_char(&ranges) {
                    out.push(c);
                }
            }
            HirKind::Class(Class::Bytes(class)) => {
                let ranges: Vec<(char, char)> = class
                    .ranges()
                    .iter()
                    .map(|r| (char::from(r.start()), char::from(r.end())))
                    .collect();
                if let Some(c) = self.class_char(&ranges) {
                    out.push(c);
                }
            }
            HirKind::Repetition(repetition) => {
                let high = repetition
                    .max
                    .unwrap_or(repetition.min.saturating_add(PATTERN_REPEAT));
                let count = self.at_bounds(repetition.min as usize, high as usize);
                for _ in 0..count {
                    self.matching(&repetition.sub, out);
                }
            }
            HirKind::Capture(capture) => self.matching(&capture.sub, out),
            HirKind::Concat(parts) => {
                for part in parts {
                    self.matching(part, out);
                }
            }
            HirKind::Alternation(branches) => {
                let branch = &branches[self.rng.random_range(0..branches.len())];
                self.matching(branch, out);
            }
        }
    }

    /// A character of the class that XML can carry unchanged, preferring letters and digits
    /// so that generated values stay readable.
    fn class_char(&mut self, ranges: &[(char, char)]) -> Option<char> {
        let readable: Vec<(char, char)> = ranges
            .iter()
            .flat_map(|&(start, end)| {
                [
                    ('0', '9'),
                    ('A', 'Z'),
                    ('a', 'z'),
                    ('æ', 'æ'),
                    ('ø', 'ø'),
                    ('å', 'å'),
                ]
                .into_iter()
                .filter_map(move |(low, high)| {
                    let (low, high) = (start.max(low), end.min(high));
                    (low <= high).then_some((low, high))
                })
            })
            .collect();
        if !readable.is_empty() && self.rng.random_bool(0.8) {
            return Some(self.char_in(&readable));
        }
        (0..32)
            .map(|_| self.char_in(ranges))
            .find(|c| is_plain_xml_char(*c))
            .or_else(|| {
                ranges
                    .iter()
                    .flat_map(|&(s, e)| s..=e)
                    .find(|c| is_plain_xml_char(*c))
            })
    }

    fn char_in(&mut self, ranges: &[(char, char)]) -> char {
        let (start, end) = ranges[self.rng.random_range(0..ranges.len())];
        let code = self.rng.random_range(u32::from(start)..=u32::from(end));
        char::from_u32(code).unwrap_or(start)
    }

    fn builtin_value(&mut self, builtin: BuiltinType, facets: &FacetSet) -> String {
        use BuiltinType as B;
        match builtin.primitive() {
            B::Boolean => ["true", "false", "1", "0"][self.rng.random_range(0..4)].to_owned(),
            B::Decimal => self.decimal(builtin, facets),
            B::Float | B::Double => self.decimal(B::Decimal, facets),
            B::Date => self.date(),
            B::DateTime => format!("{}T{}", self.date_only(), self.time()),
            B::Time => self.time(),
            B::GYear => format!("{:04}", self.rng.random_range(1900..=2100)),
            B::GYearMonth => format!(
                "{:04}-{:02}",
                self.rng.random_range(1900..=2100),
                self.rng.random_range(1..=12)
            ),
            B::GMonthDay => format!(
                "--{:02}-{:02}",
                self.rng.random_range(1..=12),
                self.rng.random_range(1..=28)
            ),
            B::GDay => format!("---{:02}", self.rng.random_range(1..=28)),
            B::GMonth => format!("--{:02}", self.rng.random_range(1..=12)),
            B::Duration => format!(
                "P{}Y{}M{}DT{}H{}M{}S",
                self.rng.random_range(0..10),
                self.rng.random_range(0..12),
                self.rng.random_range(0..28),
                self.rng.random_range(0..24),
                self.rng.random_range(0..60),
                self.rng.random_range(0..60)
            ),
            B::HexBinary => {
                let (low, high) = length_range(facets, 0, 8);
                let octets = self.at_bounds(low, high);
                (0..octets)
                    .map(|_| format!("{:02X}", self.rng.random_range(0..=255u8)))
                    .collect()
            }
            B::Base64Binary => {
                let (low, high) = length_range(facets, 0, 8);
                let octets = self.at_bounds(low, high);
                let bytes: Vec<u8> = (0..octets)
                    .map(|_| self.rng.random_range(0..=255u8))
                    .collect();
                base64(&bytes)
            }
            B::AnyUri => format!("urn:kontrakt:{}", self.word(1, 12)),
            B::QName | B::Notation => self.word(1, 12),
            _ => self.string(builtin, facets),
        }
    }

    fn string(&mut self, builtin: BuiltinType, facets: &FacetSet) -> String {
        use BuiltinType as B;
        if builtin == B::Language {
            return ["da", "en", "da-DK", "en-GB", "kl"][self.rng.random_range(0..5)].to_owned();
        }
        let name_like = builtin.is_derived_from(B::Name) || builtin.is_derived_from(B::NmToken);
        let (low, high) = length_range(facets, usize::from(name_like), 24);
        let length = self.at_bounds(low, high);
        if name_like {
            return self.word(length, length);
        }
        const TEXT: &[char] = &[
            'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'r',
            's', 't', 'u', 'v', 'æ', 'ø', 'å', 'Æ', 'Ø', 'Å', 'K', '0', '7', '-', '.',
        ];
        (0..length)
            .map(|_| TEXT[self.rng.random_range(0..TEXT.len())])
            .collect()
    }

    /// An NCName of `low..=high` characters: a letter, then letters and digits.
    fn word(&mut self, low: usize, high: usize) -> String {
        const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        const MORE: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let length = self.rng.random_range(low.max(1)..=high.max(low).max(1));
        (0..length)
            .map(|i| {
                let set = if i == 0 { LETTERS } else { MORE };
                char::from(set[self.rng.random_range(0..set.len())])
            })
            .collect()
    }

    fn date_only(&mut self) -> String {
        format!(
            "{:04}-{:02}-{:02}",
            self.rng.random_range(1900..=2100),
            self.rng.random_range(1..=12),
            self.rng.random_range(1..=28)
        )
    }

    fn zone(&mut self) -> &'static str {
        ["", "", "Z", "+01:00", "+02:00", "-05:00"][self.rng.random_range(0..6)]
    }

    fn date(&mut self) -> String {
        let day = self.date_only();
        format!("{day}{}", self.zone())
    }

    fn time(&mut self) -> String {
        let fraction = if self.rng.random_bool(0.25) {
            ".125"
        } else {
            ""
        };
        format!(
            "{:02}:{:02}:{:02}{fraction}{}",
            self.rng.random_range(0..24),
            self.rng.random_range(0..60),
            self.rng.random_range(0..60),
            self.zone()
        )
    }

    /// A decimal within the bounds and digit limits, at a bound a third of the time each.
    fn decimal(&mut self, builtin: BuiltinType, facets: &FacetSet) -> String {
        let integer = builtin.is_integer() || facets.fraction_digits() == Some(0);
        let scale = if integer {
            0
        } else {
            let most = facets.fraction_digits().unwrap_or(2).min(4) as u32;
            self.rng.random_range(0..=most)
        };
        let unit = 10i128.pow(scale);
        let digits = facets.total_digits().map_or(9, |d| d.min(30)) as u32;
        let limit = 10i128.pow(digits.max(scale)) - 1;
        let default = 1_000_000 * unit;
        let scaled = |value: &Value, round_up: bool| {
            value.as_decimal().and_then(|d| scaled(d, scale, round_up))
        };
        let mut low = -default.min(limit);
        let mut high = default.min(limit);
        if let Some(min) = facets.min_inclusive().and_then(|v| scaled(v, true)) {
            low = low.max(min);
            high = high.max(min);
        }
        if let Some(min) = facets.min_exclusive().and_then(|v| scaled(v, false)) {
            low = low.max(min + 1);
            high = high.max(min + 1);
        }
        if let Some(max) = facets.max_inclusive().and_then(|v| scaled(v, false)) {
            high = high.min(max);
            low = low.min(max);
        }
        if let Some(max) = facets.max_exclusive().and_then(|v| scaled(v, true)) {
            high = high.min(max - 1);
            low = low.min(max - 1);
        }
        let (low, high) = (low.max(-limit), high.min(limit));
        let value = match self.rng.random_range(0..3) {
            0 => low,
            1 => high,
            _ if low <= high => self.rng.random_range(low..=high),
            _ => low,
        };
        format_scaled(value, scale)
    }
}

/// XML characters that survive parsing unchanged and are no whitespace.
fn is_plain_xml_char(c: char) -> bool {
    matches!(c, '\u{21}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
        && !c.is_whitespace()
}

/// The length bounds the facets allow, with `default_low` and `default_span` when unbounded.
fn length_range(facets: &FacetSet, default_low: usize, default_span: usize) -> (usize, usize) {
    if let Some(length) = facets.length() {
        return (length, length);
    }
    let low = facets.min_length().unwrap_or(default_low);
    let high = facets.max_length().unwrap_or(low + default_span).max(low);
    (low, high)
}

/// `decimal` × 10^scale as an integer, rounded up or down when it has more fraction digits.
fn scaled(decimal: &super::datatypes::Decimal, scale: u32, round_up: bool) -> Option<i128> {
    let text = decimal.to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.as_str()),
    };
    let (integer, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let kept: String = fraction
        .chars()
        .chain(std::iter::repeat('0'))
        .take(scale as usize)
        .collect();
    let magnitude: i128 = format!("{integer}{kept}").parse().ok()?;
    let dropped =
        fraction.len() > scale as usize && fraction[scale as usize..].chars().any(|c| c != '0');
    let value = sign * magnitude;
    Some(match (dropped, round_up, sign > 0) {
        (true, true, true) | (true, false, false) => value + sign,
        _ => value,
    })
}

fn format_scaled(value: i128, scale: u32) -> String {
    if scale == 0 {
        return value.to_string();
    }
    let unit = 10i128.pow(scale);
    let sign = if value < 0 { "-" } else { "" };
    let magnitude = value.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        magnitude / unit.unsigned_abs(),
        magnitude % unit.unsigned_abs(),
        width = scale as usize
    )
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

impl Element<'_> {
    /// The element as an XML document (no declaration), indented, with every namespace
    /// declared on the document element under a generated prefix.
    pub fn to_xml(&self) -> String {
        let mut namespaces: Vec<&str> = Vec::new();
        self.collect_namespaces(&mut namespaces);
        let mut out = String::new();
        self.write(&namespaces, 0, &mut out);
        out
    }

    fn collect_namespaces<'a>(&'a self, into: &mut Vec<&'a str>) {
        let names = std::iter::once(&self.name).chain(self.attributes.iter().map(|(n, _)| n));
        for namespace in names.filter_map(|n| n.namespace) {
            if !into.contains(&namespace) {
                into.push(namespace);
            }
        }
        for child in &self.children {
            child.collect_namespaces(into);
        }
    }

    fn write(&self, namespaces: &[&str], depth: usize, out: &mut String) {
        let qualified = |name: &Name| match name.namespace {
            Some(ns) => {
                let index = namespaces.iter().position(|n| *n == ns).unwrap_or(0);
                format!("n{}:{}", index + 1, name.local)
            }
            None => name.local.to_owned(),
        };
        let tag = qualified(&self.name);
        out.push_str(&"  ".repeat(depth));
        out.push('<');
        out.push_str(&tag);
        if depth == 0 {
            for (index, namespace) in namespaces.iter().enumerate() {
                out.push_str(&format!(
                    " xmlns:n{}=\"{}\"",
                    index + 1,
                    quick_xml::escape::escape(*namespace)
                ));
            }
        }
        for (name, value) in &self.attributes {
            out.push_str(&format!(
                " {}=\"{}\"",
                qualified(name),
                quick_xml::escape::escape(value.as_str())
            ));
        }
        match (&self.text, self.children.is_empty()) {
            (Some(text), _) => out.push_str(&format!(
                ">{}</{tag}>\n",
                quick_xml::escape::escape(text.as_str())
            )),
            (None, true) if self.has_content_model => {
                out.push_str(&format!(">\n{}</{tag}>\n", "  ".repeat(depth)))
            }
            (None, true) => out.push_str("/>\n"),
            (None, false) => {
                out.push_str(">\n");
                for child in &self.children {
                    child.write(namespaces, depth + 1, out);
                }
                out.push_str(&"  ".repeat(depth));
                out.push_str(&format!("</{tag}>\n"));
            }
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::collections::BTreeSet;

    use proptest::test_runner::RngAlgorithm;

    use super::super::{CompileOptions, SchemaSet};
    use super::*;

    /// The schema `body` (inside xs:schema, no target namespace) compiled from a temp file.
    pub(in crate::xsd) fn schema(name: &str, body: &str) -> SchemaSet {
        let dir =
            std::env::temp_dir().join(format!("kontrakt-generate-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("schema.xsd");
        std::fs::write(
            &file,
            format!(r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{body}</xs:schema>"#),
        )
        .unwrap();
        SchemaSet::compile(&[file], &CompileOptions::default()).unwrap()
    }

    /// `draws` documents of the global element `root`, each checked valid.
    fn documents(set: &SchemaSet, root: &str, draws: usize) -> Vec<String> {
        let decl = set.global_element(None, root).unwrap();
        let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
        (0..draws)
            .map(|_| {
                let text = generate(decl, &GenerateOptions::default(), &SchemaOnly, &mut rng)
                    .unwrap()
                    .to_xml();
                let doc = roxmltree::Document::parse(&text).unwrap();
                assert!(set.validate_document(&doc).is_valid(), "{text}");
                text
            })
            .collect()
    }

    fn texts(documents: &[String], element: &str) -> BTreeSet<String> {
        documents
            .iter()
            .flat_map(|text| {
                let doc = roxmltree::Document::parse(text).unwrap();
                doc.descendants()
                    .filter(|n| n.has_tag_name(element))
                    .map(|n| n.text().unwrap_or("").to_owned())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn values_reach_their_facet_bounds_and_every_branch_is_drawn() {
        let set = schema(
            "bounds",
            r#"<xs:element name="r"><xs:complexType><xs:sequence>
                 <xs:element name="s" maxOccurs="3"><xs:simpleType><xs:restriction base="xs:string">
                   <xs:minLength value="2"/><xs:maxLength value="5"/></xs:restriction></xs:simpleType></xs:element>
                 <xs:element name="n"><xs:simpleType><xs:restriction base="xs:decimal">
                   <xs:minExclusive value="-1.5"/><xs:maxInclusive value="7"/><xs:fractionDigits value="1"/>
                 </xs:restriction></xs:simpleType></xs:element>
                 <xs:element name="id"><xs:simpleType><xs:restriction base="xs:string">
                   <xs:pattern value="[A-Z]{2}-\d{4}"/></xs:restriction></xs:simpleType></xs:element>
                 <xs:choice><xs:element name="a" type="xs:date"/><xs:element name="b" type="xs:int"/></xs:choice>
               </xs:sequence></xs:complexType></xs:element>"#,
        );
        let documents = documents(&set, "r", 60);
        let lengths: BTreeSet<usize> = texts(&documents, "s")
            .iter()
            .map(|s| s.chars().count())
            .collect();
        assert!(lengths.contains(&2) && lengths.contains(&5), "{lengths:?}");
        let numbers = texts(&documents, "n");
        assert!(
            numbers.contains("7") || numbers.contains("7.0"),
            "{numbers:?}"
        );
        assert!(
            numbers.contains("-1.4") || numbers.contains("-1"),
            "{numbers:?}"
        );
        assert!(!texts(&documents, "a").is_empty() && !texts(&documents, "b").is_empty());
        let counts: BTreeSet<usize> = documents.iter().map(|d| d.matches("<s>").count()).collect();
        assert!(counts.contains(&1) && counts.contains(&3), "{counts:?}");
    }

    #[test]
    fn a_pattern_its_length_facets_exclude_fails_naming_the_type() {
        let set = schema(
            "unsatisfiable",
            r#"<xs:simpleType name="Kode"><xs:restriction base="xs:string">
                 <xs:pattern value="[0-9]{4}"/><xs:maxLength value="3"/></xs:restriction></xs:simpleType>
               <xs:element name="r" type="Kode"/>"#,
        );
        let decl = set.global_element(None, "r").unwrap();
        let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
        let error = generate(decl, &GenerateOptions::default(), &SchemaOnly, &mut rng).unwrap_err();
        assert!(
            matches!(&error, GenerateError::Unsatisfiable { type_name, path, .. } if type_name == "Kode" && path == "/r"),
            "{error}"
        );
    }

    #[test]
    fn an_override_the_schema_refuses_is_an_error() {
        let set = schema(
            "override",
            r#"<xs:element name="r"><xs:simpleType><xs:restriction base="xs:string">
                 <xs:pattern value="[0-9]{10}"/></xs:restriction></xs:simpleType></xs:element>"#,
        );
        struct Dashed;
        impl TextOverride for Dashed {
            fn text(&self, _: &[Name<'_>], _: &mut TestRng) -> Option<String> {
                Some("010107-4001".to_owned())
            }
        }
        let decl = set.global_element(None, "r").unwrap();
        let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
        let error = generate(decl, &GenerateOptions::default(), &Dashed, &mut rng).unwrap_err();
        assert!(
            matches!(error, GenerateError::InvalidOverride { .. }),
            "{error}"
        );
    }

    #[test]
    fn scaled_bounds_round_towards_the_inside() {
        let d = |s: &str| super::super::datatypes::Decimal::parse(s, false).unwrap();
        assert_eq!(scaled(&d("1.005"), 2, true), Some(101));
        assert_eq!(scaled(&d("1.005"), 2, false), Some(100));
        assert_eq!(scaled(&d("-1.005"), 2, true), Some(-100));
        assert_eq!(scaled(&d("-1.005"), 2, false), Some(-101));
        assert_eq!(scaled(&d("12"), 0, true), Some(12));
        assert_eq!(format_scaled(-5, 2), "-0.05");
        assert_eq!(format_scaled(12345, 2), "123.45");
    }

    #[test]
    fn base64_pads_partial_groups() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
    }
}
