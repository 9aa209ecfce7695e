//! Running cases: selecting trials, sending each case to the endpoint, judging the answer, and
//! turning the verdicts into output, reports and an exit status.

pub mod baseline;
mod generated;
mod progress;
mod schema;
mod suite;

pub use generated::{
    DEFAULT_CASES, Generation, Regression, line_diff, random_seed,
    replay_command as replay_generated, trial_seed,
};
pub use progress::{Progress, case_line};
pub use suite::{Suite, SuiteError};

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use hyper::header::{CONTENT_TYPE, HeaderName};
use url::Url;

use crate::cases::{Case, CaseKind, Plan, Side, Step, Templates, Variables};
use crate::checks::{self, Answer, Canonical, Judgement, Outcome, Verdict};
use crate::client::{Client, ClientOptions, RequestHeaders, Target};
use crate::contract::{Contract, Operation};
use crate::domain::calendar::local_time_in_copenhagen;
use crate::report::{CaseRecord, RunRecord};
use crate::soap::security::{CallDetails, CallStamp, CallerIdentity, SecurityError};
use crate::xml::{Parsed, Recurring};
use crate::xsd::{CompileOptions, Lesson, SchemaSet};

/// How the process ends, as the exit code tells CI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Passed = 0,
    ConformanceFailure = 1,
    CouldNotTest = 2,
    Interrupted = 130,
}

impl ExitStatus {
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// Everything a run needs besides the suite.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Base URL below which each contract's service path lives, e.g.
    /// `https://exttest.serviceplatformen.dk/service/`.
    pub endpoint: Url,
    /// The provider's "today"; for the embedded provider the same date is injected there.
    pub today: NaiveDate,
    /// Who the calls are made as: authority, invocation context, SAML token.
    pub caller: CallerIdentity,
    pub jobs: usize,
    pub client: ClientOptions,
    pub reports_dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Suite(#[from] SuiteError),
    #[error("{0}")]
    Client(#[from] crate::client::ClientError),
    #[error("cannot write the report: {0}")]
    Report(#[from] crate::report::ReportError),
    #[error("no trial matches the filter")]
    NothingSelected,
    #[error(transparent)]
    Security(#[from] SecurityError),
}

/// Sends cases and judges the answers. Cheap to share between tasks.
pub struct Runner {
    suite: Arc<Suite>,
    client: Client,
    options: RunOptions,
    /// Each contract's schema set, compiled on first use (listing and `--exact` never pay for
    /// the services they do not run) and then shared by every case.
    schemas: BTreeMap<String, OnceLock<Result<SchemaSet, String>>>,
    /// Each contract's service URL, joined and prepared for requests once.
    targets: BTreeMap<String, Result<Target, String>>,
    /// What each operation's exchanges share, by contract and operation name.
    operations: BTreeMap<String, BTreeMap<String, OperationState>>,
    /// Request files read once per run, not once per repetition.
    templates: Templates,
    generation: Generation,
    /// Whether results keep what went over the wire (for the evidence bundle); without it a
    /// result holds only its verdict, so memory does not grow with the bodies of many cases.
    keep_exchanges: bool,
    /// The run folder a trial's canonical response is written to once its verdict is final.
    responses_to: Option<PathBuf>,
}

/// What the exchanges of one operation share.
struct OperationState {
    /// The HTTP headers (Content-Type, SOAPAction): the same for every request of the
    /// operation, so checked and encoded once.
    headers: Result<RequestHeaders, String>,
    /// The responses so far: a later one with the first one's markup is refilled from it.
    responses: Recurring<Option<Lesson>>,
}

/// The result of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub case: Arc<Case>,
    pub judgement: Judgement,
    pub duration: Duration,
    /// The SOAP envelopes sent (one per step), when the case got that far.
    pub request: Option<String>,
    /// The response bodies that came back (one per step).
    pub response: Option<Vec<u8>>,
}

/// What went over the wire for one case, kept for the evidence bundle. A sequence appends one
/// entry per step.
struct Exchanged {
    requests: Vec<String>,
    responses: Vec<Vec<u8>>,
    /// Whether a passing judgement may leave out the canonical response (nobody keeps it).
    canonical: Canonical,
}

impl Default for Exchanged {
    /// For attempts whose judgement is only kept when it fails (a property trial's values).
    fn default() -> Exchanged {
        Exchanged {
            requests: Vec::new(),
            responses: Vec::new(),
            canonical: Canonical::UnlessPassed,
        }
    }
}

impl Exchanged {
    fn into_parts(self) -> (Option<String>, Option<Vec<u8>>) {
        let request = (!self.requests.is_empty()).then(|| self.requests.join("\n"));
        let response = (!self.responses.is_empty()).then(|| self.responses.join(&b'\n'));
        (request, response)
    }
}

impl Runner {
    /// Fails before any request when the TLS material cannot be loaded.
    pub fn new(suite: Arc<Suite>, options: RunOptions) -> Result<Runner, RunError> {
        let client = Client::new(&options.client)?;
        let schemas = suite
            .contracts
            .iter()
            .map(|c| (c.key.clone(), OnceLock::new()))
            .collect();
        let targets = suite
            .contracts
            .iter()
            .map(|c| {
                let url = service_url(&options.endpoint, &c.service.path);
                (c.key.clone(), url.map(|url| client.target(url)))
            })
            .collect();
        let operations = suite
            .contracts
            .iter()
            .map(|c| (c.key.clone(), operation_states(c)))
            .collect();
        Ok(Runner {
            suite,
            client,
            options,
            schemas,
            targets,
            operations,
            templates: Templates::default(),
            generation: Generation::default(),
            keep_exchanges: true,
            responses_to: None,
        })
    }

    /// Sets the seed, case count and regressions folder of generated trials.
    pub fn with_generation(mut self, generation: Generation) -> Runner {
        self.generation = generation;
        self
    }

    /// Whether results keep the requests and responses (default: they do). Only an evidence
    /// bundle needs them.
    pub fn keeping_exchanges(mut self, keep: bool) -> Runner {
        self.keep_exchanges = keep;
        self
    }

    /// Writes each trial's canonical response into the run folder `dir` as soon as the trial's
    /// verdict is final (it runs once), instead of keeping it for the report writer.
    pub fn writing_responses_to(mut self, dir: PathBuf) -> Runner {
        self.responses_to = Some(dir);
        self
    }

    /// Moves a final result's canonical response to disk. When that fails the response stays in
    /// the result, and the report writer, which runs after the summary, reports the error.
    fn write_canonical_response(&self, result: &mut CaseResult) {
        let Some(dir) = &self.responses_to else {
            return;
        };
        if let Some(text) = &result.judgement.canonical_response
            && crate::report::write_canonical_response(dir, &result.case.name, text).is_ok()
        {
            result.judgement.canonical_response = None;
        }
    }

    pub fn generation(&self) -> &Generation {
        &self.generation
    }

    pub fn options(&self) -> &RunOptions {
        &self.options
    }

    /// The contract's compiled schema set; a schema that does not compile makes every case of
    /// the service "could not test", with the compiler's message naming file, line and rule.
    fn schemas_of(&self, contract: &Contract) -> Result<&SchemaSet, String> {
        let cell = self
            .schemas
            .get(&contract.key)
            .ok_or_else(|| format!("no contract `{}`", contract.key))?;
        cell.get_or_init(|| {
            SchemaSet::compile(&contract.service.schemas, &CompileOptions::default())
                .map_err(|e| format!("{}: schema does not compile: {e}", contract.file.display()))
        })
        .as_ref()
        .map_err(Clone::clone)
    }

    /// Runs one case end to end. Problems on our side (unreadable golden file, bad contract)
    /// come back as a "could not test" verdict naming the file, never as a panic.
    pub async fn run_case(&self, case: &Case) -> CaseResult {
        self.run_shared_case(Arc::new(case.clone()), Canonical::Always)
            .await
    }

    /// [`Runner::run_case`] for a case shared by its repetitions, which the result then points to
    /// instead of copying it.
    async fn run_shared_case(&self, case: Arc<Case>, canonical: Canonical) -> CaseResult {
        let started = Instant::now();
        let mut exchanged = Exchanged {
            canonical,
            ..Exchanged::default()
        };
        let judgement = self.judge_case(&case, &mut exchanged).await;
        let (request, response) = if self.keep_exchanges {
            exchanged.into_parts()
        } else {
            (None, None)
        };
        CaseResult {
            case,
            judgement,
            duration: started.elapsed(),
            request,
            response,
        }
    }

    async fn judge_case(&self, case: &Case, exchanged: &mut Exchanged) -> Judgement {
        match &case.plan {
            Plan::Single => self.judge_single(case, exchanged).await,
            Plan::Sequence(steps) => self.judge_sequence(case, steps, exchanged).await,
            Plan::Generated(generated) if generated.edge.is_some() => {
                self.judge_edge(case, generated, exchanged).await
            }
            Plan::Generated(generated) => {
                tokio::task::block_in_place(|| self.judge_property(case, generated, exchanged))
            }
            Plan::Schema(trial) => {
                tokio::task::block_in_place(|| self.judge_schema(case, *trial, exchanged))
            }
        }
    }

    fn variables(&self, captured: BTreeMap<String, String>) -> Variables {
        Variables {
            authority_cvr: self.options.caller.authority.cvr(),
            message_id: uuid::Uuid::new_v4().to_string(),
            now: local_time_in_copenhagen(Utc::now()),
            today: self.options.today,
            captured,
        }
    }

    async fn judge_single(&self, case: &Case, exchanged: &mut Exchanged) -> Judgement {
        let (contract, operation) = match self.suite.operation_of(case) {
            Ok(found) => found,
            Err(e) => return Judgement::could_not_test("case", e.to_string()),
        };
        let variables = self.variables(BTreeMap::new());
        let rendered = self
            .templates
            .get(&case.source)
            .and_then(|template| Ok((template.render(&variables)?, template)));
        let (payload, template) = match rendered {
            Ok(rendered) => rendered,
            Err(e) => return Judgement::could_not_test("request", e.to_string()),
        };
        let request = template.parse(&payload, &variables);
        self.exchange_parsed(contract, operation, case.expect, &request, exchanged)
            .await
            .0
    }

    /// Runs the steps in order on one endpoint, stopping at the first step that does not pass
    /// (later steps depend on its effect). Every check is named after its step.
    async fn judge_sequence(
        &self,
        case: &Case,
        steps: &[Step],
        exchanged: &mut Exchanged,
    ) -> Judgement {
        // A failing step's canonical form is read after those of the steps before it.
        exchanged.canonical = Canonical::Always;
        let mut checks = Vec::new();
        let mut canonical = String::new();
        let mut captured = BTreeMap::new();
        for (index, step) in steps.iter().enumerate() {
            let label = format!("step {} {}", index + 1, step.operation);
            let Some((contract, operation)) = self
                .suite
                .contract_operation(&case.service, &step.operation)
            else {
                return Judgement::could_not_test(
                    &label,
                    format!("no operation {}", step.operation),
                );
            };
            let variables = self.variables(captured.clone());
            let rendered = self
                .templates
                .get(&step.request)
                .and_then(|template| Ok((template.render(&variables)?, template)));
            let (payload, template) = match rendered {
                Ok(rendered) => rendered,
                Err(e) => return Judgement::could_not_test(&label, e.to_string()),
            };
            let request = template.parse(&payload, &variables);
            let (judgement, body) = self
                .exchange_parsed(contract, operation, step.expect, &request, exchanged)
                .await;
            let passed = judgement.outcome() == Outcome::Passed;
            checks.extend(judgement.checks.into_iter().map(|c| c.within(&label)));
            if let Some(response) = judgement.canonical_response {
                canonical.push_str(&format!("<!-- {label} -->\n{response}\n"));
            }
            if !passed {
                break;
            }
            let response = body
                .and_then(|b| std::str::from_utf8(b).ok())
                .and_then(|b| crate::xml::parse(b).ok());
            let response_payload = response
                .as_ref()
                .and_then(|doc| crate::soap::Envelope::read(doc).ok())
                .map(|envelope| envelope.body_child);
            for check in &step.checks {
                let expected = match variables.expand(&check.equals) {
                    Ok(expected) => expected,
                    Err(e) => return Judgement::could_not_test(&label, e.to_string()),
                };
                let got = response_payload.and_then(|r| check.path.first_value(r));
                checks.push(
                    checks::value_check(&check.path, got.as_deref(), &expected).within(&label),
                );
            }
            for capture in &step.captures {
                let from = match capture.from {
                    Side::Request => request.as_ref().ok().map(|p| p.doc.root_element()),
                    Side::Response => response_payload,
                };
                match from.and_then(|node| capture.path.first_value(node)) {
                    Some(value) => {
                        captured.insert(capture.name.clone(), value.into_owned());
                    }
                    None => {
                        checks.push(checks::CheckResult::new(
                            format!("{label}: capture {}", capture.name),
                            Verdict::Fail(format!(
                                "nothing at {} to capture",
                                capture.path.as_str()
                            )),
                        ));
                        break;
                    }
                }
            }
        }
        Judgement {
            expectation: crate::cases::Expectation::Success,
            checks,
            canonical_response: (!canonical.is_empty()).then_some(canonical),
        }
    }

    /// Sends one payload and judges the answer; also returns the response body when there was
    /// one, for captures.
    async fn exchange<'e>(
        &self,
        contract: &Contract,
        operation: &Operation,
        stated: Option<crate::cases::Expectation>,
        payload: &str,
        exchanged: &'e mut Exchanged,
    ) -> (Judgement, Option<&'e [u8]>) {
        let request = crate::xml::parse(payload).map(Parsed::from);
        self.exchange_parsed(contract, operation, stated, &request, exchanged)
            .await
    }

    /// [`Runner::exchange`] for a payload already parsed (by its template, which refills the
    /// payloads of a soak's repetitions instead of parsing each).
    async fn exchange_parsed<'e>(
        &self,
        contract: &Contract,
        operation: &Operation,
        stated: Option<crate::cases::Expectation>,
        request: &Result<Parsed<'_, Option<Lesson>>, crate::xml::XmlError>,
        exchanged: &'e mut Exchanged,
    ) -> (Judgement, Option<&'e [u8]>) {
        // Parsed before anything is sent: a payload a filled-in value made ill-formed never
        // reaches the endpoint, and the checks reuse the tree.
        let (request, sample) = match request {
            Ok(parsed) => (parsed.doc.root_element(), parsed.refilled_from),
            Err(e) => return (Judgement::could_not_test("request", e.to_string()), None),
        };
        let schemas = match self.schemas_of(contract) {
            Ok(schemas) => schemas,
            Err(e) => return (Judgement::could_not_test("schema", e), None),
        };
        let state = self
            .operations
            .get(&contract.key)
            .and_then(|operations| operations.get(&operation.name));
        let Some(state) = state else {
            let e = format!("no operation `{}` in `{}`", operation.name, contract.key);
            return (Judgement::could_not_test("endpoint", e), None);
        };
        let ctx = checks::Context {
            contract,
            operation,
            stated,
            today: self.options.today,
            schemas,
            responses: Some(&state.responses),
        };
        let target = match self.targets.get(&contract.key) {
            Some(Ok(target)) => target,
            Some(Err(e)) => return (Judgement::could_not_test("endpoint", e.clone()), None),
            None => {
                let e = format!("no contract `{}`", contract.key);
                return (Judgement::could_not_test("endpoint", e), None);
            }
        };
        let version = contract.service.soap;
        let call = CallDetails {
            action: &operation.soap_action,
            to: target.url().as_str(),
            stamp: &|| CallStamp {
                message_id: uuid::Uuid::new_v4().to_string(),
                transaction_id: uuid::Uuid::new_v4().to_string(),
                now: local_time_in_copenhagen(Utc::now()),
            },
        };
        let envelope = match self.options.caller.secure(
            version,
            &contract.service.security,
            &contract.service.headers,
            request,
            &call,
        ) {
            Ok(envelope) => envelope,
            Err(e) => return (Judgement::could_not_test("request", e.to_string()), None),
        };
        let canonical = exchanged.canonical;
        // Only the display copy is kept, and only for the evidence bundle: the SAML assertion
        // never reaches reports.
        if self.keep_exchanges {
            exchanged.requests.push(envelope.display().to_owned());
        }
        let sent = match &state.headers {
            Ok(headers) => self
                .client
                .post(target, headers, envelope.sent.into_bytes())
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.clone()),
        };
        match sent {
            Ok(exchange) => {
                let answer = Answer {
                    status: exchange.status.as_u16(),
                    content_type: exchange
                        .headers
                        .get(CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok()),
                    body: &exchange.body,
                };
                let judgement = checks::judge_request(&ctx, request, sample, Ok(answer), canonical);
                exchanged.responses.push(exchange.body);
                (judgement, exchanged.responses.last().map(Vec::as_slice))
            }
            Err(e) => (
                checks::judge_request(&ctx, request, sample, Err(e), canonical),
                None,
            ),
        }
    }
}

/// Fails when a selected case's contract can only be called with identification the caller is
/// not configured with (a token-only service without a SAML token). Used for real endpoints; the
/// embedded reference provider does not check tokens.
pub fn check_caller(
    suite: &Suite,
    cases: &[Case],
    caller: &CallerIdentity,
) -> Result<(), RunError> {
    for contract in &suite.contracts {
        if cases.iter().any(|case| case.service == contract.key) {
            caller.check_usable_for(&contract.key, &contract.service.security)?;
        }
    }
    Ok(())
}

/// The shared state of each of the contract's operations, by name; a SOAPAction HTTP cannot
/// carry fails every exchange of its operation as a transport error.
fn operation_states(contract: &Contract) -> BTreeMap<String, OperationState> {
    let version = contract.service.soap;
    contract
        .operations
        .iter()
        .map(|operation| {
            let headers: Vec<(HeaderName, String)> = version
                .http_headers(&operation.soap_action)
                .into_iter()
                .map(|(name, value)| (HeaderName::from_static(name), value))
                .collect();
            let state = OperationState {
                headers: RequestHeaders::new(&headers).map_err(|e| e.to_string()),
                responses: Recurring::default(),
            };
            (operation.name.clone(), state)
        })
        .collect()
}

/// `base` + the contract's service path; `base` is treated as a folder.
pub fn service_url(base: &Url, path: &str) -> Result<Url, String> {
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        let folder = format!("{}/", base.path());
        base.set_path(&folder);
    }
    base.join(path.trim_start_matches('/'))
        .map_err(|e| format!("cannot join {base} and {path}: {e}"))
}

/// Runs `cases` with at most `jobs` at a time, printing a line per case as it finishes, and
/// stops early on Ctrl-C. Returns the results gathered (in suite order) and whether the run was
/// interrupted.
pub async fn run_cases(
    runner: Arc<Runner>,
    cases: Vec<Case>,
    on_result: impl FnMut(&CaseResult) + Send,
) -> (Vec<CaseResult>, bool) {
    let run = run_repeated(runner, cases, 1, on_result).await;
    (run.results, run.interrupted)
}

/// What [`run_repeated`] gathered.
#[derive(Debug)]
pub struct Repeated {
    /// One result per case, in suite order: its worst repetition (the first of them).
    pub results: Vec<CaseResult>,
    /// Every repetition counted.
    pub repetitions: Repetitions,
    pub interrupted: bool,
}

/// Outcomes counted over every repetition of every case.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Repetitions {
    pub passed: usize,
    pub failed: usize,
    pub could_not_test: usize,
}

impl Repetitions {
    fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::CouldNotTest => self.could_not_test += 1,
        }
    }
}

/// Runs every case `repeat` times (soak testing), at most `jobs` exchanges at a time, calling
/// `on_result` for each repetition. Memory stays flat in `repeat`: `jobs` long-lived workers take
/// the next repetition when they finish one (no task per repetition), at most `jobs` finished
/// results wait to be collected, and per case only its worst repetition is kept.
pub async fn run_repeated(
    runner: Arc<Runner>,
    cases: Vec<Case>,
    repeat: usize,
    mut on_result: impl FnMut(&CaseResult) + Send,
) -> Repeated {
    // Registered before any case starts, so a Ctrl-C can never hit the default handler.
    let interrupt = Interrupt::register();
    let jobs = runner.options.jobs.max(1);
    let total = cases.len() * repeat.max(1);
    let cases: Arc<[Arc<Case>]> = cases.into_iter().map(Arc::new).collect();
    // Per case: whether a repetition is kept, after which a later one only replaces it by
    // failing and so needs no canonical form when it passes.
    let kept_any: Arc<[AtomicBool]> = cases.iter().map(|_| AtomicBool::new(false)).collect();
    let mut kept: Vec<Option<CaseResult>> = (0..cases.len()).map(|_| None).collect();
    let mut repetitions = Repetitions::default();
    let next = Arc::new(AtomicUsize::new(0));
    let (finished, mut collected) = tokio::sync::mpsc::channel(jobs);
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..jobs.min(total) {
        let (runner, cases, kept_any, next, finished) = (
            runner.clone(),
            cases.clone(),
            kept_any.clone(),
            next.clone(),
            finished.clone(),
        );
        workers.spawn(async move {
            loop {
                let started = next.fetch_add(1, Ordering::Relaxed);
                if started >= total {
                    break;
                }
                // Round robin, so every case is exercised from the start of a long soak.
                let index = started % cases.len();
                let canonical = if kept_any[index].load(Ordering::Relaxed) {
                    Canonical::UnlessPassed
                } else {
                    Canonical::Always
                };
                let result = runner
                    .run_shared_case(cases[index].clone(), canonical)
                    .await;
                if finished.send((index, result)).await.is_err() {
                    break;
                }
            }
        });
    }
    drop(finished);
    let mut interrupted = false;
    let ctrl_c = interrupt.received();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            next = collected.recv() => match next {
                Some((index, mut result)) => {
                    on_result(&result);
                    repetitions.count(result.judgement.outcome());
                    // A repetition may still be replaced by a worse one; a single run is final.
                    if repeat <= 1 {
                        runner.write_canonical_response(&mut result);
                    }
                    let slot = &mut kept[index];
                    if slot.as_ref().is_none_or(|k| severity(&result) > severity(k)) {
                        *slot = Some(result);
                        kept_any[index].store(true, Ordering::Relaxed);
                    }
                }
                None => break,
            },
            _ = &mut ctrl_c => {
                interrupted = true;
                workers.abort_all();
                break;
            }
        }
    }
    Repeated {
        results: kept.into_iter().flatten().collect(),
        repetitions,
        interrupted,
    }
}

/// How bad a result is, for keeping a case's worst repetition: a conformance failure outranks
/// "could not test", as in [`Judgement::outcome`].
fn severity(result: &CaseResult) -> u8 {
    match result.judgement.outcome() {
        Outcome::Passed => 0,
        Outcome::CouldNotTest => 1,
        Outcome::Failed => 2,
    }
}

/// The exit status of a finished (or interrupted) run; accepted (baselined) failures do not
/// fail it, but anything that could not be tested does.
pub fn exit_status(run: &RunRecord) -> ExitStatus {
    let tally = run.tally();
    if run.interrupted {
        ExitStatus::Interrupted
    } else if tally.failed > 0 {
        ExitStatus::ConformanceFailure
    } else if tally.could_not_test > 0 {
        ExitStatus::CouldNotTest
    } else {
        ExitStatus::Passed
    }
}

/// The report model of a run, with the hashes and rules of every contract in the suite. Takes the
/// results, so a run of many cases never holds them twice.
pub fn record(
    runner: &Runner,
    run_id: &str,
    results: Vec<CaseResult>,
    interrupted: bool,
    duration: Duration,
) -> Result<RunRecord, RunError> {
    Ok(RunRecord {
        run_id: run_id.to_owned(),
        harness_version: env!("CARGO_PKG_VERSION").to_owned(),
        endpoint: runner.options.endpoint.to_string(),
        today: runner.options.today,
        interrupted,
        duration_ms: duration.as_millis() as u64,
        client_certificate_sha256: runner
            .client
            .client_certificate_thumbprint()
            .map(str::to_owned),
        seed: Some(runner.generation.seed),
        services: crate::report::services(&runner.suite.contracts)?,
        baseline_warnings: Vec::new(),
        cases: results
            .into_iter()
            .map(|r| CaseRecord {
                name: r.case.name.clone(),
                service: r.case.service.clone(),
                operation: r.case.operation.clone(),
                kind: r.case.kind.as_str().to_owned(),
                source: r.case.source.display().to_string(),
                outcome: r.judgement.outcome(),
                expectation: r.judgement.expectation,
                checks: r.judgement.checks,
                duration_ms: r.duration.as_millis() as u64,
                baselined: None,
                seed: (r.case.kind == CaseKind::Property).then_some(runner.generation.seed),
                replay: Some(match r.case.kind {
                    CaseKind::Property => {
                        generated::replay_command(&r.case.name, runner.generation.seed)
                    }
                    _ => replay_command(&r.case.name),
                }),
                canonical_response: r.judgement.canonical_response,
                request: r.request,
                response: r.response,
            })
            .collect(),
    })
}

/// A command line that runs one trial again (add `--endpoint` for a remote provider).
fn replay_command(trial: &str) -> String {
    let safe = trial
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'));
    if safe {
        format!("kontrakt run --exact {trial}")
    } else {
        format!("kontrakt run --exact '{}'", trial.replace('\'', r"'\''"))
    }
}

/// Ctrl-C, listened for from the moment of registration (tokio's `ctrl_c()` only registers
/// when first polled, which is too late once cases are running).
struct Interrupt {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Interrupt {
    fn register() -> Interrupt {
        Interrupt {
            #[cfg(unix)]
            signal: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok(),
        }
    }

    async fn received(mut self) {
        #[cfg(unix)]
        if let Some(signal) = self.signal.as_mut() {
            signal.recv().await;
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_url_treats_the_endpoint_as_a_folder() {
        let join = |base: &str| {
            service_url(&Url::parse(base).unwrap(), "JC/Kontanthjaelp/2")
                .unwrap()
                .to_string()
        };
        assert_eq!(
            join("http://h:1/service"),
            "http://h:1/service/JC/Kontanthjaelp/2"
        );
        assert_eq!(
            join("http://h:1/service/"),
            "http://h:1/service/JC/Kontanthjaelp/2"
        );
        assert_eq!(join("http://h:1"), "http://h:1/JC/Kontanthjaelp/2");
    }

    /// Without an evidence bundle a result keeps its verdict and canonical response but not the
    /// bodies; a soak keeps the canonical form of the repetition it reports.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn results_keep_bodies_only_for_evidence() {
        use crate::reference::{ProviderOptions, spawn};
        use crate::soap::security::AuthorityContext;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let today = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let provider = spawn(ProviderOptions {
            today: Some(today),
            fault: None,
            fixture: root.join("contracts/reference-fixture.toml"),
        })
        .await
        .unwrap();
        let mut suite = Suite::load(&root.join("contracts"), &root.join("golden")).unwrap();
        let trial = "kontanthjaelp::RetBevilling::golden::i-gang-uden-referencer".to_owned();
        let cases = suite.take_selected(std::slice::from_ref(&trial), true);
        let suite = Arc::new(suite);
        let runner = |keep: bool| {
            let options = RunOptions {
                endpoint: Url::parse(&format!("http://{}/service/", provider.addr)).unwrap(),
                today,
                caller: CallerIdentity::new(AuthorityContext::new("29189846").unwrap()),
                jobs: 2,
                client: ClientOptions::default(),
                reports_dir: PathBuf::from("reports"),
            };
            let runner = Runner::new(suite.clone(), options).unwrap();
            Arc::new(runner.keeping_exchanges(keep))
        };
        for keep in [true, false] {
            let run = run_repeated(runner(keep), cases.clone(), 3, |_| {}).await;
            assert_eq!(run.repetitions.passed, 3, "keep {keep}");
            let [result] = &run.results[..] else {
                panic!("one result per trial, got {}", run.results.len());
            };
            assert_eq!(result.request.is_some(), keep);
            assert_eq!(result.response.is_some(), keep);
            assert!(result.judgement.canonical_response.is_some());
        }
    }

    #[test]
    fn replay_commands_quote_only_when_needed() {
        assert_eq!(
            replay_command("a::b::golden::c-1"),
            "kontrakt run --exact a::b::golden::c-1"
        );
        assert_eq!(
            replay_command("a::b::golden::it's x"),
            r"kontrakt run --exact 'a::b::golden::it'\''s x'"
        );
    }
}
