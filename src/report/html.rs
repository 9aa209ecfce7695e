//! report.html: the certification report as one self-contained page (inline CSS, no scripts, no
//! external assets), so it can be archived and opened offline years later.

use std::fmt::Write;

use super::escape::html as h;
use super::summary::{self, standing_label};
use super::{RunRecord, Standing};

const STYLE: &str = r#"
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d232b;margin:0;background:#f4f5f7}
main{max-width:1180px;margin:0 auto;padding:24px 32px 48px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:2px solid #d6dae0;padding-bottom:4px}
h3{font-size:16px;margin:20px 0 6px}section>h3:first-child{margin-top:2px}
section,.card{background:#fff;border:1px solid #d6dae0;border-radius:6px;padding:12px 16px;margin:12px 0}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid #e6e8ec}
th{background:#eef0f3;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;width:7em;white-space:nowrap}
.facts th{width:16em;background:none}
code,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:13px;overflow-wrap:anywhere}
.verdict{font-size:18px;font-weight:700;padding:10px 14px;border-radius:6px;margin:12px 0}
.ok{background:#e3f4e8;color:#135c2b;border:1px solid #9fd3ae}
.bad{background:#fbe5e5;color:#8a1515;border:1px solid #eba3a3}
.pill{display:inline-block;min-width:6.5em;text-align:center;font-size:12px;font-weight:600;border-radius:10px;padding:1px 8px}
.passed{background:#e3f4e8;color:#135c2b}.failed{background:#fbe5e5;color:#8a1515}
.baselined{background:#fff4d6;color:#6b4d00}.error{background:#e9e4f7;color:#46307d}
ul{margin:4px 0 8px;padding-left:22px}li{margin:2px 0}
.problem{white-space:pre-wrap;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;background:#f7f7f9;border-left:3px solid #c33;padding:6px 10px;margin:4px 0;overflow-wrap:anywhere}
.problem.baselined{background:#fffaf0;color:inherit;border-left-color:#d9a400}
.problem.error{background:#f6f3fc;color:inherit;border-left-color:#6a4fb3}
.warn{background:#fff4d6;border:1px solid #e9cf7c}
.muted{color:#5c6570}
"#;

fn pill_class(standing: Standing) -> &'static str {
    match standing {
        Standing::Passed => "passed",
        Standing::Failed => "failed",
        Standing::Baselined => "baselined",
        Standing::CouldNotTest => "error",
    }
}

fn pill(standing: Standing) -> String {
    format!(
        r#"<span class="pill {}">{}</span>"#,
        pill_class(standing),
        standing_label(standing)
    )
}

pub(super) fn render(run: &RunRecord) -> String {
    // Writing into a String cannot fail.
    let mut out = String::new();
    let tally = run.tally();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>kontrakt report {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        h(&run.run_id)
    );
    let _ = writeln!(out, "<h1>kontrakt certification report</h1>");
    let certified = tally.failed == 0 && tally.could_not_test == 0 && !run.interrupted;
    let (class, verdict) = if certified {
        (
            "ok",
            "Conforms: every trial passed or is an accepted deviation",
        )
    } else {
        ("bad", "Does not conform")
    };
    let _ = writeln!(out, r#"<div class="verdict {class}">{verdict}</div>"#);
    let _ = writeln!(out, r#"<section><table class="facts">"#);
    for (label, value) in summary::facts(run) {
        let _ = writeln!(
            out,
            r#"<tr><th scope="row">{label}</th><td class="mono">{}</td></tr>"#,
            h(&value)
        );
    }
    let _ = writeln!(out, "</table></section>");
    if !run.baseline_warnings.is_empty() {
        let _ = writeln!(
            out,
            r#"<section class="warn"><h3>Baseline warnings</h3><ul>"#
        );
        for warning in &run.baseline_warnings {
            let _ = writeln!(out, "<li>{}</li>", h(warning));
        }
        let _ = writeln!(out, "</ul></section>");
    }
    for service in summary::services(run) {
        match service.record {
            Some(r) => {
                let _ = writeln!(
                    out,
                    r#"<h2>{} <span class="muted">{} v{} · <code>{}</code> · {} schemas</span></h2>"#,
                    h(&r.name),
                    h(&r.id),
                    h(&r.version),
                    h(&r.key),
                    h(&r.schema_provenance)
                );
                let _ = writeln!(
                    out,
                    "<section><table><tr><th>File</th><th>SHA-256</th></tr>"
                );
                for file in std::iter::once(&r.contract).chain(&r.schemas) {
                    let _ = writeln!(
                        out,
                        r#"<tr><td class="mono">{}</td><td class="mono">{}</td></tr>"#,
                        h(&file.path),
                        h(&file.sha256)
                    );
                }
                let _ = writeln!(out, "</table></section>");
            }
            None => {
                let _ = writeln!(
                    out,
                    "<h2>{} <span class=\"muted\">(no contract recorded)</span></h2>",
                    h(service.key)
                );
            }
        }
        let _ = writeln!(
            out,
            "<section><table><tr><th>Operation</th><th class=\"n\">Passed</th>\
             <th class=\"n\">Failed</th><th class=\"n\">Baselined</th>\
             <th class=\"n\">Could not test</th><th>Case kinds</th></tr>"
        );
        for op in &service.operations {
            let t = op.tally;
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                h(op.name),
                t.passed,
                t.failed,
                t.baselined,
                t.could_not_test,
                h(&op.kinds.join(", "))
            );
        }
        let _ = writeln!(out, "</table></section>");
        for op in &service.operations {
            let _ = writeln!(
                out,
                r#"<section><h3>{}</h3><div class="muted">Rules checked</div><ul>"#,
                h(op.name)
            );
            if op.rules.is_empty() {
                let _ = writeln!(out, "<li>none beyond transport, envelope and outcome</li>");
            }
            for rule in op.rules {
                let _ = writeln!(out, "<li><code>{}</code></li>", h(rule));
            }
            let _ = writeln!(
                out,
                r#"</ul><div class="muted">Cases run ({})</div><table>"#,
                op.cases.len()
            );
            for case in &op.cases {
                let _ = writeln!(
                    out,
                    r#"<tr><td style="width:8em">{}</td><td class="mono">{}</td><td class="n">{} ms</td></tr>"#,
                    pill(case.standing()),
                    h(&case.name),
                    case.duration_ms
                );
            }
            let _ = writeln!(out, "</table></section>");
        }
    }
    let mut failing = summary::not_passed(run).peekable();
    if failing.peek().is_some() {
        let _ = writeln!(out, "<h2>Trials that did not pass</h2>");
    }
    for case in failing {
        let _ = writeln!(
            out,
            r#"<section><h3>{} <span class="mono">{}</span></h3>"#,
            pill(case.standing()),
            h(&case.name)
        );
        if let Some(reason) = &case.baselined {
            let _ = writeln!(out, "<p>Accepted deviation: {}</p>", h(reason));
        }
        for problem in case.problems() {
            let _ = writeln!(
                out,
                r#"<div class="problem {}">{}</div>"#,
                pill_class(case.standing()),
                h(&problem)
            );
        }
        let _ = writeln!(
            out,
            r#"<p class="muted">request: <code>{}</code>"#,
            h(&case.source)
        );
        if let Some(replay) = &case.replay {
            let _ = write!(out, "<br>replay: <code>{}</code>", h(replay));
        }
        let _ = writeln!(out, "</p></section>");
    }
    let _ = writeln!(out, "</main>\n</body>\n</html>");
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    #[test]
    fn hostile_names_are_escaped() {
        let page = render(&fixture::run());
        assert!(!page.contains("<script"), "a trial name became markup");
        assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;|a&amp;b"));
        assert!(page.contains("(status &lt;ansøgt&gt;)"));
    }

    #[test]
    fn the_page_is_self_contained() {
        let page = render(&fixture::run());
        for external in ["<link", "src=", "http-equiv", "@import", "url("] {
            assert!(!page.contains(external), "{external} in the page");
        }
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.trim_end().ends_with("</html>"));
    }

    #[test]
    fn certification_facts_are_on_the_page() {
        let run = fixture::run();
        let page = render(&run);
        for fact in [
            run.services[0].contract.sha256.as_str(),
            run.services[0].schemas[0].sha256.as_str(),
            run.client_certificate_sha256.as_deref().unwrap(),
            "kontrakt 0.1.0",
            "https://exttest.example/service/",
            "1.234 s",
            "Does not conform",
            "Accepted deviation: vendor ticket VEN-12",
            "reject-values kh:Bevilling/kh:BevillingStatus in {ansøgt, afslået}",
        ] {
            assert!(page.contains(&h(fact)), "missing {fact}");
        }
    }

    /// Writes the fixture's page to target/report-preview/report.html for a look in a browser.
    #[test]
    fn writes_a_preview() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/report-preview");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("report.html");
        std::fs::write(&path, render(&fixture::run())).unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() > 1000);
    }
}
