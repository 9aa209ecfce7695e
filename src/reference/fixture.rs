//! The provider's seeded state, read from a TOML file (contracts/reference-fixture.toml): the
//! municipalities whose jobcentre systems it serves, citizens, and one section per hosted service
//! (e.g. `[[kontanthjaelp.grant]]`) that the service reads itself.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::ReferenceError;
use super::jobcenter::is_cpr_number;
use super::message::digit_groups;

/// Top-level keys every fixture may have besides the service sections.
const COMMON_KEYS: [&str; 2] = ["municipalities", "citizen"];

#[derive(Debug)]
pub(super) struct Fixture {
    path: PathBuf,
    text: String,
    /// Myndighedskode → municipality name.
    pub municipalities: BTreeMap<String, String>,
    pub citizens: Vec<Citizen>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Citizen {
    pub cpr: String,
    /// Myndighedskode of the municipality the citizen lives in.
    pub municipality: String,
}

#[derive(Deserialize)]
struct Common {
    municipalities: BTreeMap<String, String>,
    #[serde(default)]
    citizen: Vec<Citizen>,
}

impl Fixture {
    /// Reads and checks the common part; `service_keys` are the section names hosted services
    /// read, so a misspelt section is reported instead of silently seeding nothing.
    pub(super) fn load(path: &Path, service_keys: &[&str]) -> Result<Self, ReferenceError> {
        let text = std::fs::read_to_string(path).map_err(|source| ReferenceError::Unreadable {
            path: path.to_owned(),
            source,
        })?;
        let invalid = |message: String| ReferenceError::InvalidFixture {
            path: path.to_owned(),
            message,
        };
        let table: toml::Table = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        if let Some(key) = table.keys().find(|key| {
            !COMMON_KEYS.contains(&key.as_str()) && !service_keys.contains(&key.as_str())
        }) {
            let mut known = COMMON_KEYS.to_vec();
            known.extend_from_slice(service_keys);
            return Err(invalid(format!(
                "unknown section `{key}`; known sections: {}",
                known.join(", ")
            )));
        }
        let common: Common = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        let fixture = Fixture {
            path: path.to_owned(),
            text,
            municipalities: common.municipalities,
            citizens: common.citizen,
        };
        fixture.check_common()?;
        Ok(fixture)
    }

    fn check_common(&self) -> Result<(), ReferenceError> {
        if let Some(code) = self
            .municipalities
            .keys()
            .find(|code| !digit_groups(code, '-', &[3]))
        {
            return Err(self.invalid(format!(
                "municipality code {code:?} is not a three-digit myndighedskode"
            )));
        }
        for citizen in &self.citizens {
            if !is_cpr_number(&citizen.cpr) {
                return Err(self.invalid(format!("citizen {:?}: not a CPR number", citizen.cpr)));
            }
            self.served(&citizen.municipality, &format!("citizen {}", citizen.cpr))?;
        }
        Ok(())
    }

    /// Refuses a municipality code the fixture does not serve; `what` names the referring entry.
    pub(super) fn served(&self, code: &str, what: &str) -> Result<(), ReferenceError> {
        if self.municipalities.contains_key(code) {
            Ok(())
        } else {
            Err(self.invalid(format!(
                "{what}: municipality {code} is not among [municipalities]"
            )))
        }
    }

    /// Refuses an entry for a CPR number that is not a citizen of `municipality`.
    pub(super) fn citizen_of(
        &self,
        cpr: &str,
        municipality: &str,
        what: &str,
    ) -> Result<(), ReferenceError> {
        if self
            .citizens
            .iter()
            .any(|c| c.cpr == cpr && c.municipality == municipality)
        {
            Ok(())
        } else {
            Err(self.invalid(format!(
                "{what}: {cpr} is not a [[citizen]] of municipality {municipality}"
            )))
        }
    }

    /// Deserialises a service's own view of the file: `T` declares its section as a field and
    /// ignores the rest, and errors keep their line numbers.
    pub(super) fn section<T: DeserializeOwned>(&self) -> Result<T, ReferenceError> {
        toml::from_str(&self.text).map_err(|e| self.invalid(e.to_string()))
    }

    pub(super) fn invalid(&self, message: String) -> ReferenceError {
        ReferenceError::InvalidFixture {
            path: self.path.clone(),
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Fixture, ReferenceError> {
        let dir = std::env::temp_dir().join(format!("kontrakt-fixture-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("fixture.toml");
        std::fs::write(&path, text).unwrap();
        let result = Fixture::load(&path, &["kontanthjaelp"]);
        std::fs::remove_dir_all(&dir).unwrap();
        result
    }

    fn error(text: &str) -> String {
        load(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_municipalities_and_citizens() {
        let fixture = load(
            "[municipalities]\n101 = \"København\"\n[[citizen]]\ncpr = \"0707614285\"\nmunicipality = \"101\"\n",
        )
        .unwrap();
        assert_eq!(fixture.municipalities["101"], "København");
        assert_eq!(fixture.citizens.len(), 1);
        assert!(fixture.citizen_of("0707614285", "101", "x").is_ok());
        assert!(fixture.citizen_of("0707614285", "751", "x").is_err());
    }

    #[test]
    fn errors_name_the_file_and_the_problem() {
        let message = error("[municipalities]\n101 = \"København\"\n[[kontanthjalp.grant]]\n");
        assert!(message.contains("fixture.toml"), "{message}");
        assert!(
            message.contains("unknown section `kontanthjalp`"),
            "{message}"
        );
        assert!(error("[municipalities]\n1010 = \"x\"\n").contains("\"1010\""));
        assert!(error("[municipalities\n").contains("line 1"));
        let unserved = error(
            "[municipalities]\n101 = \"x\"\n[[citizen]]\ncpr = \"0707614285\"\nmunicipality = \"102\"\n",
        );
        assert!(
            unserved.contains("municipality 102 is not among"),
            "{unserved}"
        );
        let bad_cpr = error(
            "[municipalities]\n101 = \"x\"\n[[citizen]]\ncpr = \"3102614285\"\nmunicipality = \"101\"\n",
        );
        assert!(bad_cpr.contains("not a CPR number"), "{bad_cpr}");
    }

    #[test]
    fn missing_file_is_unreadable_naming_it() {
        let error = Fixture::load(Path::new("/nonexistent/fixture.toml"), &[]).unwrap_err();
        assert!(matches!(error, ReferenceError::Unreadable { .. }));
        assert!(error.to_string().contains("/nonexistent/fixture.toml"));
    }
}
