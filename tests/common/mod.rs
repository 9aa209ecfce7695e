//! Helpers shared by the test binaries: running the `kontrakt` binary, a PKI generated at run
//! time (rcgen), written to a temporary folder one file per certificate or key, and (in
//! [`loopback`]) the reference provider served with particular transport behaviours.

#![allow(dead_code)] // each test binary uses a different part

pub mod loopback;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

/// A complete InvocationContext as `run` flags.
pub const INVOCATION_CONTEXT_ARGS: [&str; 8] = [
    "--service-agreement-uuid",
    "42b7e5a4-8d3c-4c5e-9f61-0a1b2c3d4e5f",
    "--user-system-uuid",
    "0f8fad5b-d9cb-469f-a165-70867728950e",
    "--user-uuid",
    "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "--service-uuid",
    "c0ffee00-1234-4abc-8def-0123456789ab",
];

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, run from the repository root, unaffected by the caller's KONTRAKT_* settings
/// and CI variable.
pub fn kontrakt() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kontrakt"));
    command.current_dir(root());
    for (variable, _) in std::env::vars_os() {
        if variable.to_string_lossy().starts_with("KONTRAKT_") || variable == "CI" {
            command.env_remove(variable);
        }
    }
    // Failing property trials record regressions; never into the repository.
    command.env(
        "KONTRAKT_REGRESSIONS",
        std::env::temp_dir().join(format!("kontrakt-test-regressions-{}", std::process::id())),
    );
    command
}

/// stdout followed by stderr.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub type Ca = CertifiedIssuer<'static, KeyPair>;

/// A directory of generated certificates and keys, one file each.
pub struct Pki {
    dir: PathBuf,
}

impl Pki {
    pub fn new() -> Pki {
        let dir = std::env::temp_dir().join(format!("kontrakt-pki-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        Pki { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    pub fn ca(&self, name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        self.write(&format!("{name}.pem"), ca.pem());
        ca
    }

    /// Writes `<name>.pem` (leaf then CA) and `<name>.key`; returns the leaf's DER and key.
    pub fn leaf(&self, name: &str, ca: &Ca, params: CertificateParams) -> (Vec<u8>, KeyPair) {
        let key = KeyPair::generate().unwrap();
        let certificate = params.signed_by(&key, ca).unwrap();
        self.write(
            &format!("{name}.pem"),
            format!("{}{}", certificate.pem(), ca.pem()),
        );
        self.write(&format!("{name}.key"), key.serialize_pem());
        (certificate.der().to_vec(), key)
    }

    pub fn client(&self, name: &str, ca: &Ca, expired: bool) -> (Vec<u8>, KeyPair) {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, format!("kontrakt test client {name}"));
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        if expired {
            params.not_before = rcgen::date_time_ymd(2001, 1, 1);
            params.not_after = rcgen::date_time_ymd(2002, 1, 1);
        }
        self.leaf(name, ca, params)
    }

    pub fn server(&self, name: &str, ca: &Ca, host_names: &[&str], expired: bool) {
        let names: Vec<String> = host_names.iter().map(|name| name.to_string()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        if expired {
            params.not_before = rcgen::date_time_ymd(2001, 1, 1);
            params.not_after = rcgen::date_time_ymd(2002, 1, 1);
        }
        self.leaf(name, ca, params);
    }

    /// Writes a PKCS#12 archive holding `leaf` with its chain, protected by `password`.
    pub fn pkcs12(
        &self,
        name: &str,
        ca: &Ca,
        leaf: &(Vec<u8>, KeyPair),
        password: &str,
    ) -> PathBuf {
        let chain = PrivateKeyChain::new(
            b"kontrakt-test".as_slice(),
            PrivateKey::from_der(&leaf.1.serialize_der()).unwrap(),
            [
                Certificate::from_der(&leaf.0).unwrap(),
                Certificate::from_der(ca.der()).unwrap(),
            ],
        );
        let mut store = KeyStore::new();
        store.add_entry("client", KeyStoreEntry::PrivateKeyChain(chain));
        self.write(name, store.writer(password).write().unwrap())
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
