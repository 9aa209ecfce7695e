//! Sygefravaer v2: jobcentre systems and KSD, the sickness-benefit system. The jobcentre
//! acknowledges KSD's case messages (SendForretningsSvar), answers extension requests with a code
//! or a rejection (SendForretningsSvarForlaengelse), reports its own case
//! (SendOpdateringFravaer) and looks cases up (HentSag, HentSagsListe). KSD's cases are seeded
//! from the fixture and served to the jobcentre of the citizen's municipality.

use std::collections::BTreeMap;
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

pub(super) const FIXTURE_KEY: &str = "sygefravaer";
const NS: &str = "http://serviceplatformen.dk/xml/wsdl/soap11/KSD/Sygefravaer/2/";

static SPEC: ServiceSpec<Sygefravaer> = ServiceSpec {
    path: "KSD/Sygefravaer/2",
    soap: SoapVersion::V11,
    namespace: NS,
    schemas: &[
        "sygefravaer/xsd/SygefravaerServiceMsg.xsd",
        "common/serviceplatformen/ServiceplatformFault_1.xsd",
    ],
    operations: &[
        Operation {
            request: "SendForretningsSvarRequest",
            soap_action: "http://serviceplatformen.dk/xml/wsdl/soap11/KSD/Sygefravaer/2/SendForretningsSvar",
            handle: send_forretnings_svar,
        },
        Operation {
            request: "SendForretningsSvarForlaengelseRequest",
            soap_action: "http://serviceplatformen.dk/xml/wsdl/soap11/KSD/Sygefravaer/2/SendForretningsSvarForlaengelse",
            handle: send_forlaengelse,
        },
        Operation {
            request: "SendOpdateringFravaerRequest",
            soap_action: "http://serviceplatformen.dk/xml/wsdl/soap11/KSD/Sygefravaer/2/SendOpdateringFravaer",
            handle: send_opdatering,
        },
        Operation {
            request: "HentSagRequest",
            soap_action: "http://serviceplatformen.dk/xml/wsdl/soap11/KSD/Sygefravaer/2/HentSag",
            handle: hent_sag,
        },
        Operation {
            request: "HentSagsListeRequest",
            soap_action: "http://serviceplatformen.dk/xml/wsdl/soap11/KSD/Sygefravaer/2/HentSagsListe",
            handle: hent_sags_liste,
        },
    ],
};

/// What the jobcentre reported about its own case (SendOpdateringFravaer).
#[derive(Debug, Clone, PartialEq, Eq)]
struct JobcentreInfo {
    case_id: String,
    follow_up: Option<NaiveDate>,
    remark: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct SickCase {
    cpr: String,
    employer: Option<String>,
    absence_from: NaiveDate,
    absence_to: Option<NaiveDate>,
    status: &'static str,
    jobcentre: Option<JobcentreInfo>,
}

/// Cases by NemrefusionsID.
type Cases = BTreeMap<String, SickCase>;

struct Sygefravaer {
    jobcentres: Jobcentres<Cases>,
}

#[derive(Deserialize)]
struct FixtureView {
    #[serde(default)]
    sygefravaer: Section,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    #[serde(default, rename = "case")]
    cases: Vec<SeededCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeededCase {
    nemrefusions_id: String,
    municipality: String,
    cpr: String,
    employer: Option<String>,
    absence_from: String,
    absence_to: Option<String>,
    status: String,
}

const STATUSES: [&str; 3] = ["oprettet", "ændret", "afsluttet"];

pub(super) fn mount(fixture: &Fixture, provider: Arc<Provider>) -> Result<Router, ReferenceError> {
    let mut stores: BTreeMap<String, Cases> = fixture
        .municipalities
        .keys()
        .map(|code| (code.clone(), Cases::new()))
        .collect();
    for seeded in fixture.section::<FixtureView>()?.sygefravaer.cases {
        let what = format!("sygefravaer case {}", seeded.nemrefusions_id);
        fixture.served(&seeded.municipality, &what)?;
        fixture.citizen_of(&seeded.cpr, &seeded.municipality, &what)?;
        let invalid = |refusal: Refusal| fixture.invalid(format!("{what}: {}", refusal.text));
        check(
            "nemrefusions_id",
            &seeded.nemrefusions_id,
            is_nemrefusions_id,
        )
        .map_err(invalid)?;
        let status = STATUSES
            .into_iter()
            .find(|s| *s == seeded.status)
            .ok_or_else(|| fixture.invalid(format!("{what}: unknown status {}", seeded.status)))?;
        let case = SickCase {
            cpr: seeded.cpr,
            employer: seeded.employer,
            absence_from: xs_date("absence_from", &seeded.absence_from).map_err(invalid)?,
            absence_to: seeded
                .absence_to
                .as_deref()
                .map(|d| xs_date("absence_to", d))
                .transpose()
                .map_err(invalid)?,
            status,
            jobcentre: None,
        };
        if let Some(store) = stores.get_mut(&seeded.municipality) {
            store.insert(seeded.nemrefusions_id, case);
        }
    }
    let state = Sygefravaer {
        jobcentres: Jobcentres::new(stores),
    };
    route(&SPEC, state, provider)
}

/// The NemrefusionsID format the contract models: a lower-case UUID.
fn is_nemrefusions_id(text: &str) -> bool {
    digit_groups(
        &text.replace(|c: char| c.is_ascii_lowercase() && c <= 'f', "0"),
        '-',
        &[8, 4, 4, 4, 12],
    )
}

fn is_text_255(text: &str) -> bool {
    text.chars().count() <= 255
}

fn nemrefusions_id<'a>(children: &mut Children<'a, '_>) -> Result<&'a str, Refusal> {
    check(
        "NemrefusionsID",
        children.required_text(NS, "NemrefusionsID")?,
        is_nemrefusions_id,
    )
}

fn unknown_case(id: &str) -> Refusal {
    Refusal::client(
        "UkendtSag",
        format!("KSD har ingen sag med NemrefusionsID {id} for denne borger"),
    )
}

/// The citizen's case `id` in the routed store, or why there is none.
fn own_case<'s>(
    cases: &'s mut Cases,
    header: &Faellesdel,
    id: &str,
) -> Result<&'s mut SickCase, Refusal> {
    cases
        .get_mut(id)
        .filter(|case| case.cpr == header.cpr)
        .ok_or_else(|| unknown_case(id))
}

/// Starts `<sf:{root}>` with the receipt.
fn open_response(call: &Call, header: &Faellesdel, root: &str) -> Out {
    let mut out = Out::new();
    out.open(
        &format!("sf:{root}"),
        &[("sf", call.response_namespace), ("fd", FAELLESDEL_NS)],
    );
    header.write_receipt(&mut out, call);
    out
}

fn echoed_id(call: &Call, id: &str) -> String {
    if call.broken(FaultMode::EchoWrongNemrefusionsId) {
        uuid::Uuid::new_v4().to_string()
    } else {
        id.to_owned()
    }
}

/// A receipt plus the NemrefusionsID, the answer of the two "send" operations without content.
fn receipt(call: &Call, header: &Faellesdel, root: &str, id: &str) -> String {
    let mut out = open_response(call, header, root);
    out.leaf("sf:NemrefusionsID", &echoed_id(call, id));
    out.close(&format!("sf:{root}"));
    out.finish()
}

fn send_forretnings_svar(state: &Sygefravaer, call: &Call) -> Result<String, Refusal> {
    let mut children = Children::of(call.request);
    let header = Faellesdel::read_header(&mut children)?;
    let id = nemrefusions_id(&mut children)?;
    children.required_text(NS, "KSDBeskedId")?;
    check("Svar", children.required_text(NS, "Svar")?, |s| {
        ["Modtaget", "Afvist"].contains(&s)
    })?;
    if let Some(remark) = children.optional_text(NS, "Bemaerkning")? {
        check("Bemaerkning", remark, is_text_255)?;
    }
    children.finish()?;
    state.jobcentres.route(&header, call, |_| ())?;
    Ok(receipt(call, &header, "SendForretningsSvarResponse", id))
}

fn send_forlaengelse(state: &Sygefravaer, call: &Call) -> Result<String, Refusal> {
    let mut children = Children::of(call.request);
    let header = Faellesdel::read_header(&mut children)?;
    let id = nemrefusions_id(&mut children)?;
    let code = children
        .optional_text(NS, "Forlaengelseskode")?
        .map(|c| check("Forlaengelseskode", c, |c| digit_groups(c, '-', &[2])))
        .transpose()?;
    let rejection = match children.optional(NS, "Afvisning") {
        Some(node) => {
            let mut fields = Children::of(node);
            let reason = check(
                "Begrundelse",
                fields.required_text(NS, "Begrundelse")?,
                is_text_255,
            )?;
            fields.finish()?;
            Some(reason)
        }
        None => None,
    };
    children.finish()?;
    let answered_once = code.is_some() != rejection.is_some();
    if !answered_once && !call.broken(FaultMode::AcceptCodeAndRejection) {
        return Err(Refusal::client(
            "UgyldigtForlaengelsesSvar",
            "Svaret på en forlængelsesanmodning skal indeholde enten en forlængelseskode eller en afvisning",
        ));
    }
    state.jobcentres.route(&header, call, |_| ())?;
    let root = "SendForretningsSvarForlaengelseResponse";
    let mut out = open_response(call, &header, root);
    out.leaf("sf:NemrefusionsID", &echoed_id(call, id));
    if let Some(code) = code {
        out.leaf("sf:Forlaengelseskode", code);
    }
    if let Some(reason) = rejection {
        out.open("sf:Afvisning", &[]);
        let reason = if call.broken(FaultMode::TruncateText) {
            reason.chars().take(100).collect()
        } else {
            reason.to_owned()
        };
        out.leaf("sf:Begrundelse", &reason);
        out.close("sf:Afvisning");
    }
    out.close(&format!("sf:{root}"));
    Ok(out.finish())
}

fn send_opdatering(state: &Sygefravaer, call: &Call) -> Result<String, Refusal> {
    let mut children = Children::of(call.request);
    let header = Faellesdel::read_header(&mut children)?;
    let id = nemrefusions_id(&mut children)?;
    let mut fields = Children::of(children.required(NS, "Jobcenteroplysninger")?);
    children.finish()?;
    let info = JobcentreInfo {
        case_id: check(
            "JobcenterSagId",
            fields.required_text(NS, "JobcenterSagId")?,
            |t| (1..=36).contains(&t.chars().count()),
        )?
        .to_owned(),
        follow_up: fields
            .optional_text(NS, "Opfoelgningsdato")?
            .map(|d| xs_date("Opfoelgningsdato", d))
            .transpose()?,
        remark: fields
            .optional_text(NS, "Bemaerkning")?
            .map(|r| check("Bemaerkning", r, is_text_255).map(str::to_owned))
            .transpose()?,
    };
    fields.finish()?;
    let forget = call.broken(FaultMode::ForgetUpdate);
    state
        .jobcentres
        .route(&header, call, |cases| {
            let case = own_case(cases, &header, id)?;
            if !forget {
                case.jobcentre = Some(info);
            }
            Ok(())
        })?
        .transpose()?;
    Ok(receipt(call, &header, "SendOpdateringFravaerResponse", id))
}

fn write_case(out: &mut Out, id: &str, case: &SickCase, with_jobcentre: bool) {
    let date = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    out.open("sf:Sag", &[]);
    out.leaf("sf:NemrefusionsID", id);
    out.leaf("sf:CPRNummer", &case.cpr);
    if let Some(employer) = &case.employer {
        out.leaf("sf:Arbejdsgiver", employer);
    }
    out.leaf("sf:FravaerStartdato", &date(case.absence_from));
    if let Some(to) = case.absence_to {
        out.leaf("sf:FravaerSlutdato", &date(to));
    }
    out.leaf("sf:Sagsstatus", case.status);
    if let (true, Some(info)) = (with_jobcentre, &case.jobcentre) {
        out.open("sf:Jobcenteroplysninger", &[]);
        out.leaf("sf:JobcenterSagId", &info.case_id);
        if let Some(follow_up) = info.follow_up {
            out.leaf("sf:Opfoelgningsdato", &date(follow_up));
        }
        if let Some(remark) = &info.remark {
            out.leaf("sf:Bemaerkning", remark);
        }
        out.close("sf:Jobcenteroplysninger");
    }
    out.close("sf:Sag");
}

fn hent_sag(state: &Sygefravaer, call: &Call) -> Result<String, Refusal> {
    let mut children = Children::of(call.request);
    let header = Faellesdel::read_header(&mut children)?;
    let id = nemrefusions_id(&mut children)?;
    children.finish()?;
    let found = state
        .jobcentres
        .route(&header, call, |cases| {
            own_case(cases, &header, id).map(|c| c.clone())
        })?
        .transpose();
    let root = "HentSagResponse";
    let mut out = open_response(call, &header, root);
    match found {
        Ok(Some(case)) => write_case(&mut out, id, &case, true),
        Ok(None) => {}
        Err(_) if call.broken(FaultMode::UnknownCaseReceipt) => {}
        Err(refusal) => return Err(refusal),
    }
    out.close(&format!("sf:{root}"));
    Ok(out.finish())
}

fn hent_sags_liste(state: &Sygefravaer, call: &Call) -> Result<String, Refusal> {
    let mut children = Children::of(call.request);
    let header = Faellesdel::read_header(&mut children)?;
    let period = match children.optional(NS, "Periode") {
        Some(node) => {
            let mut fields = Children::of(node);
            let from = xs_date("FraDato", fields.required_text(NS, "FraDato")?)?;
            let to = xs_date("TilDato", fields.required_text(NS, "TilDato")?)?;
            fields.finish()?;
            Some((from, to))
        }
        None => None,
    };
    children.finish()?;
    let everyones = call.broken(FaultMode::OtherCitizensCases);
    let period = period.filter(|_| !call.broken(FaultMode::IgnorePeriod));
    let listed: Vec<(String, SickCase)> = state
        .jobcentres
        .route(&header, call, |cases| {
            cases
                .iter()
                .filter(|(_, case)| everyones || case.cpr == header.cpr)
                .filter(|(_, case)| {
                    period.is_none_or(|(from, to)| {
                        from <= case.absence_from && case.absence_from <= to
                    })
                })
                .map(|(id, case)| (id.clone(), case.clone()))
                .collect()
        })?
        .unwrap_or_default();
    let root = "HentSagsListeResponse";
    let mut out = open_response(call, &header, root);
    for (id, case) in &listed {
        write_case(&mut out, id, case, false);
    }
    out.close(&format!("sf:{root}"));
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nemrefusions_ids_are_lower_case_uuids() {
        assert!(is_nemrefusions_id("3f2c9a1e-5b7d-4c8e-9a21-6d4b8e0f1a23"));
        assert!(!is_nemrefusions_id("3F2C9A1E-5B7D-4C8E-9A21-6D4B8E0F1A23"));
        assert!(!is_nemrefusions_id("3f2c9a1e5b7d4c8e9a216d4b8e0f1a23"));
        assert!(!is_nemrefusions_id("3f2c9a1e-5b7d-4c8e-9a21-6d4b8e0f1a2g"));
    }
}
