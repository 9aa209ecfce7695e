//! The implementation of each rule kind.

use chrono::NaiveDate;
use roxmltree::Node;

use super::Verdict;
use crate::contract::Rule;

/// Why `request` must be refused under `rule`, if it must.
pub(super) fn request_violation(rule: &Rule, request: Node) -> Option<String> {
    match rule {
        Rule::RejectValues { path, values } => path
            .values(request)
            .into_iter()
            .find(|v| values.contains(v))
            .map(|v| format!("{} is `{v}`, which the contract refuses", path.as_str())),
        Rule::RejectUnknown { path, domain } => path
            .values(request)
            .into_iter()
            .find_map(|v| domain.validate(&v).err().map(|e| (v, e)))
            .map(|(v, e)| format!("{} is `{v}`: {e}", path.as_str())),
        Rule::Echo { .. } | Rule::DateIsToday { .. } => None,
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
        Rule::RejectValues { .. } | Rule::RejectUnknown { .. } => {
            Verdict::NotRun("a request rule has nothing to check in a response".into())
        }
    }
}
