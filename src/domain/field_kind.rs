//! The kinds of value a contract can bind an XML field to (`kind = "cpr"` in its TOML).

use std::fmt;
use std::str::FromStr;

use proptest::prelude::*;
use thiserror::Error;

use super::cpr::{CprError, CprForm};
use super::cvr::CvrError;
use super::id_pattern::{IdPatternError, lower_case_uuid, lower_case_uuid_edges};
use super::kle::KleError;
use super::lexical::LexicalError;
use super::municipality::MunicipalityError;
use super::text::TextError;
use super::{EdgeCase, calendar, cpr, cvr, grant, kle, lexical, municipality, nemrefusion, text};

/// A domain rule a field's text must follow. NemrefusionsID and grant ids use their documented
/// default formats here; a contract that knows the real format builds its own
/// [`IdPattern`](super::id_pattern::IdPattern).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKind {
    Cpr,
    Cvr,
    Municipality,
    Kle,
    /// Whole parts of a KLE number a search narrows by: `27`, `27.24`, `27.24.00`, `27.24.00G01`.
    KlePrefix,
    NemrefusionId,
    GrantId,
    DanishName,
    DanishAddress,
    Date,
    DateTime,
    Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error(transparent)]
    Cpr(#[from] CprError),
    #[error(transparent)]
    Cvr(#[from] CvrError),
    #[error(transparent)]
    Municipality(#[from] MunicipalityError),
    #[error(transparent)]
    Kle(#[from] KleError),
    #[error(transparent)]
    Id(#[from] IdPatternError),
    #[error("Danish name: {0}")]
    Name(TextError),
    #[error("Danish address: {0}")]
    Address(TextError),
    #[error(transparent)]
    Lexical(#[from] LexicalError),
    #[error("unknown field kind `{0}`; known kinds: {known}", known = FieldKind::known_names())]
    UnknownKind(String),
}

impl FieldKind {
    pub const ALL: [FieldKind; 12] = [
        FieldKind::Cpr,
        FieldKind::Cvr,
        FieldKind::Municipality,
        FieldKind::Kle,
        FieldKind::KlePrefix,
        FieldKind::NemrefusionId,
        FieldKind::GrantId,
        FieldKind::DanishName,
        FieldKind::DanishAddress,
        FieldKind::Date,
        FieldKind::DateTime,
        FieldKind::Uuid,
    ];

    /// The kebab-case name used in contract TOML.
    pub fn name(self) -> &'static str {
        match self {
            FieldKind::Cpr => "cpr",
            FieldKind::Cvr => "cvr",
            FieldKind::Municipality => "municipality",
            FieldKind::Kle => "kle",
            FieldKind::KlePrefix => "kle-prefix",
            FieldKind::NemrefusionId => "nemrefusion-id",
            FieldKind::GrantId => "grant-id",
            FieldKind::DanishName => "danish-name",
            FieldKind::DanishAddress => "danish-address",
            FieldKind::Date => "date",
            FieldKind::DateTime => "date-time",
            FieldKind::Uuid => "uuid",
        }
    }

    fn known_names() -> String {
        FieldKind::ALL.map(FieldKind::name).join(", ")
    }

    pub fn validate(&self, value: &str) -> Result<(), DomainError> {
        match self {
            FieldKind::Cpr => cpr::validate(value).map(drop)?,
            FieldKind::Cvr => cvr::validate(value).map(drop)?,
            FieldKind::Municipality => municipality::validate(value).map(drop)?,
            FieldKind::Kle => kle::validate(value).map(drop)?,
            FieldKind::KlePrefix => kle::validate_prefix(value)?,
            FieldKind::NemrefusionId => nemrefusion::default_pattern().validate(value)?,
            FieldKind::GrantId => grant::default_pattern().validate(value)?,
            FieldKind::DanishName => text::validate_name(value).map_err(DomainError::Name)?,
            FieldKind::DanishAddress => {
                text::validate_address(value).map_err(DomainError::Address)?
            }
            FieldKind::Date => lexical::validate_date(value)?,
            FieldKind::DateTime => lexical::validate_date_time(value)?,
            FieldKind::Uuid => lower_case_uuid("UUID").validate(value)?,
        }
        Ok(())
    }

    /// Valid wire values. CPR numbers come without the dash, the form the Serviceplatformen
    /// schemas use (`[0-9]{10}`), and only as numbers that can be issued today.
    pub fn valid_strategy(&self) -> BoxedStrategy<String> {
        match self {
            FieldKind::Cpr => cpr::valid_strategy()
                .prop_map(|cpr| cpr.to_wire(CprForm::Plain))
                .boxed(),
            FieldKind::Cvr => cvr::valid_strategy()
                .prop_map(|cvr| cvr.to_string())
                .boxed(),
            FieldKind::Municipality => municipality::valid_wire_strategy().boxed(),
            FieldKind::Kle => kle::valid_wire_strategy().boxed(),
            FieldKind::KlePrefix => kle::valid_prefix_strategy().boxed(),
            FieldKind::NemrefusionId => nemrefusion::default_pattern().strategy().boxed(),
            FieldKind::GrantId => grant::default_pattern().strategy().boxed(),
            FieldKind::DanishName => text::name_strategy().boxed(),
            FieldKind::DanishAddress => text::address_strategy().boxed(),
            FieldKind::Date => lexical::xs_date_strategy().boxed(),
            FieldKind::DateTime => lexical::xs_date_time_strategy().boxed(),
            FieldKind::Uuid => lower_case_uuid("UUID").strategy().boxed(),
        }
    }

    /// Named valid and invalid values, in a fixed order.
    pub fn edges(&self) -> Vec<EdgeCase> {
        match self {
            FieldKind::Cpr => cpr::edge_catalogue(),
            FieldKind::Cvr => cvr::edge_catalogue(),
            FieldKind::Municipality => municipality::edge_catalogue(),
            FieldKind::Kle => kle::edge_catalogue(),
            FieldKind::KlePrefix => kle::prefix_edge_catalogue(),
            FieldKind::NemrefusionId => nemrefusion::edge_catalogue(),
            FieldKind::GrantId => grant::edge_catalogue(),
            FieldKind::DanishName => text::name_edges(),
            FieldKind::DanishAddress => text::address_edges(),
            FieldKind::Date => calendar::date_edges(),
            FieldKind::DateTime => calendar::date_time_edges(),
            FieldKind::Uuid => lower_case_uuid_edges(),
        }
    }
}

impl FromStr for FieldKind {
    type Err = DomainError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        FieldKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
            .ok_or_else(|| DomainError::UnknownKind(name.to_owned()))
    }
}

impl fmt::Display for FieldKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use proptest::test_runner::TestRunner;

    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_known_ones() {
        for kind in FieldKind::ALL {
            assert_eq!(kind.name().parse::<FieldKind>(), Ok(kind));
        }
        assert_eq!(
            "nemrefusion-id".parse::<FieldKind>(),
            Ok(FieldKind::NemrefusionId)
        );
        let error = "CPR"
            .parse::<FieldKind>()
            .expect_err("names are lower case");
        assert!(
            error.to_string().contains("cpr, cvr, municipality"),
            "{error}"
        );
    }

    #[test]
    fn every_edge_is_judged_as_labelled_and_names_are_unique() {
        for kind in FieldKind::ALL {
            let edges = kind.edges();
            assert!(
                edges.iter().any(|edge| edge.valid) && edges.iter().any(|edge| !edge.valid),
                "{kind}"
            );
            let names: HashSet<_> = edges.iter().map(|edge| edge.name).collect();
            assert_eq!(names.len(), edges.len(), "{kind} has duplicate edge names");
            for edge in edges {
                assert_eq!(
                    kind.validate(&edge.value).is_ok(),
                    edge.valid,
                    "{kind} {}: {:?}",
                    edge.name,
                    edge.value
                );
            }
        }
    }

    #[test]
    fn every_strategy_yields_values_its_kind_accepts() {
        let mut runner = TestRunner::deterministic();
        for kind in FieldKind::ALL {
            let result = runner.run(&kind.valid_strategy(), |value| {
                prop_assert_eq!(kind.validate(&value), Ok(()), "{} {:?}", kind, value);
                Ok(())
            });
            assert!(result.is_ok(), "{kind}: {result:?}");
        }
    }

    #[test]
    fn cpr_kind_accepts_the_dash_but_generates_without_it() {
        assert!(
            FieldKind::Cpr.validate("010107-4001").is_ok()
                == FieldKind::Cpr.validate("0101074001").is_ok()
        );
        let mut runner = TestRunner::deterministic();
        let result = runner.run(&FieldKind::Cpr.valid_strategy(), |value| {
            prop_assert!(value.len() == 10 && value.bytes().all(|b| b.is_ascii_digit()));
            Ok(())
        });
        assert!(result.is_ok(), "{result:?}");
    }
}
