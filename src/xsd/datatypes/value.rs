//! The value spaces of the built-in types, with XSD 1.0 equality and order.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

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

impl Eq for Value {}

/// Consistent with XSD equality, so values can key identity-constraint tables: 1.0 and 1.00
/// hash alike, as do 0 and -0, NaN and NaN, and dateTimes naming the same instant.
impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Value::String(s) | Value::AnyUri(s) => s.hash(state),
            Value::QName { namespace, local } | Value::Notation { namespace, local } => {
                namespace.hash(state);
                local.hash(state);
            }
            Value::Boolean(b) => b.hash(state),
            Value::Decimal(d) => d.hash(state),
            Value::Float(x) => ieee_identity(f64::from(*x)).hash(state),
            Value::Double(x) => ieee_identity(*x).hash(state),
            Value::Duration(d) => d.hash(state),
            Value::Temporal(t) => t.hash(state),
            Value::HexBinary(bytes) | Value::Base64Binary(bytes) => bytes.hash(state),
            Value::List(items) => items.hash(state),
        }
    }
}

/// Bits that are equal exactly when the values are XSD-equal (one zero, one NaN).
fn ieee_identity(x: f64) -> u64 {
    if x.is_nan() {
        f64::NAN.to_bits()
    } else if x == 0.0 {
        0
    } else {
        x.to_bits()
    }
}

/// A readable lexical form: canonical for numbers and durations; a QName shows its
/// namespace in braces (`{urn:x}local`) since a value has no prefix.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(s) | Value::AnyUri(s) => f.write_str(s),
            Value::QName { namespace, local } | Value::Notation { namespace, local } => {
                match namespace {
                    Some(namespace) => write!(f, "{{{namespace}}}{local}"),
                    None => f.write_str(local),
                }
            }
            Value::Boolean(b) => write!(f, "{b}"),
            Value::Decimal(d) => write!(f, "{d}"),
            Value::Float(x) => write_ieee(f, f64::from(*x), format!("{x:E}")),
            Value::Double(x) => write_ieee(f, *x, format!("{x:E}")),
            Value::Duration(d) => write!(f, "{d}"),
            Value::Temporal(t) => write!(f, "{t}"),
            Value::HexBinary(bytes) => bytes.iter().try_for_each(|b| write!(f, "{b:02X}")),
            Value::Base64Binary(bytes) => f.write_str(&encode_base64(bytes)),
            Value::List(items) => {
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{item}")?;
                }
                Ok(())
            }
        }
    }
}

/// XSD's canonical float form: `INF`, `-INF`, `NaN`, or a mantissa with a decimal point and
/// an exponent (`1.0E2`).
fn write_ieee(f: &mut fmt::Formatter<'_>, x: f64, scientific: String) -> fmt::Result {
    if x.is_nan() {
        return f.write_str("NaN");
    }
    if x.is_infinite() {
        return f.write_str(if x > 0.0 { "INF" } else { "-INF" });
    }
    match scientific.split_once('E') {
        Some((mantissa, exponent)) if !mantissa.contains('.') => {
            write!(f, "{mantissa}.0E{exponent}")
        }
        _ => f.write_str(&scientific),
    }
}

fn encode_base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let bits = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                let sextet = (bits >> (18 - 6 * i)) & 0x3F;
                encoded.push(char::from(ALPHABET[sextet as usize]));
            } else {
                encoded.push('=');
            }
        }
    }
    encoded
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
    fn equal_values_hash_alike() {
        use crate::xsd::datatypes::{BuiltinType as B, NoNamespaces, parse_value};
        use std::collections::HashSet;
        let pairs = [
            (B::Decimal, "1.0", "1.00"),
            (B::Double, "0", "-0"),
            (B::Float, "NaN", "NaN"),
            (
                B::DateTime,
                "2000-01-01T12:00:00Z",
                "2000-01-01T13:00:00+01:00",
            ),
            (B::Duration, "P1D", "PT24H"),
        ];
        for (ty, a, b) in pairs {
            let a = parse_value(ty, a, &NoNamespaces).unwrap();
            let b = parse_value(ty, b, &NoNamespaces).unwrap();
            assert_eq!(a, b);
            let set: HashSet<Value> = [a, b].into_iter().collect();
            assert_eq!(set.len(), 1, "{ty:?}");
        }
    }

    #[test]
    fn display_is_canonical() {
        use crate::xsd::datatypes::{BuiltinType as B, NoNamespaces, parse_value};
        let shown = |ty, s| parse_value(ty, s, &NoNamespaces).unwrap().to_string();
        assert_eq!(shown(B::Decimal, "+010.50"), "10.5");
        assert_eq!(shown(B::Double, "100"), "1.0E2");
        assert_eq!(shown(B::Float, "-1.5e-3"), "-1.5E-3");
        assert_eq!(shown(B::Double, "-INF"), "-INF");
        assert_eq!(shown(B::Float, "NaN"), "NaN");
        assert_eq!(shown(B::Boolean, "1"), "true");
        assert_eq!(shown(B::HexBinary, "0aff"), "0AFF");
        for base64 in ["", "QQ==", "QUI=", "QUJD", "SGVsbG8gd29ybGQ="] {
            assert_eq!(shown(B::Base64Binary, base64), base64);
        }
        assert_eq!(shown(B::NmTokens, "a b"), "a b");
        assert_eq!(
            shown(B::QName, "xml:lang"),
            "{http://www.w3.org/XML/1998/namespace}lang"
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
