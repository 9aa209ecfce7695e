//! Running generated cases: an edge trial sends one substituted request; a property trial first
//! replays the regressions recorded for it, then draws `cases` values from a proptest runner
//! seeded by hash(global seed, trial name) and, on failure, lets proptest shrink against the live
//! endpoint (each candidate is a real request) to the smallest failing value.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Exchanged, Runner};
use crate::cases::{Case, Generated};
use crate::checks::{CheckResult, Judgement, Outcome, Verdict};

/// Property trials' values per trial when neither `--cases` nor KONTRAKT_CASES says.
pub const DEFAULT_CASES: u32 = 48;

/// Shrink steps allowed per failure; each is one request. Shrinking a 255-character text to
/// its shortest failing length takes about one step per character.
const MAX_SHRINK_ITERS: u32 = 4096;

/// How generated values are drawn and where failures are remembered.
#[derive(Debug, Clone)]
pub struct Generation {
    /// The run's global seed; each trial's seed derives from it and the trial name.
    pub seed: u64,
    /// Values per property trial.
    pub cases: u32,
    /// Folder of `<service>.toml` regression files: replayed first, appended to on failure.
    /// `None`: neither.
    pub regressions: Option<PathBuf>,
}

impl Default for Generation {
    fn default() -> Self {
        Generation {
            seed: 0,
            cases: DEFAULT_CASES,
            regressions: None,
        }
    }
}

/// A fresh global seed for a run that was given none.
pub fn random_seed() -> u64 {
    u64::from_le_bytes(
        uuid::Uuid::new_v4().as_bytes()[..8]
            .try_into()
            .unwrap_or_default(),
    )
}

/// The 32-byte seed of one trial: SHA-256 of the global seed and the trial name, stable across
/// platforms and processes (so nextest shards and `--exact` draw the same values).
pub fn trial_seed(global: u64, trial: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(global.to_le_bytes());
    hasher.update(trial.as_bytes());
    hasher.finalize().into()
}

/// The command that re-runs exactly one generated trial.
pub fn replay_command(trial: &str, seed: u64) -> String {
    format!(
        "kontrakt replay '{}' --seed {seed}",
        trial.replace('\'', r"'\''")
    )
}

/// One recorded failure in `regressions/<service>.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regression {
    pub trial: String,
    /// The minimal failing value (without the field's prefix).
    pub value: String,
    /// The global seed of the run that found it.
    pub seed: u64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegressionFile {
    #[serde(default, rename = "regression")]
    regressions: Vec<Regression>,
}

fn regression_file(dir: &Path, service: &str) -> PathBuf {
    dir.join(format!("{service}.toml"))
}

fn read_regressions(file: &Path) -> Result<RegressionFile, String> {
    match std::fs::read_to_string(file) {
        Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", file.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(RegressionFile::default()),
        Err(e) => Err(format!("cannot read {}: {e}", file.display())),
    }
}

/// Serialises writers of the regression files within a run.
static REGRESSIONS_LOCK: Mutex<()> = Mutex::new(());

/// Adds `regression` to its service's file unless it is there already.
fn persist(dir: &Path, service: &str, regression: Regression) -> Result<PathBuf, String> {
    let _guard = REGRESSIONS_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let file = regression_file(dir, service);
    let mut content = read_regressions(&file)?;
    let known = content
        .regressions
        .iter()
        .any(|r| r.trial == regression.trial && r.value == regression.value);
    if !known {
        content.regressions.push(regression);
        let text = toml::to_string(&content).map_err(|e| e.to_string())?;
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        std::fs::write(&file, text).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    }
    Ok(file)
}

/// A line diff of two requests that differ in a few lines: the changed lines, `-` then `+`.
pub fn line_diff(golden: &str, shrunk: &str) -> String {
    let (old, new): (Vec<&str>, Vec<&str>) = (golden.lines().collect(), shrunk.lines().collect());
    let common_start = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let common_end = old[common_start..]
        .iter()
        .rev()
        .zip(new[common_start..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = String::new();
    for line in &old[common_start..old.len() - common_end] {
        out.push_str(&format!("- {line}\n"));
    }
    for line in &new[common_start..new.len() - common_end] {
        out.push_str(&format!("+ {line}\n"));
    }
    out
}

/// One value tried against the endpoint.
struct Attempt {
    judgement: Judgement,
    payload: Option<String>,
}

impl Runner {
    pub(super) fn variables_now(&self) -> crate::cases::Variables {
        self.variables(BTreeMap::new())
    }

    /// Sends the golden request with `value` in the generated field and judges the answer.
    async fn attempt(
        &self,
        case: &Case,
        generated: &Generated,
        value: &str,
        exchanged: &mut Exchanged,
    ) -> Attempt {
        let (contract, operation) = match self.suite.operation_of(case) {
            Ok(found) => found,
            Err(e) => return could_not_test("case", e.to_string()),
        };
        let payload = match case.render_with(&self.variables_now(), generated, value) {
            Ok(payload) => payload,
            Err(e) => return could_not_test("request", e.to_string()),
        };
        let stated = case.expect.or(generated.expectation(value));
        let (judgement, _) = self
            .exchange(contract, operation, stated, &payload, exchanged)
            .await;
        Attempt {
            judgement,
            payload: Some(payload),
        }
    }

    pub(super) async fn judge_edge(
        &self,
        case: &Case,
        generated: &Generated,
        exchanged: &mut Exchanged,
    ) -> Judgement {
        let Some((value, _)) = generated.edge_value(self.options.today) else {
            return Judgement::could_not_test(
                "edge",
                format!("no window day for today {}", self.options.today),
            );
        };
        self.attempt(case, generated, &value, exchanged)
            .await
            .judgement
    }

    /// Runs a property trial on the current tokio runtime (multi-threaded: the proptest runner
    /// blocks a worker while it drives requests).
    pub(super) fn judge_property(
        &self,
        case: &Case,
        generated: &Generated,
        exchanged: &mut Exchanged,
    ) -> Judgement {
        let handle = tokio::runtime::Handle::current();
        let replay = replay_command(&case.name, self.generation.seed);
        let strategy = crate::cases::strategy(generated, self.options.today);
        self.replay_then_draw(
            case,
            &strategy,
            |recorded| Ok(recorded.to_owned()),
            |value| {
                handle
                    .block_on(self.attempt(case, generated, value, &mut Exchanged::default()))
                    .judgement
            },
            |value, how| {
                let attempt = handle.block_on(self.attempt(case, generated, value, exchanged));
                self.property_failure(case, generated, value, how, attempt, &replay)
            },
        )
    }

    /// Replays the trial's recorded regressions (parsed by `parse`), then draws new values of
    /// `strategy`, each judged by `judge`. The first failing value, recorded or shrunk against
    /// the endpoint, is handed to `failure` with how it was found.
    pub(super) fn replay_then_draw<S: Strategy>(
        &self,
        case: &Case,
        strategy: &S,
        parse: impl Fn(&str) -> Result<S::Value, String>,
        judge: impl Fn(&S::Value) -> Judgement,
        failure: impl FnOnce(&S::Value, &str) -> Judgement,
    ) -> Judgement {
        let recorded = match self.recorded(case) {
            Ok(recorded) => recorded,
            Err(e) => return Judgement::could_not_test("regressions", e),
        };
        for recorded in recorded {
            let value = match parse(&recorded) {
                Ok(value) => value,
                Err(e) => return Judgement::could_not_test("regressions", e),
            };
            if judge(&value).first_problem().is_some() {
                return failure(&value, "recorded regression fails again");
            }
        }
        match self.run_property(case, strategy, |value| judge(&value)) {
            Ok(()) => passed_property(),
            Err(Ok(value)) => failure(&value, "shrunk against the endpoint"),
            Err(Err(reason)) => Judgement::could_not_test("property", reason),
        }
    }

    /// Draws values of `strategy` for the trial, judging each with `judge`, and on failure
    /// shrinks (each candidate judged anew) to the minimal failing value: `Err(Ok(value))`;
    /// `Err(Err(reason))` when proptest gave up.
    fn run_property<S: Strategy>(
        &self,
        case: &Case,
        strategy: &S,
        judge: impl Fn(S::Value) -> Judgement,
    ) -> Result<(), Result<S::Value, String>> {
        let mut runner = self.property_runner(case);
        let result = runner.run(strategy, |value| match judge(value).first_problem() {
            None => Ok(()),
            Some(problem) => Err(TestCaseError::fail(format!(
                "{}: {:?}",
                problem.check, problem.verdict
            ))),
        });
        match result {
            Ok(()) => Ok(()),
            Err(TestError::Fail(_, value)) => Err(Ok(value)),
            Err(TestError::Abort(reason)) => Err(Err(reason.to_string())),
        }
    }

    /// The proptest runner of a property trial: the run's case count, seeded by the run's seed
    /// and the trial name.
    fn property_runner(&self, case: &Case) -> TestRunner {
        let config = Config {
            cases: self.generation.cases,
            max_shrink_iters: MAX_SHRINK_ITERS,
            failure_persistence: None,
            ..Config::default()
        };
        let rng = TestRng::from_seed(
            RngAlgorithm::ChaCha,
            &trial_seed(self.generation.seed, &case.name),
        );
        TestRunner::new_with_rng(config, rng)
    }

    pub(super) fn recorded(&self, case: &Case) -> Result<Vec<String>, String> {
        let Some(dir) = &self.generation.regressions else {
            return Ok(Vec::new());
        };
        Ok(read_regressions(&regression_file(dir, &case.service))?
            .regressions
            .into_iter()
            .filter(|r| r.trial == case.name)
            .map(|r| r.value)
            .collect())
    }

    /// The judgement of the minimal failing value, led by a check that shows it as a diff from
    /// the golden request, where it was recorded and how to replay it.
    fn property_failure(
        &self,
        case: &Case,
        generated: &Generated,
        value: &str,
        how: &str,
        attempt: Attempt,
        replay: &str,
    ) -> Judgement {
        let golden = case.render(&self.variables_now()).ok();
        let diff = match (&golden, &attempt.payload) {
            (Some(golden), Some(payload)) => line_diff(golden, payload),
            _ => String::new(),
        };
        let recorded = self.remember(case, value);
        let message = format!(
            "minimal failing {} = {value:?} ({how}; {recorded}); {}\nreplay: {replay}\n{diff}",
            generated.field.name,
            first_problem(&attempt.judgement),
        );
        failed_property(message, attempt.judgement)
    }

    /// Appends the minimal failing `value` to the trial's regression file; says where.
    pub(super) fn remember(&self, case: &Case, value: &str) -> String {
        match &self.generation.regressions {
            Some(dir) => match persist(
                dir,
                &case.service,
                Regression {
                    trial: case.name.clone(),
                    value: value.to_owned(),
                    seed: self.generation.seed,
                },
            ) {
                Ok(file) => format!("recorded in {}", file.display()),
                Err(e) => format!("not recorded: {e}"),
            },
            None => "not recorded (no regressions folder)".to_owned(),
        }
    }
}

/// `check: message` of the judgement's first problem, or nothing.
pub(super) fn first_problem(judgement: &Judgement) -> String {
    judgement
        .first_problem()
        .map(|p| match &p.verdict {
            Verdict::Fail(m) | Verdict::Error(m) => format!("{}: {m}", p.check),
            _ => p.check.to_string(),
        })
        .unwrap_or_default()
}

/// A property trial's judgement: its `property` check with `message` (a failure, or "could not
/// test" when the minimal attempt could not be judged), then the minimal attempt's checks.
pub(super) fn failed_property(message: String, attempt: Judgement) -> Judgement {
    let verdict = if attempt.outcome() == Outcome::CouldNotTest {
        Verdict::Error(message)
    } else {
        Verdict::Fail(message)
    };
    let mut checks = vec![CheckResult::new("property", verdict)];
    checks.extend(attempt.checks);
    Judgement {
        expectation: attempt.expectation,
        checks,
        canonical_response: attempt.canonical_response,
    }
}

/// The judgement of a property trial none of whose values failed.
pub(super) fn passed_property() -> Judgement {
    Judgement {
        expectation: crate::cases::Expectation::Success,
        checks: vec![CheckResult::new("property", Verdict::Pass)],
        canonical_response: None,
    }
}

fn could_not_test(stage: &str, message: String) -> Attempt {
    Attempt {
        judgement: Judgement::could_not_test(stage, message),
        payload: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trial_seeds_are_stable_and_differ_by_seed_and_name() {
        let a = trial_seed(7, "s::o::property::f");
        assert_eq!(a, trial_seed(7, "s::o::property::f"));
        assert_ne!(a, trial_seed(8, "s::o::property::f"));
        assert_ne!(a, trial_seed(7, "s::o::property::g"));
        // Pinned: a change here silently changes every recorded seed's meaning.
        assert_eq!(hex::encode(&trial_seed(0, "")[..4]), "af5570f5");
    }

    #[test]
    fn line_diff_shows_only_the_changed_lines() {
        let golden = "<a>\n  <b>1</b>\n  <c>2</c>\n</a>";
        let shrunk = "<a>\n  <b>9</b>\n  <c>2</c>\n</a>";
        assert_eq!(line_diff(golden, shrunk), "-   <b>1</b>\n+   <b>9</b>\n");
        assert_eq!(line_diff(golden, golden), "");
    }

    #[test]
    fn regressions_are_persisted_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let regression = Regression {
            trial: "s::o::property::f".into(),
            value: "0101000000".into(),
            seed: 42,
        };
        let file = persist(dir.path(), "s", regression.clone()).unwrap();
        persist(dir.path(), "s", regression.clone()).unwrap();
        let read = read_regressions(&file).unwrap();
        assert_eq!(read.regressions, vec![regression]);
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("[[regression]]"), "{text}");
    }

    #[test]
    fn replay_commands_quote_the_trial() {
        assert_eq!(
            replay_command("s::o::property::f", 5),
            "kontrakt replay 's::o::property::f' --seed 5"
        );
    }
}
