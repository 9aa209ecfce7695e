//! Identifier formats the seeds do not define, as replaceable regular expressions: one pattern
//! both validates wire values (matched against the whole value) and generates them.

use proptest::string::{RegexGeneratorStrategy, string_regex};
use regex_automata::meta::Regex;
use thiserror::Error;

use super::EdgeCase;

/// A lower-case hyphenated UUID, the form Serviceplatformen's schemas use for ids.
pub const LOWER_CASE_UUID: &str = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdPatternError {
    #[error("id pattern `{pattern}` cannot be used: {reason}")]
    BadPattern { pattern: String, reason: String },
    #[error("`{value}` does not match the {label} pattern `{pattern}`")]
    Mismatch {
        label: &'static str,
        value: String,
        pattern: String,
    },
}

/// A whole-value pattern for one kind of id. Anchors are not allowed: the pattern always covers
/// the whole value, and the generator cannot produce them.
#[derive(Debug, Clone)]
pub struct IdPattern {
    label: &'static str,
    pattern: String,
    matcher: Regex,
}

impl IdPattern {
    pub fn new(label: &'static str, pattern: &str) -> Result<IdPattern, IdPatternError> {
        let bad = |reason: String| IdPatternError::BadPattern {
            pattern: pattern.to_owned(),
            reason,
        };
        string_regex(pattern)
            .map(drop)
            .map_err(|error| bad(error.to_string()))?;
        let matcher =
            Regex::new(&format!("^(?:{pattern})$")).map_err(|error| bad(error.to_string()))?;
        Ok(IdPattern {
            label,
            pattern: pattern.to_owned(),
            matcher,
        })
    }

    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    pub fn validate(&self, value: &str) -> Result<(), IdPatternError> {
        if self.matcher.is_match(value) {
            Ok(())
        } else {
            Err(IdPatternError::Mismatch {
                label: self.label,
                value: value.to_owned(),
                pattern: self.pattern.clone(),
            })
        }
    }

    /// Values matching the pattern.
    pub fn strategy(&self) -> RegexGeneratorStrategy<String> {
        string_regex(&self.pattern).unwrap_or_else(|error| {
            unreachable!("the pattern was checked when it was built: {error}")
        })
    }
}

/// The lower-case UUID pattern under `label`, the documented default for several ids.
pub(super) fn lower_case_uuid(label: &'static str) -> IdPattern {
    IdPattern::new(label, LOWER_CASE_UUID)
        .unwrap_or_else(|error| unreachable!("the UUID pattern is valid: {error}"))
}

/// Edge cases of the lower-case UUID form, shared by every id that uses it.
pub fn lower_case_uuid_edges() -> Vec<EdgeCase> {
    EdgeCase::table("uuid")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn matches_the_whole_value_only() {
        let pattern = IdPattern::new("test id", "[A-Z]{2}[0-9]{3}").expect("valid pattern");
        assert!(pattern.validate("AB123").is_ok());
        assert!(pattern.validate("xAB123").is_err());
        assert!(pattern.validate("AB1234").is_err());
    }

    #[test]
    fn anchors_and_broken_patterns_are_refused() {
        assert!(matches!(
            IdPattern::new("test id", "^[0-9]+$"),
            Err(IdPatternError::BadPattern { .. })
        ));
        assert!(matches!(
            IdPattern::new("test id", "[0-9"),
            Err(IdPatternError::BadPattern { .. })
        ));
    }

    #[test]
    fn uuid_catalogue_agrees_with_the_uuid_pattern() {
        let uuid = lower_case_uuid("uuid");
        assert!(
            uuid.validate("0f8fad5b-d9cb-469f-a165-70867728950e")
                .is_ok()
        );
        for edge in lower_case_uuid_edges() {
            assert_eq!(
                uuid.validate(&edge.value).is_ok(),
                edge.valid,
                "{}",
                edge.name
            );
        }
    }

    const CUSTOM: &str = "[A-Z]{2}-[0-9]{1,6}";

    proptest! {
        #[test]
        fn generated_values_validate(value in IdPattern::new("test id", CUSTOM).expect("valid").strategy()) {
            let pattern = IdPattern::new("test id", CUSTOM).expect("valid");
            prop_assert_eq!(pattern.validate(&value), Ok(()));
        }
    }
}
