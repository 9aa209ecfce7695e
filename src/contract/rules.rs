//! The closed set of business-rule kinds a contract can use. Each kind has one implementation in
//! `checks`; contracts only choose kinds and parameters.

use serde::Deserialize;

use crate::domain::FieldKind;
use crate::xml::path::{Namespaces, PathError, XmlPath};

/// Whether a rule judges the request (it predicts that the provider must refuse it) or the
/// response to an accepted request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleScope {
    Request,
    Response,
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
}

impl Rule {
    pub fn scope(&self) -> RuleScope {
        match self {
            Rule::RejectValues { .. } | Rule::RejectUnknown { .. } => RuleScope::Request,
            Rule::Echo { .. } | Rule::DateIsToday { .. } => RuleScope::Response,
        }
    }

    /// The kind as written in contract.toml, for messages and reports.
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::Echo { .. } => "echo",
            Rule::RejectValues { .. } => "reject-values",
            Rule::RejectUnknown { .. } => "reject-unknown",
            Rule::DateIsToday { .. } => "date-is-today",
        }
    }

    /// A one-line description naming the paths, e.g. `echo fd:A -> fd:B`.
    pub fn describe(&self) -> String {
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
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub(super) enum RawRule {
    Echo { request: String, response: String },
    RejectValues { path: String, values: Vec<String> },
    RejectUnknown { path: String, domain: String },
    DateIsToday { path: String },
}

/// Why a rule in contract.toml cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("rule path: {0}")]
    Path(#[from] PathError),
    #[error("reject-unknown: unknown domain `{0}`")]
    UnknownDomain(String),
}

impl RawRule {
    pub(super) fn compile(self, namespaces: &Namespaces) -> Result<Rule, RuleError> {
        let path = |p: &str| XmlPath::parse(p, namespaces);
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
        })
    }
}
