//! Reading request elements in schema order and writing response elements. The provider checks
//! what it reads itself (it does not borrow the harness's validator), so a malformed request is
//! refused with a fault naming the element, never half-processed.

use chrono::NaiveDate;
use quick_xml::Writer;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use roxmltree::Node;

use super::service::Refusal;

/// The element children of one element, consumed in the order the schema's sequence gives.
pub(super) struct Children<'a, 'i> {
    parent: &'a str,
    rest: std::iter::Peekable<std::vec::IntoIter<Node<'a, 'i>>>,
}

impl<'a, 'i> Children<'a, 'i> {
    pub(super) fn of(parent: Node<'a, 'i>) -> Self {
        let elements: Vec<_> = parent.children().filter(Node::is_element).collect();
        Children {
            parent: parent.tag_name().name(),
            rest: elements.into_iter().peekable(),
        }
    }

    /// The next element if it is `{namespace}name`.
    pub(super) fn optional(&mut self, namespace: &str, name: &str) -> Option<Node<'a, 'i>> {
        self.rest.next_if(|node| {
            node.tag_name().namespace() == Some(namespace) && node.tag_name().name() == name
        })
    }

    pub(super) fn required(
        &mut self,
        namespace: &str,
        name: &str,
    ) -> Result<Node<'a, 'i>, Refusal> {
        self.optional(namespace, name).ok_or_else(|| {
            let found = self
                .rest
                .peek()
                .map_or("ingenting".to_owned(), |n| n.tag_name().name().to_owned());
            Refusal::invalid_message(format!(
                "{} skal indeholde {name} her, men indeholder {found}",
                self.parent
            ))
        })
    }

    /// The text of the next element, which must be `{namespace}name` and hold only text.
    pub(super) fn required_text(
        &mut self,
        namespace: &str,
        name: &str,
    ) -> Result<&'a str, Refusal> {
        text_of(self.required(namespace, name)?)
    }

    pub(super) fn optional_text(
        &mut self,
        namespace: &str,
        name: &str,
    ) -> Result<Option<&'a str>, Refusal> {
        self.optional(namespace, name).map(text_of).transpose()
    }

    /// Everything expected was read: anything left over is an element the schema does not allow.
    pub(super) fn finish(mut self) -> Result<(), Refusal> {
        match self.rest.next() {
            None => Ok(()),
            Some(extra) => Err(Refusal::invalid_message(format!(
                "{} indeholder et uventet element {}",
                self.parent,
                extra.tag_name().name()
            ))),
        }
    }
}

fn text_of<'a>(node: Node<'a, '_>) -> Result<&'a str, Refusal> {
    if node.children().any(|n| n.is_element()) {
        return Err(Refusal::invalid_message(format!(
            "{} må kun indeholde tekst",
            node.tag_name().name()
        )));
    }
    Ok(node.text().unwrap_or_default().trim())
}

/// Refuses `value` of element `name` unless `valid` holds.
pub(super) fn check<'v>(
    name: &str,
    value: &'v str,
    valid: impl FnOnce(&str) -> bool,
) -> Result<&'v str, Refusal> {
    if valid(value) {
        Ok(value)
    } else {
        Err(Refusal::invalid_message(format!(
            "{name} har en ugyldig værdi: {value:?}"
        )))
    }
}

/// `text` consists of exactly the groups of ASCII digits given, separated by `separator`.
pub(super) fn digit_groups(text: &str, separator: char, lengths: &[usize]) -> bool {
    let groups: Vec<&str> = text.split(separator).collect();
    groups.len() == lengths.len()
        && groups
            .iter()
            .zip(lengths)
            .all(|(group, &len)| group.len() == len && group.bytes().all(|b| b.is_ascii_digit()))
}

/// An `xs:date`: `[-]YYYY-MM-DD` (four or more year digits, no leading zero beyond four) with an
/// optional time zone (`Z` or `±hh:mm`) that does not change which day is meant.
pub(super) fn xs_date(name: &str, text: &str) -> Result<NaiveDate, Refusal> {
    parse_xs_date(text)
        .ok_or_else(|| Refusal::invalid_message(format!("{name} er ikke en dato: {text:?}")))
}

fn parse_xs_date(text: &str) -> Option<NaiveDate> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (year, rest) = unsigned.split_at(unsigned.find('-')?);
    let year_ok = digit_groups(year, '-', &[year.len()])
        && (year.len() == 4 || (year.len() > 4 && !year.starts_with('0')));
    let (month_day, zone) = (rest.get(..6)?, rest.get(6..)?);
    // XSD 1.0: the zone is at most ±14:00, and there is no year 0.
    let zone_ok = zone.is_empty()
        || zone == "Z"
        || (zone.starts_with(['+', '-'])
            && digit_groups(&zone[1..], ':', &[2, 2])
            && matches!(
                (zone[1..3].parse::<u32>(), zone[4..6].parse::<u32>()),
                (Ok(hours), Ok(minutes)) if minutes < 60 && hours * 60 + minutes <= 14 * 60
            ));
    if !year_ok || !zone_ok || !digit_groups(&month_day[1..], '-', &[2, 2]) {
        return None;
    }
    let year: i32 = year.parse().ok().filter(|&year: &i32| year != 0)?;
    let (month, day) = (month_day[1..3].parse().ok()?, month_day[4..6].parse().ok()?);
    NaiveDate::from_ymd_opt(if negative { -year } else { year }, month, day)
}

/// Writes a response payload. Writing into memory cannot fail, so write results are dropped.
pub(super) struct Out {
    writer: Writer<Vec<u8>>,
}

impl Out {
    pub(super) fn new() -> Self {
        Out {
            writer: Writer::new(Vec::new()),
        }
    }

    pub(super) fn open(&mut self, name: &str, namespaces: &[(&str, &str)]) {
        let mut start = BytesStart::new(name);
        for &(prefix, namespace) in namespaces {
            start.push_attribute((format!("xmlns:{prefix}").as_str(), namespace));
        }
        let _ = self.writer.write_event(Event::Start(start));
    }

    pub(super) fn close(&mut self, name: &str) {
        let _ = self.writer.write_event(Event::End(BytesEnd::new(name)));
    }

    pub(super) fn leaf(&mut self, name: &str, text: &str) {
        self.open(name, &[]);
        let _ = self.writer.write_event(Event::Text(BytesText::new(text)));
        self.close(name);
    }

    pub(super) fn finish(self) -> String {
        String::from_utf8_lossy(&self.writer.into_inner()).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_are_read_in_order_and_leftovers_refused() {
        let doc = crate::xml::parse("<p xmlns='urn:a'><x>1</x><y> 2 </y><z/></p>").unwrap();
        let mut children = Children::of(doc.root_element());
        assert_eq!(children.required_text("urn:a", "x"), Ok("1"));
        assert_eq!(children.optional_text("urn:a", "q"), Ok(None));
        assert_eq!(children.optional_text("urn:a", "y"), Ok(Some("2")));
        let refusal = children.finish().unwrap_err();
        assert!(
            refusal.text.contains("uventet element z"),
            "{}",
            refusal.text
        );
    }

    #[test]
    fn missing_or_misplaced_element_is_named() {
        let doc = crate::xml::parse("<p xmlns='urn:a'><y/><x/></p>").unwrap();
        let mut children = Children::of(doc.root_element());
        let refusal = children.required("urn:a", "x").unwrap_err();
        assert!(
            refusal
                .text
                .contains("skal indeholde x her, men indeholder y")
        );
        assert!(
            Children::of(doc.root_element())
                .required("urn:b", "y")
                .is_err()
        );
    }

    #[test]
    fn element_content_where_text_is_expected_is_refused() {
        let doc = crate::xml::parse("<p><x><y/></x></p>").unwrap();
        let mut children = Children::of(doc.root_element());
        assert!(children.required_text("", "x").is_err());
    }

    #[test]
    fn xs_dates_with_and_without_zone() {
        let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        for text in [
            "2024-02-29",
            "2024-02-29Z",
            "2024-02-29+01:00",
            "2024-02-29-12:00",
        ] {
            assert_eq!(xs_date("d", text), Ok(day), "{text}");
        }
        for text in [
            "2023-02-29",
            "2024-2-29",
            "2024-02-29+1",
            "2024-02-29T00:00:00",
            "2024-02-29+14:30",
            "0000-01-01",
            "",
        ] {
            assert!(xs_date("d", text).is_err(), "{text}");
        }
    }

    #[test]
    fn written_text_is_escaped() {
        let mut out = Out::new();
        out.open("a:r", &[("a", "urn:a")]);
        out.leaf("a:t", "<æ & ø>");
        out.close("a:r");
        let text = out.finish();
        let doc = crate::xml::parse(&text).unwrap();
        assert_eq!(
            doc.root_element().first_child().unwrap().text(),
            Some("<æ & ø>")
        );
    }
}
