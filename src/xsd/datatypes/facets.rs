//! Constraining facets (XSD 1.0 Part 2 §4.3): their applicability, the rules for restricting
//! a base type's facets, and checking a value against the effective facets.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock, PoisonError};

use super::builtin::{BuiltinType, WhiteSpace, normalize_white_space};
use super::lexical::{NoNamespaces, parse_value};
use super::regex::XsdRegex;
use super::value::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FacetKind {
    Length,
    MinLength,
    MaxLength,
    Pattern,
    Enumeration,
    WhiteSpace,
    MaxInclusive,
    MaxExclusive,
    MinInclusive,
    MinExclusive,
    TotalDigits,
    FractionDigits,
}

const FACET_NAMES: [(FacetKind, &str); 12] = [
    (FacetKind::Length, "length"),
    (FacetKind::MinLength, "minLength"),
    (FacetKind::MaxLength, "maxLength"),
    (FacetKind::Pattern, "pattern"),
    (FacetKind::Enumeration, "enumeration"),
    (FacetKind::WhiteSpace, "whiteSpace"),
    (FacetKind::MaxInclusive, "maxInclusive"),
    (FacetKind::MaxExclusive, "maxExclusive"),
    (FacetKind::MinInclusive, "minInclusive"),
    (FacetKind::MinExclusive, "minExclusive"),
    (FacetKind::TotalDigits, "totalDigits"),
    (FacetKind::FractionDigits, "fractionDigits"),
];

impl FacetKind {
    /// The facet for an element's local name in the XML Schema namespace.
    pub fn from_local_name(name: &str) -> Option<Self> {
        FACET_NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(k, _)| *k)
    }

    pub fn local_name(self) -> &'static str {
        FACET_NAMES
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("pattern", |(_, n)| n)
    }

    /// Whether the facet may restrict a type with this primitive (or a list type), per the
    /// applicability table of XSD 1.0 Part 2 §4.1.5.
    pub fn applies_to(self, primitive: BuiltinType, is_list: bool) -> bool {
        use BuiltinType as B;
        use FacetKind as F;
        if matches!(self, F::Pattern | F::WhiteSpace) {
            return true;
        }
        let lengths = matches!(self, F::Length | F::MinLength | F::MaxLength);
        if is_list {
            return lengths || self == F::Enumeration;
        }
        let bounds = matches!(
            self,
            F::MaxInclusive | F::MaxExclusive | F::MinInclusive | F::MinExclusive
        );
        match primitive {
            B::String | B::AnyUri | B::HexBinary | B::Base64Binary | B::QName | B::Notation => {
                lengths || self == F::Enumeration
            }
            B::Boolean | B::AnySimpleType => false,
            B::Decimal => !lengths,
            _ => self == F::Enumeration || bounds,
        }
    }
}

/// One facet as written in a restriction step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetDecl {
    pub kind: FacetKind,
    pub value: String,
    pub fixed: bool,
    /// In-scope `(prefix, namespace)` bindings at the facet, for QName/NOTATION values.
    pub namespaces: Vec<(String, String)>,
}

/// A schema error in the facets of a restriction: names the XSD constraint broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{constraint}: {message}")]
pub struct FacetError {
    pub constraint: &'static str,
    pub message: String,
}

/// A value that does not satisfy a facet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FacetViolation {
    pub facet: FacetKind,
    pub message: String,
}

/// An enumeration member with the lexical form it was written in.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumerationValue {
    pub lexical: String,
    pub value: Value,
}

/// A numeric facet value (length family, digits) and whether it was fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Limit {
    value: usize,
    fixed: bool,
}

/// A bound (min/max inclusive/exclusive) value and whether it was fixed.
#[derive(Debug, Clone, PartialEq)]
struct Bound {
    lexical: String,
    value: Value,
    fixed: bool,
}

/// A lower and an upper bound, the constraint that relates them, and the orderings of
/// lower vs upper that break it.
type OrderedBounds<'a> = (
    &'a Option<Bound>,
    &'a Option<Bound>,
    &'static str,
    &'static [Ordering],
);

/// The effective facets of a simple type, accumulated along its derivation chain.
#[derive(Debug, Clone)]
pub struct FacetSet {
    white_space: WhiteSpace,
    white_space_fixed: bool,
    length: Option<Limit>,
    min_length: Option<Limit>,
    max_length: Option<Limit>,
    /// One entry per derivation step: a value must match some pattern of every step.
    patterns: Vec<Vec<XsdRegex>>,
    enumeration: Option<Vec<EnumerationValue>>,
    min_inclusive: Option<Bound>,
    min_exclusive: Option<Bound>,
    max_inclusive: Option<Bound>,
    max_exclusive: Option<Bound>,
    total_digits: Option<Limit>,
    fraction_digits: Option<Limit>,
}

impl FacetSet {
    fn unconstrained(white_space: WhiteSpace, white_space_fixed: bool) -> Self {
        FacetSet {
            white_space,
            white_space_fixed,
            length: None,
            min_length: None,
            max_length: None,
            patterns: Vec::new(),
            enumeration: None,
            min_inclusive: None,
            min_exclusive: None,
            max_inclusive: None,
            max_exclusive: None,
            total_digits: None,
            fraction_digits: None,
        }
    }

    /// The facets the built-in type has by definition (XSD 1.0 Part 2 §3.3), e.g. the bounds
    /// of xs:int, the fixed fractionDigits 0 of xs:integer, the pattern of xs:NCName.
    pub fn for_builtin(ty: BuiltinType) -> FacetSet {
        use BuiltinType as B;
        let fixed_white_space = !matches!(
            ty,
            B::AnySimpleType | B::String | B::NormalizedString | B::Token
        ) && !ty.is_derived_from(B::Token);
        let mut set = Self::unconstrained(ty.white_space(), fixed_white_space);
        let builtin_pattern = match ty {
            B::Language => Some("[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*"),
            B::Name => Some("\\i\\c*"),
            B::NCName | B::Id | B::IdRef | B::Entity => Some("[\\i-[:]][\\c-[:]]*"),
            B::NmToken => Some("\\c+"),
            _ if ty.is_integer() => Some("[\\-+]?[0-9]+"),
            _ => None,
        };
        if let Some(regex) = builtin_pattern.and_then(compiled_builtin_pattern) {
            set.patterns.push(vec![regex]);
        }
        if ty.list_item().is_some() {
            set.min_length = Some(Limit {
                value: 1,
                fixed: false,
            });
        }
        if ty.is_integer() {
            set.fraction_digits = Some(Limit {
                value: 0,
                fixed: true,
            });
            let (min, max) = super::lexical::integer_bounds(ty);
            let bound = |n: i128| Bound {
                lexical: n.to_string(),
                value: Value::Decimal(super::decimal::Decimal::from_i128(n)),
                fixed: false,
            };
            set.min_inclusive = min.map(bound);
            set.max_inclusive = max.map(bound);
        }
        set
    }

    /// The facets a list type starts from before its own restrictions: whiteSpace collapse,
    /// fixed (XSD 1.0 §4.3.6), nothing else.
    pub fn for_list() -> FacetSet {
        Self::unconstrained(WhiteSpace::Collapse, true)
    }

    pub fn white_space(&self) -> WhiteSpace {
        self.white_space
    }

    /// The enumeration in force (the one of the most derived step that has one).
    pub fn enumeration(&self) -> Option<&[EnumerationValue]> {
        self.enumeration.as_deref()
    }
    /// Pattern groups, one per derivation step (AND across groups, OR within a group).
    pub fn patterns(&self) -> &[Vec<XsdRegex>] {
        &self.patterns
    }
    pub fn min_inclusive(&self) -> Option<&Value> {
        self.min_inclusive.as_ref().map(|b| &b.value)
    }
    pub fn min_exclusive(&self) -> Option<&Value> {
        self.min_exclusive.as_ref().map(|b| &b.value)
    }
    pub fn max_inclusive(&self) -> Option<&Value> {
        self.max_inclusive.as_ref().map(|b| &b.value)
    }
    pub fn max_exclusive(&self) -> Option<&Value> {
        self.max_exclusive.as_ref().map(|b| &b.value)
    }
    pub fn length(&self) -> Option<usize> {
        self.length.map(|l| l.value)
    }
    pub fn min_length(&self) -> Option<usize> {
        self.min_length.map(|l| l.value)
    }
    pub fn max_length(&self) -> Option<usize> {
        self.max_length.map(|l| l.value)
    }
    pub fn total_digits(&self) -> Option<usize> {
        self.total_digits.map(|l| l.value)
    }
    pub fn fraction_digits(&self) -> Option<usize> {
        self.fraction_digits.map(|l| l.value)
    }

    /// Derives the facets of a restriction step from these (the base type's) facets.
    /// `base_type` is the built-in the value space comes from (for a list: of its items);
    /// the primitive is enough, a more derived built-in (xs:int) only makes the facet values'
    /// error messages more precise.
    pub fn restrict(
        &self,
        base_type: BuiltinType,
        is_list: bool,
        decls: &[FacetDecl],
    ) -> Result<FacetSet, FacetError> {
        let mut derived = self.clone();
        if is_list {
            // A list's whiteSpace is collapse and fixed, whatever set it was started from.
            derived.white_space = WhiteSpace::Collapse;
            derived.white_space_fixed = true;
        }
        let mut step_patterns = Vec::new();
        let mut step_enumeration = Vec::new();
        let mut seen: Vec<FacetKind> = Vec::new();
        for decl in decls {
            if !decl.kind.applies_to(base_type.primitive(), is_list) {
                return Err(error(
                    "cos-applicable-facets",
                    format!(
                        "facet {} does not apply to {}",
                        decl.kind.local_name(),
                        type_description(base_type, is_list)
                    ),
                ));
            }
            let repeatable = matches!(decl.kind, FacetKind::Pattern | FacetKind::Enumeration);
            if !repeatable && seen.contains(&decl.kind) {
                return Err(error(
                    "src-single-facet-value",
                    format!(
                        "facet {} appears twice in one restriction",
                        decl.kind.local_name()
                    ),
                ));
            }
            seen.push(decl.kind);
            match decl.kind {
                FacetKind::Pattern => step_patterns.push(
                    XsdRegex::new(&decl.value)
                        .map_err(|e| error("cos-valid-pattern", e.to_string()))?,
                ),
                FacetKind::Enumeration => {
                    step_enumeration.push(self.enumeration_member(base_type, is_list, decl)?)
                }
                FacetKind::WhiteSpace => derived.restrict_white_space(decl)?,
                FacetKind::Length | FacetKind::MinLength | FacetKind::MaxLength => {
                    derived.restrict_length(self, decl)?
                }
                FacetKind::TotalDigits | FacetKind::FractionDigits => {
                    derived.restrict_digits(self, decl)?
                }
                _ => derived.restrict_bound(self, base_type, decl)?,
            }
        }
        let both = |a, b| seen.contains(&a) && seen.contains(&b);
        if both(FacetKind::MaxInclusive, FacetKind::MaxExclusive) {
            return Err(error(
                "maxInclusive-maxExclusive",
                "maxInclusive and maxExclusive cannot both be specified".to_owned(),
            ));
        }
        if both(FacetKind::MinInclusive, FacetKind::MinExclusive) {
            return Err(error(
                "minInclusive-minExclusive",
                "minInclusive and minExclusive cannot both be specified".to_owned(),
            ));
        }
        derived.check_length_combination(self)?;
        derived.check_consistency()?;
        if !step_patterns.is_empty() {
            derived.patterns.push(step_patterns);
        }
        if !step_enumeration.is_empty() {
            derived.enumeration = Some(step_enumeration);
        }
        Ok(derived)
    }

    fn enumeration_member(
        &self,
        base_type: BuiltinType,
        is_list: bool,
        decl: &FacetDecl,
    ) -> Result<EnumerationValue, FacetError> {
        let lexical = normalize_white_space(&decl.value, self.white_space).into_owned();
        let (value, list_len) = self
            .parse_lexical(base_type, is_list, &lexical, &decl.namespaces)
            .map_err(|message| error("enumeration-valid-restriction", message))?;
        self.check(base_type, is_list, &lexical, Some(&value), list_len)
            .map_err(|violation| {
                error(
                    "enumeration-valid-restriction",
                    format!(
                        "enumeration value '{lexical}' is not valid for the base type: {violation}"
                    ),
                )
            })?;
        Ok(EnumerationValue { lexical, value })
    }

    /// Parses a facet value or list in the base's value space.
    fn parse_lexical(
        &self,
        base_type: BuiltinType,
        is_list: bool,
        lexical: &str,
        namespaces: &dyn super::lexical::NamespaceResolver,
    ) -> Result<(Value, Option<usize>), String> {
        if is_list {
            let items = lexical
                .split([' ', '\t', '\n', '\r'])
                .filter(|item| !item.is_empty())
                .map(|item| parse_value(base_type, item, namespaces))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?;
            let count = items.len();
            Ok((Value::List(items), Some(count)))
        } else {
            parse_value(base_type, lexical, namespaces)
                .map(|value| (value, None))
                .map_err(|e| e.to_string())
        }
    }

    fn restrict_white_space(&mut self, decl: &FacetDecl) -> Result<(), FacetError> {
        let requested = WhiteSpace::from_keyword(&decl.value).ok_or_else(|| {
            error(
                "cvc-enumeration-valid",
                format!(
                    "whiteSpace must be preserve, replace or collapse, not '{}'",
                    decl.value
                ),
            )
        })?;
        if self.white_space_fixed && requested != self.white_space {
            return Err(error(
                "whiteSpace-valid-restriction",
                format!(
                    "whiteSpace is fixed to {} in the base type",
                    self.white_space.keyword()
                ),
            ));
        }
        if requested < self.white_space {
            return Err(error(
                "whiteSpace-valid-restriction",
                format!(
                    "whiteSpace {} is weaker than the base type's {}",
                    requested.keyword(),
                    self.white_space.keyword()
                ),
            ));
        }
        self.white_space = requested;
        self.white_space_fixed = decl.fixed;
        Ok(())
    }

    fn restrict_length(&mut self, base: &FacetSet, decl: &FacetDecl) -> Result<(), FacetError> {
        let name = decl.kind.local_name();
        let value = parse_count(decl, false)?;
        let new = Some(Limit {
            value,
            fixed: decl.fixed,
        });
        let (base_limit, constraint) = match decl.kind {
            FacetKind::Length => (base.length, "length-valid-restriction"),
            FacetKind::MinLength => (base.min_length, "minLength-valid-restriction"),
            _ => (base.max_length, "maxLength-valid-restriction"),
        };
        check_fixed(base_limit, value, name, constraint)?;
        if let Some(base_limit) = base_limit {
            let narrower = match decl.kind {
                FacetKind::Length => value == base_limit.value,
                FacetKind::MinLength => value >= base_limit.value,
                _ => value <= base_limit.value,
            };
            if !narrower {
                return Err(error(
                    constraint,
                    format!(
                        "{name} {value} does not restrict the base type's {name} {}",
                        base_limit.value
                    ),
                ));
            }
        }
        match decl.kind {
            FacetKind::Length => self.length = new,
            FacetKind::MinLength => self.min_length = new,
            _ => self.max_length = new,
        }
        Ok(())
    }

    fn restrict_digits(&mut self, base: &FacetSet, decl: &FacetDecl) -> Result<(), FacetError> {
        let name = decl.kind.local_name();
        let is_total = decl.kind == FacetKind::TotalDigits;
        let value = parse_count(decl, is_total)?;
        let (base_limit, constraint) = if is_total {
            (base.total_digits, "totalDigits-valid-restriction")
        } else {
            (base.fraction_digits, "fractionDigits-valid-restriction")
        };
        check_fixed(base_limit, value, name, constraint)?;
        if let Some(base_limit) = base_limit
            && value > base_limit.value
        {
            return Err(error(
                constraint,
                format!(
                    "{name} {value} is larger than the base type's {}",
                    base_limit.value
                ),
            ));
        }
        let new = Some(Limit {
            value,
            fixed: decl.fixed,
        });
        if is_total {
            self.total_digits = new;
        } else {
            self.fraction_digits = new;
        }
        Ok(())
    }

    fn restrict_bound(
        &mut self,
        base: &FacetSet,
        base_type: BuiltinType,
        decl: &FacetDecl,
    ) -> Result<(), FacetError> {
        let name = decl.kind.local_name();
        let constraint = match decl.kind {
            FacetKind::MaxInclusive => "maxInclusive-valid-restriction",
            FacetKind::MaxExclusive => "maxExclusive-valid-restriction",
            FacetKind::MinInclusive => "minInclusive-valid-restriction",
            _ => "minExclusive-valid-restriction",
        };
        let lexical = normalize_white_space(&decl.value, base.white_space).into_owned();
        let value = parse_value(base_type, &lexical, &decl.namespaces)
            .map_err(|e| error(constraint, format!("{name}: {e}")))?;
        base.check_lexical_facets(&lexical, &value)
            .map_err(|v| error(constraint, format!("{name} '{lexical}': {v}")))?;
        let base_slot = match decl.kind {
            FacetKind::MaxInclusive => &base.max_inclusive,
            FacetKind::MaxExclusive => &base.max_exclusive,
            FacetKind::MinInclusive => &base.min_inclusive,
            _ => &base.min_exclusive,
        };
        if let Some(fixed) = base_slot.as_ref().filter(|b| b.fixed)
            && fixed.value != value
        {
            return Err(error(
                constraint,
                format!("{name} is fixed to '{}' in the base type", fixed.lexical),
            ));
        }
        // For each base bound: the orderings of (new value vs base bound) that are errors.
        use Ordering::{Equal, Greater, Less};
        let rules: [(&Option<Bound>, &str, &[Ordering]); 4] = match decl.kind {
            FacetKind::MaxInclusive => [
                (&base.max_inclusive, "maxInclusive", &[Greater]),
                (&base.max_exclusive, "maxExclusive", &[Greater, Equal]),
                (&base.min_inclusive, "minInclusive", &[Less]),
                (&base.min_exclusive, "minExclusive", &[Less, Equal]),
            ],
            FacetKind::MaxExclusive => [
                (&base.max_inclusive, "maxInclusive", &[Greater]),
                (&base.max_exclusive, "maxExclusive", &[Greater]),
                (&base.min_inclusive, "minInclusive", &[Less, Equal]),
                (&base.min_exclusive, "minExclusive", &[Less, Equal]),
            ],
            FacetKind::MinInclusive => [
                (&base.max_inclusive, "maxInclusive", &[Greater]),
                (&base.max_exclusive, "maxExclusive", &[Greater, Equal]),
                (&base.min_inclusive, "minInclusive", &[Less]),
                (&base.min_exclusive, "minExclusive", &[Less, Equal]),
            ],
            _ => [
                (&base.max_inclusive, "maxInclusive", &[Greater, Equal]),
                (&base.max_exclusive, "maxExclusive", &[Greater, Equal]),
                (&base.min_inclusive, "minInclusive", &[Less]),
                (&base.min_exclusive, "minExclusive", &[Less]),
            ],
        };
        for (bound, bound_name, forbidden) in rules {
            if let Some(bound) = bound
                && value
                    .compare(&bound.value)
                    .is_some_and(|order| forbidden.contains(&order))
            {
                return Err(error(
                    constraint,
                    format!(
                        "{name} '{lexical}' is outside the base type's {bound_name} '{}'",
                        bound.lexical
                    ),
                ));
            }
        }
        let new = Some(Bound {
            lexical,
            value,
            fixed: decl.fixed,
        });
        match decl.kind {
            FacetKind::MaxInclusive => self.max_inclusive = new,
            FacetKind::MaxExclusive => self.max_exclusive = new,
            FacetKind::MinInclusive => self.min_inclusive = new,
            _ => self.min_exclusive = new,
        }
        Ok(())
    }

    /// XSD 1.0 Second Edition's length-minLength-maxLength: length may coexist with
    /// minLength (maxLength) only when the latter is inherited unchanged from a base without
    /// length and does not contradict it (as in a restriction of NMTOKENS by length).
    fn check_length_combination(&self, base: &FacetSet) -> Result<(), FacetError> {
        let Some(length) = self.length else {
            return Ok(());
        };
        let companions = [
            (self.min_length, base.min_length, "minLength"),
            (self.max_length, base.max_length, "maxLength"),
        ];
        for (limit, base_limit, name) in companions {
            let Some(limit) = limit else { continue };
            let fits = if name == "minLength" {
                limit.value <= length.value
            } else {
                limit.value >= length.value
            };
            let inherited = base_limit.map(|b| b.value) == Some(limit.value);
            let validated_before = base.length == Some(length) && base_limit.is_some();
            if !(fits && inherited && (base.length.is_none() || validated_before)) {
                return Err(error(
                    "length-minLength-maxLength",
                    format!(
                        "length {} cannot be combined with {name} {}",
                        length.value, limit.value
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Cross-facet rules on the effective set after a step.
    fn check_consistency(&self) -> Result<(), FacetError> {
        if let (Some(min), Some(max)) = (self.min_length, self.max_length)
            && min.value > max.value
        {
            return Err(error(
                "minLength-less-than-equal-to-maxLength",
                format!("minLength {} exceeds maxLength {}", min.value, max.value),
            ));
        }
        if let Some(length) = self.length {
            let below_min = self.min_length.is_some_and(|min| length.value < min.value);
            let above_max = self.max_length.is_some_and(|max| length.value > max.value);
            if below_min || above_max {
                return Err(error(
                    "length-minLength-maxLength",
                    format!(
                        "length {} is outside minLength/maxLength of the type",
                        length.value
                    ),
                ));
            }
        }
        if let (Some(total), Some(fraction)) = (self.total_digits, self.fraction_digits)
            && fraction.value > total.value
        {
            return Err(error(
                "fractionDigits-totalDigits",
                format!(
                    "fractionDigits {} exceeds totalDigits {}",
                    fraction.value, total.value
                ),
            ));
        }
        use Ordering::{Equal, Greater};
        let pairs: [OrderedBounds<'_>; 4] = [
            (
                &self.min_inclusive,
                &self.max_inclusive,
                "minInclusive-less-than-equal-to-maxInclusive",
                &[Greater],
            ),
            (
                &self.min_inclusive,
                &self.max_exclusive,
                "minInclusive-less-than-maxExclusive",
                &[Greater, Equal],
            ),
            (
                &self.min_exclusive,
                &self.max_inclusive,
                "minExclusive-less-than-maxInclusive",
                &[Greater, Equal],
            ),
            (
                &self.min_exclusive,
                &self.max_exclusive,
                "minExclusive-less-than-equal-to-maxExclusive",
                &[Greater],
            ),
        ];
        for (low, high, constraint, forbidden) in pairs {
            if let (Some(low), Some(high)) = (low, high)
                && low
                    .value
                    .compare(&high.value)
                    .is_some_and(|order| forbidden.contains(&order))
            {
                return Err(error(
                    constraint,
                    format!(
                        "lower bound '{}' is not below upper bound '{}'",
                        low.lexical, high.lexical
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Checks a (whitespace-normalised) lexical form and its value against every facet.
    /// `base_type` is the built-in (or its primitive; for a list: of the items) and only
    /// decides what length counts: characters, octets, or nothing for QName/NOTATION.
    /// `value` may be omitted when the caller has no parsed value (enumeration then compares
    /// lexical forms, and the value-based facets are skipped); `list_len` is the item count
    /// for list types (counted from the lexical form when omitted).
    pub fn check(
        &self,
        base_type: BuiltinType,
        is_list: bool,
        lexical: &str,
        value: Option<&Value>,
        list_len: Option<usize>,
    ) -> Result<(), FacetViolation> {
        if let Some(value) = value {
            self.check_lexical_facets(lexical, value)?;
        } else {
            self.check_patterns(lexical)?;
        }
        self.check_length(base_type, is_list, lexical, value, list_len)?;
        if let Some(enumeration) = &self.enumeration {
            let member = enumeration.iter().any(|e| match value {
                Some(value) => e.value == *value,
                None => e.lexical == lexical,
            });
            if !member {
                let listed: Vec<&str> = enumeration.iter().map(|e| e.lexical.as_str()).collect();
                return Err(violation(
                    FacetKind::Enumeration,
                    format!("'{lexical}' is not one of {{{}}}", listed.join(", ")),
                ));
            }
        }
        if let Some(value) = value {
            self.check_bounds(lexical, value)?;
        }
        Ok(())
    }

    /// The facets that constrain the form of a value, not its position: pattern and digits.
    fn check_lexical_facets(&self, lexical: &str, value: &Value) -> Result<(), FacetViolation> {
        self.check_patterns(lexical)?;
        if let Some(decimal) = value.as_decimal() {
            if let Some(total) = self.total_digits
                && decimal.total_digits() > total.value
            {
                return Err(violation(
                    FacetKind::TotalDigits,
                    format!(
                        "'{lexical}' has {} digits, more than totalDigits {}",
                        decimal.total_digits(),
                        total.value
                    ),
                ));
            }
            if let Some(fraction) = self.fraction_digits
                && decimal.fraction_digit_count() > fraction.value
            {
                return Err(violation(
                    FacetKind::FractionDigits,
                    format!(
                        "'{lexical}' has {} fraction digits, more than fractionDigits {}",
                        decimal.fraction_digit_count(),
                        fraction.value
                    ),
                ));
            }
        }
        Ok(())
    }

    fn check_patterns(&self, lexical: &str) -> Result<(), FacetViolation> {
        for group in &self.patterns {
            if !group.iter().any(|regex| regex.is_match(lexical)) {
                let sources: Vec<&str> = group.iter().map(XsdRegex::as_str).collect();
                return Err(violation(
                    FacetKind::Pattern,
                    format!("'{lexical}' does not match pattern {}", sources.join(" | ")),
                ));
            }
        }
        Ok(())
    }

    fn check_length(
        &self,
        base_type: BuiltinType,
        is_list: bool,
        lexical: &str,
        value: Option<&Value>,
        list_len: Option<usize>,
    ) -> Result<(), FacetViolation> {
        if self.length.is_none() && self.min_length.is_none() && self.max_length.is_none() {
            return Ok(());
        }
        let (measured, unit) = if is_list {
            let count = list_len.unwrap_or_else(|| lexical.split_whitespace().count());
            (count, "items")
        } else {
            match (base_type.primitive(), value) {
                (BuiltinType::QName | BuiltinType::Notation, _) => return Ok(()),
                (_, Some(Value::HexBinary(bytes) | Value::Base64Binary(bytes))) => {
                    (bytes.len(), "octets")
                }
                (BuiltinType::HexBinary, None) => (lexical.len() / 2, "octets"),
                (BuiltinType::Base64Binary, None) => {
                    match parse_value(BuiltinType::Base64Binary, lexical, &NoNamespaces) {
                        Ok(Value::Base64Binary(bytes)) => (bytes.len(), "octets"),
                        _ => return Ok(()),
                    }
                }
                _ => (lexical.chars().count(), "characters"),
            }
        };
        let limits = [
            (self.length, FacetKind::Length, Ordering::Equal),
            (self.min_length, FacetKind::MinLength, Ordering::Greater),
            (self.max_length, FacetKind::MaxLength, Ordering::Less),
        ];
        for (limit, kind, wanted) in limits {
            if let Some(limit) = limit
                && measured != limit.value
                && measured.cmp(&limit.value) != wanted
            {
                let relation = match kind {
                    FacetKind::Length => "differs from",
                    FacetKind::MinLength => "is below",
                    _ => "exceeds",
                };
                return Err(violation(
                    kind,
                    format!(
                        "length {measured} ({unit}) {relation} {} {}",
                        kind.local_name(),
                        limit.value
                    ),
                ));
            }
        }
        Ok(())
    }

    fn check_bounds(&self, lexical: &str, value: &Value) -> Result<(), FacetViolation> {
        use Ordering::{Equal, Greater, Less};
        let bounds: [(&Option<Bound>, FacetKind, &[Ordering], &str); 4] = [
            (
                &self.min_inclusive,
                FacetKind::MinInclusive,
                &[Greater, Equal],
                ">=",
            ),
            (
                &self.min_exclusive,
                FacetKind::MinExclusive,
                &[Greater],
                ">",
            ),
            (
                &self.max_inclusive,
                FacetKind::MaxInclusive,
                &[Less, Equal],
                "<=",
            ),
            (&self.max_exclusive, FacetKind::MaxExclusive, &[Less], "<"),
        ];
        for (bound, kind, allowed, relation) in bounds {
            if let Some(bound) = bound {
                let order = value.compare(&bound.value);
                if !order.is_some_and(|order| allowed.contains(&order)) {
                    let why = if order.is_none() {
                        "cannot be compared with"
                    } else {
                        "violates"
                    };
                    return Err(violation(
                        kind,
                        format!(
                            "'{lexical}' {why} {} '{}' (expected {relation} '{}')",
                            kind.local_name(),
                            bound.lexical,
                            bound.lexical
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The built-in types' patterns, compiled once per process.
fn compiled_builtin_pattern(pattern: &'static str) -> Option<XsdRegex> {
    static COMPILED: OnceLock<Mutex<HashMap<&'static str, XsdRegex>>> = OnceLock::new();
    let mut cache = COMPILED
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(regex) = cache.get(pattern) {
        return Some(regex.clone());
    }
    let regex = XsdRegex::new(pattern).ok()?;
    cache.insert(pattern, regex.clone());
    Some(regex)
}

fn error(constraint: &'static str, message: String) -> FacetError {
    FacetError {
        constraint,
        message,
    }
}

fn violation(facet: FacetKind, message: String) -> FacetViolation {
    FacetViolation { facet, message }
}

fn type_description(base_type: BuiltinType, is_list: bool) -> String {
    if is_list {
        format!("a list of xs:{}", base_type.local_name())
    } else {
        format!("xs:{}", base_type.local_name())
    }
}

/// A nonNegativeInteger (or positiveInteger) facet value; huge values saturate.
fn parse_count(decl: &FacetDecl, positive: bool) -> Result<usize, FacetError> {
    let name = decl.kind.local_name();
    let lexical = normalize_white_space(&decl.value, WhiteSpace::Collapse);
    let expected = if positive {
        BuiltinType::PositiveInteger
    } else {
        BuiltinType::NonNegativeInteger
    };
    let value = parse_value(expected, &lexical, &NoNamespaces).map_err(|e| {
        error(
            "cos-valid-facet-value",
            format!("{name} must be a {}: {e}", expected.local_name()),
        )
    })?;
    let digits = value.as_decimal().map_or("", |d| d.integer_digits());
    Ok(digits
        .parse()
        .unwrap_or(if digits.is_empty() { 0 } else { usize::MAX }))
}

fn check_fixed(
    base: Option<Limit>,
    value: usize,
    name: &str,
    constraint: &'static str,
) -> Result<(), FacetError> {
    match base {
        Some(base) if base.fixed && base.value != value => Err(error(
            constraint,
            format!("{name} is fixed to {} in the base type", base.value),
        )),
        _ => Ok(()),
    }
}

impl fmt::Display for FacetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.local_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BuiltinType as B;
    use FacetKind as F;

    fn decl(kind: FacetKind, value: &str) -> FacetDecl {
        FacetDecl {
            kind,
            value: value.to_owned(),
            fixed: false,
            namespaces: Vec::new(),
        }
    }

    fn restrict(ty: BuiltinType, decls: &[FacetDecl]) -> Result<FacetSet, FacetError> {
        FacetSet::for_builtin(ty).restrict(ty.primitive(), false, decls)
    }

    /// The constraint a further restriction step of `base` breaks.
    fn step_error(base: &FacetSet, primitive: BuiltinType, decls: &[FacetDecl]) -> &'static str {
        match base.restrict(primitive, false, decls) {
            Ok(_) => panic!("restriction {decls:?} accepted"),
            Err(e) => e.constraint,
        }
    }

    fn check(set: &FacetSet, ty: BuiltinType, lexical: &str) -> Result<(), FacetViolation> {
        let value = parse_value(ty, lexical, &NoNamespaces).unwrap();
        set.check(ty.primitive(), false, lexical, Some(&value), None)
    }

    fn violated(set: &FacetSet, ty: BuiltinType, lexical: &str) -> FacetKind {
        check(set, ty, lexical).unwrap_err().facet
    }

    #[test]
    fn restrictions_of_builtins_name_the_broken_constraint() {
        // (base type, facets of one restriction step, the constraint it breaks)
        type Case = (
            BuiltinType,
            &'static [(FacetKind, &'static str)],
            &'static str,
        );
        let cases: &[Case] = &[
            (
                B::String,
                &[(F::MaxInclusive, "a")],
                "cos-applicable-facets",
            ),
            (
                B::Boolean,
                &[(F::Enumeration, "true")],
                "cos-applicable-facets",
            ),
            (B::Date, &[(F::TotalDigits, "2")], "cos-applicable-facets"),
            (
                B::String,
                &[(F::MinLength, "5"), (F::MaxLength, "4")],
                "minLength-less-than-equal-to-maxLength",
            ),
            (
                B::String,
                &[(F::Length, "2"), (F::MinLength, "1")],
                "length-minLength-maxLength",
            ),
            (B::String, &[(F::Length, "-1")], "cos-valid-facet-value"),
            (
                B::String,
                &[(F::Length, "1"), (F::Length, "1")],
                "src-single-facet-value",
            ),
            (
                B::Integer,
                &[(F::FractionDigits, "1")],
                "fractionDigits-valid-restriction",
            ),
            (
                B::Byte,
                &[(F::MaxInclusive, "200")],
                "maxInclusive-valid-restriction",
            ),
            (
                B::Decimal,
                &[(F::MinInclusive, "5"), (F::MaxInclusive, "4")],
                "minInclusive-less-than-equal-to-maxInclusive",
            ),
            (
                B::Decimal,
                &[(F::MinExclusive, "6"), (F::MaxExclusive, "5")],
                "minExclusive-less-than-equal-to-maxExclusive",
            ),
            (
                B::Decimal,
                &[(F::MaxInclusive, "5"), (F::MaxExclusive, "6")],
                "maxInclusive-maxExclusive",
            ),
            (
                B::Int,
                &[(F::MinInclusive, "1.5")],
                "minInclusive-valid-restriction",
            ),
            (
                B::Decimal,
                &[(F::TotalDigits, "2"), (F::FractionDigits, "3")],
                "fractionDigits-totalDigits",
            ),
            (
                B::Decimal,
                &[(F::TotalDigits, "0")],
                "cos-valid-facet-value",
            ),
            (
                B::Token,
                &[(F::WhiteSpace, "replace")],
                "whiteSpace-valid-restriction",
            ),
            (
                B::Int,
                &[(F::WhiteSpace, "preserve")],
                "whiteSpace-valid-restriction",
            ),
            (B::String, &[(F::Pattern, "[a")], "cos-valid-pattern"),
            (
                B::Byte,
                &[(F::Enumeration, "300")],
                "enumeration-valid-restriction",
            ),
            (
                B::Date,
                &[(F::Enumeration, "2001-02-29")],
                "enumeration-valid-restriction",
            ),
        ];
        for (ty, facets, expected) in cases {
            let decls: Vec<FacetDecl> = facets.iter().map(|(k, v)| decl(*k, v)).collect();
            let result = restrict(*ty, &decls);
            assert_eq!(
                result.as_ref().err().map(|e| e.constraint),
                Some(*expected),
                "xs:{} {facets:?}",
                ty.local_name()
            );
        }
        assert!(restrict(B::Date, &[decl(F::MaxInclusive, "2000-01-01")]).is_ok());
        let int = FacetSet::for_builtin(B::Int);
        assert!(
            int.restrict(B::Int, false, &[decl(F::TotalDigits, "3")])
                .is_ok()
        );
        let token = FacetSet::for_builtin(B::Token);
        assert!(
            token
                .restrict(B::Token, false, &[decl(F::MaxLength, "3")])
                .is_ok()
        );
    }

    #[test]
    fn compiled_facets_can_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<FacetSet>();
        assert_send_sync::<Value>();
        let set = restrict(B::String, &[decl(F::Pattern, "[a-z]+")]).unwrap();
        let verdicts: Vec<bool> = std::thread::scope(|scope| {
            let handles: Vec<_> = ["abc", "ABC"]
                .into_iter()
                .map(|s| scope.spawn(|| check(&set, B::String, s).is_ok()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(verdicts, [true, false]);
    }

    #[test]
    fn builtin_facets_constrain_derived_types() {
        let byte = FacetSet::for_builtin(B::Byte);
        assert!(check(&byte, B::Decimal, "127").is_ok());
        assert_eq!(violated(&byte, B::Decimal, "128"), F::MaxInclusive);
        assert_eq!(violated(&byte, B::Decimal, "1.0"), F::Pattern);
        assert!(check(&FacetSet::for_builtin(B::NCName), B::String, "a:b").is_err());
        assert_eq!(FacetSet::for_builtin(B::NmTokens).min_length(), Some(1));
        assert_eq!(
            FacetSet::for_builtin(B::Token).white_space(),
            WhiteSpace::Collapse
        );
    }

    #[test]
    fn list_facets() {
        let list = FacetSet::for_list();
        let preserve = [decl(F::WhiteSpace, "preserve")];
        for start in [list.clone(), FacetSet::for_builtin(B::AnySimpleType)] {
            assert_eq!(
                start
                    .restrict(B::String, true, &preserve)
                    .unwrap_err()
                    .constraint,
                "whiteSpace-valid-restriction"
            );
        }
        assert!(
            list.restrict(B::Decimal, true, &[decl(F::Length, "2")])
                .is_ok()
        );
        assert!(
            list.restrict(B::Decimal, true, &[decl(F::MaxInclusive, "2")])
                .is_err()
        );
        let nmtokens = FacetSet::for_builtin(B::NmTokens);
        let with_min = |min| [decl(F::Length, "5"), decl(F::MinLength, min)];
        assert!(nmtokens.restrict(B::String, true, &with_min("1")).is_ok());
        assert!(nmtokens.restrict(B::String, true, &with_min("2")).is_err());
        let two = list
            .restrict(B::Decimal, true, &[decl(F::Length, "2")])
            .unwrap();
        assert!(two.check(B::Decimal, true, "1 2", None, None).is_ok());
        assert_eq!(
            two.check(B::Decimal, true, "1", None, Some(1))
                .unwrap_err()
                .message,
            "length 1 (items) differs from length 2"
        );
    }

    #[test]
    fn length_facets_count_the_right_unit() {
        let max10 = restrict(B::String, &[decl(F::MaxLength, "10")]).unwrap();
        assert_eq!(
            check(&max10, B::String, "123456789012")
                .unwrap_err()
                .message,
            "length 12 (characters) exceeds maxLength 10"
        );
        assert!(check(&max10, B::String, "ææææææææææ").is_ok());
        assert_eq!(
            step_error(&max10, B::String, &[decl(F::MaxLength, "11")]),
            "maxLength-valid-restriction"
        );
        let octets = restrict(B::HexBinary, &[decl(F::Length, "2")]).unwrap();
        assert!(check(&octets, B::HexBinary, "0aff").is_ok());
        assert_eq!(violated(&octets, B::HexBinary, "0a"), F::Length);
        let base64 = restrict(B::Base64Binary, &[decl(F::MaxLength, "1")]).unwrap();
        assert!(check(&base64, B::Base64Binary, "QQ==").is_ok());
        assert_eq!(violated(&base64, B::Base64Binary, "QUI="), F::MaxLength);
        let qname = restrict(B::QName, &[decl(F::Length, "1")]).unwrap();
        assert!(check(&qname, B::QName, "longname").is_ok());
    }

    #[test]
    fn fixed_facets_cannot_change() {
        let base = restrict(
            B::String,
            &[FacetDecl {
                fixed: true,
                ..decl(F::MaxLength, "5")
            }],
        )
        .unwrap();
        assert_eq!(
            step_error(&base, B::String, &[decl(F::MaxLength, "4")]),
            "maxLength-valid-restriction"
        );
        assert!(
            base.restrict(B::String, false, &[decl(F::MaxLength, "5")])
                .is_ok()
        );
    }

    #[test]
    fn bounds() {
        let below10 = restrict(B::Decimal, &[decl(F::MaxExclusive, "10")]).unwrap();
        assert!(
            below10
                .restrict(B::Decimal, false, &[decl(F::MaxExclusive, "10")])
                .is_ok()
        );
        assert_eq!(
            step_error(&below10, B::Decimal, &[decl(F::MaxInclusive, "10")]),
            "maxInclusive-valid-restriction"
        );
        let range = restrict(
            B::Date,
            &[
                decl(F::MinExclusive, "2000-01-01Z"),
                decl(F::MaxInclusive, "2000-12-31Z"),
            ],
        )
        .unwrap();
        assert!(check(&range, B::Date, "2000-06-01Z").is_ok());
        assert_eq!(violated(&range, B::Date, "2000-01-01Z"), F::MinExclusive);
        // Less than 14 hours from the bound and without timezone: indeterminate, so invalid.
        assert_eq!(violated(&range, B::Date, "2000-12-31"), F::MaxInclusive);
        let short_durations = restrict(B::Duration, &[decl(F::MaxInclusive, "P1M")]).unwrap();
        assert!(check(&short_durations, B::Duration, "P27D").is_ok());
        assert_eq!(
            violated(&short_durations, B::Duration, "P30D"),
            F::MaxInclusive
        );
    }

    #[test]
    fn digits() {
        let set = restrict(
            B::Decimal,
            &[decl(F::TotalDigits, "4"), decl(F::FractionDigits, "2")],
        )
        .unwrap();
        assert!(check(&set, B::Decimal, "12.50").is_ok());
        assert_eq!(violated(&set, B::Decimal, "123.45"), F::TotalDigits);
        assert_eq!(violated(&set, B::Decimal, "0.125"), F::FractionDigits);
    }

    #[test]
    fn white_space_only_gets_stricter() {
        let collapsed = restrict(B::String, &[decl(F::WhiteSpace, "collapse")]).unwrap();
        assert_eq!(collapsed.white_space(), WhiteSpace::Collapse);
        assert_eq!(
            step_error(&collapsed, B::String, &[decl(F::WhiteSpace, "preserve")]),
            "whiteSpace-valid-restriction"
        );
    }

    #[test]
    fn patterns_or_within_and_across_steps() {
        let step1 = restrict(B::String, &[decl(F::Pattern, "a+"), decl(F::Pattern, "b+")]).unwrap();
        assert!(check(&step1, B::String, "aa").is_ok());
        assert!(check(&step1, B::String, "bb").is_ok());
        let step2 = step1
            .restrict(B::String, false, &[decl(F::Pattern, ".{2}")])
            .unwrap();
        assert!(check(&step2, B::String, "aa").is_ok());
        assert_eq!(violated(&step2, B::String, "aaa"), F::Pattern);
        assert_eq!(step2.patterns().len(), 2);
    }

    #[test]
    fn enumerations() {
        let set = restrict(
            B::Decimal,
            &[decl(F::Enumeration, "1.0"), decl(F::Enumeration, "2")],
        )
        .unwrap();
        assert!(check(&set, B::Decimal, "1.00").is_ok());
        assert_eq!(
            check(&set, B::Decimal, "3").unwrap_err().message,
            "'3' is not one of {1.0, 2}"
        );
        assert_eq!(
            step_error(&set, B::Decimal, &[decl(F::Enumeration, "3")]),
            "enumeration-valid-restriction"
        );
        let qnames = FacetDecl {
            namespaces: vec![("p".to_owned(), "urn:p".to_owned())],
            ..decl(F::Enumeration, "p:a")
        };
        let set = restrict(B::QName, &[qnames]).unwrap();
        let other_prefix = vec![("q".to_owned(), "urn:p".to_owned())];
        let value = parse_value(B::QName, "q:a", &other_prefix).unwrap();
        assert!(
            set.check(B::QName, false, "q:a", Some(&value), None)
                .is_ok()
        );
        let list = FacetSet::for_list()
            .restrict(B::Decimal, true, &[decl(F::Enumeration, "1 2")])
            .unwrap();
        let items = Value::List(vec![
            parse_value(B::Decimal, "1.0", &NoNamespaces).unwrap(),
            parse_value(B::Decimal, "2", &NoNamespaces).unwrap(),
        ]);
        assert!(
            list.check(B::Decimal, true, "1.0 2", Some(&items), Some(2))
                .is_ok()
        );
    }
}
