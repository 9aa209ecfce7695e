//! XML 1.0 (Fifth Edition) name characters, shared by the Name/NCName/NMTOKEN types and the
//! regex escapes `\i` and `\c`.

/// NameStartChar of XML 1.0 §2.3, as inclusive code point ranges.
pub const NAME_START_RANGES: &[(u32, u32)] = &[
    (0x3A, 0x3A),
    (0x41, 0x5A),
    (0x5F, 0x5F),
    (0x61, 0x7A),
    (0xC0, 0xD6),
    (0xD8, 0xF6),
    (0xF8, 0x2FF),
    (0x370, 0x37D),
    (0x37F, 0x1FFF),
    (0x200C, 0x200D),
    (0x2070, 0x218F),
    (0x2C00, 0x2FEF),
    (0x3001, 0xD7FF),
    (0xF900, 0xFDCF),
    (0xFDF0, 0xFFFD),
    (0x10000, 0xEFFFF),
];

/// The characters NameChar adds to NameStartChar.
pub const NAME_EXTRA_RANGES: &[(u32, u32)] = &[
    (0x2D, 0x2E),
    (0x30, 0x39),
    (0xB7, 0xB7),
    (0x300, 0x36F),
    (0x203F, 0x2040),
];

fn in_ranges(c: char, ranges: &[(u32, u32)]) -> bool {
    let code = u32::from(c);
    ranges
        .iter()
        .any(|&(low, high)| (low..=high).contains(&code))
}

pub fn is_name_start_char(c: char) -> bool {
    in_ranges(c, NAME_START_RANGES)
}

pub fn is_name_char(c: char) -> bool {
    is_name_start_char(c) || in_ranges(c, NAME_EXTRA_RANGES)
}

/// True for an XML 1.0 NCName (a Name without ':'), e.g. a schema component's name.
pub fn is_ncname(s: &str) -> bool {
    name_problem(s, false, false).is_none()
}

/// Why a string is not a Name, NCName or NMTOKEN, or `None` when it is one.
pub fn name_problem(s: &str, allow_colon: bool, allow_any_start: bool) -> Option<String> {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return Some("it is empty".to_owned());
    };
    let start_ok = if allow_any_start {
        is_name_char(first)
    } else {
        is_name_start_char(first)
    };
    if !start_ok {
        return Some(format!("it cannot start with {first:?}"));
    }
    if let Some(bad) = s.chars().find(|&c| !is_name_char(c)) {
        return Some(format!("character {bad:?} is not allowed in a name"));
    }
    if !allow_colon && s.contains(':') {
        return Some("a non-colonized name has no ':'".to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_character_classes() {
        assert!(is_name_start_char('_') && is_name_start_char(':') && is_name_start_char('é'));
        assert!(!is_name_start_char('-') && !is_name_start_char('1'));
        assert!(is_name_char('-') && is_name_char('\u{B7}') && is_name_char('\u{300}'));
        assert!(!is_name_char(' ') && !is_name_char('\u{D7}'));
    }

    #[test]
    fn name_problems() {
        assert_eq!(name_problem("a:b", true, false), None);
        assert!(name_problem("a:b", false, false).is_some());
        assert!(name_problem("1a", true, false).is_some());
        assert_eq!(name_problem("1a", true, true), None);
        assert!(name_problem("", true, true).is_some());
        assert!(name_problem("a b", true, true).is_some());
        assert!(is_ncname("_foo-2.5\u{2D0}\u{387}"));
        assert!(!is_ncname("xs:foo"));
    }
}
