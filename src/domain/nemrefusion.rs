//! NemrefusionsID, the case id that runs through the sickness-benefit domain.
//!
//! The seeds name the id but do not define its format, so it is an [`IdPattern`] a contract can
//! replace. The default is a lower-case hyphenated UUID (the id form Serviceplatformen's schemas
//! use); it is an assumption, not a documented fact.

use super::EdgeCase;
use super::id_pattern::{IdPattern, lower_case_uuid, lower_case_uuid_edges};

pub const LABEL: &str = "NemrefusionsID";

/// The default NemrefusionsID format: a lower-case UUID (see the module doc).
pub fn default_pattern() -> IdPattern {
    lower_case_uuid(LABEL)
}

pub fn edge_catalogue() -> Vec<EdgeCase> {
    lower_case_uuid_edges()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn generated_ids_parse_as_uuids(id in default_pattern().strategy()) {
            let parsed = uuid::Uuid::parse_str(&id).expect("generated id is a UUID");
            prop_assert_eq!(parsed.hyphenated().to_string(), id);
        }
    }
}
