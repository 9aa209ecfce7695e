//! The built-in simple types of XSD 1.0 Part 2 and their derivation hierarchy.

use std::borrow::Cow;

/// A built-in simple type of XML Schema 1.0 (the primitives and the built-in derived types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BuiltinType {
    AnySimpleType,
    String,
    NormalizedString,
    Token,
    Language,
    Name,
    NCName,
    Id,
    IdRef,
    IdRefs,
    Entity,
    Entities,
    NmToken,
    NmTokens,
    QName,
    Notation,
    AnyUri,
    Boolean,
    Decimal,
    Integer,
    NonPositiveInteger,
    NegativeInteger,
    Long,
    Int,
    Short,
    Byte,
    NonNegativeInteger,
    PositiveInteger,
    UnsignedLong,
    UnsignedInt,
    UnsignedShort,
    UnsignedByte,
    Float,
    Double,
    Duration,
    DateTime,
    Time,
    Date,
    GYearMonth,
    GYear,
    GMonthDay,
    GDay,
    GMonth,
    HexBinary,
    Base64Binary,
}

/// The `whiteSpace` facet value: how a lexical form is normalised before validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WhiteSpace {
    Preserve,
    Replace,
    Collapse,
}

impl WhiteSpace {
    pub fn from_keyword(keyword: &str) -> Option<Self> {
        match keyword {
            "preserve" => Some(Self::Preserve),
            "replace" => Some(Self::Replace),
            "collapse" => Some(Self::Collapse),
            _ => None,
        }
    }

    pub fn keyword(self) -> &'static str {
        match self {
            Self::Preserve => "preserve",
            Self::Replace => "replace",
            Self::Collapse => "collapse",
        }
    }
}

use BuiltinType as B;

/// Every built-in type with its local name in the XML Schema namespace.
const NAMES: [(BuiltinType, &str); 45] = [
    (B::AnySimpleType, "anySimpleType"),
    (B::String, "string"),
    (B::NormalizedString, "normalizedString"),
    (B::Token, "token"),
    (B::Language, "language"),
    (B::Name, "Name"),
    (B::NCName, "NCName"),
    (B::Id, "ID"),
    (B::IdRef, "IDREF"),
    (B::IdRefs, "IDREFS"),
    (B::Entity, "ENTITY"),
    (B::Entities, "ENTITIES"),
    (B::NmToken, "NMTOKEN"),
    (B::NmTokens, "NMTOKENS"),
    (B::QName, "QName"),
    (B::Notation, "NOTATION"),
    (B::AnyUri, "anyURI"),
    (B::Boolean, "boolean"),
    (B::Decimal, "decimal"),
    (B::Integer, "integer"),
    (B::NonPositiveInteger, "nonPositiveInteger"),
    (B::NegativeInteger, "negativeInteger"),
    (B::Long, "long"),
    (B::Int, "int"),
    (B::Short, "short"),
    (B::Byte, "byte"),
    (B::NonNegativeInteger, "nonNegativeInteger"),
    (B::PositiveInteger, "positiveInteger"),
    (B::UnsignedLong, "unsignedLong"),
    (B::UnsignedInt, "unsignedInt"),
    (B::UnsignedShort, "unsignedShort"),
    (B::UnsignedByte, "unsignedByte"),
    (B::Float, "float"),
    (B::Double, "double"),
    (B::Duration, "duration"),
    (B::DateTime, "dateTime"),
    (B::Time, "time"),
    (B::Date, "date"),
    (B::GYearMonth, "gYearMonth"),
    (B::GYear, "gYear"),
    (B::GMonthDay, "gMonthDay"),
    (B::GDay, "gDay"),
    (B::GMonth, "gMonth"),
    (B::HexBinary, "hexBinary"),
    (B::Base64Binary, "base64Binary"),
];

impl BuiltinType {
    /// All built-in types, in declaration order.
    pub fn all() -> impl Iterator<Item = BuiltinType> {
        NAMES.iter().map(|(ty, _)| *ty)
    }

    /// Looks a type up by its local name in the XML Schema namespace (`"dateTime"`, `"ID"`).
    pub fn from_local_name(name: &str) -> Option<Self> {
        NAMES.iter().find(|(_, n)| *n == name).map(|(ty, _)| *ty)
    }

    pub fn local_name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(ty, _)| *ty == self)
            .map_or("anySimpleType", |(_, n)| n)
    }

    /// The base type this type is derived from; `None` for anySimpleType only.
    /// The list types (NMTOKENS, IDREFS, ENTITIES) have anySimpleType as base.
    pub fn base(self) -> Option<BuiltinType> {
        Some(match self {
            B::AnySimpleType => return None,
            B::NormalizedString => B::String,
            B::Token => B::NormalizedString,
            B::Language | B::Name | B::NmToken => B::Token,
            B::NCName => B::Name,
            B::Id | B::IdRef | B::Entity => B::NCName,
            B::Integer => B::Decimal,
            B::NonPositiveInteger | B::Long | B::NonNegativeInteger => B::Integer,
            B::NegativeInteger => B::NonPositiveInteger,
            B::Int => B::Long,
            B::Short => B::Int,
            B::Byte => B::Short,
            B::PositiveInteger | B::UnsignedLong => B::NonNegativeInteger,
            B::UnsignedInt => B::UnsignedLong,
            B::UnsignedShort => B::UnsignedInt,
            B::UnsignedByte => B::UnsignedShort,
            _ => B::AnySimpleType,
        })
    }

    /// The primitive type at the root of this type's derivation (itself for primitives and
    /// anySimpleType). For the list types this is anySimpleType; see [`Self::list_item`].
    pub fn primitive(self) -> BuiltinType {
        let mut ty = self;
        while let Some(base) = ty.base() {
            if base == B::AnySimpleType {
                return ty;
            }
            ty = base;
        }
        ty
    }

    /// True for the primitive types of XSD 1.0 (not anySimpleType, not derived types).
    pub fn is_primitive(self) -> bool {
        self.base() == Some(B::AnySimpleType) && self.list_item().is_none()
    }

    /// The item type of the built-in list types NMTOKENS, IDREFS and ENTITIES.
    pub fn list_item(self) -> Option<BuiltinType> {
        match self {
            B::NmTokens => Some(B::NmToken),
            B::IdRefs => Some(B::IdRef),
            B::Entities => Some(B::Entity),
            _ => None,
        }
    }

    /// The fixed whiteSpace facet of the built-in type.
    pub fn white_space(self) -> WhiteSpace {
        match self {
            B::String | B::AnySimpleType => WhiteSpace::Preserve,
            B::NormalizedString => WhiteSpace::Replace,
            _ => WhiteSpace::Collapse,
        }
    }

    /// True when `self` is `other` or derived from it by restriction (every type derives
    /// from anySimpleType).
    pub fn is_derived_from(self, other: BuiltinType) -> bool {
        let mut ty = Some(self);
        while let Some(current) = ty {
            if current == other {
                return true;
            }
            ty = current.base();
        }
        false
    }

    /// True for the types whose values are integers (integer and everything below it).
    pub fn is_integer(self) -> bool {
        self.is_derived_from(B::Integer)
    }
}

/// Whether `s` is unchanged by the whiteSpace normalisation `ws`, as every value of an instance
/// is checked: most values have no byte at or below the space, which a pass without a branch
/// per byte (so one the compiler vectorises) tells; the others get the full rules.
pub fn is_white_space_normalized(s: &str, ws: WhiteSpace) -> bool {
    let is_control = |b: u8| matches!(b, b'\t' | b'\n' | b'\r');
    match ws {
        WhiteSpace::Preserve => true,
        _ if s.bytes().fold(true, |clean, b| clean & (b > b' ')) => true,
        WhiteSpace::Replace => !s.bytes().any(is_control),
        WhiteSpace::Collapse => {
            let bytes = s.as_bytes();
            bytes.first() != Some(&b' ')
                && bytes.last() != Some(&b' ')
                && !bytes.iter().copied().any(is_control)
                && !bytes.windows(2).any(|pair| pair == b"  ")
        }
    }
}

/// Applies the whiteSpace normalisation of XSD 1.0 §4.3.6 to a lexical form.
pub fn normalize_white_space(s: &str, ws: WhiteSpace) -> Cow<'_, str> {
    if is_white_space_normalized(s, ws) {
        return Cow::Borrowed(s);
    }
    let is_xml_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    match ws {
        WhiteSpace::Preserve => Cow::Borrowed(s),
        WhiteSpace::Replace => Cow::Owned(s.replace(['\t', '\n', '\r'], " ")),
        WhiteSpace::Collapse => Cow::Owned(
            s.split(is_xml_space)
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_for_every_type() {
        for ty in BuiltinType::all() {
            assert_eq!(BuiltinType::from_local_name(ty.local_name()), Some(ty));
        }
        assert_eq!(BuiltinType::from_local_name("IDREFS"), Some(B::IdRefs));
        assert_eq!(BuiltinType::from_local_name("idrefs"), None);
    }

    #[test]
    fn derivation_hierarchy() {
        assert_eq!(B::UnsignedByte.primitive(), B::Decimal);
        assert_eq!(B::Id.primitive(), B::String);
        assert_eq!(B::Date.primitive(), B::Date);
        assert!(B::Byte.is_derived_from(B::Integer));
        assert!(!B::Byte.is_derived_from(B::NonNegativeInteger));
        assert!(B::PositiveInteger.is_derived_from(B::NonNegativeInteger));
        assert!(B::NmTokens.is_derived_from(B::AnySimpleType));
        assert_eq!(B::NmTokens.list_item(), Some(B::NmToken));
        assert!(B::Decimal.is_primitive());
        assert!(!B::Integer.is_primitive());
        assert!(!B::IdRefs.is_primitive());
    }

    #[test]
    fn white_space_normalisation() {
        assert_eq!(
            normalize_white_space(" a\tb ", WhiteSpace::Preserve),
            " a\tb "
        );
        assert_eq!(
            normalize_white_space(" a\tb\r\n", WhiteSpace::Replace),
            " a b  "
        );
        assert_eq!(
            normalize_white_space("  a \t\n b  ", WhiteSpace::Collapse),
            "a b"
        );
        assert!(matches!(
            normalize_white_space("a b", WhiteSpace::Collapse),
            Cow::Borrowed(_)
        ));
        assert_eq!(B::NormalizedString.white_space(), WhiteSpace::Replace);
        assert_eq!(B::Int.white_space(), WhiteSpace::Collapse);
    }

    #[test]
    fn normalised_is_what_normalising_leaves_unchanged() {
        let samples = [
            "",
            "a",
            "2026-03-31T10:00:00.123+02:00",
            "a b",
            "a  b",
            " a",
            "a ",
            "\t",
            "a\nb",
            "a\rb",
            "\u{1}",
            "æ ø",
            "æ  ø",
            " ",
            "\u{a0}",
        ];
        for s in samples {
            for ws in [
                WhiteSpace::Preserve,
                WhiteSpace::Replace,
                WhiteSpace::Collapse,
            ] {
                let unchanged = normalize_white_space(s, ws) == s;
                assert_eq!(is_white_space_normalized(s, ws), unchanged, "{s:?} {ws:?}");
            }
        }
    }
}
