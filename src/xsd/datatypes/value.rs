//! The value spaces of the built-in types, with XSD 1.0 equality and order.

use std::cmp::Ordering;

use super::decimal::Decimal;
use super::temporal::{Duration, Temporal};

/// A value in the value space of a built-in type. Values of different primitive types are
/// never equal; the string-derived types share the value space of xs:string.
#[derive(Debug, Clone)]
pub enum Value {
    /// xs:string and everything derived from it (token, Name, ID, NMTOKEN, ...), and
    /// anySimpleType.
    String(String),
    AnyUri(String),
    /// An expanded name; `namespace` is `None` for a name in no namespace.
    QName {
        namespace: Option<String>,
        local: String,
    },
    Notation {
        namespace: Option<String>,
        local: String,
    },
    Boolean(bool),
    /// xs:decimal and the integer family.
    Decimal(Decimal),
    Float(f32),
    Double(f64),
    Duration(Duration),
    /// dateTime, time, date and the g* types.
    Temporal(Temporal),
    HexBinary(Vec<u8>),
    Base64Binary(Vec<u8>),
    /// The built-in list types NMTOKENS, IDREFS and ENTITIES.
    List(Vec<Value>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value as V;
        match (self, other) {
            (V::String(a), V::String(b)) | (V::AnyUri(a), V::AnyUri(b)) => a == b,
            (
                V::QName {
                    namespace: na,
                    local: la,
                },
                V::QName {
                    namespace: nb,
                    local: lb,
                },
            )
            | (
                V::Notation {
                    namespace: na,
                    local: la,
                },
                V::Notation {
                    namespace: nb,
                    local: lb,
                },
            ) => na == nb && la == lb,
            (V::Boolean(a), V::Boolean(b)) => a == b,
            (V::Decimal(a), V::Decimal(b)) => a == b,
            // XSD 1.0: NaN equals itself (so an enumeration can list it).
            (V::Float(a), V::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (V::Double(a), V::Double(b)) => a == b || (a.is_nan() && b.is_nan()),
            (V::Duration(a), V::Duration(b)) => a == b,
            (V::Temporal(a), V::Temporal(b)) => a == b,
            (V::HexBinary(a), V::HexBinary(b)) | (V::Base64Binary(a), V::Base64Binary(b)) => a == b,
            (V::List(a), V::List(b)) => a == b,
            _ => false,
        }
    }
}

impl Value {
    /// The XSD 1.0 order relation. `None` when the values are incomparable: different
    /// primitive types, unordered types that are not equal, NaN, a dateTime with and one
    /// without timezone less than 14 hours apart, or durations like P1M and P30D.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Decimal(a), Value::Decimal(b)) => Some(a.cmp(b)),
            (Value::Float(a), Value::Float(b)) => a.partial_cmp(b),
            (Value::Double(a), Value::Double(b)) => a.partial_cmp(b),
            (Value::Duration(a), Value::Duration(b)) => a.compare(b),
            (Value::Temporal(a), Value::Temporal(b)) => a.compare(b),
            _ => (self == other).then_some(Ordering::Equal),
        }
    }

    /// The decimal value, for the decimal and integer types.
    pub fn as_decimal(&self) -> Option<&Decimal> {
        match self {
            Value::Decimal(d) => Some(d),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xsd::datatypes::BuiltinType;

    fn temporal(kind: BuiltinType, s: &str) -> Value {
        Value::Temporal(Temporal::parse(kind, s).unwrap())
    }

    #[test]
    fn equality_across_lexical_forms_and_types() {
        let dec = |s| Value::Decimal(Decimal::parse(s, false).unwrap());
        assert_eq!(dec("1.0"), dec("1.00"));
        assert_eq!(Value::Float(f32::NAN), Value::Float(f32::NAN));
        assert_eq!(Value::Float(0.0), Value::Float(-0.0));
        assert_ne!(Value::Float(1.0), Value::Double(1.0));
        assert_ne!(Value::String("a".into()), Value::AnyUri("a".into()));
        assert_eq!(
            temporal(BuiltinType::DateTime, "2000-01-01T00:00:00+01:00"),
            temporal(BuiltinType::DateTime, "1999-12-31T23:00:00Z")
        );
    }

    #[test]
    fn order_relation() {
        let dec = |s| Value::Decimal(Decimal::parse(s, false).unwrap());
        assert_eq!(dec("2").compare(&dec("10")), Some(Ordering::Less));
        assert_eq!(Value::Double(f64::NAN).compare(&Value::Double(1.0)), None);
        assert_eq!(
            Value::Double(f64::NEG_INFINITY).compare(&Value::Double(-1e308)),
            Some(Ordering::Less)
        );
        assert_eq!(dec("1").compare(&Value::Double(1.0)), None);
        assert_eq!(
            Value::Boolean(true).compare(&Value::Boolean(true)),
            Some(Ordering::Equal)
        );
        assert_eq!(Value::Boolean(true).compare(&Value::Boolean(false)), None);
    }
}
