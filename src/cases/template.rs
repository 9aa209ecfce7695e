//! `${name}` placeholders in golden requests: values that differ per run (message ids, the clock)
//! or per deployment (the authority CVR).

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::{DateTime, FixedOffset, NaiveDate};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TemplateError {
    #[error(
        "unknown placeholder `${{{0}}}` (known: authority_cvr, message_id, now, today, and values captured by earlier steps of a sequence)"
    )]
    Unknown(String),
    #[error("unterminated placeholder starting at byte {0}")]
    Unterminated(usize),
}

/// The values placeholders expand to for one case.
#[derive(Debug, Clone)]
pub struct Variables {
    pub authority_cvr: String,
    pub message_id: String,
    pub now: DateTime<FixedOffset>,
    pub today: NaiveDate,
    /// Values captured by earlier steps of a sequence, by name.
    pub captured: BTreeMap<String, String>,
}

impl Variables {
    pub fn expand(&self, template: &str) -> Result<String, TemplateError> {
        self.expand_marking(template, |_| {})
    }

    /// [`Variables::expand`], telling `filled` where in the result each value went.
    pub fn expand_marking(
        &self,
        template: &str,
        mut filled: impl FnMut(Range<usize>),
    ) -> Result<String, TemplateError> {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        let mut offset = 0;
        while let Some(start) = placeholder_start(rest) {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = memchr::memchr(b'}', after.as_bytes())
                .ok_or(TemplateError::Unterminated(offset + start))?;
            let name = &after[..end];
            let value_start = out.len();
            match name {
                "authority_cvr" => out.push_str(&self.authority_cvr),
                "message_id" => out.push_str(&self.message_id),
                "now" => out.push_str(&self.now.to_rfc3339()),
                "today" => out.push_str(&self.today.format("%Y-%m-%d").to_string()),
                other => match self.captured.get(other) {
                    Some(value) => out.push_str(value),
                    None => return Err(TemplateError::Unknown(other.to_owned())),
                },
            }
            filled(value_start..out.len());
            let consumed = start + 2 + end + 1;
            offset += consumed;
            rest = &rest[consumed..];
        }
        out.push_str(rest);
        Ok(out)
    }

    #[cfg(test)]
    pub fn for_test() -> Variables {
        Variables {
            authority_cvr: "29189846".into(),
            message_id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
            now: DateTime::parse_from_rfc3339("2024-05-31T10:00:00+02:00").unwrap(),
            today: NaiveDate::from_ymd_opt(2024, 5, 31).unwrap(),
            captured: BTreeMap::new(),
        }
    }
}

/// Where the first `${` in `text` starts. Templates are expanded for every request sent, and
/// a search for the `$` alone (memchr, with SIMD) is far cheaper than a substring search.
fn placeholder_start(text: &str) -> Option<usize> {
    memchr::memchr_iter(b'$', text.as_bytes())
        .find(|&index| text.as_bytes().get(index + 1) == Some(&b'{'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_known_placeholders() {
        let v = Variables::for_test();
        assert_eq!(
            v.expand("<a>${authority_cvr}|${message_id}|${now}|${today}</a>")
                .unwrap(),
            "<a>29189846|0f8fad5b-d9cb-469f-a165-70867728950e|2024-05-31T10:00:00+02:00|2024-05-31</a>"
        );
        assert_eq!(v.expand("$ 5, $$${today}$").unwrap(), "$ 5, $$2024-05-31$");
    }

    #[test]
    fn marks_where_each_value_went() {
        let v = Variables::for_test();
        let mut filled = Vec::new();
        let out = v
            .expand_marking("<a>${today}</a><b x='${authority_cvr}'/>", |range| {
                filled.push(range)
            })
            .unwrap();
        let values: Vec<&str> = filled.iter().map(|range| &out[range.clone()]).collect();
        assert_eq!(values, ["2024-05-31", "29189846"]);
    }

    #[test]
    fn unknown_and_unterminated_placeholders_are_errors() {
        let v = Variables::for_test();
        assert_eq!(
            v.expand("${nope}"),
            Err(TemplateError::Unknown("nope".into()))
        );
        assert_eq!(v.expand("ab${today"), Err(TemplateError::Unterminated(2)));
        assert_eq!(
            v.expand("$ {x} $${today"),
            Err(TemplateError::Unterminated(7))
        );
    }

    #[test]
    fn captured_values_expand_but_never_shadow_the_built_in_names() {
        let mut v = Variables::for_test();
        v.captured
            .insert("bevilling_id".into(), "KY-2026-000001".into());
        v.captured.insert("today".into(), "shadowed".into());
        assert_eq!(
            v.expand("${bevilling_id}/${today}").unwrap(),
            "KY-2026-000001/2024-05-31"
        );
    }
}
