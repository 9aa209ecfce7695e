//! Named ways to break the reference provider on purpose, so the harness can prove it notices.
//! Each mode breaks exactly one thing; everything else stays conforming.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultMode {
    AcceptForbiddenStatus,
    DropReceiptMessageId,
    NonSoap200,
    WrongResponseNamespace,
    AcceptUnknownMunicipality,
    WrongDeletionDate,
    EchoWrongMessageId,
}

impl FaultMode {
    /// Every mode, in the order `kontrakt serve --help` lists them.
    pub fn all() -> &'static [FaultMode] {
        use FaultMode::*;
        &[
            AcceptForbiddenStatus,
            DropReceiptMessageId,
            NonSoap200,
            WrongResponseNamespace,
            AcceptUnknownMunicipality,
            WrongDeletionDate,
            EchoWrongMessageId,
        ]
    }

    /// The kebab-case name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            FaultMode::AcceptForbiddenStatus => "accept-forbidden-status",
            FaultMode::DropReceiptMessageId => "drop-receipt-message-id",
            FaultMode::NonSoap200 => "non-soap-200",
            FaultMode::WrongResponseNamespace => "wrong-response-namespace",
            FaultMode::AcceptUnknownMunicipality => "accept-unknown-municipality",
            FaultMode::WrongDeletionDate => "wrong-deletion-date",
            FaultMode::EchoWrongMessageId => "echo-wrong-message-id",
        }
    }

    /// One line saying what the mode breaks.
    pub fn description(self) -> &'static str {
        match self {
            FaultMode::AcceptForbiddenStatus => {
                "RetBevilling accepts grants with status ansøgt/afslået and answers a receipt instead of a fault"
            }
            FaultMode::DropReceiptMessageId => {
                "receipts (fd:Kvittering) omit the required BeskedId"
            }
            FaultMode::NonSoap200 => {
                "every call is answered with HTTP 200 and an HTML page instead of a SOAP envelope"
            }
            FaultMode::WrongResponseNamespace => {
                "response elements are in a foreign namespace instead of the service's"
            }
            FaultMode::AcceptUnknownMunicipality => {
                "a myndighedskode no served municipality has is acknowledged instead of refused"
            }
            FaultMode::WrongDeletionDate => {
                "SletBevilling answers SletningVirkningsdato = yesterday instead of today"
            }
            FaultMode::EchoWrongMessageId => {
                "receipts carry a fresh BeskedId instead of echoing the request's"
            }
        }
    }
}

impl fmt::Display for FaultMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown fault mode {given:?}; known modes: {known}")]
pub struct UnknownFaultMode {
    given: String,
    known: String,
}

impl FromStr for FaultMode {
    type Err = UnknownFaultMode;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        FaultMode::all()
            .iter()
            .copied()
            .find(|mode| mode.name() == name)
            .ok_or_else(|| UnknownFaultMode {
                given: name.to_owned(),
                known: FaultMode::all()
                    .iter()
                    .map(|mode| mode.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mode_round_trips_through_its_name() {
        for &mode in FaultMode::all() {
            assert_eq!(mode.to_string().parse::<FaultMode>(), Ok(mode));
            assert!(!mode.description().is_empty());
        }
    }

    #[test]
    fn names_are_unique_kebab_case() {
        let names: std::collections::HashSet<_> =
            FaultMode::all().iter().map(|m| m.name()).collect();
        assert_eq!(names.len(), FaultMode::all().len());
        assert!(names.iter().all(|n| {
            n.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        }));
    }

    #[test]
    fn unknown_name_lists_the_known_ones() {
        let error = "drop-everything".parse::<FaultMode>().unwrap_err();
        let message = error.to_string();
        assert!(message.contains("drop-everything"));
        assert!(message.contains("non-soap-200"));
    }
}
