//! The well-formedness rules quick-xml leaves to its caller, checked on the raw bytes of each
//! event so that the stream refuses what the tree parser (roxmltree) refuses: characters
//! outside XML's Char, names, whitespace between attributes, `<` in attribute values, `]]>` in
//! character data, processing instruction targets and the XML declaration's syntax.
//! The rules follow roxmltree's, so a file is unreadable by `kontrakt xsd validate` exactly
//! when it was before validation streamed.

use super::datatypes::{is_name_char, is_name_start_char};

/// Why an event's bytes are not well-formed.
pub type Broken = &'static str;

/// Bytes that need a closer look, as flags: every byte of the document is looked up once.
const SUSPECT_CHAR: u8 = 1;
const GREATER_THAN: u8 = 2;
const SUSPECT_BYTES: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 0x20 {
        if !matches!(b as u8, b'\t' | b'\n' | b'\r') {
            table[b] = SUSPECT_CHAR;
        }
        b += 1;
    }
    // U+FFFE and U+FFFF are EF BF BE and EF BF BF; every other non-Char is a C0 control
    table[0xEF] = SUSPECT_CHAR;
    table[b'>' as usize] = GREATER_THAN;
    table
};

/// Which kinds of suspect bytes `bytes` has, in one branch-free pass.
fn suspects(bytes: &[u8]) -> u8 {
    bytes
        .iter()
        .fold(0, |found, &b| found | SUSPECT_BYTES[usize::from(b)])
}

/// Character data (text, comment, CDATA section, attribute value): only XML Chars.
pub fn chars(bytes: &[u8]) -> Result<(), Broken> {
    match suspects(bytes) & SUSPECT_CHAR {
        0 => Ok(()),
        _ => precise_chars(bytes),
    }
}

#[cold]
fn precise_chars(bytes: &[u8]) -> Result<(), Broken> {
    let forbidden = |(i, &b): (usize, &u8)| {
        (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
            || (b == 0xEF && matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])))
    };
    match bytes.iter().enumerate().any(forbidden) {
        true => Err("a character not allowed in XML"),
        false => Ok(()),
    }
}

/// Character data between markup, which also must not contain `]]>`.
pub fn text(bytes: &[u8]) -> Result<(), Broken> {
    let found = suspects(bytes);
    if found & SUSPECT_CHAR != 0 {
        precise_chars(bytes)?;
    }
    match found & GREATER_THAN != 0 && bytes.windows(3).any(|w| w == b"]]>") {
        true => Err("']]>' in character data"),
        false => Ok(()),
    }
}

/// A character from a character reference.
pub fn referenced(c: char) -> Result<(), Broken> {
    let mut utf8 = [0; 4];
    chars(c.encode_utf8(&mut utf8).as_bytes())
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// NameChar and `:` among ASCII, looked up: names are scanned in every tag.
const ASCII_NAME_CHARS: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b':' | b'_' | b'-' | b'.');
        b += 1;
    }
    table
};

/// Whether a part of a QName starts with a NameStartChar other than `:`.
fn starts_a_name(part: &str) -> bool {
    match part.as_bytes().first() {
        Some(&b) if b < 0x80 => b.is_ascii_alphabetic() || b == b'_',
        Some(_) => part.chars().next().is_some_and(is_name_start_char),
        None => false,
    }
}

/// Bytes left to read of one tag or instruction.
struct Cursor<'s>(&'s str);

impl<'s> Cursor<'s> {
    /// Skips whitespace; whether there was any.
    fn spaces(&mut self) -> bool {
        let n = self.0.bytes().take_while(|&b| is_space(b)).count();
        self.0 = &self.0[n..];
        n > 0
    }

    fn byte(&mut self, expected: u8, why: Broken) -> Result<(), Broken> {
        match self.0.strip_prefix(char::from(expected)) {
            Some(rest) => {
                self.0 = rest;
                Ok(())
            }
            None => Err(why),
        }
    }

    /// The longest run of name characters (and `:`), as the tree parser reads names.
    fn name_run(&mut self) -> &'s str {
        let bytes = self.0.as_bytes();
        let mut end = 0;
        while let Some(&b) = bytes.get(end) {
            if b < 0x80 {
                if !ASCII_NAME_CHARS[usize::from(b)] {
                    break;
                }
                end += 1;
            } else {
                match self.0[end..].chars().next() {
                    Some(c) if is_name_char(c) => end += c.len_utf8(),
                    _ => break,
                }
            }
        }
        let (name, rest) = self.0.split_at(end);
        self.0 = rest;
        name
    }

    /// A QName: at most one colon, a prefix (if any) and a local part that start with a
    /// NameStartChar.
    fn qname(&mut self) -> Result<(), Broken> {
        let name = self.name_run();
        let good = match name.bytes().position(|b| b == b':') {
            None => starts_a_name(name),
            Some(colon) => {
                let (prefix, local) = (&name[..colon], &name[colon + 1..]);
                !local.contains(':')
                    && (prefix.is_empty() || starts_a_name(prefix))
                    && starts_a_name(local)
            }
        };
        if good { Ok(()) } else { Err("an invalid name") }
    }

    /// `name = "value"`, the value without `<` and of XML Chars.
    fn attribute(&mut self) -> Result<(), Broken> {
        self.qname()?;
        self.spaces();
        self.byte(b'=', "expected '=' after an attribute name")?;
        self.spaces();
        let quote = *self.0.as_bytes().first().ok_or("expected a quote")?;
        if quote != b'"' && quote != b'\'' {
            return Err("expected a quote");
        }
        let rest = &self.0[1..];
        let end = rest
            .bytes()
            .position(|b| b == quote || b == b'<')
            .ok_or("an attribute value not closed")?;
        if rest.as_bytes()[end] == b'<' {
            return Err("'<' in an attribute value");
        }
        chars(&rest.as_bytes()[..end])?;
        self.0 = &rest[end + 1..];
        Ok(())
    }
}

/// A start or empty-element tag between `<` and `>` (or `/>`): a name, then attributes each
/// preceded by whitespace.
pub fn start_tag(raw: &str) -> Result<(), Broken> {
    let mut cursor = Cursor(raw);
    cursor.qname()?;
    loop {
        let spaced = cursor.spaces();
        if cursor.0.is_empty() {
            return Ok(());
        }
        if !spaced {
            return Err("expected whitespace before an attribute");
        }
        cursor.attribute()?;
    }
}

/// A processing instruction or XML declaration between `<?` and `?>`; `first` when nothing
/// (not even whitespace) comes before it in the document, the only place a declaration may be.
pub fn instruction(raw: &str, first: bool) -> Result<(), Broken> {
    match raw.strip_prefix("xml ") {
        Some(declaration) if first => self::declaration(declaration),
        Some(_) => Err("an XML declaration not at the start of the document"),
        None => {
            let mut cursor = Cursor(raw);
            let target = cursor.name_run();
            if !target.chars().next().is_some_and(is_name_start_char) {
                return Err("an invalid processing instruction target");
            }
            chars(cursor.0.as_bytes())
        }
    }
}

/// `version = '…' (S encoding = '…')? (S standalone = '…')? S?`, whitespace first.
fn declaration(raw: &str) -> Result<(), Broken> {
    let mut cursor = Cursor(raw);
    cursor.spaces();
    // whitespace may be missing only before the end
    let separated = |cursor: &mut Cursor| match cursor.spaces() || cursor.0.is_empty() {
        true => Ok(()),
        false => Err("expected whitespace in the XML declaration"),
    };
    if !cursor.0.starts_with("version") {
        return Err("expected 'version' in the XML declaration");
    }
    cursor.attribute()?;
    separated(&mut cursor)?;
    if cursor.0.starts_with("encoding") {
        cursor.attribute()?;
        separated(&mut cursor)?;
    }
    if cursor.0.starts_with("standalone") {
        cursor.attribute()?;
    }
    cursor.spaces();
    match cursor.0.is_empty() {
        true => Ok(()),
        false => Err("unexpected content in the XML declaration"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_data() {
        assert!(chars("a\tb\r\næ\u{FFFD}\u{10000}".as_bytes()).is_ok());
        for bad in [
            "\u{0}",
            "a\u{1}",
            "\u{B}",
            "\u{1F}",
            "x\u{FFFE}",
            "\u{FFFF}y",
        ] {
            assert!(chars(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert!(text(b"a]]b>").is_ok());
        assert!(text(b"a]]>").is_err());
        assert!(referenced('\t').is_ok() && referenced('\u{1}').is_err());
    }

    #[test]
    fn tags() {
        for good in ["r", "p:r a='1'\t b = \">x'\" ", "é·-.1:a x:y='&amp;'", "r "] {
            assert_eq!(start_tag(good), Ok(()), "{good:?}");
        }
        for bad in [
            "1r",
            "r\u{1}",
            "a:b:c",
            "p:1",
            "r a='1'b='2'",
            "r a='<'",
            "r a",
            "r a=1",
            "r a='1",
            "r a='\u{FFFF}'",
            "r/ a='1'",
        ] {
            assert!(start_tag(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn instructions_and_declarations() {
        assert!(instruction("xml version='1.0' encoding='UTF-8' standalone='no' ", true).is_ok());
        assert!(instruction("xml version='1.0'", false).is_err());
        assert!(instruction("xml-stylesheet href='a'", false).is_ok());
        assert!(instruction("pi", false).is_ok());
        for bad in [
            "xml vers='1.0'",
            "xml version='1.0'encoding='UTF-8'",
            "xml encoding='UTF-8' version='1.0'",
            "xml version='1.0' bogus='1'",
        ] {
            assert!(instruction(bad, true).is_err(), "{bad:?}");
        }
        assert!(instruction("1pi", false).is_err());
        assert!(instruction("pi \u{1}", false).is_err());
    }
}
