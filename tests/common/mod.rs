//! Helpers shared by the test binaries: a PKI generated at run time (rcgen), written to a
//! temporary folder one file per certificate or key.

#![allow(dead_code)] // each test binary uses a different part

use std::path::PathBuf;

use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

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
