//! Configuration: `kontrakt.toml` with named profiles (`[profile.local]`, `[profile.exttest]`, ...)
//! for endpoint, TLS material, Serviceplatformen identification, services and limits.
//!
//! Precedence: command-line flags > `KONTRAKT_*` environment variables > the selected profile >
//! built-in defaults. The command line hands its flags and environment (clap reads both) as one
//! [`Settings`]; [`resolve`] lays it over the profile and checks every value and file it names,
//! so bad input stops the run before any request is sent.
//!
//! Secrets are never part of the configuration: the PKCS#12 password is named by an environment
//! variable or a file, and the SAML token by its file. Nothing here prints their content.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::client::ClientOptions;
use crate::soap::security::{
    AuthorityContext, CallerIdentity, InvocationContextValues, SamlToken, SecurityError,
};
use crate::tls::{IdentitySource, Secret, TlsClientOptions, TlsError};

pub const DEFAULT_CONFIG_FILE: &str = "kontrakt.toml";
pub const DEFAULT_AUTHORITY_CVR: &str = "29189846";
pub const DEFAULT_P12_PASSWORD_ENV: &str = "KONTRAKT_P12_PASSWORD";
const DEFAULT_JOBS: usize = 4;
const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 5;
const DEFAULT_READ_TIMEOUT_SECS: u64 = 15;
const DEFAULT_TIMEOUT_SECS: u64 = 30;
const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// Keys that would hold a secret in the file; refused with a pointer to the safe alternative.
const FORBIDDEN_SECRET_KEYS: [&str; 2] = ["p12_password", "password"];

/// Every setting a run takes, each optional so that layers can be laid over each other. This is
/// also the shape of one `[profile.NAME]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Base URL of the services; none = the embedded reference provider.
    pub endpoint: Option<String>,
    pub ca: Option<PathBuf>,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    pub client_p12: Option<PathBuf>,
    /// Name of the environment variable holding the PKCS#12 password.
    pub p12_password_env: Option<String>,
    pub p12_password_file: Option<PathBuf>,
    pub insecure: Option<bool>,
    pub authority_cvr: Option<String>,
    #[serde(default)]
    pub invocation_context: InvocationContextValues,
    /// File holding the STS-issued SAML assertion.
    pub saml_token: Option<PathBuf>,
    /// Contract keys (folders under contracts/) to run; none = all.
    pub services: Option<Vec<String>>,
    pub jobs: Option<usize>,
    pub connect_timeout: Option<u64>,
    pub read_timeout: Option<u64>,
    pub timeout: Option<u64>,
    pub max_response_bytes: Option<u64>,
}

/// Why the configuration cannot be used. Every variant names the file, profile or value.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}: {source}", file.display())]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", file.display())]
    Syntax { file: PathBuf, message: String },
    #[error("profile `{profile}` was asked for, but there is no {}", file.display())]
    NoConfigFile { file: PathBuf, profile: String },
    #[error("{}: unknown profile `{profile}` (known: {known})", file.display())]
    UnknownProfile {
        file: PathBuf,
        profile: String,
        known: String,
    },
    #[error(
        "{}: profile `{profile}` holds `{key}`; secrets never go in kontrakt.toml — use p12_password_env (the name of an environment variable) or p12_password_file",
        file.display()
    )]
    SecretInFile {
        file: PathBuf,
        profile: String,
        key: String,
    },
    #[error("endpoint `{value}` is not a URL: {reason}")]
    BadEndpoint { value: String, reason: String },
    #[error("client_cert {} needs client_key (and the other way round)", path.display())]
    HalfPemIdentity { path: PathBuf },
    #[error(
        "give the client identity either as client_p12 or as client_cert + client_key, not both"
    )]
    TwoIdentities,
    #[error("unknown service `{name}` in services (contracts: {known})")]
    UnknownService { name: String, known: String },
    #[error(transparent)]
    Security(#[from] SecurityError),
    #[error(transparent)]
    Tls(#[from] TlsError),
}

impl Settings {
    /// `self` where set, else `lower`.
    pub fn over(self, lower: Settings) -> Settings {
        let invocation = |upper: Option<String>, lower: Option<String>| upper.or(lower);
        let (ic, lic) = (self.invocation_context, lower.invocation_context);
        Settings {
            endpoint: self.endpoint.or(lower.endpoint),
            ca: self.ca.or(lower.ca),
            client_cert: self.client_cert.or(lower.client_cert),
            client_key: self.client_key.or(lower.client_key),
            client_p12: self.client_p12.or(lower.client_p12),
            p12_password_env: self.p12_password_env.or(lower.p12_password_env),
            p12_password_file: self.p12_password_file.or(lower.p12_password_file),
            insecure: self.insecure.or(lower.insecure),
            authority_cvr: self.authority_cvr.or(lower.authority_cvr),
            invocation_context: InvocationContextValues {
                service_agreement_uuid: invocation(
                    ic.service_agreement_uuid,
                    lic.service_agreement_uuid,
                ),
                user_system_uuid: invocation(ic.user_system_uuid, lic.user_system_uuid),
                user_uuid: invocation(ic.user_uuid, lic.user_uuid),
                service_uuid: invocation(ic.service_uuid, lic.service_uuid),
                on_behalf_of_user: invocation(ic.on_behalf_of_user, lic.on_behalf_of_user),
                accounting_info: invocation(ic.accounting_info, lic.accounting_info),
            },
            saml_token: self.saml_token.or(lower.saml_token),
            services: self.services.or(lower.services),
            jobs: self.jobs.or(lower.jobs),
            connect_timeout: self.connect_timeout.or(lower.connect_timeout),
            read_timeout: self.read_timeout.or(lower.read_timeout),
            timeout: self.timeout.or(lower.timeout),
            max_response_bytes: self.max_response_bytes.or(lower.max_response_bytes),
        }
    }

    /// Relative file names in a profile are relative to the file the profile is in.
    fn anchored_at(self, dir: &Path) -> Settings {
        let anchor = |path: Option<PathBuf>| path.map(|p| dir.join(p));
        Settings {
            ca: anchor(self.ca),
            client_cert: anchor(self.client_cert),
            client_key: anchor(self.client_key),
            client_p12: anchor(self.client_p12),
            p12_password_file: anchor(self.p12_password_file),
            saml_token: anchor(self.saml_token),
            ..self
        }
    }
}

/// Which profile of which file; `profile: None` applies no profile.
#[derive(Debug, Clone)]
pub struct ProfileChoice {
    pub file: PathBuf,
    pub profile: Option<String>,
}

/// Reads the chosen profile. No profile chosen means no file is needed.
pub fn load_profile(choice: &ProfileChoice) -> Result<Settings, ConfigError> {
    let Some(profile) = &choice.profile else {
        return Ok(Settings::default());
    };
    let file = &choice.file;
    if !file.is_file() {
        return Err(ConfigError::NoConfigFile {
            file: file.clone(),
            profile: profile.clone(),
        });
    }
    let text = std::fs::read_to_string(file).map_err(|source| ConfigError::Read {
        file: file.clone(),
        source,
    })?;
    let syntax = |e: toml::de::Error| ConfigError::Syntax {
        file: file.clone(),
        message: e.to_string().trim_end().to_owned(),
    };
    let raw: toml::Table = toml::from_str(&text).map_err(syntax)?;
    for (name, table) in raw
        .get("profile")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flatten()
    {
        if let Some(key) = FORBIDDEN_SECRET_KEYS
            .iter()
            .find(|key| table.as_table().is_some_and(|t| t.contains_key(**key)))
        {
            return Err(ConfigError::SecretInFile {
                file: file.clone(),
                profile: name.clone(),
                key: (*key).to_owned(),
            });
        }
    }
    let mut parsed: ConfigFile = toml::from_str(&text).map_err(syntax)?;
    let settings = parsed
        .profile
        .remove(profile)
        .ok_or_else(|| ConfigError::UnknownProfile {
            file: file.clone(),
            profile: profile.clone(),
            known: parsed
                .profile
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let dir = file.parent().unwrap_or(Path::new("."));
    Ok(settings.anchored_at(dir))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    profile: BTreeMap<String, Settings>,
}

/// A complete, checked configuration for a run.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub profile: Option<String>,
    pub endpoint: Option<Url>,
    pub client: ClientOptions,
    pub caller: CallerIdentity,
    pub services: Option<Vec<String>>,
    pub jobs: usize,
    /// Where the PKCS#12 password comes from, when a PKCS#12 identity is used.
    password_source: Option<Secret>,
}

/// Lays `overrides` (flags and environment) over the chosen profile and the defaults, and
/// checks every value and file: URL, CVR, UUIDs, SAML token, CA bundle, client identity
/// (including the PKCS#12 password).
pub fn resolve(overrides: Settings, choice: &ProfileChoice) -> Result<Resolved, ConfigError> {
    let settings = overrides.over(load_profile(choice)?);
    let endpoint = settings
        .endpoint
        .as_deref()
        .map(|value| {
            Url::parse(value).map_err(|e| ConfigError::BadEndpoint {
                value: value.to_owned(),
                reason: e.to_string(),
            })
        })
        .transpose()?;
    let password_source = settings
        .client_p12
        .as_ref()
        .map(|_| match &settings.p12_password_file {
            Some(file) => Secret::File(file.clone()),
            None => Secret::Env(
                settings
                    .p12_password_env
                    .clone()
                    .unwrap_or_else(|| DEFAULT_P12_PASSWORD_ENV.to_owned()),
            ),
        });
    let identity = match (
        &settings.client_p12,
        &settings.client_cert,
        &settings.client_key,
        &password_source,
    ) {
        (Some(_), Some(_), _, _) | (Some(_), _, Some(_), _) => {
            return Err(ConfigError::TwoIdentities);
        }
        (Some(path), None, None, Some(password)) => Some(IdentitySource::Pkcs12 {
            path: path.clone(),
            password: password.clone(),
        }),
        (None, Some(cert), Some(key), _) => Some(IdentitySource::Pem {
            cert: cert.clone(),
            key: key.clone(),
        }),
        (None, Some(path), None, _) | (None, None, Some(path), _) => {
            return Err(ConfigError::HalfPemIdentity { path: path.clone() });
        }
        _ => None,
    };
    let tls = TlsClientOptions {
        ca_bundle: settings.ca.clone(),
        identity,
        insecure: settings.insecure.unwrap_or(false),
    };
    if let Some(identity) = &tls.identity {
        identity.load()?;
    }
    crate::tls::client_config(&tls)?;
    let authority = AuthorityContext::new(
        settings
            .authority_cvr
            .as_deref()
            .unwrap_or(DEFAULT_AUTHORITY_CVR),
    )?;
    let caller = CallerIdentity {
        authority,
        invocation: settings.invocation_context.validate()?,
        saml: settings
            .saml_token
            .as_deref()
            .map(SamlToken::load)
            .transpose()?,
    };
    let secs = |value: Option<u64>, default| Duration::from_secs(value.unwrap_or(default));
    Ok(Resolved {
        profile: choice.profile.clone(),
        endpoint,
        client: ClientOptions {
            connect_timeout: secs(settings.connect_timeout, DEFAULT_CONNECT_TIMEOUT_SECS),
            read_timeout: secs(settings.read_timeout, DEFAULT_READ_TIMEOUT_SECS),
            total_timeout: secs(settings.timeout, DEFAULT_TIMEOUT_SECS),
            max_response_bytes: settings
                .max_response_bytes
                .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
            tls,
        },
        caller,
        services: settings.services,
        jobs: settings.jobs.unwrap_or(DEFAULT_JOBS).max(1),
        password_source,
    })
}

impl Resolved {
    /// Whether the run includes the contract `key`.
    pub fn runs_service(&self, key: &str) -> bool {
        self.services
            .as_ref()
            .is_none_or(|services| services.iter().any(|s| s == key))
    }

    /// Fails on a `services` entry that is no contract key.
    pub fn check_services<'a>(
        &self,
        contract_keys: impl IntoIterator<Item = &'a str> + Clone,
    ) -> Result<(), ConfigError> {
        for name in self.services.iter().flatten() {
            if !contract_keys.clone().into_iter().any(|key| key == name) {
                return Err(ConfigError::UnknownService {
                    name: name.clone(),
                    known: contract_keys.into_iter().collect::<Vec<_>>().join(", "),
                });
            }
        }
        Ok(())
    }

    /// The configuration as `key = value` lines, secrets masked: the password shows where it
    /// comes from, the SAML token only its file.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        let mut line = |key: &str, value: String| {
            let _ = writeln!(out, "{key:<22} = {value}");
        };
        let path = |p: &Option<PathBuf>| {
            p.as_ref()
                .map_or("(none)".to_owned(), |p| p.display().to_string())
        };
        line(
            "profile",
            self.profile.clone().unwrap_or_else(|| "(none)".into()),
        );
        line(
            "endpoint",
            self.endpoint.as_ref().map_or_else(
                || "(embedded reference provider)".to_owned(),
                Url::to_string,
            ),
        );
        line("ca", path(&self.client.tls.ca_bundle));
        match &self.client.tls.identity {
            Some(IdentitySource::Pem { cert, key }) => {
                line("client_cert", cert.display().to_string());
                line("client_key", format!("{} (********)", key.display()));
            }
            Some(IdentitySource::Pkcs12 { path, .. }) => {
                line("client_p12", path.display().to_string());
            }
            None => line("client identity", "(none)".into()),
        }
        if let Some(secret) = &self.password_source {
            line("p12 password", format!("******** from {secret}"));
        }
        line("insecure", self.client.tls.insecure.to_string());
        line("authority_cvr", self.caller.authority.cvr());
        line(
            "invocation_context",
            self.caller
                .invocation
                .as_ref()
                .map_or("(not sent)".to_owned(), |c| c.describe()),
        );
        line(
            "saml_token",
            self.caller.saml.as_ref().map_or("(none)".to_owned(), |t| {
                format!("{} (assertion ********)", t.path().display())
            }),
        );
        line(
            "services",
            self.services
                .as_ref()
                .map_or("(all)".to_owned(), |s| s.join(", ")),
        );
        line("jobs", self.jobs.to_string());
        line(
            "timeouts",
            format!(
                "connect {}s, read {}s, total {}s",
                self.client.connect_timeout.as_secs(),
                self.client.read_timeout.as_secs(),
                self.client.total_timeout.as_secs()
            ),
        );
        line(
            "max_response_bytes",
            self.client.max_response_bytes.to_string(),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
[profile.local]
jobs = 2
authority_cvr = "12345674"

[profile.exttest]
endpoint = "https://exttest.serviceplatformen.dk/service/"
saml_token = "tokens/token.xml"
timeout = 60
services = ["kontanthjaelp"]
[profile.exttest.invocation_context]
service_agreement_uuid = "42b7e5a4-8d3c-4c5e-9f61-0a1b2c3d4e5f"
"#;

    fn config(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kontrakt.toml");
        std::fs::write(&file, text).unwrap();
        (dir, file)
    }

    fn choose(file: &Path, profile: &str) -> ProfileChoice {
        ProfileChoice {
            file: file.to_owned(),
            profile: Some(profile.to_owned()),
        }
    }

    #[test]
    fn flags_win_over_the_profile_and_the_profile_over_defaults() {
        let (_dir, file) = config(FILE);
        let overrides = Settings {
            jobs: Some(7),
            ..Settings::default()
        };
        let resolved = resolve(overrides, &choose(&file, "local")).unwrap();
        assert_eq!(resolved.jobs, 7);
        assert_eq!(resolved.caller.authority.cvr(), "12345674");
        assert_eq!(resolved.client.total_timeout, Duration::from_secs(30));
        assert!(resolved.endpoint.is_none());
        let overrides = Settings {
            authority_cvr: Some("29189846".into()),
            ..Settings::default()
        };
        let resolved = resolve(overrides, &choose(&file, "local")).unwrap();
        assert_eq!(resolved.caller.authority.cvr(), "29189846");
        assert_eq!(resolved.jobs, 2);
    }

    #[test]
    fn profile_paths_are_relative_to_the_file_and_values_merge_field_by_field() {
        let (dir, file) = config(FILE);
        let profile = load_profile(&choose(&file, "exttest")).unwrap();
        assert_eq!(
            profile.saml_token,
            Some(dir.path().join("tokens/token.xml"))
        );
        let overrides = Settings {
            invocation_context: InvocationContextValues {
                user_uuid: Some("7c9e6679-7425-40de-944b-e07fc1f90ae7".into()),
                ..InvocationContextValues::default()
            },
            ..Settings::default()
        };
        let merged = overrides.over(profile);
        assert!(merged.invocation_context.user_uuid.is_some());
        assert!(merged.invocation_context.service_agreement_uuid.is_some());
    }

    #[test]
    fn an_incomplete_invocation_context_names_the_missing_value() {
        let (dir, file) = config(FILE);
        std::fs::create_dir(dir.path().join("tokens")).unwrap();
        std::fs::write(
            dir.path().join("tokens/token.xml"),
            "<Assertion xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\"/>",
        )
        .unwrap();
        let message = resolve(Settings::default(), &choose(&file, "exttest"))
            .unwrap_err()
            .to_string();
        assert!(message.contains("user_system_uuid is missing"), "{message}");
    }

    #[test]
    fn unknown_profile_and_missing_file_are_named() {
        let (_dir, file) = config(FILE);
        let message = load_profile(&choose(&file, "prod"))
            .unwrap_err()
            .to_string();
        assert!(message.contains("unknown profile `prod`"), "{message}");
        assert!(message.contains("exttest, local"), "{message}");
        let gone = file.with_file_name("gone.toml");
        let message = load_profile(&choose(&gone, "local"))
            .unwrap_err()
            .to_string();
        assert!(message.contains("gone.toml"), "{message}");
        assert!(
            load_profile(&ProfileChoice {
                file: gone,
                profile: None
            })
            .is_ok()
        );
    }

    #[test]
    fn a_password_in_the_file_is_refused_without_echoing_it() {
        let (_dir, file) = config("[profile.x]\np12_password = \"hunter2-MARKER\"\n");
        let message = load_profile(&choose(&file, "x")).unwrap_err().to_string();
        assert!(
            message.contains("secrets never go in kontrakt.toml"),
            "{message}"
        );
        assert!(!message.contains("hunter2-MARKER"), "{message}");
    }

    #[test]
    fn a_typo_names_file_and_key() {
        let (_dir, file) = config("[profile.x]\njbos = 3\n");
        let message = load_profile(&choose(&file, "x")).unwrap_err().to_string();
        assert!(message.contains("kontrakt.toml"), "{message}");
        assert!(message.contains("jbos"), "{message}");
    }

    #[test]
    fn half_a_pem_identity_and_two_identities_are_refused() {
        let half = Settings {
            client_cert: Some("c.pem".into()),
            ..Settings::default()
        };
        let no_profile = ProfileChoice {
            file: DEFAULT_CONFIG_FILE.into(),
            profile: None,
        };
        assert!(matches!(
            resolve(half, &no_profile),
            Err(ConfigError::HalfPemIdentity { .. })
        ));
        let both = Settings {
            client_cert: Some("c.pem".into()),
            client_p12: Some("c.p12".into()),
            ..Settings::default()
        };
        assert!(matches!(
            resolve(both, &no_profile),
            Err(ConfigError::TwoIdentities)
        ));
    }

    #[test]
    fn services_are_checked_against_the_contracts() {
        let (_dir, file) = config(FILE);
        let dir = tempfile::tempdir().unwrap();
        let token = dir.path().join("t.xml");
        std::fs::write(
            &token,
            "<Assertion xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\"/>",
        )
        .unwrap();
        let overrides = Settings {
            saml_token: Some(token),
            invocation_context: InvocationContextValues {
                user_system_uuid: Some("0f8fad5b-d9cb-469f-a165-70867728950e".into()),
                user_uuid: Some("7c9e6679-7425-40de-944b-e07fc1f90ae7".into()),
                service_uuid: Some("c0ffee00-1234-4abc-8def-0123456789ab".into()),
                ..InvocationContextValues::default()
            },
            ..Settings::default()
        };
        let resolved = resolve(overrides, &choose(&file, "exttest")).unwrap();
        assert!(resolved.runs_service("kontanthjaelp"));
        assert!(!resolved.runs_service("sygefravaer"));
        assert!(resolved.check_services(["kontanthjaelp", "x"]).is_ok());
        let message = resolved
            .check_services(["sygefravaer"])
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("unknown service `kontanthjaelp`"),
            "{message}"
        );
        let description = resolved.describe();
        assert!(
            description.contains("t.xml (assertion ********)"),
            "{description}"
        );
        assert!(
            description.contains("connect 5s, read 15s, total 60s"),
            "{description}"
        );
    }
}
