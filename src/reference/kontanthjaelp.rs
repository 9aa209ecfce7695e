//! SF1780 Kontanthjaelp v2: the benefits system sends grant information (bevillingsoplysninger)
//! to the jobcentre system of the citizen's municipality. RetBevilling creates or amends a grant,
//! SletBevilling deletes it as of the day of the call; each answer is a business receipt.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Router;
use chrono::NaiveDate;
use serde::Deserialize;

use super::ReferenceError;
use super::fault_mode::FaultMode;
use super::fixture::Fixture;
use super::jobcenter::{FAELLESDEL_NS, Faellesdel, Jobcentres};
use super::message::{Children, Out, check, digit_groups, xs_date};
use super::service::{Call, Operation, Provider, Refusal, ServiceSpec, route};
use crate::soap::SoapVersion;

pub(super) const FIXTURE_KEY: &str = "kontanthjaelp";
const NS: &str = "http://serviceplatformen.dk/xml/wsdl/soap11/JC/Kontanthjaelp/2/";

static SPEC: ServiceSpec<Kontanthjaelp> = ServiceSpec {
    path: "JC/Kontanthjaelp/2",
    soap: SoapVersion::V11,
    namespace: NS,
    operations: &[
        Operation {
            request: "RetBevillingRequest",
            soap_action: "http://serviceplatformen.dk/xml/wsdl/soap11/JC/Kontanthjaelp/2/RetBevilling",
            handle: ret_bevilling,
        },
        Operation {
            request: "SletBevillingRequest",
            soap_action: "http://serviceplatformen.dk/xml/wsdl/soap11/JC/Kontanthjaelp/2/SletBevilling",
            handle: slet_bevilling,
        },
    ],
};

/// Every status the benefits system knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GrantStatus {
    Decided,
    InProgress,
    Stopped,
    AppliedFor,
    Refused,
}

impl GrantStatus {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "afgjort" => GrantStatus::Decided,
            "i gang" => GrantStatus::InProgress,
            "stoppet" => GrantStatus::Stopped,
            "ansøgt" => GrantStatus::AppliedFor,
            "afslået" => GrantStatus::Refused,
            _ => return None,
        })
    }

    /// Only grants that have been decided may reach the jobcentre: an application or a refusal
    /// is no grant the jobcentre can act on.
    fn transferable(self) -> bool {
        matches!(
            self,
            GrantStatus::Decided | GrantStatus::InProgress | GrantStatus::Stopped
        )
    }
}

const BENEFIT_TYPES: [&str; 4] = [
    "kontanthjælp",
    "uddannelseshjælp",
    "selvforsørgelses- og hjemrejseydelse",
    "overgangsydelse",
];

/// A grant as the jobcentre holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Grant {
    status: GrantStatus,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
}

/// Grants are keyed by citizen and grant id: the benefits system's grant id is unique per
/// citizen, and deletion names both.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct GrantKey {
    cpr: String,
    grant_id: String,
}

type Grants = HashMap<GrantKey, Grant>;

#[derive(Debug)]
struct Kontanthjaelp {
    jobcentres: Jobcentres<Grants>,
}

/// `[[kontanthjaelp.grant]]` entries of the fixture.
#[derive(Deserialize)]
struct FixtureView {
    #[serde(default)]
    kontanthjaelp: Section,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    #[serde(default)]
    grant: Vec<SeededGrant>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeededGrant {
    municipality: String,
    cpr: String,
    id: String,
    status: String,
    valid_from: String,
    valid_to: Option<String>,
}

/// The route of this service, its jobcentre stores seeded from the fixture.
pub(super) fn mount(fixture: &Fixture, provider: Arc<Provider>) -> Result<Router, ReferenceError> {
    let mut stores: BTreeMap<String, Grants> = fixture
        .municipalities
        .keys()
        .map(|code| (code.clone(), Grants::new()))
        .collect();
    for seeded in fixture.section::<FixtureView>()?.kontanthjaelp.grant {
        let what = format!("kontanthjaelp grant {}", seeded.id);
        fixture.served(&seeded.municipality, &what)?;
        fixture.citizen_of(&seeded.cpr, &seeded.municipality, &what)?;
        let (key, grant) = seeded_grant(&seeded)
            .map_err(|refusal| fixture.invalid(format!("{what}: {}", refusal.text)))?;
        if !grant.status.transferable() {
            return Err(fixture.invalid(format!(
                "{what}: status {} never reaches a jobcentre",
                seeded.status
            )));
        }
        if let Some(store) = stores.get_mut(&seeded.municipality) {
            store.insert(key, grant);
        }
    }
    let state = Kontanthjaelp {
        jobcentres: Jobcentres::new(stores),
    };
    Ok(route(&SPEC, state, provider))
}

/// A fixture grant passes the same checks as a grant sent over the wire.
fn seeded_grant(seeded: &SeededGrant) -> Result<(GrantKey, Grant), Refusal> {
    let grant = Grant {
        status: status(&seeded.status)?,
        valid_from: xs_date("valid_from", &seeded.valid_from)?,
        valid_to: seeded
            .valid_to
            .as_deref()
            .map(|date| xs_date("valid_to", date))
            .transpose()?,
    };
    check_period(&grant)?;
    let key = GrantKey {
        cpr: seeded.cpr.clone(),
        grant_id: check("id", &seeded.id, is_grant_id)?.to_owned(),
    };
    Ok((key, grant))
}

fn status(text: &str) -> Result<GrantStatus, Refusal> {
    GrantStatus::parse(text).ok_or_else(|| {
        Refusal::invalid_message(format!("BevillingStatus har en ugyldig værdi: {text:?}"))
    })
}

fn check_period(grant: &Grant) -> Result<(), Refusal> {
    match grant.valid_to {
        Some(to) if to < grant.valid_from => Err(Refusal::invalid_message(format!(
            "GyldigTil {to} ligger før GyldigFra {}",
            grant.valid_from
        ))),
        _ => Ok(()),
    }
}

/// `[A-Z]{2}-[0-9]{4}-[0-9]{6}`, the benefits system's grant id.
fn is_grant_id(text: &str) -> bool {
    text.split_once('-').is_some_and(|(system, number)| {
        system.len() == 2
            && system.bytes().all(|b| b.is_ascii_uppercase())
            && digit_groups(number, '-', &[4, 6])
    })
}

/// A non-negative amount with at most two decimals and 15 digits in all.
fn is_amount(text: &str) -> bool {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    !whole.is_empty()
        && digits(whole)
        && digits(fraction)
        && fraction.len() <= 2
        && whole.trim_start_matches('0').len() + fraction.len() <= 15
}

fn is_text_255(text: &str) -> bool {
    text.chars().count() <= 255
}

fn ret_bevilling(state: &Kontanthjaelp, call: &Call) -> Result<String, Refusal> {
    let mut children = Children::of(call.request);
    let header = Faellesdel::read_header(&mut children)?;
    let mut fields = Children::of(children.required(NS, "Bevilling")?);
    children.finish()?;
    let grant_id = check(
        "BevillingId",
        fields.required_text(NS, "BevillingId")?,
        is_grant_id,
    )?;
    check(
        "Ydelsestype",
        fields.required_text(NS, "Ydelsestype")?,
        |t| BENEFIT_TYPES.contains(&t),
    )?;
    let status_text = fields.required_text(NS, "BevillingStatus")?;
    let grant = Grant {
        status: status(status_text)?,
        valid_from: xs_date("GyldigFra", fields.required_text(NS, "GyldigFra")?)?,
        valid_to: fields
            .optional_text(NS, "GyldigTil")?
            .map(|date| xs_date("GyldigTil", date))
            .transpose()?,
    };
    if let Some(amount) = fields.optional_text(NS, "MaanedligtBeloeb")? {
        check("MaanedligtBeloeb", amount, is_amount)?;
    }
    if let Some(remark) = fields.optional_text(NS, "Bemaerkning")? {
        check("Bemaerkning", remark, is_text_255)?;
    }
    fields.finish()?;
    check_period(&grant)?;
    if !grant.status.transferable() && !call.broken(FaultMode::AcceptForbiddenStatus) {
        return Err(Refusal::client(
            "UlovligBevillingStatus",
            format!(
                "Bevilling {grant_id} har status {status_text}; kun bevillinger med status afgjort, i gang eller stoppet må overføres"
            ),
        ));
    }
    let key = GrantKey {
        cpr: header.cpr.to_owned(),
        grant_id: grant_id.to_owned(),
    };
    state
        .jobcentres
        .route(&header, call, |grants| grants.insert(key, grant))?;
    Ok(response(
        call,
        &header,
        "RetBevillingResponse",
        grant_id,
        None,
    ))
}

fn slet_bevilling(state: &Kontanthjaelp, call: &Call) -> Result<String, Refusal> {
    let mut children = Children::of(call.request);
    let header = Faellesdel::read_header(&mut children)?;
    let grant_id = check(
        "BevillingId",
        children.required_text(NS, "BevillingId")?,
        is_grant_id,
    )?;
    if let Some(reason) = children.optional_text(NS, "Begrundelse")? {
        check("Begrundelse", reason, is_text_255)?;
    }
    children.finish()?;
    let key = GrantKey {
        cpr: header.cpr.to_owned(),
        grant_id: grant_id.to_owned(),
    };
    // Deleting a grant this jobcentre does not hold is still acknowledged: the benefits system
    // sends deletions for every grant it deletes, including grants that were never transferred
    // (an application refused before a decision) or whose transfer failed, and it cannot know
    // which. Refusing would make it retry a deletion that can never succeed.
    state
        .jobcentres
        .route(&header, call, |grants| grants.remove(&key))?;
    let effective = if call.broken(FaultMode::WrongDeletionDate) {
        call.today.pred_opt().unwrap_or(call.today)
    } else {
        call.today
    };
    Ok(response(
        call,
        &header,
        "SletBevillingResponse",
        grant_id,
        Some(effective),
    ))
}

/// `<kh:{root}>` with the receipt, the grant id and, for deletions, the effective date, in the
/// schema's order.
fn response(
    call: &Call,
    header: &Faellesdel,
    root: &str,
    grant_id: &str,
    deletion_effective: Option<NaiveDate>,
) -> String {
    let root = format!("kh:{root}");
    let mut out = Out::new();
    out.open(
        &root,
        &[("kh", call.response_namespace), ("fd", FAELLESDEL_NS)],
    );
    header.write_receipt(&mut out, call);
    out.leaf("kh:BevillingId", grant_id);
    if let Some(date) = deletion_effective {
        out.leaf(
            "kh:SletningVirkningsdato",
            &date.format("%Y-%m-%d").to_string(),
        );
    }
    out.close(&root);
    out.finish()
}
