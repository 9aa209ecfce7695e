//! The command line: argument definitions (clap) and one function per command. `main.rs` only
//! parses and calls [`main`]; errors are rendered once, here.

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use url::Url;

use crate::config::{self, ProfileChoice, Settings};
use crate::domain::calendar::Clock;
use crate::hostile::HostileMode;
use crate::report::{Evidence, evidence};
use crate::run::baseline::Baseline;
use crate::run::{self, ExitStatus, Progress, RunOptions, Runner, Suite};
use crate::soap::security::InvocationContextValues;

#[derive(Debug, Parser)]
#[command(
    name = "kontrakt",
    version,
    about = "Contract conformance harness for Serviceplatformen SOAP services"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the conformance cases against an endpoint (default: the embedded reference provider).
    Run(Box<RunArgs>),
    /// Re-run exactly one trial: `kontrakt replay <trial> --seed <s>` (as a failure prints it).
    Replay(Box<RunArgs>),
    /// Run the reference provider standalone.
    Serve(ServeArgs),
    /// List trial names (libtest `--list --format terse` compatible).
    List(ListArgs),
    /// Work with reports and evidence bundles.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Inspect the configuration (kontrakt.toml profiles, KONTRAKT_* variables, flags).
    #[command(subcommand)]
    Config(ConfigCommand),
    /// XML Schema 1.0 tools (kontrakt's own validator, no libxml2).
    #[command(subcommand)]
    Xsd(XsdCommand),
}

#[derive(Debug, Subcommand)]
pub enum XsdCommand {
    /// Validate documents like `xmllint --noout --schema`: exit 0 all valid, 1 some invalid,
    /// 2 schema or file error.
    Validate {
        /// Schema document(s) to compile together.
        #[arg(long, required = true)]
        schema: Vec<PathBuf>,
        /// Instance documents.
        #[arg(required = true)]
        documents: Vec<PathBuf>,
        /// Documents validated at the same time (default: the available parallelism); the
        /// output stays in input order.
        #[arg(long)]
        jobs: Option<NonZeroUsize>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Re-check every hash in an evidence bundle: exit 0 intact, 1 altered, 2 unreadable.
    Verify {
        /// The evidence.tar.gz written by `kontrakt run --evidence`.
        bundle: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the configuration `run` would use, secrets masked, after checking every file it
    /// names (certificates, PKCS#12 password, SAML token). Takes the same options as `run`.
    Check(Box<RunArgs>),
}

#[derive(Debug, Args)]
pub struct SuiteArgs {
    /// Folder with one sub-folder per service holding contract.toml and schemas.
    #[arg(long, default_value = "contracts", env = "KONTRAKT_CONTRACTS")]
    pub contracts: PathBuf,
    /// Folder with golden requests: <service>/<operation>/<case>.xml.
    #[arg(long, default_value = "golden", env = "KONTRAKT_GOLDEN")]
    pub golden: PathBuf,
    /// Run only trials whose name contains one of these (or equals one, with --exact).
    pub filters: Vec<String>,
    /// Match filters exactly.
    #[arg(long)]
    pub exact: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// Base URL of the services, e.g. https://exttest.serviceplatformen.dk/service/ — each
    /// contract's path is appended. Without it, the embedded reference provider is started on
    /// an ephemeral loopback port.
    #[arg(long, env = "KONTRAKT_ENDPOINT")]
    pub endpoint: Option<String>,
    /// The provider's "today" (YYYY-MM-DD); default: today in Europe/Copenhagen.
    #[arg(long, env = "KONTRAKT_TODAY")]
    pub today: Option<NaiveDate>,
    /// CVR number of the authority (municipality) the calls are made for [default: 29189846].
    #[arg(long, env = "KONTRAKT_AUTHORITY_CVR")]
    pub authority_cvr: Option<String>,
    /// Cases run at the same time [default: 4].
    #[arg(long, env = "KONTRAKT_JOBS")]
    pub jobs: Option<usize>,
    /// Seconds allowed for connecting [default: 5].
    #[arg(long, env = "KONTRAKT_CONNECT_TIMEOUT")]
    pub connect_timeout: Option<u64>,
    /// Seconds allowed without receiving a byte [default: 15].
    #[arg(long, env = "KONTRAKT_READ_TIMEOUT")]
    pub read_timeout: Option<u64>,
    /// Seconds allowed for a whole exchange [default: 30].
    #[arg(long, env = "KONTRAKT_TIMEOUT")]
    pub timeout: Option<u64>,
    /// Largest response body accepted, in bytes [default: 16 MiB].
    #[arg(long, env = "KONTRAKT_MAX_RESPONSE_BYTES")]
    pub max_response_bytes: Option<u64>,
    /// Run every selected trial this many times (soak and load testing). Each repetition is
    /// printed and counted in the summary; the reports keep one record per trial, its worst
    /// repetition.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub repeat: u64,
    /// Folder for reports/<run-id>/.
    #[arg(long, default_value = "reports", env = "KONTRAKT_REPORTS")]
    pub reports: PathBuf,
    #[command(flatten)]
    pub tls: TlsArgs,
    #[command(flatten)]
    pub caller: CallerArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Start the embedded reference provider with this fault mode (to see the harness catch it).
    #[arg(long, conflicts_with = "endpoint")]
    pub provider_fault: Option<String>,
    /// TOML file of accepted deviations: listed failures are reported but do not fail the run.
    #[arg(long, env = "KONTRAKT_BASELINE")]
    pub baseline: Option<PathBuf>,
    /// Also write reports/<run-id>/evidence.tar.gz: every request and response with a manifest.
    #[arg(long)]
    pub evidence: bool,
    /// Replace CPR numbers in the evidence bundle with XXXXXX-XXXX.
    #[arg(long, requires = "evidence")]
    pub redact_cpr: bool,
    #[command(flatten)]
    pub generation: GenerationArgs,
}

/// Generated trials: how values are drawn and where failures are remembered.
#[derive(Debug, Args)]
pub struct GenerationArgs {
    /// Global seed of the generated trials [default: random, always printed].
    #[arg(long, env = "KONTRAKT_SEED")]
    pub seed: Option<u64>,
    /// Values per property trial [default: 48].
    #[arg(long, env = "KONTRAKT_CASES")]
    pub cases: Option<u32>,
    /// Folder of regression files (<service>.toml): minimal failing values, replayed first and
    /// appended to on failure. Commit it.
    #[arg(long, default_value = "regressions", env = "KONTRAKT_REGRESSIONS")]
    pub regressions: PathBuf,
}

impl GenerationArgs {
    fn generation(&self) -> run::Generation {
        run::Generation {
            seed: self.seed.unwrap_or_else(run::random_seed),
            cases: self.cases.unwrap_or(run::DEFAULT_CASES),
            regressions: Some(self.regressions.clone()),
        }
    }
}

/// TLS and client identity for HTTPS endpoints (Serviceplatformen requires mutual TLS with the
/// organisation's FOCES/VOCES certificate).
#[derive(Debug, Args)]
pub struct TlsArgs {
    /// PEM bundle of CAs to trust instead of the system roots.
    #[arg(long, env = "KONTRAKT_CA")]
    pub ca: Option<PathBuf>,
    /// Client certificate chain (PEM); needs --client-key.
    #[arg(long, env = "KONTRAKT_CLIENT_CERT", requires = "client_key")]
    pub client_cert: Option<PathBuf>,
    /// Private key of --client-cert (PEM).
    #[arg(long, env = "KONTRAKT_CLIENT_KEY", requires = "client_cert")]
    pub client_key: Option<PathBuf>,
    /// Client identity as PKCS#12 (.p12/.pfx). Its password is read from the environment
    /// variable named by --p12-password-env, or from --p12-password-file; never from argv.
    #[arg(long, env = "KONTRAKT_CLIENT_P12", conflicts_with = "client_cert")]
    pub client_p12: Option<PathBuf>,
    /// Environment variable holding the PKCS#12 password [default: KONTRAKT_P12_PASSWORD].
    #[arg(long)]
    pub p12_password_env: Option<String>,
    /// File holding the PKCS#12 password (one line).
    #[arg(long, env = "KONTRAKT_P12_PASSWORD_FILE")]
    pub p12_password_file: Option<PathBuf>,
    /// Accept any server certificate. INSECURE: for diagnosing a test deployment only.
    #[arg(long)]
    pub insecure: bool,
}

/// Serviceplatformen identification: what goes into the contexts and the WS-Security header.
#[derive(Debug, Args)]
pub struct CallerArgs {
    /// File with the STS-issued SAML assertion, sent in a wsse:Security header to services whose
    /// contract accepts the token model.
    #[arg(long, env = "KONTRAKT_SAML_TOKEN")]
    pub saml_token: Option<PathBuf>,
    /// InvocationContext: service agreement UUID (lower case).
    #[arg(long, env = "KONTRAKT_SERVICE_AGREEMENT_UUID")]
    pub service_agreement_uuid: Option<String>,
    /// InvocationContext: user system UUID.
    #[arg(long, env = "KONTRAKT_USER_SYSTEM_UUID")]
    pub user_system_uuid: Option<String>,
    /// InvocationContext: user UUID.
    #[arg(long, env = "KONTRAKT_USER_UUID")]
    pub user_uuid: Option<String>,
    /// InvocationContext: service UUID.
    #[arg(long, env = "KONTRAKT_SERVICE_UUID")]
    pub service_uuid: Option<String>,
    /// InvocationContext: the user acted for (optional).
    #[arg(long, env = "KONTRAKT_ON_BEHALF_OF_USER")]
    pub on_behalf_of_user: Option<String>,
    /// InvocationContext: accounting information (optional).
    #[arg(long, env = "KONTRAKT_ACCOUNTING_INFO")]
    pub accounting_info: Option<String>,
    /// Contract keys to run, comma separated [default: all].
    #[arg(long, env = "KONTRAKT_SERVICES", value_delimiter = ',')]
    pub services: Option<Vec<String>>,
}

/// Which kontrakt.toml profile supplies the values not given as flags or KONTRAKT_* variables.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// Profile of the configuration file to use (e.g. local, exttest, prod-like).
    #[arg(long, env = "KONTRAKT_PROFILE")]
    pub profile: Option<String>,
    /// The configuration file.
    #[arg(long, env = "KONTRAKT_CONFIG", default_value = config::DEFAULT_CONFIG_FILE)]
    pub config: PathBuf,
}

impl RunArgs {
    /// What the flags and environment say; unset values fall through to the profile.
    fn settings(&self) -> Settings {
        let tls = &self.tls;
        let caller = &self.caller;
        Settings {
            endpoint: self.endpoint.clone(),
            ca: tls.ca.clone(),
            client_cert: tls.client_cert.clone(),
            client_key: tls.client_key.clone(),
            client_p12: tls.client_p12.clone(),
            p12_password_env: tls.p12_password_env.clone(),
            p12_password_file: tls.p12_password_file.clone(),
            insecure: tls.insecure.then_some(true),
            authority_cvr: self.authority_cvr.clone(),
            invocation_context: InvocationContextValues {
                service_agreement_uuid: caller.service_agreement_uuid.clone(),
                user_system_uuid: caller.user_system_uuid.clone(),
                user_uuid: caller.user_uuid.clone(),
                service_uuid: caller.service_uuid.clone(),
                on_behalf_of_user: caller.on_behalf_of_user.clone(),
                accounting_info: caller.accounting_info.clone(),
            },
            saml_token: caller.saml_token.clone(),
            services: caller.services.clone(),
            jobs: self.jobs,
            connect_timeout: self.connect_timeout,
            read_timeout: self.read_timeout,
            timeout: self.timeout,
            max_response_bytes: self.max_response_bytes,
        }
    }

    fn resolve(&self) -> Result<config::Resolved, config::ConfigError> {
        config::resolve(
            self.settings(),
            &ProfileChoice {
                file: self.profile.config.clone(),
                profile: self.profile.profile.clone(),
            },
        )
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// The provider's "today" (YYYY-MM-DD); default: today in Europe/Copenhagen.
    #[arg(long)]
    pub today: Option<NaiveDate>,
    /// Misbehave in a named way (see --list-faults).
    #[arg(long)]
    pub fault: Option<String>,
    /// Instead of the provider, misbehave at the transport level (see --list-hostile).
    #[arg(long, conflicts_with_all = ["fault", "tls_cert"])]
    pub hostile: Option<HostileMode>,
    /// List the hostile modes and exit.
    #[arg(long)]
    pub list_hostile: bool,
    /// List the fault modes and exit.
    #[arg(long)]
    pub list_faults: bool,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// Private key of --tls-cert (PEM).
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Require client certificates issued by this CA (PEM); needs --tls-cert.
    #[arg(long, requires = "tls_cert")]
    pub client_ca: Option<PathBuf>,
    /// The provider's seeded state.
    #[arg(long, default_value = "contracts/reference-fixture.toml")]
    pub fixture: PathBuf,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// Accepted for libtest compatibility (`--list --format terse`).
    #[arg(long)]
    pub list: bool,
    /// Output format; only `terse` exists.
    #[arg(long, default_value = "terse")]
    pub format: String,
}

/// Runs a parsed command line and returns the process exit code.
pub fn main(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Run(args) => run_command(*args),
        Command::Replay(mut args) => {
            args.suite.exact = true;
            run_command(*args)
        }
        Command::Serve(args) => serve_command(args),
        Command::List(args) => list_command(args),
        Command::Report(ReportCommand::Verify { bundle }) => verify_command(&bundle),
        Command::Config(ConfigCommand::Check(args)) => config_check_command(*args),
        Command::Xsd(XsdCommand::Validate {
            schema,
            documents,
            jobs,
        }) => {
            let jobs = jobs
                .or_else(|| std::thread::available_parallelism().ok())
                .unwrap_or(NonZeroUsize::MIN);
            xsd_validate_command(&schema, &documents, jobs)
        }
    };
    match result {
        Ok(status) => status.code(),
        Err(error) => {
            eprintln!("error: {}", render(&error));
            ExitStatus::CouldNotTest.code()
        }
    }
}

/// The error and its causes, leaving out a cause whose text the message already contains (most
/// library errors quote their source).
fn render(error: &anyhow::Error) -> String {
    let mut message = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !message.contains(&cause) {
            message.push_str(": ");
            message.push_str(&cause);
        }
    }
    message
}

/// A worker per core, for the provider, which answers many callers at once, and for the runner.
/// An exchange costs the runner some tens of µs of CPU: with a single worker, its checks and the
/// endpoint take turns (while the worker judges one answer, the others wait) and a core the
/// endpoint shares stands idle. With mimalloc, a buffer freed on another thread no longer
/// contends on a lock, so the second worker costs about 2 µs per exchange and buys 10-15 % more
/// exchanges per second at `--jobs 8` on 2 cores (benches/README.md). Property and schema
/// trials, which compute much per exchange, leave their worker with `block_in_place` and so
/// still run beside the exchanges.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn list_command(args: ListArgs) -> anyhow::Result<ExitStatus> {
    let suite = Suite::load(&args.suite.contracts, &args.suite.golden)?;
    for case in suite.select(&args.suite.filters, args.suite.exact) {
        println!("{}: test", case.name);
    }
    Ok(ExitStatus::Passed)
}

fn verify_command(bundle: &std::path::Path) -> anyhow::Result<ExitStatus> {
    let verification = crate::report::evidence::verify(bundle)?;
    let manifest = &verification.manifest;
    println!(
        "bundle {}: run {}, {} files, manifest SHA-256 {}",
        bundle.display(),
        manifest.run_id,
        manifest.files.len(),
        verification.manifest_sha256
    );
    for problem in &verification.problems {
        println!("{problem}");
    }
    if verification.problems.is_empty() {
        println!("intact: every hash matches");
        Ok(ExitStatus::Passed)
    } else {
        println!("NOT intact: {} problem(s)", verification.problems.len());
        Ok(ExitStatus::ConformanceFailure)
    }
}

fn serve_command(args: ServeArgs) -> anyhow::Result<ExitStatus> {
    use crate::reference::{FaultMode, ProviderOptions};
    if args.list_faults {
        for mode in FaultMode::all() {
            println!("{:<32} {}", mode.to_string(), mode.description());
        }
        return Ok(ExitStatus::Passed);
    }
    if args.list_hostile {
        for mode in HostileMode::all() {
            println!("{mode}");
        }
        return Ok(ExitStatus::Passed);
    }
    let fault = args
        .fault
        .as_deref()
        .map(str::parse::<FaultMode>)
        .transpose()?;
    let options = ProviderOptions {
        today: args.today,
        fault,
        fixture: args.fixture,
    };
    runtime()?.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.addr))?;
        let addr = listener.local_addr()?;
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        if let Some(mode) = args.hostile {
            eprintln!("hostile endpoint ({mode}) listening on http://{addr}/service/");
            tokio::select! {
                _ = crate::hostile::serve_hostile(listener, mode) => {}
                _ = shutdown => {}
            }
            return Ok(ExitStatus::Passed);
        }
        match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => {
                let config = crate::tls::server_config(cert, key, args.client_ca.as_deref())?;
                let app = crate::reference::router(options)?;
                eprintln!("reference provider listening on https://{addr}/service/");
                axum::serve(crate::tls::TlsListener::new(listener, config), app)
                    .with_graceful_shutdown(shutdown)
                    .await?;
            }
            _ => {
                eprintln!("reference provider listening on http://{addr}/service/");
                crate::reference::serve(listener, options, shutdown).await?;
            }
        }
        Ok(ExitStatus::Passed)
    })
}

fn xsd_validate_command(
    schema: &[PathBuf],
    documents: &[PathBuf],
    jobs: NonZeroUsize,
) -> anyhow::Result<ExitStatus> {
    use crate::xsd::FileOutcome;
    let results = crate::xsd::validate_files(schema, documents, jobs)?;
    let mut status = ExitStatus::Passed;
    for result in results {
        let file = result.path.display();
        match result.outcome {
            FileOutcome::Valid => println!("{file} validates"),
            FileOutcome::Invalid(errors) => {
                for error in errors {
                    eprintln!("{file}:{error}");
                }
                eprintln!("{file} fails to validate");
                if status == ExitStatus::Passed {
                    status = ExitStatus::ConformanceFailure;
                }
            }
            FileOutcome::Unreadable(reason) => {
                eprintln!("{file}: {reason}");
                status = ExitStatus::CouldNotTest;
            }
        }
    }
    Ok(status)
}

fn config_check_command(args: RunArgs) -> anyhow::Result<ExitStatus> {
    let resolved = args.resolve()?;
    let suite = Suite::load(&args.suite.contracts, &args.suite.golden)?;
    resolved.check_services(suite.contracts.iter().map(|c| c.key.as_str()))?;
    print!("{}", resolved.describe());
    println!("configuration ok");
    Ok(ExitStatus::Passed)
}

fn run_command(args: RunArgs) -> anyhow::Result<ExitStatus> {
    use crate::reference::{FaultMode, ProviderOptions};
    let resolved = args.resolve()?;
    let mut suite = Suite::load(&args.suite.contracts, &args.suite.golden)?;
    resolved.check_services(suite.contracts.iter().map(|c| c.key.as_str()))?;
    let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;
    // Expiry is judged by the calendar, not by the provider's injectable "today".
    let calendar_today = Clock::System.today_in_copenhagen();
    let evidence = match (args.evidence, args.redact_cpr) {
        (false, _) => Evidence::None,
        (true, false) => Evidence::Bundle,
        (true, true) => Evidence::RedactedBundle,
    };
    let mut cases = suite.take_selected(&args.suite.filters, args.suite.exact);
    let suite = Arc::new(suite);
    cases.retain(|case| resolved.runs_service(&case.service));
    if cases.is_empty() {
        return Err(run::RunError::NothingSelected.into());
    }
    if resolved.endpoint.is_some() {
        run::check_caller(&suite, &cases, &resolved.caller)?;
    }
    let endpoint = resolved.endpoint.clone();
    let provider_fault = args
        .provider_fault
        .as_deref()
        .map(str::parse::<FaultMode>)
        .transpose()?;
    let today = args
        .today
        .unwrap_or_else(|| Clock::System.today_in_copenhagen());
    let fixture = args.suite.contracts.join("reference-fixture.toml");
    if resolved.client.tls.insecure {
        eprintln!(
            "WARNING: --insecure: server certificates are NOT verified; this run certifies nothing about TLS"
        );
    }
    // The run is a task of the runtime rather than the main thread's future: results then reach
    // it on the worker that finished them, without waking another thread per exchange.
    let run = async move {
        // Keeps the embedded provider alive for the whole run.
        let (endpoint, _provider) = match endpoint {
            Some(url) => (url, None),
            None => {
                let running = crate::reference::spawn(ProviderOptions {
                    today: Some(today),
                    fault: provider_fault,
                    fixture,
                })
                .await?;
                let url = Url::parse(&format!("http://{}/service/", running.addr))?;
                println!("reference provider on {url}");
                (url, Some(running))
            }
        };
        let options = RunOptions {
            endpoint,
            today,
            caller: resolved.caller,
            jobs: resolved.jobs,
            client: resolved.client,
            reports_dir: args.reports,
        };
        let run_id = run_id();
        println!(
            "run {run_id}: {} cases against {}",
            cases.len(),
            options.endpoint
        );
        let generation = args.generation.generation();
        println!(
            "seed {} ({} values per property trial; reproduce with --seed {})",
            generation.seed, generation.cases, generation.seed
        );
        let dir = options.reports_dir.join(&run_id);
        let runner = Arc::new(
            Runner::new(suite, options)?
                .with_generation(generation)
                .keeping_exchanges(evidence != Evidence::None)
                .writing_responses_to(dir.clone()),
        );
        let started = Instant::now();
        let accepting = |name: &str| {
            baseline
                .as_ref()
                .and_then(|b| b.accepting(name, calendar_today))
        };
        let trials = cases.len();
        let repeat = usize::try_from(args.repeat).unwrap_or(usize::MAX);
        let progress = Progress::new(trials.saturating_mul(repeat));
        let run::Repeated {
            results,
            repetitions,
            interrupted,
        } = run::run_repeated(runner.clone(), cases, repeat, |result| {
            progress.case_finished(result, accepting(&result.case.name).is_some())
        })
        .await;
        progress.finish();
        let mut record = run::record(&runner, &run_id, results, interrupted, started.elapsed())?;
        if let Some(baseline) = &baseline {
            for warning in baseline.apply(&mut record, calendar_today) {
                println!("warning: baseline {warning}");
            }
        }
        let tally = record.tally();
        if repeat > 1 {
            println!(
                "{} passed, {} failed ({trials} trials × {repeat} repetitions)",
                repetitions.passed, repetitions.failed
            );
        } else {
            println!("{} passed, {} failed", tally.passed, tally.failed);
        }
        if tally.baselined > 0 {
            println!(
                "{} baselined (accepted deviations, not failing the run)",
                tally.baselined
            );
        }
        let could_not_test = if repeat > 1 {
            repetitions.could_not_test
        } else {
            tally.could_not_test
        };
        if could_not_test > 0 {
            println!("{could_not_test} could not be tested");
        }
        // Written after the summary, so a full or read-only disk never hides the results.
        if let Err(error) = crate::report::write(&dir, &record, evidence) {
            eprintln!("error: cannot write the reports: {error}");
            return Ok(ExitStatus::CouldNotTest);
        }
        if evidence != Evidence::None {
            println!("evidence: {}", dir.join(evidence::BUNDLE_NAME).display());
        }
        if interrupted {
            println!("interrupted: partial reports kept");
        }
        println!("reports: {}", dir.display());
        Ok(run::exit_status(&record))
    };
    runtime()?.block_on(async { tokio::spawn(run).await? })
}

/// A sortable, unique run id: UTC time plus a short random suffix.
fn run_id() -> String {
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "{}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%SZ"),
        &suffix[..6]
    )
}
