//! What a run prints while it goes: a progress bar on an interactive terminal, one line per case
//! otherwise (CI logs, pipes). The plain format is `PASS  <trial>` or
//! `FAIL|BASELINED|ERROR  <trial> — <check>: <message>`; scripts and tests parse it.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use crate::checks::{Outcome, Verdict};

use super::CaseResult;

/// Where per-case output goes.
pub enum Progress {
    /// A bar counting cases; failures are printed above it.
    Bar(ProgressBar),
    /// One line per case on stdout.
    Plain,
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
            Progress::Plain
        }
    }

    /// Reports a finished case; `baselined` marks a failure the baseline accepts.
    pub fn case_finished(&self, result: &CaseResult, baselined: bool) {
        let line = case_line(result, baselined);
        match self {
            Progress::Plain => println!("{line}"),
            Progress::Bar(bar) => {
                if result.judgement.outcome() != Outcome::Passed {
                    bar.println(line);
                }
                bar.set_message(result.case.name.clone());
                bar.inc(1);
            }
        }
    }

    /// Removes the bar so the summary lines follow the failures directly.
    pub fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// `CI` set to anything but empty, `0` or `false` (GitHub Actions and GitLab CI set `true`).
fn running_in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| !matches!(value.as_str(), "" | "0" | "false"))
}

/// The plain line for one finished case.
pub fn case_line(result: &CaseResult, baselined: bool) -> String {
    let name = &result.case.name;
    match (result.judgement.outcome(), result.judgement.first_problem()) {
        (Outcome::Passed, _) => format!("PASS  {name}"),
        (outcome, problem) => {
            let label = match outcome {
                Outcome::Failed if baselined => "BASELINED",
                Outcome::Failed => "FAIL",
                _ => "ERROR",
            };
            let detail = problem
                .map(|c| match &c.verdict {
                    Verdict::Fail(m) | Verdict::Error(m) => format!("{}: {m}", c.check),
                    _ => String::new(),
                })
                .unwrap_or_default();
            format!("{label}  {name} — {detail}")
        }
    }
}
