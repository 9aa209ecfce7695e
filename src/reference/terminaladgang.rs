//! SF2860 TerminalAdgang v6: a caller's Ydelsesindeks search (fremsoeg), bounded on
//! dispositionsdato to the caller's legal basis and filtered by the caller's role (UDK or a
//! municipality, from the authority in the request). The effectuations Ydelsesindeks would answer
//! with are seeded from the fixture, their dispositionsdatoer relative to today.

use std::sync::Arc;

use axum::Router;
use chrono::NaiveDate;
use roxmltree::Node;
use serde::Deserialize;

use super::ReferenceError;
use super::fault_mode::FaultMode;
use super::fixture::Fixture;
use super::jobcenter::{has_modulus11, is_cpr_number};
use super::message::{Out, check};
use super::service::{Call, Operation, Provider, Refusal, ServiceSpec, route};
use crate::domain::calendar::{Anchor, DateWindow, copenhagen_day};
use crate::soap::SoapVersion;

pub(super) const FIXTURE_KEY: &str = "terminaladgang";
const NS: &str = "http://serviceplatformen.dk/xml/wsdl/soap11/Ydelse/TerminalAdgang/6/";
const YI: &str = "urn:oio:sts:ydelse:ydelseindeks:6";
const OEF: &str = "urn:oio:sts:ydelse:oekonomiskeffektueringindeks:6";
const GD: &str = "urn:oio:sts:generelledefinitioner:6";
const GO: &str = "urn:oio:sts:generelleoperationer:6";
const SD: &str = "urn:oio:sagdok:3.0.0";
const AUTHORITY_CONTEXT: &str = "http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/";
const CPR_URN: &str = "urn:oio:cpr-nr:";
const KLE_URN: &str = "urn:oio:kle:";

static SPEC: ServiceSpec<TerminalAdgang> = ServiceSpec {
    path: "Ydelse/TerminalAdgang/6",
    soap: SoapVersion::V11,
    namespace: NS,
    schemas: &[
        "terminaladgang/xsd/TerminalAdgangServiceMsg.xsd",
        "common/serviceplatformen/ServiceplatformFault_1.xsd",
    ],
    operations: &[Operation {
        request: "FremsoegRequest",
        soap_action: "http://serviceplatformen.dk/xml/wsdl/soap11/Ydelse/TerminalAdgang/6/Fremsoeg",
        handle: fremsoeg,
    }],
};

struct Effectuation {
    uuid: String,
    cpr: String,
    kle: String,
    benefit: String,
    disposed: Anchor,
    gross: String,
}

struct TerminalAdgang {
    udk_cvr: Vec<String>,
    effectuations: Vec<Effectuation>,
}

#[derive(Deserialize)]
struct FixtureView {
    terminaladgang: Section,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    udk_cvr: Vec<String>,
    #[serde(default, rename = "effectuation")]
    effectuations: Vec<SeededEffectuation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeededEffectuation {
    uuid: String,
    cpr: String,
    kle: String,
    benefit: String,
    /// An anchor such as `month-start(-3)`, resolved against today at each call.
    disposed: String,
    gross: String,
}

pub(super) fn mount(fixture: &Fixture, provider: Arc<Provider>) -> Result<Router, ReferenceError> {
    let section = fixture.section::<FixtureView>()?.terminaladgang;
    let effectuations = section
        .effectuations
        .into_iter()
        .map(|seeded| {
            let anchor = seeded
                .disposed
                .parse::<DateWindow>()
                .map_err(|e| fixture.invalid(format!("effectuation {}: {e}", seeded.uuid)))?;
            Ok(Effectuation {
                uuid: seeded.uuid,
                cpr: seeded.cpr,
                kle: seeded.kle,
                benefit: seeded.benefit,
                disposed: anchor.from,
                gross: seeded.gross,
            })
        })
        .collect::<Result<_, ReferenceError>>()?;
    let state = TerminalAdgang {
        udk_cvr: section.udk_cvr,
        effectuations,
    };
    route(&SPEC, state, provider)
}

fn child<'a, 'i>(node: Node<'a, 'i>, namespace: &str, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|n| n.tag_name().namespace() == Some(namespace) && n.tag_name().name() == name)
}

fn descendant<'a, 'i>(node: Node<'a, 'i>, namespace: &str, name: &str) -> Option<Node<'a, 'i>> {
    node.descendants()
        .find(|n| n.tag_name().namespace() == Some(namespace) && n.tag_name().name() == name)
}

fn text(node: Option<Node>) -> Option<String> {
    node.and_then(|n| n.text()).map(|t| t.trim().to_owned())
}

/// The URN below `relation`/`{element}` that starts with `prefix`, without it.
fn urn_value(relation: Option<Node>, element: &str, prefix: &str) -> Option<String> {
    let urn = text(
        relation
            .and_then(|r| child(r, GD, element))
            .and_then(|r| child(r, SD, "URNIdentifikator")),
    )?;
    urn.strip_prefix(prefix).map(str::to_owned)
}

/// One end of the caller's DispositionsDatoInterval, as a Copenhagen day.
fn bound_end(interval: Option<Node>, end: &str) -> Result<Option<NaiveDate>, Refusal> {
    let Some(value) = text(
        interval
            .and_then(|i| child(i, GO, end))
            .and_then(|e| child(e, SD, "TidsstempelDatoTid")),
    ) else {
        return Ok(None);
    };
    copenhagen_day(&value)
        .map(Some)
        .ok_or_else(|| Refusal::invalid_message(format!("{end} er ikke et tidspunkt: {value:?}")))
}

fn fremsoeg(state: &TerminalAdgang, call: &Call) -> Result<String, Refusal> {
    let input = child(call.request, YI, "FremsoegYdelseIndeksInput").ok_or_else(|| {
        Refusal::invalid_message("FremsoegRequest skal indeholde FremsoegYdelseIndeksInput")
    })?;
    let caller = text(
        child(call.request, AUTHORITY_CONTEXT, "AuthorityContext")
            .and_then(|a| child(a, AUTHORITY_CONTEXT, "MunicipalityCVR")),
    )
    .ok_or_else(|| {
        Refusal::client(
            "ManglendeMyndighed",
            "Kaldet skal angive myndighed (AuthorityContext)",
        )
    })?;
    check("MunicipalityCVR", &caller, |cvr| {
        crate::domain::cvr::validate(cvr).is_ok()
    })?;
    let udk = state.udk_cvr.contains(&caller);
    let cpr = urn_value(
        descendant(input, OEF, "OekonomiskEffektueringPart"),
        "ReferenceID",
        CPR_URN,
    )
    .ok_or_else(|| Refusal::invalid_message("Søgningen skal angive en part (urn:oio:cpr-nr:…)"))?;
    check("Part", &cpr, is_cpr_number)?;
    if call.broken(FaultMode::RejectNonModulus11Cpr)
        && cpr.starts_with("0101")
        && !has_modulus11(&cpr)
    {
        return Err(Refusal::client(
            "UgyldigtCPRNummer",
            format!("CPR-nummer {cpr} har ikke et gyldigt kontrolciffer"),
        ));
    }
    let kle = urn_value(
        descendant(input, OEF, "OekonomiskYdelseEffektueringRelation"),
        "Type",
        KLE_URN,
    );
    if let Some(kle) = &kle {
        check("KLE", kle, |k| {
            crate::domain::kle::validate_prefix(k).is_ok()
        })?;
    }
    let kle = kle.filter(|_| !call.broken(FaultMode::IgnoreKle));
    let interval = descendant(input, OEF, "DispositionsDatoInterval");
    let bound = (
        bound_end(interval, "FraTidspunkt")?,
        bound_end(interval, "TilTidspunkt")?,
    );
    let (first, last) = DateWindow::terminal_adgang()
        .resolve(call.today)
        .ok_or_else(|| Refusal::invalid_message("Dagens dato ligger uden for kalenderen"))?;
    let first = if call.broken(FaultMode::WindowStartOffByOne) {
        first.succ_opt().unwrap_or(first)
    } else {
        first
    };
    let outside = |day: Option<NaiveDate>| day.is_some_and(|d| d < first || d > last);
    let (from, to) = if bound == (None, None) || call.broken(FaultMode::ReplaceBound) {
        (Some(first), Some(last))
    } else if outside(bound.0) || outside(bound.1) {
        if call.broken(FaultMode::ClampBound) {
            (bound.0.map(|d| d.max(first)), bound.1.map(|d| d.min(last)))
        } else if call.broken(FaultMode::AcceptOutOfWindowBound) {
            bound
        } else {
            return Err(Refusal::client(
                "UdenforHjemmel",
                format!(
                    "Dispositionsdato-afgrænsningen ligger uden for hjemlen: kun {first} til {last} må søges"
                ),
            ));
        }
    } else {
        bound
    };
    let unbounded = bound == (None, None) && call.broken(FaultMode::IgnoreDefaultWindow);
    let mut found: Vec<(NaiveDate, &Effectuation)> = state
        .effectuations
        .iter()
        .filter(|e| e.cpr == cpr)
        .filter(|e| kle.as_ref().is_none_or(|k| e.kle.starts_with(k.as_str())))
        .filter_map(|e| e.disposed.resolve(call.today).map(|d| (d, e)))
        .filter(|(day, _)| {
            unbounded || (from.is_none_or(|f| f <= *day) && to.is_none_or(|t| *day <= t))
        })
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.uuid.cmp(&b.1.uuid)));
    let leak = call.broken(FaultMode::LeakFilteredField);
    Ok(response(call, &found, udk && !leak, !udk))
}

/// The fremsoeg output with `hide_payment_texts` (UDK) or `hide_payout_amounts` (municipality).
fn response(
    call: &Call,
    found: &[(NaiveDate, &Effectuation)],
    hide_payment_texts: bool,
    hide_payout_amounts: bool,
) -> String {
    let mut out = Out::new();
    out.open(
        "ta:FremsoegResponse",
        &[
            ("ta", call.response_namespace),
            ("yi", YI),
            ("oef", OEF),
            ("gd", GD),
            ("sd", SD),
        ],
    );
    out.open("yi:FremsoegYdelseIndeksOutput", &[]);
    out.open("sd:StandardRetur", &[]);
    out.leaf("sd:StatusKode", "20");
    out.leaf("sd:FejlbeskedTekst", "OK");
    out.close("sd:StandardRetur");
    out.open("yi:Antal", &[]);
    out.leaf("yi:Element", "effektueringer");
    out.leaf("yi:Antal", &found.len().to_string());
    out.close("yi:Antal");
    for (day, effectuation) in found {
        out.open("yi:OekonomiskEffektueringFiltreretOejebliksbillede", &[]);
        out.open("oef:ObjektType", &[]);
        out.leaf("sd:UUIDIdentifikator", &effectuation.uuid);
        out.close("oef:ObjektType");
        out.open("oef:Registrering", &[]);
        out.open("oef:AttributListe", &[]);
        out.open("oef:Egenskaber", &[]);
        out.leaf("oef:SamletBruttobeloeb", &effectuation.gross);
        out.leaf(
            "oef:Dispositionsdato",
            &format!("{}T00:00:00", day.format("%Y-%m-%d")),
        );
        if !hide_payout_amounts {
            out.leaf("oef:BeloebEfterSkatATP", &effectuation.gross);
            out.leaf("oef:BeloebSendtTilUdbetaling", &effectuation.gross);
        }
        out.leaf("oef:BeloebUdbetalt", &effectuation.gross);
        if !hide_payment_texts {
            out.leaf("oef:Udbetalingsafdeling", "Ydelseskontoret, Borgerservice");
            out.leaf("oef:SendtTilUdbetalingTekst", "Sendt til NemKonto");
            out.leaf(
                "oef:UdbetaltTekst",
                "Udbetalt til borgerens NemKonto — følger kontoudtog",
            );
        }
        out.close("oef:Egenskaber");
        out.close("oef:AttributListe");
        out.open("oef:TilstandListe", &[]);
        out.close("oef:TilstandListe");
        out.open("oef:RelationListe", &[]);
        out.open("oef:OekonomiskYdelseEffektueringRelation", &[]);
        out.open("gd:Type", &[]);
        out.leaf(
            "sd:URNIdentifikator",
            &format!("{KLE_URN}{}", effectuation.kle),
        );
        out.close("gd:Type");
        out.leaf("oef:Klassifikationsbeskrivelse", &effectuation.benefit);
        out.close("oef:OekonomiskYdelseEffektueringRelation");
        out.open("oef:OekonomiskEffektueringPart", &[]);
        out.open("gd:ReferenceID", &[]);
        out.leaf(
            "sd:URNIdentifikator",
            &format!("{CPR_URN}{}", effectuation.cpr),
        );
        out.close("gd:ReferenceID");
        out.close("oef:OekonomiskEffektueringPart");
        out.close("oef:RelationListe");
        out.close("oef:Registrering");
        out.close("yi:OekonomiskEffektueringFiltreretOejebliksbillede");
    }
    out.close("yi:FremsoegYdelseIndeksOutput");
    out.close("ta:FremsoegResponse");
    out.finish()
}
