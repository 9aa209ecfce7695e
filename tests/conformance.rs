//! The conformance suite as a libtest-mimic test binary: one trial per case, run against the
//! embedded reference provider over real HTTP on loopback. Works with `cargo test`,
//! `cargo nextest run --test conformance` and nextest's `--partition hash:m/n`.
//!
//! Each golden response is also compared with its reviewed snapshot under
//! `golden/<service>/<operation>/snapshots/` (review changes with `cargo insta review`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use kontrakt::cases::CaseKind;
use kontrakt::checks::Outcome;
use kontrakt::client::ClientOptions;
use kontrakt::reference::{ProviderOptions, Running};
use kontrakt::run::{Generation, RunOptions, Runner, Suite};
use kontrakt::soap::security::{AuthorityContext, CallerIdentity};
use libtest_mimic::{Arguments, Failed, Trial};

/// A fixed "today" keeps dates in snapshots stable.
const TODAY: (i32, u32, u32) = (2026, 3, 31);

struct Environment {
    runtime: tokio::runtime::Runtime,
    runner: Runner,
    _provider: Running,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Started on the first trial that runs, so `--list` stays cheap.
fn environment(suite: &Arc<Suite>) -> &'static Environment {
    static ENV: OnceLock<Environment> = OnceLock::new();
    ENV.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
        let today = NaiveDate::from_ymd_opt(TODAY.0, TODAY.1, TODAY.2).expect("valid date");
        let provider = runtime
            .block_on(kontrakt::reference::spawn(ProviderOptions {
                today: Some(today),
                fault: None,
                fixture: root().join("contracts/reference-fixture.toml"),
            }))
            .expect("reference provider starts");
        let options = RunOptions {
            endpoint: format!("http://{}/service/", provider.addr)
                .parse()
                .expect("url"),
            today,
            caller: CallerIdentity::new(AuthorityContext::new("29189846").expect("a CVR")),
            jobs: 1,
            client: ClientOptions::default(),
            reports_dir: PathBuf::from("reports"),
        };
        let seed = std::env::var("KONTRAKT_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(kontrakt::run::random_seed);
        eprintln!("conformance: generated trials use seed {seed} (set KONTRAKT_SEED to reproduce)");
        let cases = std::env::var("KONTRAKT_CASES")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(kontrakt::run::DEFAULT_CASES);
        let runner = Runner::new(suite.clone(), options)
            .expect("client")
            .with_generation(Generation {
                seed,
                cases,
                // `kontrakt run` replays and records regressions; the test binary never writes into
                // the repository.
                regressions: None,
            });
        Environment {
            runtime,
            runner,
            _provider: provider,
        }
    })
}

fn main() {
    let args = Arguments::from_args();
    let suite = Arc::new(
        Suite::load(&root().join("contracts"), &root().join("golden"))
            .unwrap_or_else(|e| panic!("{e}")),
    );
    let trials = suite
        .cases
        .clone()
        .into_iter()
        .map(|case| {
            let suite = suite.clone();
            Trial::test(case.name.clone(), move || {
                let env = environment(&suite);
                let result = env.runtime.block_on(env.runner.run_case(&case));
                if result.judgement.outcome() != Outcome::Passed {
                    let problem = result
                        .judgement
                        .first_problem()
                        .map(|p| format!("{}: {:?}", p.check, p.verdict))
                        .unwrap_or_default();
                    return Err(Failed::from(problem));
                }
                // Generated responses are not snapshotted: property values change with the
                // seed, and an edge response is its golden response with one value changed —
                // the catalogue itself is snapshotted instead (src/cases/snapshots/).
                if case.kind != CaseKind::Golden {
                    return Ok(());
                }
                let canonical = result
                    .judgement
                    .canonical_response
                    .ok_or_else(|| Failed::from("no response to snapshot"))?;
                let folder = case
                    .source
                    .parent()
                    .map(|p| p.join("snapshots"))
                    .unwrap_or_default();
                let name = case
                    .source
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                std::panic::catch_unwind(|| {
                    let mut settings = insta::Settings::clone_current();
                    settings.set_snapshot_path(folder);
                    settings.set_prepend_module_to_snapshot(false);
                    settings.set_description(case.name.clone());
                    settings.set_omit_expression(true);
                    settings.bind(|| insta::assert_snapshot!(name, canonical));
                })
                .map_err(|_| {
                    Failed::from("response differs from the reviewed snapshot (cargo insta review)")
                })
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
