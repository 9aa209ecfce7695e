//! Named ways to break the reference provider on purpose, so the harness can prove it notices.
//! Each mode breaks exactly one thing; everything else stays conforming.

use std::fmt;
use std::str::FromStr;

/// Declares the modes once, as a table of variant, command-line name and description.
macro_rules! fault_modes {
    ($($variant:ident = $name:literal: $description:literal,)+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum FaultMode {
            $(#[doc = $description] $variant,)+
        }

        impl FaultMode {
            /// Every mode, in the order `kontrakt serve --help` lists them.
            pub fn all() -> &'static [FaultMode] {
                &[$(FaultMode::$variant,)+]
            }

            /// The kebab-case name used on the command line.
            pub fn name(self) -> &'static str {
                match self {
                    $(FaultMode::$variant => $name,)+
                }
            }

            /// One line saying what the mode breaks.
            pub fn description(self) -> &'static str {
                match self {
                    $(FaultMode::$variant => $description,)+
                }
            }
        }
    };
}

fault_modes! {
    AcceptForbiddenStatus = "accept-forbidden-status":
        "RetBevilling accepts grants with status ansøgt/afslået and answers a receipt instead of a fault",
    DropReceiptMessageId = "drop-receipt-message-id":
        "receipts (fd:Kvittering) omit the required BeskedId",
    NonSoap200 = "non-soap-200":
        "every call is answered with HTTP 200 and an HTML page instead of a SOAP envelope",
    WrongResponseNamespace = "wrong-response-namespace":
        "response elements are in a foreign namespace instead of the service's",
    AcceptUnknownMunicipality = "accept-unknown-municipality":
        "a myndighedskode no served municipality has is acknowledged instead of refused",
    WrongDeletionDate = "wrong-deletion-date":
        "SletBevilling answers SletningVirkningsdato = yesterday instead of today",
    EchoWrongMessageId = "echo-wrong-message-id":
        "receipts carry a fresh BeskedId instead of echoing the request's",
    AcceptCodeAndRejection = "accept-code-and-rejection":
        "SendForretningsSvarForlaengelse registers a forlængelseskode and a rejection together instead of refusing",
    EchoWrongNemrefusionsId = "echo-wrong-nemrefusions-id":
        "Sygefravaer receipts carry another NemrefusionsID than the request's",
    UnknownCaseReceipt = "unknown-case-receipt":
        "HentSag of an unknown case answers HTTP 200 with a bare receipt instead of a fault",
    ForgetUpdate = "forget-update":
        "SendOpdateringFravaer acknowledges the update but does not store it",
    OtherCitizensCases = "other-citizens-cases":
        "HentSagsListe returns every case of the municipality, not only the requested citizen's",
    IgnorePeriod = "ignore-period":
        "HentSagsListe ignores the requested period",
    LeakFilteredField = "leak-filtered-field":
        "TerminalAdgang hands UDK callers the payment texts their role may not receive",
    AcceptOutOfWindowBound = "accept-out-of-window-bound":
        "TerminalAdgang searches with a dispositionsdato bound outside the window instead of refusing it",
    ClampBound = "clamp-bound":
        "TerminalAdgang silently clamps an out-of-window bound to the window instead of refusing it",
    IgnoreDefaultWindow = "ignore-default-window":
        "TerminalAdgang applies no dispositionsdato window when the caller gives no bound",
    ReplaceBound = "replace-bound":
        "TerminalAdgang replaces the caller's bound with the default window",
    IgnoreKle = "ignore-kle":
        "TerminalAdgang ignores the KLE number that should narrow the result",
    RejectNonModulus11Cpr = "reject-non-modulus11-cpr":
        "TerminalAdgang refuses a search for the CPR numbers issued without a modulus-11 check digit (1 January birthdates)",
    RejectLeapDay = "reject-leap-day":
        "every service refuses a request carrying a date on 29 February",
    WindowStartOffByOne = "window-start-off-by-one":
        "TerminalAdgang's dispositionsdato window starts one day late, refusing a bound on its first day",
    SkipSchemaValidation = "skip-schema-validation":
        "every service handles requests its schema refuses (an unknown, surplus or misplaced element) instead of refusing them",
    TruncateText = "truncate-text":
        "SendForretningsSvarForlaengelse echoes a rejection's Begrundelse cut at 100 characters (maxLength is 255)",
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
