//! The implementation of each rule kind.

use chrono::NaiveDate;
use roxmltree::Node;

use super::Verdict;
use crate::contract::{Condition, Rule, RuleScope};
use crate::domain::calendar::copenhagen_day;
use crate::xml::path::XmlPath;

/// Why `request` must be refused under `rule`, if it must. `today` is the provider's today.
pub(super) fn request_violation(rule: &Rule, request: Node, today: NaiveDate) -> Option<String> {
    match rule {
        Rule::RejectValues { path, values } => path
            .find_map_value(request, |v| {
                values.iter().any(|refused| *refused == v).then_some(v)
            })
            .map(|v| format!("{} is `{v}`, which the contract refuses", path.as_str())),
        Rule::RejectUnknown { path, domain } => path
            .find_map_value(request, |v| domain.validate(&v).err().map(|e| (v, e)))
            .map(|(v, e)| format!("{} is `{v}`: {e}", path.as_str())),
        Rule::ExactlyOneOf {
            paths,
            scope: RuleScope::Request,
        } => not_exactly_one(paths, request),
        Rule::DateWindow {
            from, to, window, ..
        } => {
            let Some((first, last)) = window.resolve(today) else {
                return Some(format!("window {window} does not exist for today {today}"));
            };
            [from, to].into_iter().find_map(|bound| {
                let value = bound.first_value(request)?;
                match copenhagen_day(&value) {
                    None => Some(format!("{} is `{value}`, not a date", bound.as_str())),
                    Some(day) if day < first || day > last => Some(format!(
                        "{} is `{value}`, outside the window {first}..{last} ({window} for today {today})",
                        bound.as_str()
                    )),
                    Some(_) => None,
                }
            })
        }
        _ => None,
    }
}

/// Judges an accepted response under a response rule.
pub(super) fn response_verdict(
    rule: &Rule,
    request: Node,
    response: Node,
    today: NaiveDate,
) -> Verdict {
    match rule {
        Rule::Echo {
            request: request_path,
            response: response_path,
        } => {
            let sent = request_path.first_value(request);
            let got = response_path.first_value(response);
            match (sent, got) {
                (None, _) => {
                    Verdict::NotRun(format!("the request has no {}", request_path.as_str()))
                }
                (Some(_), None) => Verdict::Fail(format!(
                    "{} is missing; it must echo the request's {}",
                    response_path.as_str(),
                    request_path.as_str()
                )),
                (Some(sent), Some(got)) if sent == got => Verdict::Pass,
                (Some(sent), Some(got)) => Verdict::Fail(format!(
                    "{}: expected `{sent}` (from the request's {}), got `{got}`",
                    response_path.as_str(),
                    request_path.as_str()
                )),
            }
        }
        Rule::DateIsToday { path } => match path.first_value(response) {
            None => Verdict::Fail(format!("{} is missing", path.as_str())),
            Some(got) => {
                let expected = today.format("%Y-%m-%d").to_string();
                // xs:date may carry a time zone; the calendar day is what counts.
                if got.get(..10) == Some(expected.as_str()) {
                    Verdict::Pass
                } else {
                    Verdict::Fail(format!(
                        "{}: expected today ({expected}), got `{got}`",
                        path.as_str()
                    ))
                }
            }
        },
        Rule::ExactlyOneOf { paths, .. } => match not_exactly_one(paths, response) {
            Some(problem) => Verdict::Fail(problem),
            None => Verdict::Pass,
        },
        Rule::AllEqual {
            response: response_path,
            request: request_path,
        } => every_value(
            request,
            response,
            request_path,
            response_path,
            "equal",
            |v, e| v == e,
        ),
        Rule::AllPrefixed {
            response: response_path,
            request: request_path,
        } => every_value(
            request,
            response,
            request_path,
            response_path,
            "start with",
            |v, e| v.starts_with(e),
        ),
        Rule::WithinPeriod {
            response: dates,
            from,
            to,
        } => match request_bound(request, from, to) {
            Err(problem) => Verdict::Error(problem),
            Ok(None) => Verdict::NotRun(format!(
                "the request has no period ({} / {})",
                from.as_str(),
                to.as_str()
            )),
            Ok(Some((first, last))) => {
                dates_within(response, dates, first, last, "the request's period")
            }
        },
        Rule::DateWindow {
            from,
            to,
            window,
            response: Some(dates),
            ..
        } => match request_bound(request, from, to) {
            Err(problem) => Verdict::Error(problem),
            Ok(Some((first, last))) => {
                dates_within(response, dates, first, last, "the request's bound")
            }
            Ok(None) => match window.resolve(today) {
                Some((first, last)) => dates_within(
                    response,
                    dates,
                    Some(first),
                    Some(last),
                    &format!("the default window {window} for today {today}"),
                ),
                None => Verdict::Error(format!("window {window} does not exist for today {today}")),
            },
        },
        Rule::AbsentWhen { paths, when } => {
            if !condition_holds(when, request) {
                return Verdict::NotRun(format!(
                    "the request's {} does not meet the condition",
                    when.path.as_str()
                ));
            }
            let leaked: Vec<String> = paths
                .iter()
                .filter_map(|p| {
                    p.first_value(response)
                        .map(|v| format!("{} (`{v}`)", p.as_str()))
                })
                .collect();
            if leaked.is_empty() {
                Verdict::Pass
            } else {
                Verdict::Fail(format!(
                    "the response contains {}, which this caller ({} = `{}`) may not receive",
                    leaked.join(", "),
                    when.path.as_str(),
                    when.path.first_value(request).unwrap_or_default()
                ))
            }
        }
        Rule::DateWindow { response: None, .. }
        | Rule::RejectValues { .. }
        | Rule::RejectUnknown { .. } => {
            Verdict::NotRun("a request rule has nothing to check in a response".into())
        }
    }
}

/// Which of `paths` are present under `node`, unless exactly one is.
fn not_exactly_one(paths: &[XmlPath], node: Node) -> Option<String> {
    let present: Vec<&str> = paths
        .iter()
        .filter(|p| p.first_value(node).is_some())
        .map(XmlPath::as_str)
        .collect();
    let all = paths
        .iter()
        .map(XmlPath::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    match present.len() {
        1 => None,
        0 => Some(format!("none of {{{all}}} is present; exactly one must be")),
        _ => Some(format!(
            "{} are all present; exactly one of {{{all}}} may be",
            present.join(" and ")
        )),
    }
}

/// Every value at `response_path` relates (`relation`, named `verb`) to the request's value.
fn every_value(
    request: Node,
    response: Node,
    request_path: &XmlPath,
    response_path: &XmlPath,
    verb: &str,
    relation: impl Fn(&str, &str) -> bool,
) -> Verdict {
    let Some(expected) = request_path.first_value(request) else {
        return Verdict::NotRun(format!("the request has no {}", request_path.as_str()));
    };
    let values = response_path.values(response);
    match values.iter().position(|v| !relation(v, &expected)) {
        None => Verdict::Pass,
        Some(index) => Verdict::Fail(format!(
            "{} #{} of {} is `{}`; every one must {verb} `{expected}` (the request's {})",
            response_path.as_str(),
            index + 1,
            values.len(),
            values[index],
            request_path.as_str()
        )),
    }
}

type Bound = (Option<NaiveDate>, Option<NaiveDate>);

/// The request's `from..to` bound; `None` when it has neither end.
fn request_bound(request: Node, from: &XmlPath, to: &XmlPath) -> Result<Option<Bound>, String> {
    let end = |path: &XmlPath| -> Result<Option<NaiveDate>, String> {
        path.first_value(request)
            .map(|v| {
                copenhagen_day(&v)
                    .ok_or_else(|| format!("the request's {} is `{v}`, not a date", path.as_str()))
            })
            .transpose()
    };
    let bound = (end(from)?, end(to)?);
    Ok((bound.0.is_some() || bound.1.is_some()).then_some(bound))
}

fn dates_within(
    response: Node,
    dates: &XmlPath,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
    what: &str,
) -> Verdict {
    let show = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for value in dates.values(response) {
        let inside = copenhagen_day(&value).is_some_and(|day| {
            first.is_none_or(|first| first <= day) && last.is_none_or(|last| day <= last)
        });
        if !inside {
            return Verdict::Fail(format!(
                "{} is `{value}`, outside {what} {}..{}",
                dates.as_str(),
                show(first),
                show(last)
            ));
        }
    }
    Verdict::Pass
}

fn condition_holds(condition: &Condition, request: Node) -> bool {
    let listed = condition
        .path
        .first_value(request)
        .is_some_and(|v| condition.values.iter().any(|listed| *listed == v));
    listed != condition.negated
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::DateWindow;
    use crate::xml::path::Namespaces;

    fn path(p: &str) -> XmlPath {
        let namespaces: Namespaces = [("k".to_owned(), "urn:k".to_owned())].into();
        XmlPath::parse(p, &namespaces).unwrap()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()
    }

    /// Parses `<k:R xmlns:k="urn:k">{inner}</k:R>` and runs `f` on its root.
    fn with<T>(inner: &str, f: impl FnOnce(Node) -> T) -> T {
        let text = format!(r#"<k:R xmlns:k="urn:k">{inner}</k:R>"#);
        let doc = roxmltree::Document::parse(&text).unwrap();
        f(doc.root_element())
    }

    fn violation(rule: &Rule, request: &str) -> Option<String> {
        with(request, |r| request_violation(rule, r, today()))
    }

    fn verdict(rule: &Rule, request: &str, response: &str) -> Verdict {
        with(request, |req| {
            with(response, |resp| response_verdict(rule, req, resp, today()))
        })
    }

    fn failed(v: &Verdict) -> bool {
        matches!(v, Verdict::Fail(_))
    }

    #[test]
    fn exactly_one_of_refuses_none_and_both() {
        let rule = Rule::ExactlyOneOf {
            paths: vec![path("k:Kode"), path("k:Afvisning")],
            scope: RuleScope::Request,
        };
        assert_eq!(violation(&rule, "<k:Kode>01</k:Kode>"), None);
        assert_eq!(
            violation(&rule, "<k:Afvisning><k:B>nej</k:B></k:Afvisning>"),
            None
        );
        let both = violation(&rule, "<k:Kode>01</k:Kode><k:Afvisning/>").unwrap();
        assert!(both.contains("k:Kode and k:Afvisning"), "{both}");
        assert!(violation(&rule, "").unwrap().contains("none of"));
        let in_response = Rule::ExactlyOneOf {
            paths: vec![path("k:Kode"), path("k:Afvisning")],
            scope: RuleScope::Response,
        };
        assert_eq!(violation(&in_response, ""), None);
        assert!(failed(&verdict(
            &in_response,
            "",
            "<k:Kode>1</k:Kode><k:Afvisning/>"
        )));
        assert_eq!(
            verdict(&in_response, "", "<k:Kode>1</k:Kode>"),
            Verdict::Pass
        );
    }

    #[test]
    fn all_equal_catches_another_citizens_value() {
        let rule = Rule::AllEqual {
            response: path("k:Sag/k:CPR"),
            request: path("k:CPR"),
        };
        let request = "<k:CPR>0707614285</k:CPR>";
        let own =
            "<k:Sag><k:CPR>0707614285</k:CPR></k:Sag><k:Sag><k:CPR>0707614285</k:CPR></k:Sag>";
        assert_eq!(verdict(&rule, request, own), Verdict::Pass);
        assert_eq!(verdict(&rule, request, ""), Verdict::Pass);
        let mixed =
            "<k:Sag><k:CPR>0707614285</k:CPR></k:Sag><k:Sag><k:CPR>2103924417</k:CPR></k:Sag>";
        let Verdict::Fail(message) = verdict(&rule, request, mixed) else {
            panic!("another citizen's case must fail");
        };
        assert!(message.contains("#2 of 2 is `2103924417`"), "{message}");
        assert!(matches!(verdict(&rule, "", own), Verdict::NotRun(_)));
    }

    #[test]
    fn all_prefixed_narrows_to_the_requested_subtree() {
        let rule = Rule::AllPrefixed {
            response: path("//k:Kle"),
            request: path("k:Kle"),
        };
        let request = "<k:Kle>32.18</k:Kle>";
        assert_eq!(
            verdict(&rule, request, "<k:A><k:Kle>32.18.04</k:Kle></k:A>"),
            Verdict::Pass
        );
        assert!(failed(&verdict(
            &rule,
            request,
            "<k:A><k:Kle>32.18.04</k:Kle></k:A><k:A><k:Kle>15.00.00</k:Kle></k:A>"
        )));
        assert!(matches!(
            verdict(&rule, "", "<k:Kle>1</k:Kle>"),
            Verdict::NotRun(_)
        ));
    }

    #[test]
    fn within_period_checks_dates_against_an_optional_period() {
        let rule = Rule::WithinPeriod {
            response: path("k:Sag/k:Start"),
            from: path("k:Periode/k:Fra"),
            to: path("k:Periode/k:Til"),
        };
        let request = "<k:Periode><k:Fra>2026-01-01</k:Fra><k:Til>2026-01-31</k:Til></k:Periode>";
        let inside = "<k:Sag><k:Start>2026-01-01</k:Start></k:Sag><k:Sag><k:Start>2026-01-31</k:Start></k:Sag>";
        assert_eq!(verdict(&rule, request, inside), Verdict::Pass);
        let outside = "<k:Sag><k:Start>2026-02-01</k:Start></k:Sag>";
        assert!(failed(&verdict(&rule, request, outside)));
        assert!(matches!(verdict(&rule, "", outside), Verdict::NotRun(_)));
        let open_end = "<k:Periode><k:Fra>2026-01-15</k:Fra></k:Periode>";
        assert!(failed(&verdict(&rule, open_end, inside)));
        let broken = "<k:Periode><k:Fra>i morgen</k:Fra></k:Periode>";
        assert!(matches!(verdict(&rule, broken, inside), Verdict::Error(_)));
    }

    fn window_rule() -> Rule {
        Rule::DateWindow {
            from: path("k:Fra"),
            to: path("k:Til"),
            window: DateWindow::terminal_adgang(),
            outside: crate::contract::OutsideWindow::Fault,
            response: Some(path("//k:Dispositionsdato")),
        }
    }

    #[test]
    fn date_window_refuses_bounds_outside_the_window() {
        // today 2026-03-31: the window is 2025-12-01..2026-03-31.
        let rule = window_rule();
        assert_eq!(violation(&rule, ""), None);
        assert_eq!(
            violation(
                &rule,
                "<k:Fra>2025-12-01T00:00:00+01:00</k:Fra><k:Til>2026-03-31</k:Til>"
            ),
            None
        );
        let early = violation(&rule, "<k:Fra>2025-11-30</k:Fra>").unwrap();
        assert!(
            early.contains("outside the window 2025-12-01..2026-03-31"),
            "{early}"
        );
        assert!(violation(&rule, "<k:Til>2026-04-01</k:Til>").is_some());
        // 22:59Z on 30 November is midnight 1 December in Copenhagen: inside.
        assert_eq!(
            violation(&rule, "<k:Fra>2025-11-30T23:00:00Z</k:Fra>"),
            None
        );
        assert!(violation(&rule, "<k:Fra>2025-11-30T22:59:59Z</k:Fra>").is_some());
        assert!(
            violation(&rule, "<k:Fra>snart</k:Fra>")
                .unwrap()
                .contains("not a date")
        );
    }

    #[test]
    fn date_window_applies_the_default_window_or_honours_the_bound() {
        let rule = window_rule();
        let dates = |days: &[&str]| {
            days.iter()
                .map(|d| {
                    format!(
                        "<k:E><k:Dispositionsdato>{d}T00:00:00+01:00</k:Dispositionsdato></k:E>"
                    )
                })
                .collect::<String>()
        };
        let edges = dates(&["2025-12-01", "2026-03-31"]);
        assert_eq!(verdict(&rule, "", &edges), Verdict::Pass);
        let Verdict::Fail(message) = verdict(&rule, "", &dates(&["2025-11-30"])) else {
            panic!("a date before the default window must fail");
        };
        assert!(message.contains("default window"), "{message}");
        // A bound inside the window narrows: the window's first day is now outside it.
        let bound = "<k:Fra>2026-02-01</k:Fra><k:Til>2026-03-31</k:Til>";
        assert!(failed(&verdict(&rule, bound, &edges)));
        assert_eq!(
            verdict(&rule, bound, &dates(&["2026-02-01", "2026-03-15"])),
            Verdict::Pass
        );
    }

    #[test]
    fn absent_when_filters_by_the_callers_role() {
        let udk_only = Rule::AbsentWhen {
            paths: vec![path("//k:Tekst"), path("//k:Afdeling")],
            when: Condition {
                path: path("k:CVR"),
                values: vec!["11111111".into()],
                negated: false,
            },
        };
        let udk = "<k:CVR>11111111</k:CVR>";
        let kommune = "<k:CVR>29189846</k:CVR>";
        let leaky = "<k:E><k:Tekst>Udbetalt til NemKonto</k:Tekst></k:E>";
        let Verdict::Fail(message) = verdict(&udk_only, udk, leaky) else {
            panic!("a filtered field must fail");
        };
        assert!(
            message.contains("//k:Tekst (`Udbetalt til NemKonto`)"),
            "{message}"
        );
        assert_eq!(verdict(&udk_only, udk, "<k:E/>"), Verdict::Pass);
        assert!(matches!(
            verdict(&udk_only, kommune, leaky),
            Verdict::NotRun(_)
        ));
        let municipalities = Rule::AbsentWhen {
            paths: vec![path("//k:Tekst")],
            when: Condition {
                path: path("k:CVR"),
                values: vec!["11111111".into()],
                negated: true,
            },
        };
        assert!(failed(&verdict(&municipalities, kommune, leaky)));
        assert!(failed(&verdict(&municipalities, "", leaky)));
        assert!(matches!(
            verdict(&municipalities, udk, leaky),
            Verdict::NotRun(_)
        ));
    }
}
