//! JUnit XML in the dialect CI systems read: one testsuite per service, one testcase per trial.
//! Accepted deviations (baselined failures) are `<skipped>` with the reason and the failure, so a
//! CI dashboard shows them without failing the build.

use std::collections::BTreeMap;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::{CaseRecord, RunRecord, Standing, Tally};

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
    push_tally(&mut root, run.tally());
    let _ = w.write_event(Event::Start(root));
    for (service, cases) in by_service {
        let mut suite = BytesStart::new("testsuite");
        suite.push_attribute(("name", service));
        push_tally(&mut suite, Tally::of(cases.iter().copied()));
        let _ = w.write_event(Event::Start(suite));
        for case in cases {
            write_case(&mut w, case, run.seed);
        }
        let _ = w.write_event(Event::End(BytesEnd::new("testsuite")));
    }
    let _ = w.write_event(Event::End(BytesEnd::new("testsuites")));
    String::from_utf8_lossy(&w.into_inner()).into_owned()
}

fn push_tally(element: &mut BytesStart, tally: Tally) {
    element.push_attribute(("tests", tally.total().to_string().as_str()));
    element.push_attribute(("failures", tally.failed.to_string().as_str()));
    element.push_attribute(("errors", tally.could_not_test.to_string().as_str()));
    element.push_attribute(("skipped", tally.baselined.to_string().as_str()));
}

fn write_case(w: &mut Writer<Vec<u8>>, case: &CaseRecord, run_seed: Option<u64>) {
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
    let standing = case.standing();
    let element = match standing {
        Standing::Passed => {
            let _ = w.write_event(Event::Empty(testcase));
            return;
        }
        Standing::Failed => "failure",
        Standing::Baselined => "skipped",
        Standing::CouldNotTest => "error",
    };
    let problems = case.problems();
    let first = problems.first().map(String::as_str).unwrap_or_default();
    let message = match &case.baselined {
        Some(reason) if standing == Standing::Baselined => {
            format!("baselined ({reason}): {first}")
        }
        _ => first.to_owned(),
    };
    let mut body = problems.join("\n");
    body.push_str(&format!("\nrequest: {}", case.source));
    if let Some(seed) = case.seed.or(run_seed) {
        body.push_str(&format!("\nseed: {seed}"));
    }
    if let Some(replay) = &case.replay {
        body.push_str(&format!("\nreplay: {replay}"));
    }
    let _ = w.write_event(Event::Start(testcase));
    let mut tag = BytesStart::new(element);
    tag.push_attribute(("message", message.as_str()));
    let _ = w.write_event(Event::Start(tag));
    let _ = w.write_event(Event::Text(BytesText::new(&body)));
    let _ = w.write_event(Event::End(BytesEnd::new(element)));
    let _ = w.write_event(Event::End(BytesEnd::new("testcase")));
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    fn parsed(xml: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(xml).expect("junit.xml is well-formed")
    }

    #[test]
    fn one_testcase_per_trial_with_the_right_element() {
        let run = fixture::run();
        let xml = render(&run);
        let doc = parsed(&xml);
        let cases: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(cases.len(), run.cases.len());
        let child = |name: &str| {
            cases
                .iter()
                .find(|c| c.attribute("name") == Some(name))
                .and_then(|c| c.first_element_child())
                .map(|e| e.tag_name().name().to_owned())
        };
        assert_eq!(child(fixture::HOSTILE).as_deref(), Some("failure"));
        assert_eq!(
            child("kontanthjaelp::SletBevilling::golden::known-deviation").as_deref(),
            Some("skipped")
        );
        assert_eq!(
            child("kontanthjaelp::SletBevilling::golden::unreachable").as_deref(),
            Some("error")
        );
        assert_eq!(child("kontanthjaelp::RetBevilling::golden::afgjort"), None);
        let root = doc.root_element();
        assert_eq!(root.attribute("failures"), Some("1"));
        assert_eq!(root.attribute("skipped"), Some("1"));
    }

    #[test]
    fn failure_names_check_message_and_replay() {
        let xml = render(&fixture::run());
        let doc = parsed(&xml);
        let failure = doc
            .descendants()
            .find(|n| n.has_tag_name("failure"))
            .unwrap();
        assert_eq!(
            failure.attribute("message"),
            Some("outcome: expected a SOAP fault (status <ansøgt>), got {kh}Svar")
        );
        let skipped = doc
            .descendants()
            .find(|n| n.has_tag_name("skipped"))
            .unwrap();
        assert!(
            skipped
                .attribute("message")
                .unwrap()
                .starts_with("baselined (vendor ticket VEN-12"),
            "{xml}"
        );
        assert!(xml.contains("replay: kontrakt run --exact"), "{xml}");
    }
}
