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
    schemas: &[
        "kontanthjaelp/xsd/KontanthjaelpServiceMsg.xsd",
        "common/serviceplatformen/ServiceplatformFault_1.xsd",
    ],
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
    route(&SPEC, seed(fixture)?, provider)
}

fn seed(fixture: &Fixture) -> Result<Kontanthjaelp, ReferenceError> {
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
    Ok(Kontanthjaelp {
        jobcentres: Jobcentres::new(stores),
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::clock::Clock;
    use std::path::{Path, PathBuf};

    const TODAY: NaiveDate = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    const MESSAGE_ID: &str = "6f1c2d3e-4a5b-4c6d-8e7f-901234567890";

    fn repo(relative: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
    }

    fn state() -> Kontanthjaelp {
        let fixture = Fixture::load(
            &repo(crate::reference::DEFAULT_FIXTURE),
            &crate::reference::fixture_keys(),
        )
        .unwrap();
        seed(&fixture).unwrap()
    }

    fn golden(operation: &str, case: &str) -> String {
        let text = std::fs::read_to_string(repo(&format!(
            "golden/kontanthjaelp/{operation}/{case}.xml"
        )))
        .unwrap();
        text.replace("${authority_cvr}", "29189846")
            .replace("${message_id}", MESSAGE_ID)
            .replace("${now}", "2024-02-29T09:15:00+01:00")
    }

    /// Runs `request` through the operation its root element names.
    fn answer(
        state: &Kontanthjaelp,
        request: &str,
        fault: Option<FaultMode>,
    ) -> Result<String, Refusal> {
        let doc = crate::xml::parse(request).unwrap();
        let root = doc.root_element();
        let operation = SPEC
            .operations
            .iter()
            .find(|op| op.request == root.tag_name().name())
            .unwrap();
        let call = Call {
            request: root,
            received: Clock::new(None).now(),
            today: TODAY,
            fault,
            response_namespace: NS,
        };
        (operation.handle)(state, &call)
    }

    fn held(state: &Kontanthjaelp, municipality: &str, cpr: &str, grant_id: &str) -> Option<Grant> {
        let stores = state.jobcentres.stores_for_test();
        stores[municipality]
            .get(&GrantKey {
                cpr: cpr.into(),
                grant_id: grant_id.into(),
            })
            .cloned()
    }

    /// `(element name, text)` of an element's children.
    type Children = Vec<(String, String)>;

    /// The children of the response wrapper and of the receipt.
    fn shape(response: &str) -> (Children, Children) {
        let doc = crate::xml::parse(response).unwrap();
        let list = |node: roxmltree::Node| {
            node.children()
                .filter(|n| n.is_element())
                .map(|n| {
                    (
                        n.tag_name().name().to_owned(),
                        n.text().unwrap_or_default().to_owned(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let root = doc.root_element();
        let receipt = root.first_element_child().unwrap();
        assert_eq!(receipt.tag_name().namespace(), Some(FAELLESDEL_NS));
        (list(root), list(receipt))
    }

    #[test]
    fn every_golden_request_is_answered_as_its_sidecar_expects() {
        for operation in ["RetBevilling", "SletBevilling"] {
            let dir = repo(&format!("golden/kontanthjaelp/{operation}"));
            let mut seen = 0;
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_none_or(|e| e != "xml") {
                    continue;
                }
                seen += 1;
                let case = path.file_stem().unwrap().to_str().unwrap();
                let expect_fault = std::fs::read_to_string(path.with_extension("toml"))
                    .is_ok_and(|sidecar| sidecar.contains("expect = \"fault\""));
                let result = answer(&state(), &golden(operation, case), None);
                assert_eq!(
                    result.is_err(),
                    expect_fault,
                    "{operation}/{case}: {result:?}"
                );
            }
            assert!(seen >= 4, "{operation}: only {seen} golden requests");
        }
    }

    #[test]
    fn receipt_echoes_the_faellesdel_in_schema_order() {
        let response = answer(
            &state(),
            &golden("RetBevilling", "i-gang-uden-referencer"),
            None,
        )
        .unwrap();
        let (root, receipt) = shape(&response);
        let names: Vec<_> = root.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Kvittering", "BevillingId"]);
        assert_eq!(root[1].1, "KY-2024-000102");
        let names: Vec<_> = receipt.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "BeskedId",
                "ModtagetTidspunkt",
                "Myndighedskode",
                "CPRNummer",
                "Reaktion"
            ]
        );
        assert_eq!(receipt[0].1, MESSAGE_ID);
        assert!(
            chrono::DateTime::parse_from_rfc3339(&receipt[1].1).is_ok(),
            "{}",
            receipt[1].1
        );
        assert_eq!(receipt[2].1, "751");
        assert_eq!(receipt[3].1, "2103924417");
        assert_eq!(receipt[4].1, "Modtaget");
    }

    #[test]
    fn allowed_statuses_are_stored_in_the_municipality_of_the_request() {
        let state = state();
        let request = golden("RetBevilling", "afgjort-med-sag-og-kontaktforloeb")
            .replace("KY-2024-000101", "KY-2024-999999");
        assert_eq!(held(&state, "101", "0707614285", "KY-2024-999999"), None);
        answer(&state, &request, None).unwrap();
        let grant = held(&state, "101", "0707614285", "KY-2024-999999").unwrap();
        assert_eq!(grant.status, GrantStatus::Decided);
        assert_eq!(
            grant.valid_from,
            NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()
        );
        assert_eq!(held(&state, "751", "0707614285", "KY-2024-999999"), None);
    }

    #[test]
    fn forbidden_statuses_are_refused_and_not_stored() {
        for case in ["ansoegt-afvises", "afslaaet-afvises"] {
            let state = state();
            let refusal = answer(&state, &golden("RetBevilling", case), None).unwrap_err();
            assert!(refusal.client);
            assert_eq!(refusal.code, "UlovligBevillingStatus");
            assert!(refusal.text.contains("kun bevillinger med status afgjort"));
            let (municipality, cpr, id) = match case {
                "ansoegt-afvises" => ("101", "0707614285", "KY-2024-000103"),
                _ => ("751", "2103924417", "KY-2024-000104"),
            };
            assert_eq!(held(&state, municipality, cpr, id), None);
            answer(
                &state,
                &golden("RetBevilling", case),
                Some(FaultMode::AcceptForbiddenStatus),
            )
            .unwrap();
            assert!(held(&state, municipality, cpr, id).is_some());
        }
    }

    #[test]
    fn deletion_removes_the_grant_as_of_today_and_is_idempotent() {
        let state = state();
        assert!(held(&state, "101", "0707614285", "KY-2024-000101").is_some());
        let request = golden("SletBevilling", "med-sag-og-kontaktforloeb");
        for _ in 0..2 {
            let (root, _) = shape(&answer(&state, &request, None).unwrap());
            assert_eq!(
                root.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
                ["Kvittering", "BevillingId", "SletningVirkningsdato"]
            );
            assert_eq!(root[1].1, "KY-2024-000101");
            assert_eq!(root[2].1, "2024-02-29");
            assert_eq!(held(&state, "101", "0707614285", "KY-2024-000101"), None);
        }
        let (root, _) =
            shape(&answer(&state, &request, Some(FaultMode::WrongDeletionDate)).unwrap());
        assert_eq!(root[2].1, "2024-02-28");
    }

    #[test]
    fn unknown_municipality_is_refused_unless_the_fault_mode_accepts_it() {
        for operation in ["RetBevilling", "SletBevilling"] {
            let request = golden(operation, "ukendt-myndighedskode-afvises");
            let refusal = answer(&state(), &request, None).unwrap_err();
            assert_eq!(refusal.code, "UkendtMyndighedskode", "{operation}");
            answer(
                &state(),
                &request,
                Some(FaultMode::AcceptUnknownMunicipality),
            )
            .unwrap();
        }
    }

    #[test]
    fn receipt_fault_modes_break_the_message_id_only() {
        let request = golden("SletBevilling", "uden-referencer");
        let (_, dropped) =
            shape(&answer(&state(), &request, Some(FaultMode::DropReceiptMessageId)).unwrap());
        assert_eq!(dropped[0].0, "ModtagetTidspunkt");
        assert_eq!(dropped.len(), 4);
        let (_, wrong) =
            shape(&answer(&state(), &request, Some(FaultMode::EchoWrongMessageId)).unwrap());
        assert_eq!(wrong[0].0, "BeskedId");
        assert_ne!(wrong[0].1, MESSAGE_ID);
        assert_eq!(wrong[0].1.len(), MESSAGE_ID.len());
    }

    #[test]
    fn malformed_requests_are_refused_naming_the_element() {
        let refuse = |from: &str, to: &str| {
            let request = golden("RetBevilling", "i-gang-uden-referencer").replace(from, to);
            answer(&state(), &request, None).unwrap_err().text
        };
        assert!(refuse("2103924417", "3002924417").contains("CPRNummer"));
        assert!(refuse(MESSAGE_ID, &MESSAGE_ID.to_uppercase()).contains("BeskedId"));
        assert!(refuse("KY-2024-000102", "ky-2024-000102").contains("BevillingId"));
        assert!(refuse("uddannelseshjælp", "boligstøtte").contains("Ydelsestype"));
        assert!(refuse("2024-06-15", "15-06-2024").contains("GyldigFra"));
        assert!(
            refuse(
                "<kh:GyldigFra>2024-06-15</kh:GyldigFra>",
                "<kh:GyldigFra>2024-06-15</kh:GyldigFra><kh:GyldigTil>2024-01-01</kh:GyldigTil>"
            )
            .contains("før GyldigFra")
        );
        assert!(refuse("<kh:Ydelsestype>", "<kh:Ekstra/><kh:Ydelsestype>").contains("Ekstra"));
        assert!(
            refuse("</kh:Bevilling>", "</kh:Bevilling><kh:Bevilling/>")
                .contains("uventet element Bevilling")
        );
    }

    #[test]
    fn amounts_and_grant_ids() {
        for good in ["0", "12804.00", "12804.5", "999999999999999"] {
            assert!(is_amount(good), "{good}");
        }
        for bad in ["", "-1", "1.234", "1e3", ".5", "1000000000000000"] {
            assert!(!is_amount(bad), "{bad}");
        }
        assert!(is_grant_id("KY-2024-000101"));
        for bad in [
            "KY-2024-00010",
            "KYY-2024-000101",
            "K1-2024-000101",
            "KY2024-000101",
        ] {
            assert!(!is_grant_id(bad), "{bad}");
        }
    }

    /// The provider keeps its own copy of the wire names (it must not read the harness's
    /// contract at run time); this keeps the copy honest.
    #[test]
    fn wire_names_agree_with_the_contract() {
        let text = std::fs::read_to_string(repo("contracts/kontanthjaelp/contract.toml")).unwrap();
        let contract: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(contract["service"]["path"].as_str(), Some(SPEC.path));
        assert_eq!(contract["service"]["soap"].as_str(), Some("1.1"));
        assert_eq!(contract["namespaces"]["kh"].as_str(), Some(NS));
        let operations = contract["operation"].as_array().unwrap();
        assert_eq!(operations.len(), SPEC.operations.len());
        for (declared, implemented) in operations.iter().zip(SPEC.operations) {
            assert_eq!(
                declared["soap_action"].as_str(),
                Some(implemented.soap_action)
            );
            assert_eq!(
                declared["request"]
                    .as_str()
                    .map(|q| q.trim_start_matches("kh:")),
                Some(implemented.request)
            );
        }
    }
}
