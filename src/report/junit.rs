//! JUnit XML in the dialect CI systems read: one testsuite per service, one testcase per trial.

use std::collections::BTreeMap;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::{CaseRecord, RunRecord};
use crate::checks::{Outcome, Verdict};

pub(super) fn render(run: &RunRecord) -> String {
    let mut by_service: BTreeMap<&str, Vec<&CaseRecord>> = BTreeMap::new();
    for case in &run.cases {
        by_service
            .entry(case.service.as_str())
            .or_default()
            .push(case);
    }
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail.
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let mut root = BytesStart::new("testsuites");
    root.push_attribute(("name", "kontrakt"));
    root.push_attribute(("tests", run.cases.len().to_string().as_str()));
    root.push_attribute(("failures", run.count(Outcome::Failed).to_string().as_str()));
    root.push_attribute((
        "errors",
        run.count(Outcome::CouldNotTest).to_string().as_str(),
    ));
    let _ = w.write_event(Event::Start(root));
    for (service, cases) in by_service {
        let count = |o: Outcome| cases.iter().filter(|c| c.outcome == o).count().to_string();
        let mut suite = BytesStart::new("testsuite");
        suite.push_attribute(("name", service));
        suite.push_attribute(("tests", cases.len().to_string().as_str()));
        suite.push_attribute(("failures", count(Outcome::Failed).as_str()));
        suite.push_attribute(("errors", count(Outcome::CouldNotTest).as_str()));
        let _ = w.write_event(Event::Start(suite));
        for case in cases {
            write_case(&mut w, case);
        }
        let _ = w.write_event(Event::End(BytesEnd::new("testsuite")));
    }
    let _ = w.write_event(Event::End(BytesEnd::new("testsuites")));
    String::from_utf8_lossy(&w.into_inner()).into_owned()
}

fn write_case(w: &mut Writer<Vec<u8>>, case: &CaseRecord) {
    let mut testcase = BytesStart::new("testcase");
    testcase.push_attribute(("name", case.name.as_str()));
    testcase.push_attribute((
        "classname",
        format!("{}.{}", case.service, case.operation).as_str(),
    ));
    testcase.push_attribute((
        "time",
        format!("{:.3}", case.duration_ms as f64 / 1000.0).as_str(),
    ));
    let problem = |wanted: fn(&Verdict) -> Option<&String>| {
        case.checks
            .iter()
            .filter_map(|c| wanted(&c.verdict).map(|m| format!("{}: {m}", c.check)))
            .collect::<Vec<_>>()
    };
    let (element, messages) = match case.outcome {
        Outcome::Passed => {
            let _ = w.write_event(Event::Empty(testcase));
            return;
        }
        Outcome::Failed => (
            "failure",
            problem(|v| match v {
                Verdict::Fail(m) => Some(m),
                _ => None,
            }),
        ),
        Outcome::CouldNotTest => (
            "error",
            problem(|v| match v {
                Verdict::Error(m) => Some(m),
                _ => None,
            }),
        ),
    };
    let _ = w.write_event(Event::Start(testcase));
    let mut tag = BytesStart::new(element);
    tag.push_attribute((
        "message",
        messages.first().map(String::as_str).unwrap_or_default(),
    ));
    let _ = w.write_event(Event::Start(tag));
    let body = format!("{}\nrequest: {}", messages.join("\n"), case.source);
    let _ = w.write_event(Event::Text(BytesText::new(&body)));
    let _ = w.write_event(Event::End(BytesEnd::new(element)));
    let _ = w.write_event(Event::End(BytesEnd::new("testcase")));
}
