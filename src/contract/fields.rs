//! Field bindings: `[[operation.field]] path = "…", kind = "cpr"` says which request field holds
//! which kind of value, so generated cases know what to substitute there and what the provider
//! must make of it.

use serde::Deserialize;

use crate::domain::FieldKind;
use crate::xml::path::{Namespaces, XmlPath};

/// What a bound field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueKind {
    /// A Danish domain value with its own validity rule and edge catalogue.
    Domain(FieldKind),
    /// Free text of at most `max_length` characters. The length comes from the schema's
    /// `maxLength` facet; until generation reads the compiled schema it is stated here.
    Text { max_length: usize },
}

impl ValueKind {
    pub fn name(&self) -> &'static str {
        match self {
            ValueKind::Domain(kind) => kind.name(),
            ValueKind::Text { .. } => TEXT_KIND,
        }
    }
}

const TEXT_KIND: &str = "text";

/// One bound request field.
#[derive(Debug, Clone)]
pub struct FieldBinding {
    /// The name in trial names (`…::edge::<name>-<edge>`): `name` from the TOML, else the local
    /// name the path ends in.
    pub name: String,
    /// Relative to the request payload element.
    pub path: XmlPath,
    pub kind: ValueKind,
    /// Written before the value on the wire, e.g. `urn:oio:cpr-nr:` for a CPR inside a URN.
    pub prefix: String,
    /// The value names something the provider holds (a served municipality, a seeded case):
    /// another valid value may rightly be refused, so only invalid values are generated.
    pub reference: bool,
    /// The golden case (file stem) generated requests start from; `None`: the operation's first
    /// golden case that does not expect a fault.
    pub template: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawField {
    path: String,
    kind: String,
    name: Option<String>,
    max_length: Option<usize>,
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    reference: bool,
    template: Option<String>,
}

impl RawField {
    pub(super) fn compile(self, namespaces: &Namespaces) -> Result<FieldBinding, String> {
        let path = XmlPath::parse(&self.path, namespaces)
            .map_err(|e| format!("field `{}`: {e}", self.path))?;
        let kind = match (self.kind.as_str(), self.max_length) {
            (TEXT_KIND, Some(max_length)) if max_length > 0 => ValueKind::Text { max_length },
            (TEXT_KIND, _) => {
                return Err(format!(
                    "field `{}`: kind \"text\" needs max_length > 0",
                    self.path
                ));
            }
            (kind, None) => ValueKind::Domain(kind.parse::<FieldKind>().map_err(|e| {
                format!(
                    "field `{}`: {e} (or \"{TEXT_KIND}\" with max_length)",
                    self.path
                )
            })?),
            (kind, Some(_)) => {
                return Err(format!(
                    "field `{}`: max_length applies to kind \"text\" only, not \"{kind}\"",
                    self.path
                ));
            }
        };
        let name = match self.name {
            Some(name) => name,
            None => path
                .last_local_name()
                .map(str::to_owned)
                .ok_or_else(|| format!("field `{}` names no element", self.path))?,
        };
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '-') {
            return Err(format!(
                "field `{}`: name `{name}` must be letters, digits and -",
                self.path
            ));
        }
        Ok(FieldBinding {
            name,
            path,
            kind,
            prefix: self.prefix,
            reference: self.reference,
            template: self.template,
        })
    }
}

/// Trial names must tell the fields of one operation apart.
pub(super) fn check_unique(fields: &[FieldBinding]) -> Result<(), String> {
    for (index, field) in fields.iter().enumerate() {
        if fields[..index].iter().any(|f| f.name == field.name) {
            return Err(format!(
                "two fields are named `{}`; give one a `name`",
                field.name
            ));
        }
    }
    Ok(())
}
