//! What a run prints while it goes: a progress bar on an interactive terminal, one line per case
//! otherwise (CI logs, pipes; passing lines are flushed in batches). The plain format is `PASS  <trial>` or
//! `FAIL|BASELINED|ERROR  <trial> — <check>: <message>`; scripts and tests parse it.

use std::fmt::{self, Display};
use std::io::{BufWriter, IsTerminal, Stdout, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::checks::{CheckResult, Outcome, Verdict};

use super::CaseResult;

/// Where per-case output goes.
pub enum Progress {
    /// A bar counting cases; failures are printed above it.
    Bar(ProgressBar),
    /// One line per case on stdout.
    Plain(Mutex<Lines>),
}

/// Plain lines, written in batches: a soak of many short exchanges would otherwise spend a
/// system call per passing line. Problems, and the batch at least every
/// [`LINES_FLUSHED_EVERY`], still appear as they happen.
pub struct Lines {
    out: BufWriter<Stdout>,
    flushed: Instant,
}

const LINES_FLUSHED_EVERY: Duration = Duration::from_millis(100);

impl Lines {
    fn write(&mut self, line: impl Display, urgent: bool) {
        // Like println!, except that a closed stdout must not stop the run.
        let _ = writeln!(self.out, "{line}");
        if urgent || self.flushed.elapsed() >= LINES_FLUSHED_EVERY {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let _ = self.out.flush();
        self.flushed = Instant::now();
    }
}

impl Progress {
    /// A bar when stdout is a terminal and no CI system is driving the run.
    pub fn new(total: usize) -> Progress {
        if std::io::stdout().is_terminal() && !running_in_ci() {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) =
                ProgressStyle::with_template("{bar:40} {pos}/{len} cases  {elapsed}  {wide_msg}")
            {
                bar.set_style(style);
            }
            Progress::Bar(bar)
        } else {
            Progress::Plain(Mutex::new(Lines {
                out: BufWriter::new(std::io::stdout()),
                flushed: Instant::now(),
            }))
        }
    }

    /// Reports a finished case; `baselined` marks a failure the baseline accepts.
    pub fn case_finished(&self, result: &CaseResult, baselined: bool) {
        // Formatted straight into the output: a soak finishes a case per exchange.
        let line = CaseLine { result, baselined };
        match self {
            Progress::Plain(lines) => {
                let passed = result.judgement.outcome() == Outcome::Passed;
                lock(lines).write(line, !passed);
            }
            Progress::Bar(bar) => {
                if result.judgement.outcome() != Outcome::Passed {
                    bar.println(line.to_string());
                }
                bar.set_message(result.case.name.clone());
                bar.inc(1);
            }
        }
    }

    /// Removes the bar so the summary lines follow the failures directly.
    pub fn finish(&self) {
        match self {
            Progress::Bar(bar) => bar.finish_and_clear(),
            Progress::Plain(lines) => lock(lines).flush(),
        }
    }
}

fn lock(lines: &Mutex<Lines>) -> std::sync::MutexGuard<'_, Lines> {
    // A panic while writing a line leaves nothing half-written worth refusing.
    lines
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `CI` set to anything but empty, `0` or `false` (GitHub Actions and GitLab CI set `true`).
fn running_in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| !matches!(value.as_str(), "" | "0" | "false"))
}

/// The plain line for one finished case.
pub fn case_line(result: &CaseResult, baselined: bool) -> String {
    CaseLine { result, baselined }.to_string()
}

/// The plain line for one finished case; `baselined` marks a failure the baseline accepts.
struct CaseLine<'a> {
    result: &'a CaseResult,
    baselined: bool,
}

impl Display for CaseLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = &self.result.case.name;
        let judgement = &self.result.judgement;
        let label = match judgement.outcome() {
            Outcome::Passed => return write!(f, "PASS  {name}"),
            Outcome::Failed if self.baselined => "BASELINED",
            Outcome::Failed => "FAIL",
            Outcome::CouldNotTest => "ERROR",
        };
        write!(f, "{label}  {name} — ")?;
        match judgement.first_problem() {
            Some(CheckResult {
                check,
                verdict: Verdict::Fail(m) | Verdict::Error(m),
            }) => write!(f, "{check}: {m}"),
            _ => Ok(()),
        }
    }
}
