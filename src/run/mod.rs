//! Running cases: selecting trials, sending each case to the endpoint, judging the answer, and
//! turning the verdicts into output, reports and an exit status.

mod progress;
mod suite;

pub use progress::{Progress, case_line};
pub use suite::{Suite, SuiteError};

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use reqwest::Url;
use reqwest::header::HeaderName;

use crate::cases::{Case, Variables};
use crate::checks::{self, Answer, Judgement, Outcome};
use crate::client::{Client, ClientOptions};
use crate::report::{CaseRecord, RunRecord};
use crate::soap::security::{CallDetails, CallerIdentity, SecurityError};

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

/// Today's date in Europe/Copenhagen, the platform's calendar.
pub fn copenhagen_today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Europe::Copenhagen)
        .date_naive()
}

/// Sends cases and judges the answers. Cheap to share between tasks.
pub struct Runner {
    suite: Arc<Suite>,
    client: Client,
    options: RunOptions,
}

/// The result of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub case: Case,
    pub judgement: Judgement,
    pub duration: Duration,
    /// The envelope sent, as it may be shown and stored: the SAML assertion is redacted.
    pub request: Option<String>,
}

impl Runner {
    /// Fails before any request when the TLS material cannot be loaded.
    pub fn new(suite: Arc<Suite>, options: RunOptions) -> Result<Runner, RunError> {
        let client = Client::new(&options.client)?;
        Ok(Runner {
            suite,
            client,
            options,
        })
    }

    pub fn options(&self) -> &RunOptions {
        &self.options
    }

    /// Runs one case end to end. Problems on our side (unreadable golden file, bad contract)
    /// come back as a "could not test" verdict naming the file, never as a panic.
    pub async fn run_case(&self, case: &Case) -> CaseResult {
        let started = Instant::now();
        let (judgement, request) = self.judge_case(case).await;
        CaseResult {
            case: case.clone(),
            judgement,
            duration: started.elapsed(),
            request,
        }
    }

    /// The judgement, and the display copy of the envelope when one was sent.
    async fn judge_case(&self, case: &Case) -> (Judgement, Option<String>) {
        let (contract, operation) = match self.suite.operation_of(case) {
            Ok(found) => found,
            Err(e) => return (Judgement::could_not_test("case", e.to_string()), None),
        };
        let variables = Variables {
            authority_cvr: self.options.caller.authority.cvr(),
            message_id: uuid::Uuid::new_v4().to_string(),
            now: Utc::now()
                .with_timezone(&chrono_tz::Europe::Copenhagen)
                .fixed_offset(),
            today: self.options.today,
        };
        let payload = match case.render(&variables) {
            Ok(payload) => payload,
            Err(e) => return (Judgement::could_not_test("request", e.to_string()), None),
        };
        let ctx = checks::Context {
            contract,
            operation,
            stated: case.expect,
            today: self.options.today,
        };
        let url = match service_url(&self.options.endpoint, &contract.service.path) {
            Ok(url) => url,
            Err(e) => return (Judgement::could_not_test("endpoint", e), None),
        };
        let version = contract.service.soap;
        let call = CallDetails {
            action: &operation.soap_action,
            to: url.as_str(),
            message_id: &uuid::Uuid::new_v4().to_string(),
            transaction_id: &uuid::Uuid::new_v4().to_string(),
            now: variables.now,
        };
        let envelope = match self.options.caller.secure(
            version,
            &contract.service.security,
            &contract.service.headers,
            &payload,
            &call,
        ) {
            Ok(envelope) => envelope,
            Err(e) => return (Judgement::could_not_test("request", e.to_string()), None),
        };
        let headers: Vec<(HeaderName, String)> = version
            .http_headers(&operation.soap_action)
            .into_iter()
            .map(|(name, value)| (HeaderName::from_static(name), value))
            .collect();
        let judgement = match self
            .client
            .post(&url, &headers, envelope.sent.into_bytes())
            .await
        {
            Ok(exchange) => {
                let content_type = exchange
                    .headers
                    .get(reqwest::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok());
                let answer = Answer {
                    status: exchange.status.as_u16(),
                    content_type,
                    body: &exchange.body,
                };
                checks::judge(&ctx, &payload, Ok(answer))
            }
            Err(e) => checks::judge(&ctx, &payload, Err(e.to_string())),
        };
        (judgement, Some(envelope.display))
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
    mut on_result: impl FnMut(&CaseResult) + Send,
) -> (Vec<CaseResult>, bool) {
    // Ctrl-C only counts once the future has been polled, so poll it before any case starts.
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut interrupted = tokio::select! {
        biased;
        _ = &mut ctrl_c => true,
        _ = std::future::ready(()) => false,
    };
    let semaphore = Arc::new(tokio::sync::Semaphore::new(runner.options.jobs.max(1)));
    let results = Arc::new(Mutex::new(Vec::with_capacity(cases.len())));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, case) in cases.into_iter().enumerate() {
        let runner = runner.clone();
        let semaphore = semaphore.clone();
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            (index, runner.run_case(&case).await)
        });
    }
    while !interrupted {
        tokio::select! {
            next = tasks.join_next() => match next {
                Some(Ok((index, result))) => {
                    on_result(&result);
                    if let Ok(mut results) = results.lock() {
                        results.push((index, result));
                    }
                }
                Some(Err(_)) => {}
                None => break,
            },
            _ = &mut ctrl_c => {
                interrupted = true;
                tasks.abort_all();
                break;
            }
        }
    }
    let mut gathered = results
        .lock()
        .map(|mut r| std::mem::take(&mut *r))
        .unwrap_or_default();
    gathered.sort_by_key(|(index, _)| *index);
    (gathered.into_iter().map(|(_, r)| r).collect(), interrupted)
}

/// The exit status for a finished (or interrupted) run.
pub fn exit_status(results: &[CaseResult], interrupted: bool) -> ExitStatus {
    if interrupted {
        return ExitStatus::Interrupted;
    }
    let worst = results.iter().map(|r| r.judgement.outcome()).max();
    match worst {
        None | Some(Outcome::Passed) => ExitStatus::Passed,
        _ if results
            .iter()
            .any(|r| r.judgement.outcome() == Outcome::Failed) =>
        {
            ExitStatus::ConformanceFailure
        }
        _ => ExitStatus::CouldNotTest,
    }
}

/// The report model of a run.
pub fn record(
    runner: &Runner,
    run_id: &str,
    results: &[CaseResult],
    interrupted: bool,
    duration: Duration,
) -> RunRecord {
    RunRecord {
        run_id: run_id.to_owned(),
        harness_version: env!("CARGO_PKG_VERSION").to_owned(),
        endpoint: runner.options.endpoint.to_string(),
        today: runner.options.today,
        interrupted,
        duration_ms: duration.as_millis() as u64,
        cases: results
            .iter()
            .map(|r| CaseRecord {
                name: r.case.name.clone(),
                service: r.case.service.clone(),
                operation: r.case.operation.clone(),
                kind: r.case.kind.as_str().to_owned(),
                source: r.case.source.display().to_string(),
                outcome: r.judgement.outcome(),
                expectation: r.judgement.expectation,
                checks: r.judgement.checks.clone(),
                duration_ms: r.duration.as_millis() as u64,
                canonical_response: r.judgement.canonical_response.clone(),
            })
            .collect(),
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
}
