//! Contracts as data: `contracts/<service>/contract.toml` names the schemas, the endpoint path,
//! the SOAP version and, per operation, the SOAPAction, request/response QNames and rules.
//! Loading a contract is cheap (no schema compilation) so listing trials stays fast.

mod fields;
mod rules;

pub use fields::{FieldBinding, ValueKind};
pub use rules::{Condition, OutsideWindow, Rule, RuleError, RuleScope};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::soap::SoapVersion;
use crate::soap::security::{HeaderBlock, SecurityModel};
use crate::xml::path::Namespaces;

/// A loaded, resolved contract of one service.
#[derive(Debug, Clone)]
pub struct Contract {
    /// The folder name under `contracts/`, used in trial names (`kontanthjaelp::…`).
    pub key: String,
    pub file: PathBuf,
    pub service: Service,
    pub provenance: Provenance,
    pub namespaces: Namespaces,
    pub operations: Vec<Operation>,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub version: String,
    /// Path below the endpoint base URL, e.g. `JC/Kontanthjaelp/2`.
    pub path: String,
    pub soap: SoapVersion,
    /// The security models the service accepts; the harness sends what is configured of them.
    pub security: Vec<SecurityModel>,
    /// SOAP header blocks every request carries.
    pub headers: Vec<HeaderBlock>,
    /// Schema files, resolved against the contract folder.
    pub schemas: Vec<PathBuf>,
    /// The fault detail element the contract declares, if any.
    pub fault: Option<QName>,
}

/// Whether the schemas are the official ones or modelled by us.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    pub schemas: SchemaProvenance,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SchemaProvenance {
    Genuine,
    Modelled,
}

#[derive(Debug, Clone)]
pub struct Operation {
    pub name: String,
    pub soap_action: String,
    pub request: QName,
    pub response: QName,
    /// Service-wide rules followed by the operation's own.
    pub rules: Vec<Rule>,
    /// What [`Rule::describe`] says of each of `rules`, in the same order: made once at load,
    /// as every exchange's verdicts and every report name the rules by it (shared, not copied,
    /// by the verdicts).
    pub rule_descriptions: Vec<Arc<str>>,
    /// Service-wide field bindings followed by the operation's own: which request fields hold
    /// which kind of value, for generated cases.
    pub fields: Vec<FieldBinding>,
}

/// An expanded element name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QName {
    pub namespace: String,
    pub local: String,
}

impl QName {
    fn resolve(prefixed: &str, namespaces: &Namespaces) -> Result<QName, String> {
        let (prefix, local) = prefixed
            .split_once(':')
            .ok_or_else(|| format!("`{prefixed}` needs a namespace prefix (prefix:Name)"))?;
        let namespace = namespaces.get(prefix).ok_or_else(|| {
            format!("prefix `{prefix}` of `{prefixed}` is not declared in [namespaces]")
        })?;
        Ok(QName {
            namespace: namespace.clone(),
            local: local.to_owned(),
        })
    }

    pub fn matches(&self, node: roxmltree::Node) -> bool {
        node.tag_name().name() == self.local
            && node.tag_name().namespace() == Some(self.namespace.as_str())
    }
}

impl std::fmt::Display for QName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{{{}}}{}", self.namespace, self.local)
    }
}

/// Why a contract could not be used. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    #[error("cannot read {}: {source}", file.display())]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", file.display())]
    Syntax { file: PathBuf, message: String },
    #[error("{}: {message}", file.display())]
    Invalid { file: PathBuf, message: String },
    #[error("{}: schema file {} does not exist", file.display(), schema.display())]
    MissingSchema { file: PathBuf, schema: PathBuf },
    #[error("{}: {source}", file.display())]
    Rule { file: PathBuf, source: RuleError },
    #[error("no contracts found in {} (expected <service>/contract.toml folders)", dir.display())]
    NoContracts { dir: PathBuf },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContract {
    service: RawService,
    provenance: Provenance,
    #[serde(default)]
    namespaces: Namespaces,
    #[serde(default, rename = "rule")]
    rules: Vec<rules::RawRule>,
    #[serde(default, rename = "field")]
    fields: Vec<fields::RawField>,
    #[serde(rename = "operation")]
    operations: Vec<RawOperation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    id: String,
    name: String,
    version: String,
    path: String,
    soap: SoapVersion,
    #[serde(default)]
    security: Vec<SecurityModel>,
    #[serde(default)]
    headers: Vec<HeaderBlock>,
    schemas: Vec<PathBuf>,
    fault: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOperation {
    name: String,
    soap_action: String,
    request: String,
    response: String,
    #[serde(default, rename = "rule")]
    rules: Vec<rules::RawRule>,
    #[serde(default, rename = "field")]
    fields: Vec<fields::RawField>,
}

impl Contract {
    /// Loads `<dir>/contract.toml`; `key` is the folder name.
    pub fn load(dir: &Path) -> Result<Contract, ContractError> {
        let file = dir.join("contract.toml");
        let text = std::fs::read_to_string(&file).map_err(|source| ContractError::Read {
            file: file.clone(),
            source,
        })?;
        Contract::from_toml(dir, &text)
    }

    /// Builds a contract from the text of `<dir>/contract.toml`; schema paths are resolved
    /// against `dir`. Separate from [`Contract::load`] so untrusted text can be checked (and
    /// fuzzed) without touching the file.
    pub fn from_toml(dir: &Path, text: &str) -> Result<Contract, ContractError> {
        let file = dir.join("contract.toml");
        let raw: RawContract = toml::from_str(text).map_err(|e| ContractError::Syntax {
            file: file.clone(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        let invalid = |message: String| ContractError::Invalid {
            file: file.clone(),
            message,
        };
        let namespaces = raw.namespaces;
        let mut schemas = Vec::new();
        for schema in &raw.service.schemas {
            let resolved = dir.join(schema);
            if !resolved.is_file() {
                return Err(ContractError::MissingSchema {
                    file: file.clone(),
                    schema: resolved,
                });
            }
            schemas.push(resolved);
        }
        let fault = raw
            .service
            .fault
            .as_deref()
            .map(|f| QName::resolve(f, &namespaces))
            .transpose()
            .map_err(invalid)?;
        let compile_rules = |raw_rules: Vec<rules::RawRule>| {
            raw_rules
                .into_iter()
                .map(|r| r.compile(&namespaces))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|source| ContractError::Rule {
                    file: file.clone(),
                    source,
                })
        };
        let compile_fields = |raw_fields: Vec<fields::RawField>, operation: &str| {
            raw_fields
                .into_iter()
                .map(|f| f.compile(&namespaces))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|message| ContractError::Invalid {
                    file: file.clone(),
                    message: format!("operation {operation}: {message}"),
                })
        };
        let service_rules = compile_rules(raw.rules)?;
        let mut operations = Vec::new();
        for op in raw.operations {
            let mut rules = service_rules.clone();
            rules.extend(compile_rules(op.rules)?);
            let mut fields = compile_fields(raw.fields.clone(), &op.name)?;
            fields.extend(compile_fields(op.fields, &op.name)?);
            fields::check_unique(&fields)
                .map_err(|message| invalid(format!("operation {}: {message}", op.name)))?;
            operations.push(Operation {
                fields,
                request: QName::resolve(&op.request, &namespaces).map_err(invalid)?,
                response: QName::resolve(&op.response, &namespaces).map_err(invalid)?,
                name: op.name,
                soap_action: op.soap_action,
                rule_descriptions: rules.iter().map(|r| r.describe().into()).collect(),
                rules,
            });
        }
        if operations.is_empty() {
            return Err(invalid("the contract declares no [[operation]]".into()));
        }
        let key = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Contract {
            key,
            file,
            service: Service {
                id: raw.service.id,
                name: raw.service.name,
                version: raw.service.version,
                path: raw.service.path,
                soap: raw.service.soap,
                security: raw.service.security,
                headers: raw.service.headers,
                schemas,
                fault,
            },
            provenance: raw.provenance,
            namespaces,
            operations,
        })
    }

    /// Loads every `<dir>/*/contract.toml`, sorted by folder name. Folders without a
    /// contract.toml (shared schemas) are skipped.
    pub fn load_all(dir: &Path) -> Result<Vec<Contract>, ContractError> {
        let entries = std::fs::read_dir(dir).map_err(|source| ContractError::Read {
            file: dir.to_owned(),
            source,
        })?;
        let mut folders: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("contract.toml").is_file())
            .collect();
        folders.sort();
        if folders.is_empty() {
            return Err(ContractError::NoContracts {
                dir: dir.to_owned(),
            });
        }
        folders.iter().map(|f| Contract::load(f)).collect()
    }

    pub fn operation(&self, name: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.name == name)
    }

    /// Namespace → prefix, for writing canonical XML with the contract's own prefixes.
    pub fn preferred_prefixes(&self) -> BTreeMap<String, String> {
        self.namespaces
            .iter()
            .map(|(prefix, ns)| (ns.clone(), prefix.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_contract(text: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.xsd"), "<x/>").unwrap();
        std::fs::write(dir.path().join("contract.toml"), text).unwrap();
        dir
    }

    const GOOD: &str = r#"
[service]
id = "SF1"
name = "Demo"
version = "1"
path = "X/Demo/1"
soap = "1.1"
schemas = ["a.xsd"]
[provenance]
schemas = "modelled"
[namespaces]
d = "urn:demo"
[[operation]]
name = "Ping"
soap_action = "urn:demo/Ping"
request = "d:PingRequest"
response = "d:PingResponse"
  [[operation.rule]]
  kind = "echo"
  request = "d:Id"
  response = "d:Id"
"#;

    #[test]
    fn loads_a_contract() {
        let dir = write_contract(GOOD);
        let contract = Contract::load(dir.path()).unwrap();
        assert_eq!(contract.service.soap, SoapVersion::V11);
        let op = contract.operation("Ping").unwrap();
        assert_eq!(op.request.to_string(), "{urn:demo}PingRequest");
        assert_eq!(op.rules.len(), 1);
    }

    #[test]
    fn a_typo_names_the_file_and_line() {
        let dir = write_contract(&GOOD.replace("soap_action", "soap_actoin"));
        let message = Contract::load(dir.path()).unwrap_err().to_string();
        assert!(message.contains("contract.toml"), "{message}");
        assert!(message.contains("line"), "{message}");
        assert!(message.contains("soap_actoin"), "{message}");
    }

    #[test]
    fn a_missing_schema_is_named() {
        let dir = write_contract(&GOOD.replace("a.xsd", "gone.xsd"));
        let message = Contract::load(dir.path()).unwrap_err().to_string();
        assert!(message.contains("gone.xsd does not exist"), "{message}");
    }

    #[test]
    fn security_models_and_header_blocks_are_read_and_unknown_ones_named() {
        let with = |security: &str| {
            let text = GOOD.replace(
                "soap = \"1.1\"",
                &format!("soap = \"1.1\"\n{security}\nheaders = [\"kombit-request-header\"]"),
            );
            let dir = write_contract(&text);
            Contract::load(dir.path()).map(|c| (c.service.security, c.service.headers))
        };
        let (security, headers) = with("security = [\"authority-context\", \"saml\"]").unwrap();
        assert_eq!(
            security,
            [SecurityModel::AuthorityContext, SecurityModel::Saml]
        );
        assert_eq!(headers, [HeaderBlock::KombitRequestHeader]);
        let message = with("security = [\"oauth\"]").unwrap_err().to_string();
        assert!(message.contains("contract.toml"), "{message}");
        assert!(message.contains("oauth"), "{message}");
    }

    #[test]
    fn field_bindings_are_typed_and_named_after_their_path() {
        let text = format!(
            "{GOOD}  [[operation.field]]\n  path = \"d:Who/d:Cpr\"\n  kind = \"cpr\"\n  [[operation.field]]\n  path = \"d:Note\"\n  kind = \"text\"\n  max_length = 255\n  reference = true\n"
        );
        let dir = write_contract(&text);
        let contract = Contract::load(dir.path()).unwrap();
        let fields = &contract.operation("Ping").unwrap().fields;
        assert_eq!(fields[0].name, "Cpr");
        assert_eq!(
            fields[0].kind,
            ValueKind::Domain(crate::domain::FieldKind::Cpr)
        );
        assert!(!fields[0].reference);
        assert_eq!(fields[1].kind, ValueKind::Text { max_length: 255 });
        assert!(fields[1].reference);
    }

    #[test]
    fn bad_field_bindings_name_the_file_and_the_problem() {
        let with = |field: &str| {
            let dir = write_contract(&format!("{GOOD}  [[operation.field]]\n{field}\n"));
            Contract::load(dir.path()).unwrap_err().to_string()
        };
        let unknown = with("path = \"d:A\"\nkind = \"cprr\"");
        assert!(unknown.contains("contract.toml"), "{unknown}");
        assert!(unknown.contains("unknown field kind `cprr`"), "{unknown}");
        let text = with("path = \"d:A\"\nkind = \"text\"");
        assert!(text.contains("needs max_length"), "{text}");
        let prefix = with("path = \"q:A\"\nkind = \"cpr\"");
        assert!(prefix.contains("prefix `q`"), "{prefix}");
        let twice = with(
            "path = \"d:A\"\nkind = \"cpr\"\n[[operation.field]]\npath = \"d:B/d:A\"\nkind = \"kle\"",
        );
        assert!(twice.contains("two fields are named `A`"), "{twice}");
    }

    #[test]
    fn an_undeclared_prefix_is_named() {
        let dir = write_contract(&GOOD.replace("d:PingResponse", "q:PingResponse"));
        let message = Contract::load(dir.path()).unwrap_err().to_string();
        assert!(message.contains("prefix `q`"), "{message}");
    }
}
