//! report.md: the certification report as Markdown, for pull requests and CI summaries.

use std::fmt::Write;

use super::RunRecord;
use super::escape::markdown as md;
use super::summary::{self, standing_label};

pub(super) fn render(run: &RunRecord) -> String {
    // Writing into a String cannot fail.
    let mut out = String::new();
    let _ = writeln!(out, "# kontrakt certification report\n");
    let _ = writeln!(out, "| Fact | Value |\n|---|---|");
    for (label, value) in summary::facts(run) {
        let _ = writeln!(out, "| {label} | {} |", md(&value));
    }
    if !run.baseline_warnings.is_empty() {
        let _ = writeln!(out, "\n## Baseline warnings\n");
        for warning in &run.baseline_warnings {
            let _ = writeln!(out, "- {}", md(warning));
        }
    }
    for service in summary::services(run) {
        let title = match service.record {
            Some(r) => format!("{} (SF {} v{}) — {}", r.name, r.id, r.version, r.key),
            None => format!("{} (no contract recorded)", service.key),
        };
        let _ = writeln!(out, "\n## {}\n", md(&title));
        if let Some(record) = service.record {
            let _ = writeln!(out, "Schemas: {}\n", md(&record.schema_provenance));
            let _ = writeln!(out, "| File | SHA-256 |\n|---|---|");
            for file in std::iter::once(&record.contract).chain(&record.schemas) {
                let _ = writeln!(out, "| {} | `{}` |", md(&file.path), file.sha256);
            }
        }
        let _ = writeln!(
            out,
            "\n| Operation | Passed | Failed | Baselined | Could not test | Case kinds |\n|---|---:|---:|---:|---:|---|"
        );
        for op in &service.operations {
            let t = op.tally;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                md(op.name),
                t.passed,
                t.failed,
                t.baselined,
                t.could_not_test,
                md(&op.kinds.join(", "))
            );
        }
        for op in &service.operations {
            let _ = writeln!(out, "\n### {}\n\nRules checked:\n", md(op.name));
            if op.rules.is_empty() {
                let _ = writeln!(out, "- none beyond transport, envelope and outcome");
            }
            for rule in op.rules {
                let _ = writeln!(out, "- {}", md(rule));
            }
            let _ = writeln!(out, "\nCases run ({}):\n", op.cases.len());
            for case in &op.cases {
                let _ = writeln!(
                    out,
                    "- {} — {}",
                    md(&case.name),
                    standing_label(case.standing())
                );
            }
        }
    }
    let mut failing = summary::not_passed(run).peekable();
    if failing.peek().is_some() {
        let _ = writeln!(out, "\n## Trials that did not pass\n");
    }
    for case in failing {
        let _ = writeln!(
            out,
            "### {} — {}\n",
            md(&case.name),
            standing_label(case.standing())
        );
        if let Some(reason) = &case.baselined {
            let _ = writeln!(out, "- accepted deviation: {}", md(reason));
        }
        for problem in case.problems() {
            let _ = writeln!(out, "- {}", md(&problem));
        }
        let _ = writeln!(out, "- request: {}", md(&case.source));
        if let Some(replay) = &case.replay {
            let _ = writeln!(out, "- replay: {}", md(replay));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    /// Table rows of `text`: lines starting with `|`, split into cells on unescaped pipes.
    fn rows(text: &str) -> Vec<Vec<String>> {
        text.lines()
            .filter(|l| l.starts_with('|'))
            .map(|line| {
                let mut cells = vec![String::new()];
                let mut escaped = false;
                for c in line.chars() {
                    match c {
                        '|' if !escaped => cells.push(String::new()),
                        c => {
                            escaped = c == '\\' && !escaped;
                            if let Some(cell) = cells.last_mut() {
                                cell.push(c);
                            }
                        }
                    }
                }
                cells[1..cells.len() - 1]
                    .iter()
                    .map(|c| c.trim().to_owned())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn every_table_row_has_as_many_cells_as_its_header() {
        let text = render(&fixture::run());
        let rows = rows(&text);
        assert!(rows.len() > 10, "{text}");
        let widths: Vec<usize> = rows.iter().map(Vec::len).collect();
        assert!(
            widths.iter().all(|&w| w == 2 || w == 6),
            "{widths:?}\n{text}"
        );
        let ret = rows.iter().find(|r| r[0] == "RetBevilling").unwrap();
        assert_eq!(ret[1..5], ["1", "1", "0", "0"]);
        let slet = rows.iter().find(|r| r[0] == "SletBevilling").unwrap();
        assert_eq!(slet[1..5], ["1", "0", "1", "1"]);
    }

    #[test]
    fn hostile_names_cannot_inject_html_or_break_tables() {
        let text = render(&fixture::run());
        assert!(!text.contains("<script>"), "{text}");
        assert!(
            text.contains(r"\<script\>alert\(\'x\'\)\</script\>\|a\&b"),
            "{text}"
        );
    }

    #[test]
    fn lists_hashes_rules_and_failing_trials() {
        let run = fixture::run();
        let text = render(&run);
        assert!(text.contains(&run.services[0].contract.sha256));
        assert!(text.contains(r"date-is-today kh:SletningVirkningsdato"));
        assert!(
            text.contains("accepted deviation: vendor ticket VEN-12"),
            "{text}"
        );
        assert!(text.contains("transport: connection refused"));
    }
}
