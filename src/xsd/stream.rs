//! The byte-stream source of validation events: quick-xml's namespace-aware reader over any
//! `BufRead`, so validating a document takes memory for its depth and its largest token, not
//! for its size. Only a document with errors is read a second time, into a tree, to give the
//! errors their line:column and element paths (an element's `[n]` needs its later siblings).

use std::borrow::Cow;
use std::io::{BufRead, Read, Seek, SeekFrom};

use quick_xml::XmlVersion;
use quick_xml::escape::unescape;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{QName, ResolveResult};
use quick_xml::reader::NsReader;

use super::datatypes::NamespaceResolver;
use super::error::ValidationReport;
use super::validate::{Attribute, StartTag, Validator, is_whitespace};
use super::walk;
use super::wellformed;

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// A document that could not be validated.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot read: not UTF-8: {0}")]
    NotUtf8(simdutf8::compat::Utf8Error),
    #[error("not well-formed: {0}")]
    NotWellFormed(String),
}

/// Where the stream stopped being XML, and why.
struct Malformed {
    offset: u64,
    why: String,
}

impl Malformed {
    /// Found by us after the event just read.
    fn at<R>(reader: &NsReader<R>, why: impl ToString) -> Self {
        Malformed {
            offset: reader.buffer_position(),
            why: why.to_string(),
        }
    }

    /// Found by the reader, which knows where.
    fn reported<R>(reader: &NsReader<R>, error: quick_xml::Error) -> Self {
        Malformed {
            offset: reader.error_position(),
            why: error.to_string(),
        }
    }
}

/// Validates the document `reader` holds from its current position; it is rewound and read
/// again only when the document has errors or is not well-formed.
pub fn validate<R: BufRead + Seek>(
    mut validator: Validator,
    mut reader: R,
) -> Result<ValidationReport, ReadError> {
    let start = reader.stream_position()?;
    let pushed = push_events(&mut validator, &mut reader);
    // finished even when the stream broke off: finishing gives the thread back the validator's
    // workspace, and with it the values found valid so far
    let findings = validator.finish();
    if let Err(malformed) = pushed {
        return Err(explain(&mut reader, start, malformed));
    }
    if findings.errors.is_empty() {
        return Ok(ValidationReport {
            errors: vec![],
            truncated: findings.truncated,
        });
    }
    let text = read_again(&mut reader, start)?;
    let document = parse(&text)?;
    Ok(walk::locate(findings, document.root_element()))
}

/// The whole document as text without its byte order mark, as the tree is parsed from.
fn read_again<R: Read + Seek>(reader: &mut R, start: u64) -> Result<String, ReadError> {
    reader.seek(SeekFrom::Start(start))?;
    let mut bytes = vec![];
    reader.read_to_end(&mut bytes)?;
    Ok(text(&bytes)?.to_owned())
}

/// The document's bytes as text without its byte order mark.
pub fn text(bytes: &[u8]) -> Result<&str, ReadError> {
    // std's check is fast on ASCII only, and Danish instances are full of æ, ø and å
    let text = simdutf8::compat::from_utf8(bytes).map_err(ReadError::NotUtf8)?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// The tree of a document, parsed as the stream reads it: DTDs refused.
pub fn parse(text: &str) -> Result<roxmltree::Document<'_>, ReadError> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| ReadError::NotWellFormed(e.to_string()))
}

/// Why a document the stream found broken cannot be read, in the words of the tree parser
/// (which the messages have always been in); the stream's own when the tree parser accepts it.
fn explain<R: Read + Seek>(reader: &mut R, start: u64, malformed: Malformed) -> ReadError {
    let text = match read_again(reader, start) {
        Ok(text) => text,
        Err(e) => return e,
    };
    if let Err(e) = parse(&text) {
        return e;
    }
    let (line, column) = walk::positions(&text, [malformed.offset as usize])
        .first()
        .map_or((1, 1), |(_, position)| *position);
    ReadError::NotWellFormed(format!("{} at {line}:{column}", malformed.why))
}

/// Prefixes in scope at the element being read, for xsi:type and QName values.
struct Scope<'r>(&'r quick_xml::name::NamespaceResolver);

impl NamespaceResolver for Scope<'_> {
    fn resolve(&self, prefix: &str) -> Option<String> {
        let found = match prefix {
            "xml" => return Some(XML_NS.to_owned()),
            // bound by the reader, but not a prefix a value may use
            "xmlns" => return None,
            "" => self.0.resolve_prefix(None, true),
            // the reader takes prefixes from names only
            _ => self
                .0
                .resolve_prefix(QName(&format!("{prefix}:_")).prefix(), false),
        };
        match found {
            ResolveResult::Bound(ns) => unescape(ns.0).ok().map(Cow::into_owned),
            _ => None,
        }
    }
}

/// Where the text node being read started: character data, references and CDATA sections run
/// together up to the next other markup, as one node of the tree; its pieces go to the
/// validator as they come, with that start.
#[derive(Default)]
struct TextNode {
    start: Option<usize>,
}

impl TextNode {
    /// Hands a piece to the validator; outside the document element only whitespace may be.
    fn piece<R>(
        &mut self,
        validator: &mut Validator,
        reader: &NsReader<R>,
        (offset, depth): (u64, usize),
        text: &str,
    ) -> Result<(), Malformed> {
        let start = *self.start.get_or_insert(offset as usize);
        if depth > 0 {
            validator.text(text, start);
        } else if !is_whitespace(text) {
            return Err(Malformed::at(reader, "text outside the document element"));
        }
        Ok(())
    }

    fn end(&mut self) {
        self.start = None;
    }
}

fn push_events<R: BufRead>(validator: &mut Validator, reader: R) -> Result<(), Malformed> {
    let mut reader = NsReader::from_reader(reader);
    let config = reader.config_mut();
    config.check_comments = true;
    config.check_end_names = true;
    let mut buffer = vec![];
    let mut text = TextNode::default();
    let mut escaped = EscapedNamespaces::default();
    let mut depth = 0usize;
    let mut seen_root = false;
    loop {
        let offset = reader.buffer_position();
        let first = offset == 0;
        buffer.clear();
        let event = match reader.read_event_into(&mut buffer) {
            Ok(event) => event,
            Err(e) => return Err(Malformed::reported(&reader, e)),
        };
        let broken = |why| Malformed::at(&reader, why);
        match event {
            Event::Text(t) => {
                wellformed::text(t.as_bytes()).map_err(broken)?;
                text.piece(validator, &reader, (offset, depth), &t.xml10_content())?
            }
            Event::CData(t) => {
                wellformed::chars(t.as_bytes()).map_err(broken)?;
                text.piece(validator, &reader, (offset, depth), &t.xml10_content())?
            }
            Event::GeneralRef(_) if depth == 0 => {
                return Err(broken("a reference outside the document element"));
            }
            Event::GeneralRef(r) => {
                let mut utf8 = [0; 4];
                let resolved: &str = match r.resolve_char_ref() {
                    Ok(Some(c)) => {
                        wellformed::referenced(c).map_err(broken)?;
                        c.encode_utf8(&mut utf8)
                    }
                    Ok(None) => match quick_xml::escape::resolve_predefined_entity(&r) {
                        Some(s) => s,
                        None => {
                            let why = format!("unknown entity &{};", &*r);
                            return Err(Malformed::at(&reader, why));
                        }
                    },
                    Err(e) => return Err(Malformed::at(&reader, e)),
                };
                text.piece(validator, &reader, (offset, depth), resolved)?;
            }
            Event::Start(ref start) | Event::Empty(ref start) => {
                text.end();
                wellformed::start_tag(start).map_err(broken)?;
                if depth == 0 && std::mem::replace(&mut seen_root, true) {
                    return Err(Malformed::at(&reader, "a second document element"));
                }
                start_element(validator, &reader, start, offset, &mut escaped)?;
                if matches!(event, Event::Empty(_)) {
                    validator.end_element(&Scope(reader.resolver()));
                } else {
                    depth += 1;
                }
            }
            Event::End(_) => {
                text.end();
                validator.end_element(&Scope(reader.resolver()));
                depth = depth.saturating_sub(1);
            }
            Event::Comment(comment) => {
                text.end();
                wellformed::chars(comment.as_bytes()).map_err(broken)?;
            }
            Event::PI(_) | Event::Decl(_) => {
                text.end();
                wellformed::instruction(&event, first).map_err(broken)?;
            }
            // entity expansion from untrusted input is refused, as the tree parser does
            Event::DocType(_) => return Err(Malformed::at(&reader, "a DTD is not allowed")),
            Event::Eof => {
                text.end();
                if !seen_root || depth > 0 {
                    return Err(Malformed::at(
                        &reader,
                        "the document element is missing or not closed",
                    ));
                }
                return Ok(());
            }
        }
    }
}

/// An attribute as read, owning its namespace and value where references were replaced.
struct ReadAttribute<'a> {
    ns: Option<Cow<'a, str>>,
    local: &'a str,
    value: Cow<'a, str>,
}

/// Whether a namespace declaration of the document so far had a reference in its value: only
/// then are namespace names unescaped (the reader keeps them as written).
#[derive(Default)]
struct EscapedNamespaces(bool);

impl EscapedNamespaces {
    fn namespace<'r, R>(
        &self,
        reader: &NsReader<R>,
        result: ResolveResult<'r>,
    ) -> Result<Option<Cow<'r, str>>, Malformed> {
        match result {
            ResolveResult::Bound(ns) if !self.0 => Ok(Some(Cow::Borrowed(ns.0))),
            ResolveResult::Bound(ns) => unescape(ns.0)
                .map(Some)
                .map_err(|e| Malformed::at(reader, e)),
            ResolveResult::Unbound => Ok(None),
            ResolveResult::Unknown(prefix) => Err(Malformed::at(
                reader,
                format!("the namespace prefix {prefix:?} is not declared"),
            )),
        }
    }
}

fn start_element<R>(
    validator: &mut Validator,
    reader: &NsReader<R>,
    start: &BytesStart,
    offset: u64,
    escaped: &mut EscapedNamespaces,
) -> Result<(), Malformed> {
    let resolver = reader.resolver();
    let mut read = vec![];
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| Malformed::at(reader, e))?;
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| Malformed::at(reader, e))?;
        // a value's references are the only characters not yet checked
        if let Cow::Owned(referenced) = &value {
            wellformed::chars(referenced.as_bytes()).map_err(|why| Malformed::at(reader, why))?;
        }
        if attribute.key.as_namespace_binding().is_some() {
            escaped.0 |= attribute.value.contains('&');
            continue;
        }
        read.push((resolver.resolve_attribute(attribute.key), value));
    }
    // resolved once the element's own declarations are seen
    let mut values: Vec<ReadAttribute> = Vec::with_capacity(read.len());
    for ((ns, local), value) in read {
        values.push(ReadAttribute {
            ns: escaped.namespace(reader, ns)?,
            local: local.into_inner(),
            value,
        });
    }
    // the reader compares attributes as written; two prefixes may name one namespace
    let same_name = |(i, a): (usize, &ReadAttribute)| {
        (values[..i].iter()).any(|b| a.local == b.local && a.ns == b.ns)
    };
    if values.iter().enumerate().any(same_name) {
        return Err(Malformed::at(reader, "an attribute given twice"));
    }
    let attributes: Vec<Attribute> = (values.iter())
        .map(|a| Attribute {
            ns: a.ns.as_deref(),
            local: a.local,
            value: &a.value,
        })
        .collect();
    let (ns, local) = resolver.resolve_element(start.name());
    let ns = escaped.namespace(reader, ns)?;
    let tag = StartTag {
        ns: ns.as_deref(),
        local: local.into_inner(),
        attributes: &attributes,
        offset: offset as usize,
    };
    validator.start_element(&tag, &Scope(resolver));
    Ok(())
}
