//! Verdicts. Every check derives from the contract (schemas, rules, the case's expectation) and
//! never from knowledge of a particular provider.

mod rules;

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;

use crate::cases::Expectation;
use crate::contract::{Contract, Operation, RuleScope};
use crate::soap::{Envelope, Fault, clark_name};
use crate::xml::canonical::canonicalize;
use crate::xml::path::XmlPath;
use crate::xml::{Recurring, Refillable};
use crate::xsd::{Lesson, SchemaSet, ValidationReport};

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", content = "message", rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    /// A conformance failure: the provider broke the contract.
    Fail(String),
    /// The check could not be made (transport failure, unusable input on our side).
    Error(String),
    /// Not applicable or not available; the message says why.
    NotRun(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub check: CheckName,
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// The name a check is reported under. The names every exchange repeats are static or shared
/// with the contract, so judging an exchange allocates none of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckName {
    Fixed(&'static str),
    /// `rule <description>`, the description shared with the contract's operation.
    Rule(Arc<str>),
    Other(String),
}

impl fmt::Display for CheckName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckName::Fixed(name) => f.write_str(name),
            CheckName::Rule(description) => write!(f, "rule {description}"),
            CheckName::Other(name) => f.write_str(name),
        }
    }
}

impl Serialize for CheckName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl From<&'static str> for CheckName {
    fn from(name: &'static str) -> CheckName {
        CheckName::Fixed(name)
    }
}

impl From<String> for CheckName {
    fn from(name: String) -> CheckName {
        CheckName::Other(name)
    }
}

impl CheckResult {
    pub fn new(check: impl Into<CheckName>, verdict: Verdict) -> CheckResult {
        CheckResult {
            check: check.into(),
            verdict,
        }
    }

    /// The same check named as part of `step` (e.g. `step 2 HentSag: outcome`).
    pub fn within(self, step: &str) -> CheckResult {
        CheckResult {
            check: format!("{step}: {}", self.check).into(),
            verdict: self.verdict,
        }
    }
}

/// A value a sequence step states for its response: the value at `path` is `expected`.
pub fn value_check(path: &XmlPath, got: Option<&str>, expected: &str) -> CheckResult {
    let verdict = match got {
        Some(got) if got == expected => Verdict::Pass,
        Some(got) => Verdict::Fail(format!(
            "{}: expected `{expected}` (stated by the sequence), got `{got}`",
            path.as_str()
        )),
        None => Verdict::Fail(format!(
            "{} is missing; the sequence expects `{expected}`",
            path.as_str()
        )),
    };
    CheckResult::new(format!("value {}", path.as_str()), verdict)
}

/// The overall verdict of a case: the worst of its checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Passed,
    Failed,
    CouldNotTest,
}

/// What came back over the wire, as far as the checks care.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    pub status: u16,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
}

/// Everything the checks need to know about the case being judged.
pub struct Context<'a> {
    pub contract: &'a Contract,
    pub operation: &'a Operation,
    /// The expectation the case states, if any; otherwise the contract's rules decide.
    pub stated: Option<Expectation>,
    /// The provider's "today" (the injectable clock), for date rules.
    pub today: NaiveDate,
    /// The contract's compiled schema set.
    pub schemas: &'a SchemaSet,
    /// The operation's responses so far, when a run keeps them: a response with the same
    /// markup as the first is refilled from it instead of parsed.
    pub responses: Option<&'a Recurring<Option<Lesson>>>,
}

/// A document kept for refilling, with what validating it taught (see [`validate`]).
pub type Sample = Refillable<Option<Lesson>>;

/// Validates `element`. For a document refilled from `sample`, whose markup is the sample's,
/// the sample is validated once and, when that settles it, the refill only by its new values.
fn validate(
    schemas: &SchemaSet,
    element: roxmltree::Node,
    sample: Option<&Sample>,
) -> ValidationReport {
    if let Some(sample) = sample {
        let lesson = sample.learned(|doc, holes| {
            let same_element = doc.get_node(element.id())?;
            schemas.learn(same_element, holes)
        });
        if lesson
            .as_ref()
            .is_some_and(|lesson| schemas.valid_by_lesson(lesson, element))
        {
            return ValidationReport {
                errors: Vec::new(),
                truncated: false,
            };
        }
    }
    schemas.validate_element(element)
}

/// The checks of one case and the canonical response for review.
#[derive(Debug, Clone, Serialize)]
pub struct Judgement {
    pub expectation: Expectation,
    pub checks: Vec<CheckResult>,
    #[serde(skip)]
    pub canonical_response: Option<String>,
}

impl Judgement {
    /// A judgement for a case that could not be sent at all; `stage` names what failed.
    pub fn could_not_test(stage: &str, message: String) -> Judgement {
        Judgement {
            expectation: Expectation::Success,
            checks: vec![CheckResult::new(stage.to_owned(), Verdict::Error(message))],
            canonical_response: None,
        }
    }

    pub fn outcome(&self) -> Outcome {
        let mut outcome = Outcome::Passed;
        for check in &self.checks {
            let this = match check.verdict {
                Verdict::Fail(_) => Outcome::Failed,
                Verdict::Error(_) => Outcome::CouldNotTest,
                Verdict::Pass | Verdict::NotRun(_) => Outcome::Passed,
            };
            // A definite conformance failure outranks "could not test".
            outcome = match (outcome, this) {
                (Outcome::Failed, _) | (_, Outcome::Failed) => Outcome::Failed,
                (a, b) => a.max(b),
            };
        }
        outcome
    }

    /// The first failing or erroring check, for one-line summaries.
    pub fn first_problem(&self) -> Option<&CheckResult> {
        self.checks
            .iter()
            .find(|c| matches!(c.verdict, Verdict::Fail(_)))
            .or_else(|| {
                self.checks
                    .iter()
                    .find(|c| matches!(c.verdict, Verdict::Error(_)))
            })
    }
}

/// What the provider must answer: the case's stated expectation, else a fault when a request
/// rule is broken, else success. Returns the reason when the rules decided.
pub fn expectation(ctx: &Context, request: roxmltree::Node) -> (Expectation, Option<String>) {
    let broken = ctx
        .operation
        .rules
        .iter()
        .filter(|r| r.judges(RuleScope::Request))
        .find_map(|r| rules::request_violation(r, request, ctx.today));
    match (ctx.stated, broken) {
        (Some(Expectation::ReceiptOrFault), Some(reason)) => (Expectation::Fault, Some(reason)),
        (Some(stated), reason) => (stated, reason),
        (None, Some(reason)) => (Expectation::Fault, Some(reason)),
        (None, None) => (Expectation::Success, None),
    }
}

/// Judges one exchange. `request_text` is the payload element that was sent; `answer` is what
/// came back or the transport failure.
pub fn judge(ctx: &Context, request_text: &str, answer: Result<Answer, String>) -> Judgement {
    match crate::xml::parse(request_text) {
        Ok(doc) => judge_request(ctx, doc.root_element(), None, answer, Canonical::Always),
        Err(e) => Judgement {
            expectation: ctx.stated.unwrap_or(Expectation::Success),
            checks: vec![CheckResult::new(
                "request",
                Verdict::Error(format!("request is not XML: {e}")),
            )],
            canonical_response: None,
        },
    }
}

/// When a judgement carries the canonical response (it is for review, not a check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Canonical {
    Always,
    /// Only when the exchange did not pass: a soak keeps a passing trial's first repetition and
    /// needs no canonical form of the others.
    UnlessPassed,
}

/// [`judge`] for a request the caller has already parsed (the runner parses each payload once,
/// before sending it).
pub fn judge_request(
    ctx: &Context,
    request: roxmltree::Node,
    request_sample: Option<&Sample>,
    answer: Result<Answer, String>,
    canonical: Canonical,
) -> Judgement {
    // transport, envelope, content-type, outcome, the two schemas, then one per response rule
    let mut checks = Vec::with_capacity(6 + ctx.operation.rules.len());
    let (expectation, why) = expectation(ctx, request);
    let judgement = |checks, canonical_response| Judgement {
        expectation,
        checks,
        canonical_response,
    };

    let answer = match answer {
        Ok(answer) => {
            checks.push(CheckResult::new("transport", Verdict::Pass));
            answer
        }
        Err(message) => {
            checks.push(CheckResult::new("transport", Verdict::Error(message)));
            return judgement(checks, None);
        }
    };

    // Checked with SIMD: every response body is, whole, before it is parsed.
    let Ok(text) = simdutf8::basic::from_utf8(answer.body) else {
        checks.push(CheckResult::new(
            "envelope",
            Verdict::Fail(format!("HTTP {}: the body is not UTF-8", answer.status)),
        ));
        return judgement(checks, None);
    };
    let parsed = match ctx.responses {
        Some(responses) => responses.parse(text),
        None => crate::xml::parse(text).map(crate::xml::Parsed::from),
    };
    let (doc, response_sample) = match parsed {
        Ok(parsed) => (parsed.doc, parsed.refilled_from),
        Err(e) => {
            checks.push(CheckResult::new(
                "envelope",
                Verdict::Fail(format!(
                    "HTTP {} {}: {e}; body starts {:?}",
                    answer.status,
                    answer.content_type.unwrap_or("(no content-type)"),
                    text.chars().take(80).collect::<String>()
                )),
            ));
            return judgement(checks, None);
        }
    };
    let envelope = match Envelope::read(&doc) {
        Ok(envelope) if envelope.version == ctx.contract.service.soap => envelope,
        Ok(envelope) => {
            checks.push(CheckResult::new(
                "envelope",
                Verdict::Fail(format!(
                    "the contract says {}, the answer is {}",
                    ctx.contract.service.soap, envelope.version
                )),
            ));
            return judgement(checks, None);
        }
        Err(e) => {
            checks.push(CheckResult::new("envelope", Verdict::Fail(e.to_string())));
            return judgement(checks, None);
        }
    };
    checks.push(CheckResult::new("envelope", Verdict::Pass));
    checks.push(CheckResult::new(
        "content-type",
        content_type_verdict(ctx, &answer),
    ));
    let fault = envelope.fault();
    checks.push(CheckResult::new(
        "outcome",
        outcome_verdict(
            ctx,
            expectation,
            why.as_deref(),
            &answer,
            envelope,
            fault.as_ref(),
        ),
    ));
    checks.push(CheckResult::new(
        "request schema",
        request_schema_verdict(ctx, expectation, request, request_sample),
    ));
    checks.push(CheckResult::new(
        "response schema",
        response_schema_verdict(ctx, envelope, fault.is_some(), response_sample),
    ));
    if expectation != Expectation::Fault && fault.is_none() {
        let operation = ctx.operation;
        for (rule, description) in operation.rules.iter().zip(&operation.rule_descriptions) {
            if rule.judges(RuleScope::Response) {
                checks.push(CheckResult::new(
                    CheckName::Rule(description.clone()),
                    rules::response_verdict(rule, request, envelope.body_child, ctx.today),
                ));
            }
        }
    }
    let mut judged = judgement(checks, None);
    if canonical == Canonical::Always || judged.outcome() != Outcome::Passed {
        let mut prefixes = ctx.contract.preferred_prefixes();
        prefixes
            .entry(envelope.version.namespace().to_owned())
            .or_insert_with(|| "soap".to_owned());
        judged.canonical_response = Some(canonicalize(envelope.body_child, &prefixes));
    }
    judged
}

/// How many validator messages a verdict quotes; the report keeps the count.
const QUOTED_SCHEMA_ERRORS: usize = 3;

fn schema_summary(report: &ValidationReport) -> String {
    let quoted: Vec<String> = report
        .errors
        .iter()
        .take(QUOTED_SCHEMA_ERRORS)
        .map(ToString::to_string)
        .collect();
    let more = report.errors.len().saturating_sub(QUOTED_SCHEMA_ERRORS);
    let tail = match (more, report.truncated) {
        (0, false) => String::new(),
        (n, false) => format!(" (and {n} more)"),
        (n, true) => format!(" (and {n}+ more)"),
    };
    format!("{}{tail}", quoted.join("; "))
}

/// A request the contract's schemas reject cannot certify anything when success is expected
/// (the golden or generated case is wrong); in a negative case it may be invalid by design.
fn request_schema_verdict(
    ctx: &Context,
    expectation: Expectation,
    request: roxmltree::Node,
    sample: Option<&Sample>,
) -> Verdict {
    let report = validate(ctx.schemas, request, sample);
    match (report.is_valid(), expectation) {
        (true, _) => Verdict::Pass,
        (false, Expectation::Fault) => Verdict::NotRun(format!(
            "negative case, request not schema-valid: {}",
            schema_summary(&report)
        )),
        (false, Expectation::Success | Expectation::ReceiptOrFault) => Verdict::Error(format!(
            "the request is not schema-valid, so it cannot judge the provider: {}",
            schema_summary(&report)
        )),
    }
}

/// The response payload, or a fault's declared detail element, must be schema-valid.
fn response_schema_verdict(
    ctx: &Context,
    envelope: Envelope,
    is_fault: bool,
    sample: Option<&Sample>,
) -> Verdict {
    let target = if is_fault {
        let Some(detail) = &ctx.contract.service.fault else {
            return Verdict::NotRun("the contract declares no fault detail element".into());
        };
        match envelope
            .body_child
            .descendants()
            .find(|n| detail.matches(*n))
        {
            Some(node) => node,
            None => return Verdict::Fail(format!("the fault carries no {detail} detail")),
        }
    } else {
        envelope.body_child
    };
    let report = validate(ctx.schemas, target, sample);
    if report.is_valid() {
        Verdict::Pass
    } else {
        Verdict::Fail(schema_summary(&report))
    }
}

fn content_type_verdict(ctx: &Context, answer: &Answer) -> Verdict {
    let expected = ctx.contract.service.soap.media_type();
    let media_type = answer
        .content_type
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    match media_type {
        Some(m) if m == expected => Verdict::Pass,
        Some(m) => Verdict::Fail(format!(
            "Content-Type is `{m}`; {} requires `{expected}`",
            ctx.contract.service.soap
        )),
        None => Verdict::Fail(format!(
            "no Content-Type; {} requires `{expected}`",
            ctx.contract.service.soap
        )),
    }
}

fn outcome_verdict(
    ctx: &Context,
    expectation: Expectation,
    why: Option<&str>,
    answer: &Answer,
    envelope: Envelope,
    fault: Option<&Result<Fault, crate::soap::SoapError>>,
) -> Verdict {
    let because = why.map(|w| format!(" ({w})")).unwrap_or_default();
    match (expectation, fault) {
        (Expectation::Fault | Expectation::ReceiptOrFault, Some(Ok(fault))) => {
            // SOAP 1.1 §6.2 and SOAP 1.2 both put faults on HTTP 500.
            if answer.status == 500 {
                Verdict::Pass
            } else {
                Verdict::Fail(format!(
                    "fault `{fault}` came with HTTP {}, expected 500",
                    answer.status
                ))
            }
        }
        (_, Some(Err(e))) => Verdict::Fail(e.to_string()),
        (Expectation::Fault, None) => Verdict::Fail(format!(
            "expected a SOAP fault{because}, got {} with HTTP {}",
            clark_name(envelope.body_child),
            answer.status
        )),
        (Expectation::Success, Some(Ok(fault))) => Verdict::Fail(format!(
            "expected {}, got fault `{fault}` (HTTP {})",
            ctx.operation.response, answer.status
        )),
        (Expectation::Success | Expectation::ReceiptOrFault, None) => {
            if !ctx.operation.response.matches(envelope.body_child) {
                Verdict::Fail(format!(
                    "expected response element {}, got {} (HTTP {})",
                    ctx.operation.response,
                    clark_name(envelope.body_child),
                    answer.status
                ))
            } else if answer.status != 200 {
                Verdict::Fail(format!(
                    "response came with HTTP {}, expected 200",
                    answer.status
                ))
            } else {
                Verdict::Pass
            }
        }
    }
}
