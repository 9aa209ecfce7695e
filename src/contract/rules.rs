//! The closed set of business-rule kinds a contract can use. Each kind has one implementation in
//! `checks`; contracts only choose kinds and parameters.

use serde::Deserialize;

use crate::domain::FieldKind;
use crate::domain::calendar::{DateWindow, WindowParseError};
use crate::xml::path::{Namespaces, PathError, XmlPath};

/// Whether a rule judges the request (it predicts that the provider must refuse it) or the
/// response to an accepted request. A rule may do both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleScope {
    Request,
    Response,
}

/// A condition on the request that switches a rule on: the value at `path` is (or, with
/// `negated`, is not) one of `values`. A missing value is "not one of".
#[derive(Debug, Clone)]
pub struct Condition {
    pub path: XmlPath,
    pub values: Vec<String>,
    pub negated: bool,
}

/// What a provider must do with a request bound outside a date window. Only `fault` exists: the
/// services we know never change the caller's bound (domain.md, TerminalAdgang step 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutsideWindow {
    Fault,
}

/// A compiled rule. Paths are relative to the request or response payload element.
#[derive(Debug, Clone)]
pub enum Rule {
    /// The response carries back a request value (e.g. the receipt's message id).
    Echo { request: XmlPath, response: XmlPath },
    /// Requests with one of these values at `path` must be refused with a fault.
    RejectValues { path: XmlPath, values: Vec<String> },
    /// Requests whose value at `path` is not in the named domain set (e.g. `municipality`) must
    /// be refused with a fault.
    RejectUnknown { path: XmlPath, domain: FieldKind },
    /// The response value at `path` is the provider's "today" (the injectable clock).
    DateIsToday { path: XmlPath },
    /// Exactly one of `paths` is present: in the request (else it must be refused) or in the
    /// response.
    ExactlyOneOf {
        paths: Vec<XmlPath>,
        scope: RuleScope,
    },
    /// Every value the response selects equals the request's value (e.g. only the requested
    /// citizen's cases come back).
    AllEqual { response: XmlPath, request: XmlPath },
    /// Every date the response selects lies in the request's period `from..to` (either end may
    /// be absent: then that side is open; without both the rule does not apply).
    WithinPeriod {
        response: XmlPath,
        from: XmlPath,
        to: XmlPath,
    },
    /// A request bound `from..to` outside `window` (relative to today) must be refused. In the
    /// response, the dates at `response` lie in the request's bound, or in the window when the
    /// request has none.
    DateWindow {
        from: XmlPath,
        to: XmlPath,
        window: DateWindow,
        outside: OutsideWindow,
        response: Option<XmlPath>,
    },
    /// When the request meets `when`, the response contains none of `paths` (fields a caller's
    /// role may not receive).
    AbsentWhen {
        paths: Vec<XmlPath>,
        when: Condition,
    },
    /// Every value the response selects starts with the request's value (a KLE number narrows
    /// the result to its subtree). Applies only when the request has the value.
    AllPrefixed { response: XmlPath, request: XmlPath },
}

impl Rule {
    /// The scopes the rule judges.
    pub fn scopes(&self) -> &'static [RuleScope] {
        match self {
            Rule::RejectValues { .. } | Rule::RejectUnknown { .. } => &[RuleScope::Request],
            Rule::ExactlyOneOf {
                scope: RuleScope::Request,
                ..
            } => &[RuleScope::Request],
            Rule::DateWindow { response: None, .. } => &[RuleScope::Request],
            Rule::DateWindow {
                response: Some(_), ..
            } => &[RuleScope::Request, RuleScope::Response],
            Rule::Echo { .. }
            | Rule::DateIsToday { .. }
            | Rule::ExactlyOneOf {
                scope: RuleScope::Response,
                ..
            }
            | Rule::AllEqual { .. }
            | Rule::WithinPeriod { .. }
            | Rule::AbsentWhen { .. }
            | Rule::AllPrefixed { .. } => &[RuleScope::Response],
        }
    }

    pub fn judges(&self, scope: RuleScope) -> bool {
        self.scopes().contains(&scope)
    }

    /// The kind as written in contract.toml, for messages and reports.
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::Echo { .. } => "echo",
            Rule::RejectValues { .. } => "reject-values",
            Rule::RejectUnknown { .. } => "reject-unknown",
            Rule::DateIsToday { .. } => "date-is-today",
            Rule::ExactlyOneOf { .. } => "exactly-one-of",
            Rule::AllEqual { .. } => "all-equal",
            Rule::WithinPeriod { .. } => "within-period",
            Rule::DateWindow { .. } => "date-window",
            Rule::AbsentWhen { .. } => "absent-when",
            Rule::AllPrefixed { .. } => "all-prefixed",
        }
    }

    /// A one-line description naming the paths, e.g. `echo fd:A -> fd:B`.
    pub fn describe(&self) -> String {
        let list = |paths: &[XmlPath]| {
            paths
                .iter()
                .map(XmlPath::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Rule::Echo { request, response } => {
                format!("echo {} -> {}", request.as_str(), response.as_str())
            }
            Rule::RejectValues { path, values } => {
                format!(
                    "reject-values {} in {{{}}}",
                    path.as_str(),
                    values.join(", ")
                )
            }
            Rule::RejectUnknown { path, domain } => {
                format!("reject-unknown {} not a valid {domain}", path.as_str())
            }
            Rule::DateIsToday { path } => format!("date-is-today {}", path.as_str()),
            Rule::ExactlyOneOf { paths, scope } => {
                let side = match scope {
                    RuleScope::Request => "request",
                    RuleScope::Response => "response",
                };
                format!("exactly-one-of {{{}}} in the {side}", list(paths))
            }
            Rule::AllEqual { response, request } => {
                format!("all-equal {} = {}", response.as_str(), request.as_str())
            }
            Rule::WithinPeriod { response, from, to } => format!(
                "within-period {} in {}..{}",
                response.as_str(),
                from.as_str(),
                to.as_str()
            ),
            Rule::DateWindow {
                from,
                to,
                window,
                response,
                ..
            } => {
                let dates = response
                    .as_ref()
                    .map(|r| format!("; {} in the bound or window", r.as_str()))
                    .unwrap_or_default();
                format!(
                    "date-window {}..{} within {window}, else fault{dates}",
                    from.as_str(),
                    to.as_str()
                )
            }
            Rule::AbsentWhen { paths, when } => format!(
                "absent-when {{{}}} when {} {} {{{}}}",
                list(paths),
                when.path.as_str(),
                if when.negated { "not in" } else { "in" },
                when.values.join(", ")
            ),
            Rule::AllPrefixed { response, request } => format!(
                "all-prefixed {} starts with {}",
                response.as_str(),
                request.as_str()
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum RawScope {
    #[default]
    Request,
    Response,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCondition {
    path: String,
    #[serde(rename = "in")]
    one_of: Option<Vec<String>>,
    #[serde(rename = "not-in")]
    none_of: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub(super) enum RawRule {
    Echo {
        request: String,
        response: String,
    },
    RejectValues {
        path: String,
        values: Vec<String>,
    },
    RejectUnknown {
        path: String,
        domain: String,
    },
    DateIsToday {
        path: String,
    },
    ExactlyOneOf {
        paths: Vec<String>,
        #[serde(default)]
        scope: RawScope,
    },
    AllEqual {
        response: String,
        request: String,
    },
    WithinPeriod {
        response: String,
        from: String,
        to: String,
    },
    DateWindow {
        from: String,
        to: String,
        window: String,
        outside: OutsideWindow,
        response: Option<String>,
    },
    AbsentWhen {
        paths: Vec<String>,
        when: RawCondition,
    },
    AllPrefixed {
        response: String,
        request: String,
    },
}

/// Why a rule in contract.toml cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("rule path: {0}")]
    Path(#[from] PathError),
    #[error("reject-unknown: unknown domain `{0}`")]
    UnknownDomain(String),
    #[error("date-window: {0}")]
    Window(#[from] WindowParseError),
    #[error("{kind}: `paths` needs at least {at_least} path(s)")]
    TooFewPaths { kind: &'static str, at_least: usize },
    #[error("absent-when: `when` needs exactly one of `in` and `not-in`")]
    Condition,
}

impl RawRule {
    pub(super) fn compile(self, namespaces: &Namespaces) -> Result<Rule, RuleError> {
        let path = |p: &str| XmlPath::parse(p, namespaces);
        let paths = |kind, at_least, raw: Vec<String>| {
            if raw.len() < at_least {
                return Err(RuleError::TooFewPaths { kind, at_least });
            }
            raw.iter()
                .map(|p| path(p).map_err(RuleError::from))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(match self {
            RawRule::Echo { request, response } => Rule::Echo {
                request: path(&request)?,
                response: path(&response)?,
            },
            RawRule::RejectValues { path: p, values } => Rule::RejectValues {
                path: path(&p)?,
                values,
            },
            RawRule::RejectUnknown { path: p, domain } => Rule::RejectUnknown {
                path: path(&p)?,
                domain: domain
                    .parse()
                    .map_err(|_| RuleError::UnknownDomain(domain))?,
            },
            RawRule::DateIsToday { path: p } => Rule::DateIsToday { path: path(&p)? },
            RawRule::ExactlyOneOf { paths: raw, scope } => Rule::ExactlyOneOf {
                paths: paths("exactly-one-of", 2, raw)?,
                scope: match scope {
                    RawScope::Request => RuleScope::Request,
                    RawScope::Response => RuleScope::Response,
                },
            },
            RawRule::AllEqual { response, request } => Rule::AllEqual {
                response: path(&response)?,
                request: path(&request)?,
            },
            RawRule::WithinPeriod { response, from, to } => Rule::WithinPeriod {
                response: path(&response)?,
                from: path(&from)?,
                to: path(&to)?,
            },
            RawRule::DateWindow {
                from,
                to,
                window,
                outside,
                response,
            } => Rule::DateWindow {
                from: path(&from)?,
                to: path(&to)?,
                window: window.parse()?,
                outside,
                response: response.as_deref().map(path).transpose()?,
            },
            RawRule::AbsentWhen { paths: raw, when } => {
                let (values, negated) = match (when.one_of, when.none_of) {
                    (Some(values), None) => (values, false),
                    (None, Some(values)) => (values, true),
                    _ => return Err(RuleError::Condition),
                };
                Rule::AbsentWhen {
                    paths: paths("absent-when", 1, raw)?,
                    when: Condition {
                        path: path(&when.path)?,
                        values,
                        negated,
                    },
                }
            }
            RawRule::AllPrefixed { response, request } => Rule::AllPrefixed {
                response: path(&response)?,
                request: path(&request)?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(toml_text: &str) -> Result<Rule, RuleError> {
        let namespaces: Namespaces = [("k".to_owned(), "urn:k".to_owned())].into();
        let raw: RawRule = toml::from_str(toml_text).expect("rule TOML");
        raw.compile(&namespaces)
    }

    #[test]
    fn new_kinds_compile_with_their_scopes() {
        let rule = compile("kind = \"exactly-one-of\"\npaths = [\"k:A\", \"k:B\"]").unwrap();
        assert_eq!(rule.scopes(), &[RuleScope::Request]);
        let rule =
            compile("kind = \"exactly-one-of\"\npaths = [\"k:A\", \"k:B\"]\nscope = \"response\"")
                .unwrap();
        assert_eq!(rule.scopes(), &[RuleScope::Response]);
        let rule = compile(
            "kind = \"date-window\"\nfrom = \"k:F\"\nto = \"k:T\"\n\
             window = \"month-start(-3)..month-end(0)\"\noutside = \"fault\"\nresponse = \"//k:D\"",
        )
        .unwrap();
        assert!(rule.judges(RuleScope::Request) && rule.judges(RuleScope::Response));
        assert_eq!(
            rule.describe(),
            "date-window k:F..k:T within month-start(-3)..month-end(0), else fault; //k:D in the bound or window"
        );
        let rule = compile(
            "kind = \"absent-when\"\npaths = [\"//k:X\"]\nwhen = { path = \"k:C\", not-in = [\"1\"] }",
        )
        .unwrap();
        assert_eq!(rule.describe(), "absent-when {//k:X} when k:C not in {1}");
    }

    #[test]
    fn bad_parameters_are_named() {
        let message = |text: &str| compile(text).unwrap_err().to_string();
        assert!(message("kind = \"exactly-one-of\"\npaths = [\"k:A\"]").contains("at least 2"));
        assert!(
            message(
                "kind = \"date-window\"\nfrom = \"k:F\"\nto = \"k:T\"\nwindow = \"week(1)\"\noutside = \"fault\""
            )
            .contains("week")
        );
        assert!(
            message("kind = \"absent-when\"\npaths = [\"k:X\"]\nwhen = { path = \"k:C\" }")
                .contains("exactly one of `in` and `not-in`")
        );
    }

    #[test]
    fn an_outside_policy_other_than_fault_is_refused() {
        let raw: Result<RawRule, _> = toml::from_str(
            "kind = \"date-window\"\nfrom = \"k:F\"\nto = \"k:T\"\nwindow = \"day(0)\"\noutside = \"clamp\"",
        );
        assert!(raw.unwrap_err().to_string().contains("clamp"));
    }
}
