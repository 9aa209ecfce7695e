//! Lexical-to-value mapping of every built-in type.

use super::builtin::{BuiltinType, is_white_space_normalized, normalize_white_space};
use super::decimal::Decimal;
use super::names::name_problem;
use super::temporal::{Duration, Temporal};
use super::value::Value;

/// Resolves namespace prefixes in scope where a QName or NOTATION value appears.
pub trait NamespaceResolver {
    /// The namespace bound to `prefix`; `""` asks for the default namespace. `None` when the
    /// prefix is unbound (or there is no default namespace).
    fn resolve(&self, prefix: &str) -> Option<String>;
}

/// A resolver with no bindings, for contexts where QNames cannot occur.
pub struct NoNamespaces;

impl NamespaceResolver for NoNamespaces {
    fn resolve(&self, prefix: &str) -> Option<String> {
        (prefix == "xml").then(|| "http://www.w3.org/XML/1998/namespace".to_owned())
    }
}

/// Prefix bindings as `(prefix, namespace)` pairs, e.g. those recorded with a facet.
impl NamespaceResolver for Vec<(String, String)> {
    fn resolve(&self, prefix: &str) -> Option<String> {
        self.iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map(|(_, ns)| ns.clone())
            .filter(|ns| !(prefix.is_empty() && ns.is_empty()))
            .or_else(|| NoNamespaces.resolve(prefix))
    }
}

/// A lexical form that is not in the lexical space of a type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{lexical}' is not a valid xs:{type_name}: {reason}")]
pub struct DatatypeError {
    pub lexical: String,
    pub type_name: &'static str,
    pub reason: String,
}

/// Maps an already whitespace-normalised lexical form of `ty` to its value.
pub fn parse_value(
    ty: BuiltinType,
    normalized: &str,
    ns: &dyn NamespaceResolver,
) -> Result<Value, DatatypeError> {
    parse_reason(ty, normalized, ns).map_err(|reason| DatatypeError {
        lexical: normalized.to_owned(),
        type_name: ty.local_name(),
        reason,
    })
}

fn parse_reason(ty: BuiltinType, s: &str, ns: &dyn NamespaceResolver) -> Result<Value, String> {
    use BuiltinType as B;
    if !is_white_space_normalized(s, ty.white_space()) {
        return Err(format!(
            "it is not whitespace-normalised ({})",
            ty.white_space().keyword()
        ));
    }
    if let Some(item_type) = ty.list_item() {
        if s.is_empty() {
            return Err("a list needs at least one item".to_owned());
        }
        return s
            .split(' ')
            .map(|item| parse_reason(item_type, item, ns))
            .collect::<Result<_, _>>()
            .map(Value::List);
    }
    match ty {
        B::AnySimpleType | B::String | B::NormalizedString | B::Token => Ok(string(s)),
        B::Language => check_language(s).map(|()| string(s)),
        B::Name => name(s, true, false),
        B::NCName | B::Id | B::IdRef | B::Entity => name(s, false, false),
        B::NmToken => name(s, true, true),
        B::QName | B::Notation => {
            let (namespace, local) = resolve_qname(s, ns)?;
            Ok(if ty == B::QName {
                Value::QName { namespace, local }
            } else {
                Value::Notation { namespace, local }
            })
        }
        B::AnyUri => check_any_uri(s).map(|()| Value::AnyUri(s.to_owned())),
        B::Boolean => match s {
            "true" | "1" => Ok(Value::Boolean(true)),
            "false" | "0" => Ok(Value::Boolean(false)),
            _ => Err("expected true, false, 1 or 0".to_owned()),
        },
        B::Decimal => Decimal::parse(s, false)
            .map(Value::Decimal)
            .map_err(|e| e.to_string()),
        B::Float => check_float_lexical(s)
            .and_then(|()| parse_ieee::<f32>(s))
            .map(Value::Float),
        B::Double => check_float_lexical(s)
            .and_then(|()| parse_ieee::<f64>(s))
            .map(Value::Double),
        B::Duration => Duration::parse(s).map(Value::Duration),
        B::DateTime
        | B::Time
        | B::Date
        | B::GYearMonth
        | B::GYear
        | B::GMonthDay
        | B::GDay
        | B::GMonth => Temporal::parse(ty, s).map(Value::Temporal),
        B::HexBinary => decode_hex(s).map(Value::HexBinary),
        B::Base64Binary => decode_base64(s).map(Value::Base64Binary),
        _ => parse_integer(ty, s).map(Value::Decimal),
    }
}

fn string(s: &str) -> Value {
    Value::String(s.to_owned())
}

fn name(s: &str, allow_colon: bool, allow_any_start: bool) -> Result<Value, String> {
    match name_problem(s, allow_colon, allow_any_start) {
        Some(problem) => Err(problem),
        None => Ok(string(s)),
    }
}

/// RFC 3066 as XSD 1.0 restricts it: `[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*`.
fn check_language(s: &str) -> Result<(), String> {
    for (index, subtag) in s.split('-').enumerate() {
        let allowed = |c: char| c.is_ascii_alphabetic() || (index > 0 && c.is_ascii_digit());
        if subtag.is_empty() || subtag.len() > 8 || !subtag.chars().all(allowed) {
            return Err(format!(
                "subtag {subtag:?} must be 1 to 8 {}",
                if index == 0 {
                    "letters"
                } else {
                    "letters or digits"
                }
            ));
        }
    }
    Ok(())
}

/// Splits `prefix:local` and resolves the prefix; an unprefixed name takes the default
/// namespace.
pub fn resolve_qname(
    s: &str,
    ns: &dyn NamespaceResolver,
) -> Result<(Option<String>, String), String> {
    let (prefix, local) = match s.split_once(':') {
        Some((prefix, local)) => (Some(prefix), local),
        None => (None, s),
    };
    if let Some(problem) = prefix.and_then(|p| name_problem(p, false, false)) {
        return Err(format!("bad prefix: {problem}"));
    }
    if let Some(problem) = name_problem(local, false, false) {
        return Err(format!("bad local name: {problem}"));
    }
    let namespace = ns.resolve(prefix.unwrap_or(""));
    if let (None, Some(prefix)) = (&namespace, prefix) {
        return Err(format!("prefix '{prefix}' is not bound to a namespace"));
    }
    Ok((namespace, local.to_owned()))
}

/// anyURI is lenient in XSD 1.0 (any string that becomes a URI reference after escaping);
/// only malformed percent-escapes, a malformed scheme or authority (host) and more than one
/// fragment separator are rejected.
fn check_any_uri(s: &str) -> Result<(), String> {
    let bytes = s.as_bytes();
    for (index, &byte) in bytes.iter().enumerate() {
        if byte == b'%' {
            let escape = bytes.get(index + 1..index + 3);
            if !escape.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
                return Err("'%' must start a two-digit hex escape".to_owned());
            }
        }
    }
    if let Some((before_colon, _)) = s.split_once(':')
        && !before_colon.contains(['/', '?', '#'])
    {
        let is_scheme = before_colon
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && before_colon
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !is_scheme {
            return Err(format!("'{before_colon}' before ':' is not a URI scheme"));
        }
    }
    let hierarchical = match s.split_once(':') {
        Some((scheme, rest)) if !scheme.contains(['/', '?', '#']) => rest,
        _ => s,
    };
    if let Some(after_slashes) = hierarchical.strip_prefix("//") {
        let authority = after_slashes
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default();
        let authority_char =
            |c: char| c.is_ascii_alphanumeric() || "-._~%!$&'()*+,;=:@[]".contains(c);
        if let Some(bad) = authority.chars().find(|&c| !authority_char(c)) {
            return Err(format!(
                "{bad:?} is not allowed in the authority '{authority}'"
            ));
        }
    }
    if s.matches('#').count() > 1 {
        return Err("a URI reference has at most one '#'".to_owned());
    }
    Ok(())
}

/// `(+|-)?([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee](\+|-)?[0-9]+)?|-?INF|NaN`.
fn check_float_lexical(s: &str) -> Result<(), String> {
    if matches!(s, "INF" | "-INF" | "NaN") {
        return Ok(());
    }
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(at) => (&s[..at], Some(&s[at + 1..])),
        None => (s, None),
    };
    let unsigned = mantissa.strip_prefix(['+', '-']).unwrap_or(mantissa);
    let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok =
        all_digits(integer) && all_digits(fraction) && !(integer.is_empty() && fraction.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
        !digits.is_empty() && all_digits(digits)
    });
    if mantissa_ok && exponent_ok {
        Ok(())
    } else {
        Err("expected a number like 1.5, -2E10, INF, -INF or NaN".to_owned())
    }
}

fn parse_ieee<F: std::str::FromStr>(s: &str) -> Result<F, String> {
    let rust_form = match s {
        "INF" => "inf",
        "-INF" => "-inf",
        "NaN" => "NaN",
        _ => s,
    };
    rust_form
        .parse()
        .map_err(|_| "the number cannot be represented".to_owned())
}

/// Inclusive bounds of the bounded integer types.
pub fn integer_bounds(ty: BuiltinType) -> (Option<i128>, Option<i128>) {
    use BuiltinType as B;
    match ty {
        B::NonPositiveInteger => (None, Some(0)),
        B::NegativeInteger => (None, Some(-1)),
        B::Long => (Some(i64::MIN.into()), Some(i64::MAX.into())),
        B::Int => (Some(i32::MIN.into()), Some(i32::MAX.into())),
        B::Short => (Some(i16::MIN.into()), Some(i16::MAX.into())),
        B::Byte => (Some(i8::MIN.into()), Some(i8::MAX.into())),
        B::NonNegativeInteger => (Some(0), None),
        B::PositiveInteger => (Some(1), None),
        B::UnsignedLong => (Some(0), Some(u64::MAX.into())),
        B::UnsignedInt => (Some(0), Some(u32::MAX.into())),
        B::UnsignedShort => (Some(0), Some(u16::MAX.into())),
        B::UnsignedByte => (Some(0), Some(u8::MAX.into())),
        _ => (None, None),
    }
}

fn parse_integer(ty: BuiltinType, s: &str) -> Result<Decimal, String> {
    let value = Decimal::parse(s, true).map_err(|e| e.to_string())?;
    let (min, max) = integer_bounds(ty);
    if let Some(min) = min
        && value < Decimal::from_i128(min)
    {
        return Err(format!("{value} is below the minimum {min}"));
    }
    if let Some(max) = max
        && value > Decimal::from_i128(max)
    {
        return Err(format!("{value} is above the maximum {max}"));
    }
    Ok(value)
}

fn decode_hex(s: &str) -> Result<Vec<u8>, String> {
    if !s.len().is_multiple_of(2) {
        return Err(format!("it has an odd number of hex digits ({})", s.len()));
    }
    if let Some(bad) = s.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(format!("{bad:?} is not a hex digit"));
    }
    (0..s.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&s[at..at + 2], 16).map_err(|e| e.to_string()))
        .collect()
}

fn base64_digit(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// XSD 1.0's strict base64 grammar: groups of four, single spaces allowed between
/// characters, '=' padding only at the end, and padded groups must not carry unused bits.
fn decode_base64(s: &str) -> Result<Vec<u8>, String> {
    if s.starts_with(' ') || s.ends_with(' ') || s.contains("  ") {
        return Err("spaces may only separate single characters".to_owned());
    }
    let compact: Vec<u8> = s.bytes().filter(|&b| b != b' ').collect();
    if !compact.len().is_multiple_of(4) {
        return Err(format!(
            "it has {} base64 characters, not a multiple of four",
            compact.len()
        ));
    }
    let padding = compact.iter().rev().take_while(|&&b| b == b'=').count();
    if padding > 2 || compact[..compact.len() - padding].contains(&b'=') {
        return Err("'=' may only pad the last group".to_owned());
    }
    let data = &compact[..compact.len() - padding];
    let mut sextets = Vec::with_capacity(data.len());
    for &byte in data {
        sextets.push(
            base64_digit(byte)
                .ok_or_else(|| format!("{:?} is not a base64 character", char::from(byte)))?,
        );
    }
    let unused_bits_mask = match padding {
        1 => 0b11,
        2 => 0b1111,
        _ => 0,
    };
    if sextets
        .last()
        .is_some_and(|last| last & unused_bits_mask != 0)
    {
        return Err("the character before the padding has non-zero unused bits".to_owned());
    }
    let mut bytes = Vec::with_capacity(sextets.len() * 3 / 4);
    for chunk in sextets.chunks(4) {
        let bits = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &v)| acc | u32::from(v) << (18 - 6 * i));
        let [_, b0, b1, b2] = bits.to_be_bytes();
        bytes.extend_from_slice(&[b0, b1, b2][..chunk.len() - 1]);
    }
    Ok(bytes)
}

/// Normalises per `ws` then parses; a convenience for facet values and tests.
pub fn parse_lexical(
    ty: BuiltinType,
    lexical: &str,
    ns: &dyn NamespaceResolver,
) -> Result<Value, DatatypeError> {
    parse_value(ty, &normalize_white_space(lexical, ty.white_space()), ns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use BuiltinType as B;

    fn ok(ty: BuiltinType, s: &str) -> Value {
        parse_value(ty, s, &NoNamespaces).unwrap_or_else(|e| panic!("{e}"))
    }

    fn bad(ty: BuiltinType, s: &str) -> String {
        match parse_value(ty, s, &NoNamespaces) {
            Ok(v) => panic!("{s:?} accepted as xs:{}: {v:?}", ty.local_name()),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn string_family() {
        ok(B::String, " a\tb ");
        bad(B::NormalizedString, "a\tb");
        bad(B::Token, " a");
        ok(B::Language, "en-US");
        ok(B::Language, "x-klingon1");
        bad(B::Language, "englishes-x");
        bad(B::Language, "1en");
        ok(B::Name, "xs:element");
        bad(B::NCName, "xs:element");
        ok(B::Id, "_id1");
        bad(B::Id, "1id");
        ok(B::NmToken, "1-2.3");
        bad(B::NmToken, "a b");
        assert_eq!(
            ok(B::NmTokens, "a b"),
            Value::List(vec![string("a"), string("b")])
        );
        bad(B::IdRefs, "");
        bad(B::Entities, "a 1");
    }

    #[test]
    fn error_message_names_value_type_and_reason() {
        assert_eq!(
            bad(B::Date, "2024-02-30"),
            "'2024-02-30' is not a valid xs:date: day 30 does not exist in February 2024"
        );
    }

    #[test]
    fn qname_and_notation_resolve_prefixes() {
        let bindings = vec![
            ("p".to_owned(), "urn:p".to_owned()),
            (String::new(), "urn:default".to_owned()),
        ];
        assert_eq!(
            parse_value(B::QName, "p:a", &bindings).unwrap(),
            Value::QName {
                namespace: Some("urn:p".into()),
                local: "a".into()
            }
        );
        assert_eq!(
            parse_value(B::QName, "a", &bindings).unwrap(),
            Value::QName {
                namespace: Some("urn:default".into()),
                local: "a".into()
            }
        );
        assert!(
            bad(B::QName, "q:a").contains("prefix 'q' is not bound"),
            "unbound prefix"
        );
        bad(B::QName, ":a");
        bad(B::QName, "a:");
        bad(B::Notation, "a:b:c");
        assert_eq!(
            ok(B::Notation, "n"),
            Value::Notation {
                namespace: None,
                local: "n".into()
            }
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(ok(B::Decimal, "1.0"), ok(B::Decimal, "01.00"));
        ok(B::Integer, "-123456789012345678901234567890");
        bad(B::Integer, "1.0");
        ok(B::Long, "9223372036854775807");
        bad(B::Long, "9223372036854775808");
        ok(B::Byte, "-128");
        bad(B::Byte, "128");
        bad(B::UnsignedByte, "-1");
        ok(B::UnsignedByte, "-0");
        ok(B::UnsignedLong, "18446744073709551615");
        bad(B::UnsignedLong, "18446744073709551616");
        bad(B::PositiveInteger, "0");
        ok(B::NonPositiveInteger, "+0");
        bad(B::NegativeInteger, "0");
        assert_eq!(ok(B::Boolean, "1"), Value::Boolean(true));
        bad(B::Boolean, "TRUE");
    }

    #[test]
    fn floating_point() {
        for s in [
            "1", "-1.5E-3", ".5", "5.", "1e10", "+1", "INF", "-INF", "NaN",
        ] {
            ok(B::Double, s);
            ok(B::Float, s);
        }
        for s in [
            "", "inf", "+INF", "nan", "1e", "e5", ".", "1.5.2", "0x10", "1 ",
        ] {
            bad(B::Double, s);
        }
        assert_eq!(ok(B::Float, "1e0"), Value::Float(1.0));
        assert_eq!(ok(B::Double, "INF"), Value::Double(f64::INFINITY));
    }

    #[test]
    fn binary() {
        assert_eq!(ok(B::HexBinary, "0aFF"), Value::HexBinary(vec![0x0a, 0xff]));
        ok(B::HexBinary, "");
        bad(B::HexBinary, "abc");
        bad(B::HexBinary, "zz");
        assert_eq!(
            ok(B::Base64Binary, "SGVsbG8="),
            Value::Base64Binary(b"Hello".to_vec())
        );
        assert_eq!(
            ok(B::Base64Binary, "SG Vs bG 8="),
            Value::Base64Binary(b"Hello".to_vec())
        );
        ok(B::Base64Binary, "QQ==");
        ok(B::Base64Binary, "QQ= =");
        ok(B::Base64Binary, "");
        bad(B::Base64Binary, "QR==");
        bad(B::Base64Binary, "SGVsbG9=");
        bad(B::Base64Binary, "SGVsbG8");
        bad(B::Base64Binary, "S=Vs");
        bad(B::Base64Binary, "QQ===");
        bad(B::Base64Binary, "SGV*");
    }

    #[test]
    fn any_uri_is_lenient_but_not_arbitrary() {
        for s in ["http://example.com/a b", "", "urn:x", "../rel#frag", "%20"] {
            ok(B::AnyUri, s);
        }
        bad(B::AnyUri, "http://a/%zz");
        bad(B::AnyUri, "a#b#c");
        bad(B::AnyUri, ":a");
        bad(B::AnyUri, "1http://a");
        ok(B::AnyUri, "b:");
        ok(B::AnyUri, "a/b:c");
        ok(B::AnyUri, "http://user@host.example:8080/p a th?q#f");
        ok(B::AnyUri, "file:///c:/dir");
        bad(B::AnyUri, "//a\\b");
        bad(B::AnyUri, "http://a b/");
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_lexical_forms_never_panic(lexical in "[-+:.0-9TZPYMDHS=A-Za-z/# é]{0,24}") {
            for ty in BuiltinType::all() {
                let _ = parse_value(ty, &lexical, &NoNamespaces);
            }
        }
    }

    #[test]
    fn parse_lexical_normalises_first() {
        assert_eq!(
            parse_lexical(B::Int, " 42 \n", &NoNamespaces).unwrap(),
            ok(B::Int, "42")
        );
    }
}
