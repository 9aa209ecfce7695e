//! The regular-expression dialect of XSD 1.0 Part 2 Appendix F, translated to a
//! regex-syntax HIR and run by a regex-automata engine that matches in time linear in the
//! input (no backtracking blow-up on patterns like `(a*)*b`): a dense DFA built at schema
//! compile time when it stays small, else the meta engine.

use std::sync::Arc;

use regex_automata::dfa::{Automaton, StartKind, dense};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::{primitives::StateID, start};
use regex_automata::{Anchored, meta};
use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Look, Repetition};

use super::blocks::block_ranges;
use super::names::{NAME_EXTRA_RANGES, NAME_START_RANGES};

/// Largest compiled automaton we accept; bounded counters like `a{1000}{1000}` beyond this
/// are reported as errors instead of exhausting memory.
const NFA_SIZE_LIMIT: usize = 16 * 1024 * 1024;

/// Largest dense DFA kept for a pattern. Values are matched on every validated element, and a
/// dense DFA walk is a table lookup per byte with no per-search setup; a pattern whose DFA
/// would be larger (big Unicode classes, counted repetitions) keeps the meta engine, so memory
/// and schema compile time stay bounded.
const DFA_SIZE_LIMIT: usize = 256 * 1024;

/// Working memory determinization may use before it gives up on a dense DFA; bounds the time
/// spent on a pattern that would end up over [`DFA_SIZE_LIMIT`] anyway.
const DETERMINIZE_SIZE_LIMIT: usize = 4 * DFA_SIZE_LIMIT;

/// A compiled XSD pattern facet value. Patterns are implicitly anchored at both ends.
#[derive(Debug, Clone)]
pub struct XsdRegex {
    source: String,
    matcher: Matcher,
}

/// The engine a pattern is matched with.
#[derive(Debug, Clone)]
enum Matcher {
    /// The DFA is shared: built-in types' patterns are cloned into every type derived from
    /// them. `start` is its anchored start state, the same for every value (a value has nothing
    /// before it to look behind at).
    Dense {
        dfa: Arc<dense::DFA<Vec<u32>>>,
        start: StateID,
    },
    Meta(meta::Regex),
}

/// A pattern that is not a valid XSD 1.0 regular expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid XSD regular expression '{pattern}' at character {position}: {reason}")]
pub struct RegexError {
    pub pattern: String,
    /// Zero-based character index where the problem was found.
    pub position: usize,
    pub reason: String,
}

impl XsdRegex {
    pub fn new(pattern: &str) -> Result<Self, RegexError> {
        let anchored = anchored_hir(pattern)?;
        if let Some((dfa, start)) = dense_dfa(&anchored) {
            return Ok(XsdRegex {
                source: pattern.to_owned(),
                matcher: Matcher::Dense {
                    dfa: Arc::new(dfa),
                    start,
                },
            });
        }
        let matcher = meta_regex(pattern, &anchored)?;
        Ok(XsdRegex {
            source: pattern.to_owned(),
            matcher: Matcher::Meta(matcher),
        })
    }

    /// True when the whole of `s` matches the pattern.
    pub fn is_match(&self, s: &str) -> bool {
        match &self.matcher {
            // Byte by byte from the start state, without a search's setup: the pattern is
            // anchored at both ends, so only the state after the end of the value can match.
            // The DFA has no quit bytes (those serve Unicode word boundaries, which XSD
            // patterns lack), so every state is live, dead or matching.
            Matcher::Dense { dfa, start } => {
                let mut state = *start;
                for &byte in s.as_bytes() {
                    state = dfa.next_state(state, byte);
                    if dfa.is_dead_state(state) {
                        return false;
                    }
                }
                dfa.is_match_state(dfa.next_eoi_state(state))
            }
            Matcher::Meta(regex) => regex.is_match(s),
        }
    }

    /// The pattern as written in the schema.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

/// The pattern's syntax tree with the anchors XSD patterns implicitly have.
fn anchored_hir(pattern: &str) -> Result<Hir, RegexError> {
    let body = pattern_hir(pattern)?;
    Ok(Hir::concat(vec![
        Hir::look(Look::Start),
        body,
        Hir::look(Look::End),
    ]))
}

fn meta_regex(pattern: &str, anchored: &Hir) -> Result<meta::Regex, RegexError> {
    meta::Regex::builder()
        .configure(
            meta::Config::new()
                .nfa_size_limit(Some(NFA_SIZE_LIMIT))
                .utf8_empty(false),
        )
        .build_from_hir(anchored)
        .map_err(|e| RegexError {
            pattern: pattern.to_owned(),
            position: 0,
            reason: format!("the expression is too large to compile ({e})"),
        })
}

/// The pattern as a dense DFA for anchored searches and its start state, when it can be built
/// within [`DFA_SIZE_LIMIT`].
fn dense_dfa(anchored: &Hir) -> Option<(dense::DFA<Vec<u32>>, StateID)> {
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .nfa_size_limit(Some(NFA_SIZE_LIMIT))
                .which_captures(WhichCaptures::None)
                .utf8(false),
        )
        .build_from_hir(anchored)
        .ok()?;
    let dfa = dense::Builder::new()
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Anchored)
                .dfa_size_limit(Some(DFA_SIZE_LIMIT))
                .determinize_size_limit(Some(DETERMINIZE_SIZE_LIMIT)),
        )
        .build_from_nfa(&nfa)
        .ok()?;
    let start = dfa
        .start_state(&start::Config::new().anchored(Anchored::Yes))
        .ok()?;
    Some((dfa, start))
}

/// The pattern's syntax tree, without the implicit anchors: what generators of matching
/// strings walk.
pub fn pattern_hir(pattern: &str) -> Result<Hir, RegexError> {
    let mut parser = Parser {
        pattern,
        chars: pattern.chars().collect(),
        position: 0,
    };
    let body = parser.regexp()?;
    if parser.position < parser.chars.len() {
        return Err(parser.error("unmatched ')'"));
    }
    Ok(body)
}

struct Parser<'a> {
    pattern: &'a str,
    chars: Vec<char>,
    position: usize,
}

impl Parser<'_> {
    fn error(&self, reason: impl Into<String>) -> RegexError {
        RegexError {
            pattern: self.pattern.to_owned(),
            position: self.position,
            reason: reason.into(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.position).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.position + offset).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.position += 1;
            true
        } else {
            false
        }
    }

    fn next(&mut self) -> Result<char, RegexError> {
        let c = self
            .peek()
            .ok_or_else(|| self.error("unexpected end of the pattern"))?;
        self.position += 1;
        Ok(c)
    }

    /// regExp ::= branch ('|' branch)*
    fn regexp(&mut self) -> Result<Hir, RegexError> {
        let mut branches = vec![self.branch()?];
        while self.eat('|') {
            branches.push(self.branch()?);
        }
        Ok(Hir::alternation(branches))
    }

    /// branch ::= piece*
    fn branch(&mut self) -> Result<Hir, RegexError> {
        let mut pieces = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            pieces.push(self.piece()?);
        }
        Ok(Hir::concat(pieces))
    }

    /// piece ::= atom quantifier?
    fn piece(&mut self) -> Result<Hir, RegexError> {
        let atom = self.atom()?;
        let (min, max) = match self.peek() {
            Some('?') => (0, Some(1)),
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('{') => {
                self.position += 1;
                return self.quantity(atom);
            }
            _ => return Ok(atom),
        };
        self.position += 1;
        Ok(repeat(atom, min, max))
    }

    /// quantity ::= QuantExact (',' QuantExact?)? '}'  (the '{' is consumed)
    fn quantity(&mut self, atom: Hir) -> Result<Hir, RegexError> {
        let min = self
            .number()?
            .ok_or_else(|| self.error("expected a number after '{'"))?;
        let max = if self.eat(',') {
            self.number()?
        } else {
            Some(min)
        };
        if !self.eat('}') {
            return Err(self.error("expected '}' to close the quantifier"));
        }
        if max.is_some_and(|max| max < min) {
            return Err(self.error(format!("quantifier {{{min},{max:?}}} has max below min")));
        }
        Ok(repeat(atom, min, max))
    }

    fn number(&mut self) -> Result<Option<u32>, RegexError> {
        let start = self.position;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.position += 1;
        }
        if start == self.position {
            return Ok(None);
        }
        let digits: String = self.chars[start..self.position].iter().collect();
        digits
            .parse()
            .map(Some)
            .map_err(|_| self.error(format!("quantifier {digits} is too large")))
    }

    /// atom ::= Char | charClass | '(' regExp ')'
    fn atom(&mut self) -> Result<Hir, RegexError> {
        let c = self.next()?;
        match c {
            '(' => {
                let inner = self.regexp()?;
                if !self.eat(')') {
                    return Err(self.error("missing ')'"));
                }
                Ok(inner)
            }
            '[' => Ok(Hir::class(Class::Unicode(self.class_expression()?))),
            '.' => Ok(Hir::class(Class::Unicode(not_line_end()))),
            '\\' => match self.escape()? {
                Escaped::Char(c) => Ok(literal(c)),
                Escaped::Class(class) => Ok(Hir::class(Class::Unicode(class))),
            },
            '?' | '*' | '+' | '{' => {
                self.position -= 1;
                Err(self.error(format!("quantifier '{c}' has nothing to repeat")))
            }
            ']' | '}' => {
                self.position -= 1;
                Err(self.error(format!("'{c}' must be escaped")))
            }
            _ => Ok(literal(c)),
        }
    }

    /// After '[': charGroup ']' where charGroup may end in a subtraction '-[' ... ']'.
    fn class_expression(&mut self) -> Result<ClassUnicode, RegexError> {
        let negated = self.eat('^');
        let mut class = ClassUnicode::empty();
        let mut first = true;
        loop {
            let c = self
                .peek()
                .ok_or_else(|| self.error("missing ']' to close the character class"))?;
            match c {
                ']' if first => return Err(self.error("empty character class")),
                ']' => {
                    self.position += 1;
                    break;
                }
                '-' if self.peek_at(1) == Some('[') => {
                    if first {
                        return Err(self.error("subtraction needs a class before '-['"));
                    }
                    self.position += 2;
                    let subtrahend = self.class_expression()?;
                    if !self.eat(']') {
                        return Err(self.error("a subtraction must end the character class"));
                    }
                    if negated {
                        class.negate();
                    }
                    class.difference(&subtrahend);
                    return Ok(class);
                }
                '[' => return Err(self.error("'[' must be escaped inside a character class")),
                '-' if !first
                    && self.peek_at(1) != Some(']')
                    && (self.peek_at(1), self.peek_at(2)) != (Some('-'), Some('[')) =>
                {
                    return Err(
                        self.error("'-' is only literal at the start or end of a character class")
                    );
                }
                _ => {
                    self.position += 1;
                    let start = match self.class_atom(c)? {
                        Escaped::Class(escape_class) => {
                            class.union(&escape_class);
                            first = false;
                            continue;
                        }
                        Escaped::Char(start) => start,
                    };
                    let is_range = self.peek() == Some('-')
                        && !matches!(self.peek_at(1), Some(']') | Some('[') | None);
                    let end = if is_range {
                        self.position += 1;
                        let end_char = self.next()?;
                        match self.class_atom(end_char)? {
                            Escaped::Char(end) if end_char == '[' => {
                                return Err(self.error(format!("'{end}' must be escaped")));
                            }
                            Escaped::Char(end) => end,
                            Escaped::Class(_) => {
                                return Err(self.error("a range cannot end in a class escape"));
                            }
                        }
                    } else {
                        start
                    };
                    if end < start {
                        return Err(self.error(format!("range {start:?}-{end:?} is reversed")));
                    }
                    class.push(ClassUnicodeRange::new(start, end));
                }
            }
            first = false;
        }
        if negated {
            class.negate();
        }
        Ok(class)
    }

    /// One character or escape inside a class; `c` has been consumed.
    fn class_atom(&mut self, c: char) -> Result<Escaped, RegexError> {
        if c == '\\' {
            self.escape()
        } else {
            Ok(Escaped::Char(c))
        }
    }

    /// After '\\': a single-character escape, a multi-character escape, or \p{..} / \P{..}.
    fn escape(&mut self) -> Result<Escaped, RegexError> {
        let c = self.next()?;
        let class = match c {
            'n' => return Ok(Escaped::Char('\n')),
            'r' => return Ok(Escaped::Char('\r')),
            't' => return Ok(Escaped::Char('\t')),
            '\\' | '|' | '.' | '?' | '*' | '+' | '(' | ')' | '{' | '}' | '-' | '[' | ']' | '^' => {
                return Ok(Escaped::Char(c));
            }
            's' | 'S' => ranges_class(&[(0x20, 0x20), (0x9, 0xA), (0xD, 0xD)]),
            'i' | 'I' => ranges_class(NAME_START_RANGES),
            'c' | 'C' => {
                let mut class = ranges_class(NAME_START_RANGES);
                class.union(&ranges_class(NAME_EXTRA_RANGES));
                class
            }
            'd' | 'D' => category_class("Nd").ok_or_else(|| self.error("no \\p{Nd} table"))?,
            'w' | 'W' => {
                let mut class = ClassUnicode::new([ClassUnicodeRange::new('\0', char::MAX)]);
                for excluded in ["P", "Z", "C"] {
                    let excluded = category_class(excluded)
                        .ok_or_else(|| self.error("missing Unicode category table"))?;
                    class.difference(&excluded);
                }
                class
            }
            'p' | 'P' => self.property()?,
            _ => {
                self.position -= 1;
                return Err(self.error(format!("'\\{c}' is not an XSD escape")));
            }
        };
        let mut class = class;
        if c.is_ascii_uppercase() {
            class.negate();
        }
        Ok(Escaped::Class(class))
    }

    /// After '\p' or '\P': '{' (category | 'Is' block) '}'.
    fn property(&mut self) -> Result<ClassUnicode, RegexError> {
        if !self.eat('{') {
            return Err(self.error("expected '{' after \\p"));
        }
        let start = self.position;
        while self.peek().is_some_and(|c| c != '}') {
            self.position += 1;
        }
        let name: String = self.chars[start..self.position].iter().collect();
        if !self.eat('}') {
            return Err(self.error("missing '}' after the property name"));
        }
        if let Some(block) = name.strip_prefix("Is") {
            return block_ranges(block)
                .map(|ranges| ranges_class(&ranges))
                .ok_or_else(|| self.error(format!("unknown Unicode block '{block}'")));
        }
        if !CATEGORIES.contains(&name.as_str()) {
            return Err(self.error(format!("unknown Unicode category '{name}'")));
        }
        category_class(&name).ok_or_else(|| self.error(format!("no table for '{name}'")))
    }
}

enum Escaped {
    Char(char),
    Class(ClassUnicode),
}

/// The general categories XSD 1.0 allows in `\p{..}`.
const CATEGORIES: &[&str] = &[
    "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P", "Pc",
    "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Z", "Zs", "Zl", "Zp", "S", "Sm", "Sc", "Sk", "So", "C",
    "Cc", "Cf", "Co", "Cn",
];

/// The general category's characters, from regex-syntax's Unicode tables.
fn category_class(name: &str) -> Option<ClassUnicode> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(&format!("\\p{{{name}}}"))
        .ok()?;
    match hir.into_kind() {
        HirKind::Class(Class::Unicode(class)) => Some(class),
        // Single-character categories (Zl, Zp) come back as a literal.
        HirKind::Literal(literal) => {
            let c = std::str::from_utf8(&literal.0).ok()?.chars().next()?;
            Some(ClassUnicode::new([ClassUnicodeRange::new(c, c)]))
        }
        _ => None,
    }
}

fn ranges_class(ranges: &[(u32, u32)]) -> ClassUnicode {
    // Surrogate code points are not chars; blocks made only of them match nothing.
    let clamp = |code: u32, up: bool| {
        char::from_u32(code).or_else(|| char::from_u32(if up { 0xE000 } else { 0xD7FF }))
    };
    ClassUnicode::new(ranges.iter().filter_map(|&(low, high)| {
        let (low, high) = (clamp(low, true)?, clamp(high, false)?);
        (low <= high).then(|| ClassUnicodeRange::new(low, high))
    }))
}

fn not_line_end() -> ClassUnicode {
    let mut class = ClassUnicode::new([
        ClassUnicodeRange::new('\n', '\n'),
        ClassUnicodeRange::new('\r', '\r'),
    ]);
    class.negate();
    class
}

fn literal(c: char) -> Hir {
    let mut buffer = [0; 4];
    Hir::literal(c.encode_utf8(&mut buffer).as_bytes())
}

fn repeat(atom: Hir, min: u32, max: Option<u32>) -> Hir {
    Hir::repetition(Repetition {
        min,
        max,
        greedy: true,
        sub: Box::new(atom),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(pattern: &str) -> XsdRegex {
        XsdRegex::new(pattern).unwrap_or_else(|e| panic!("{e}"))
    }

    fn assert_matches(pattern: &str, yes: &[&str], no: &[&str]) {
        let regex = re(pattern);
        for s in yes {
            assert!(regex.is_match(s), "{pattern} should match {s:?}");
        }
        for s in no {
            assert!(!regex.is_match(s), "{pattern} should not match {s:?}");
        }
    }

    #[test]
    fn implicitly_anchored() {
        assert_matches("abc", &["abc"], &["xabc", "abcx", ""]);
        assert_matches("", &[""], &["a"]);
        assert_matches("a|", &["a", ""], &["b"]);
        assert_matches("^a$", &["^a$"], &["a"]);
    }

    #[test]
    fn quantifiers() {
        assert_matches("a{2,3}", &["aa", "aaa"], &["a", "aaaa"]);
        assert_matches("a{2}", &["aa"], &["aaa"]);
        assert_matches("a{2,}", &["aa", "aaaaa"], &["a"]);
        assert_matches("(ab)?c*d+", &["d", "abccdd"], &["abab d", "ab"]);
        assert_matches("a{0}", &[""], &["a"]);
        for bad in ["a{3,2}", "a{,2}", "a{x}", "*a", "a**", "a{1", "a}", "{1}"] {
            assert!(XsdRegex::new(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn classes_and_subtraction() {
        assert_matches("[a-z-[aeiou]]+", &["bcd"], &["bad", "B"]);
        assert_matches("[^a-c]", &["d", "\n"], &["a", "c"]);
        assert_matches("[-a]", &["-", "a"], &["b"]);
        assert_matches("[a-]", &["-", "a"], &["b"]);
        assert_matches("[a-z--[b-z]]", &["a", "-"], &["b"]);
        assert_matches("[\\-\\[\\]]", &["-", "[", "]"], &["a"]);
        assert_matches("[a^]", &["^", "a"], &["b"]);
        assert_matches("[\\d-[5]]", &["4", "\u{661}"], &["5", "a"]);
        assert_matches("[^\\s-[ ]]", &["a"], &[" ", "\t"]);
        for bad in [
            "[]", "[a", "[a-[b]", "[z-a]", "[[a]]", "[a-\\d]", "[a-b-c]", "[a--b]",
        ] {
            assert!(XsdRegex::new(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn escapes() {
        assert_matches(".", &["a", "\u{10000}"], &["\n", "\r", ""]);
        assert_matches("\\s\\S", &[" a", "\tb"], &["ab", "  "]);
        assert_matches("\\i\\c*", &["_a-1", ":x", "é"], &["1a", "-"]);
        assert_matches("\\I\\C", &["1 "], &["a1"]);
        assert_matches("\\d\\D", &["1a", "\u{0663}x"], &["11", "aa"]);
        assert_matches(
            "\\w+",
            &["abc123", "\u{00e9}"],
            &["a b", "a.b", "a\u{2028}"],
        );
        assert_matches("\\W", &[" ", "!"], &["a"]);
        assert_matches(
            "\\n\\r\\t\\|\\.\\?\\*\\+\\(\\)\\{\\}\\^",
            &["\n\r\t|.?*+(){}^"],
            &[],
        );
        for bad in [
            "\\b", "\\1", "\\x41", "\\u0041", "\\", "(?=a)", "(?:a)", "a(?!b)", "\\$",
        ] {
            assert!(XsdRegex::new(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn categories_and_blocks() {
        assert_matches("\\p{Lu}\\p{Ll}", &["Ab"], &["aB"]);
        assert_matches("\\p{Zl}\\P{Zp}", &["\u{2028}a"], &["\u{2029}\u{2029}"]);
        assert_matches("\\P{L}", &["1"], &["a"]);
        assert_matches("\\p{IsBasicLatin}+", &["abc~"], &["é"]);
        assert_matches("\\p{IsLatin-1Supplement}", &["é"], &["e"]);
        assert_matches("\\p{IsSpecials}", &["\u{FEFF}", "\u{FFFD}"], &["\u{FFFE}"]);
        assert_matches("[\\p{IsGreek}-[\\p{Ll}]]", &["Ω"], &["ω"]);
        assert_matches("\\p{IsHighSurrogates}?", &[""], &["a"]);
        for bad in [
            "\\p{IsKlingon}",
            "\\p{Xx}",
            "\\p{L",
            "\\pL",
            "\\p{IsCyrillicSupplement}",
        ] {
            assert!(XsdRegex::new(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn error_names_the_position() {
        let error = XsdRegex::new("ab\\b").unwrap_err();
        assert_eq!(error.position, 3);
        assert!(error.to_string().contains("'\\b' is not an XSD escape"));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_patterns_never_panic(pattern in "[-a-c^$.|?*+(){}\\[\\]\\\\dpIsLu,0-9]{0,12}") {
            if let Ok(regex) = XsdRegex::new(&pattern) {
                regex.is_match("abc");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn dense_dfa_and_meta_engine_agree(
            pattern in "[-a-c^$.|?*+(){}\\[\\]\\\\dpIsLu,0-9]{0,12}",
            value in "[-a-c0-9 .\n\u{e9}]{0,8}",
        ) {
            if let Ok(regex) = XsdRegex::new(&pattern) {
                let meta = meta_regex(&pattern, &anchored_hir(&pattern).unwrap()).unwrap();
                proptest::prop_assert_eq!(regex.is_match(&value), meta.is_match(&value));
            }
        }
    }

    #[test]
    fn huge_counted_repetition_is_an_error_not_a_hang() {
        let error = XsdRegex::new("(a{1000}){1000}").unwrap_err();
        assert!(error.reason.contains("too large"), "{error}");
        assert!(XsdRegex::new("a{99999999999}").is_err());
    }

    #[test]
    fn small_patterns_get_a_dense_dfa_and_large_ones_the_meta_engine() {
        let small = re("[0-9]{6}-?[0-9]{4}");
        assert!(matches!(small.matcher, Matcher::Dense { .. }));
        assert!(small.is_match("010190-1234") && !small.is_match("x010190-1234"));
        let large = re("\\p{L}{40}");
        assert!(matches!(large.matcher, Matcher::Meta(_)));
        assert!(large.is_match(&"é".repeat(40)) && !large.is_match(&"é".repeat(39)));
    }

    #[test]
    fn pathological_pattern_is_matched_linearly() {
        // A backtracking engine needs exponential time here; the automaton answers at once.
        let input = "a".repeat(100_000);
        assert!(!re("(a*)*b").is_match(&input));
        assert!(re("(a*)*").is_match(&input));
        assert!(!re("(a|aa)+c").is_match(&input));
    }
}
