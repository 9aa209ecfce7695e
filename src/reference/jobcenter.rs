//! What all jobcentre integrations share: the common part (fællesdel) every request carries, the
//! business receipt (kvittering) every answer carries, and routing by myndighedskode to the
//! jobcentre system of one municipality, each with its own store.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{NaiveDate, SecondsFormat};

use super::fault_mode::FaultMode;
use super::message::{Children, Out, check, digit_groups};
use super::service::{Call, Refusal};

pub(super) const FAELLESDEL_NS: &str =
    "http://serviceplatformen.dk/xml/schemas/jobcenter/Faellesdel/1/";
const CALL_CONTEXT_NS: &str = "http://serviceplatformen.dk/xml/schemas/CallContext/1/";
const AUTHORITY_CONTEXT_NS: &str = "http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/";
const INVOCATION_CONTEXT_NS: &str = "http://serviceplatformen.dk/xml/schemas/InvocationContext/1/";

/// The fields of a request's fællesdel that the receipt and the routing need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Faellesdel<'a> {
    pub message_id: &'a str,
    pub municipality: &'a str,
    pub cpr: &'a str,
}

impl<'a> Faellesdel<'a> {
    /// Reads the start of a Serviceplatformen request wrapper: the optional contexts, then the
    /// fællesdel.
    pub(super) fn read_header(children: &mut Children<'a, '_>) -> Result<Self, Refusal> {
        // The contexts are Serviceplatformen's business; a jobcentre only routes on the fællesdel.
        children.optional(CALL_CONTEXT_NS, "CallContext");
        if let Some(authority) = children.optional(AUTHORITY_CONTEXT_NS, "AuthorityContext") {
            authority_cvr(authority)?;
        }
        children.optional(INVOCATION_CONTEXT_NS, "InvocationContext");
        let mut fields = Children::of(children.required(FAELLESDEL_NS, "Faellesdel")?);
        let mut text = |name| fields.required_text(FAELLESDEL_NS, name);
        let message_id = check("BeskedId", text("BeskedId")?, is_lowercase_uuid)?;
        let sent = text("BeskedTidspunkt")?;
        check("BeskedTidspunkt", sent, |t| {
            chrono::DateTime::parse_from_rfc3339(t).is_ok()
                || chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
        })?;
        let sender = text("AfsenderSystem")?;
        check("AfsenderSystem", sender, |s| {
            (1..=100).contains(&s.chars().count())
        })?;
        let municipality = check("Myndighedskode", text("Myndighedskode")?, |c| {
            digit_groups(c, '-', &[3])
        })?;
        let cpr = check("CPRNummer", text("CPRNummer")?, is_cpr_number)?;
        for reference in ["SagId", "KontaktforloebId"] {
            if let Some(id) = fields.optional_text(FAELLESDEL_NS, reference)? {
                check(reference, id, |id| (1..=36).contains(&id.chars().count()))?;
            }
        }
        fields.finish()?;
        Ok(Faellesdel {
            message_id,
            municipality,
            cpr,
        })
    }

    /// Writes `fd:Kvittering`; the response root must declare the `fd` prefix.
    pub(super) fn write_receipt(&self, out: &mut Out, call: &Call) {
        out.open("fd:Kvittering", &[]);
        if call.broken(FaultMode::EchoWrongMessageId) {
            out.leaf("fd:BeskedId", &uuid::Uuid::new_v4().to_string());
        } else if !call.broken(FaultMode::DropReceiptMessageId) {
            out.leaf("fd:BeskedId", self.message_id);
        }
        out.leaf(
            "fd:ModtagetTidspunkt",
            &call.received.to_rfc3339_opts(SecondsFormat::Millis, false),
        );
        out.leaf("fd:Myndighedskode", self.municipality);
        out.leaf("fd:CPRNummer", self.cpr);
        out.leaf("fd:Reaktion", "Modtaget");
        out.close("fd:Kvittering");
    }
}

/// The authority's CVR number (AuthorityContext/MunicipalityCVR): no service agreement can name
/// a number that fails the CVR modulus-11 check, so the call is refused.
pub(super) fn authority_cvr<'a>(authority: roxmltree::Node<'a, '_>) -> Result<&'a str, Refusal> {
    let cvr = Children::of(authority).required_text(AUTHORITY_CONTEXT_NS, "MunicipalityCVR")?;
    check("MunicipalityCVR", cvr, |cvr| {
        crate::domain::cvr::validate(cvr).is_ok()
    })
}

/// Lower-case UUID, as the fællesdel's UUIDType requires.
fn is_lowercase_uuid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
}

/// A CPR number (`DDMMYYSSSS`, no dash) whose birth date exists in the century the seventh digit
/// and the year give. The modulus-11 check is deliberately absent: numbers issued since 2007 need
/// not satisfy it.
pub(super) fn is_cpr_number(text: &str) -> bool {
    cpr_birth_date(text).is_some()
}

/// Weights 4 3 2 7 6 5 4 3 2 1, sum divisible by 11: the check the CPR office stopped
/// guaranteeing in 2007.
pub(super) fn has_modulus11(cpr: &str) -> bool {
    let weights = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
    let sum: u32 = cpr
        .chars()
        .filter_map(|c| c.to_digit(10))
        .zip(weights)
        .map(|(digit, weight)| digit * weight)
        .sum();
    sum.is_multiple_of(11)
}

fn cpr_birth_date(text: &str) -> Option<NaiveDate> {
    if !digit_groups(text, '-', &[10]) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().ok();
    let (day, month, year) = (number(0..2)?, number(2..4)?, number(4..6)? as i32);
    let century = match (number(6..7)?, year) {
        (0..=3, _) => 1900,
        (4 | 9, 0..=36) => 2000,
        (4 | 9, _) => 1900,
        (_, 0..=57) => 2000,
        (_, _) => 1800,
    };
    NaiveDate::from_ymd_opt(century + year, month, day)
}

/// The jobcentre systems of the served municipalities, keyed by myndighedskode, each with a
/// store of type `T`.
#[derive(Debug)]
pub(super) struct Jobcentres<T> {
    stores: Mutex<BTreeMap<String, T>>,
}

impl<T> Jobcentres<T> {
    pub(super) fn new(stores: BTreeMap<String, T>) -> Self {
        Jobcentres {
            stores: Mutex::new(stores),
        }
    }

    /// Runs `work` on the store of the fællesdel's municipality. A code no served municipality
    /// has cannot be routed and is refused; the `accept-unknown-municipality` fault mode instead
    /// acknowledges it without storing anything (`Ok(None)`).
    pub(super) fn route<R>(
        &self,
        header: &Faellesdel,
        call: &Call,
        work: impl FnOnce(&mut T) -> R,
    ) -> Result<Option<R>, Refusal> {
        // A panic while holding the lock cannot leave a store half-written (every change is one
        // map operation), so a poisoned lock is still safe to use.
        let mut stores = self.stores.lock().unwrap_or_else(|e| e.into_inner());
        match stores.get_mut(header.municipality) {
            Some(store) => Ok(Some(work(store))),
            None if call.broken(FaultMode::AcceptUnknownMunicipality) => Ok(None),
            None => Err(Refusal::client(
                "UkendtMyndighedskode",
                format!(
                    "Myndighedskode {} betjenes ikke af noget jobcentersystem; beskeden kan ikke rutes",
                    header.municipality
                ),
            )),
        }
    }
}

#[cfg(test)]
impl<T> Jobcentres<T> {
    pub(super) fn stores_for_test(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, T>> {
        self.stores.lock().unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpr_century_rules() {
        let date = |cpr| cpr_birth_date(cpr).map(|d| d.to_string());
        assert_eq!(date("0707614285").as_deref(), Some("1961-07-07"));
        assert_eq!(date("2902000000"), None, "1900 was not a leap year");
        assert_eq!(date("2902004000").as_deref(), Some("2000-02-29"));
        assert_eq!(date("0101374000").as_deref(), Some("1937-01-01"));
        assert_eq!(date("0101369000").as_deref(), Some("2036-01-01"));
        assert_eq!(date("0101585000").as_deref(), Some("1858-01-01"));
        assert_eq!(date("0101578000").as_deref(), Some("2057-01-01"));
        // Issued without a valid modulus-11 check digit since 2007; must still be accepted.
        assert!(is_cpr_number("0101704001"));
        for bad in [
            "010170-4001",
            "010170400",
            "01017040011",
            "3204704001",
            "abcdefghij",
        ] {
            assert!(!is_cpr_number(bad), "{bad}");
        }
    }

    #[test]
    fn uuids_must_be_lower_case() {
        assert!(is_lowercase_uuid("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(!is_lowercase_uuid("0F8FAD5B-D9CB-469F-A165-70867728950E"));
        assert!(!is_lowercase_uuid("0f8fad5b-d9cb-469f-a165-70867728950"));
        assert!(!is_lowercase_uuid("0f8fad5bd-9cb-469f-a165-70867728950e"));
    }
}
