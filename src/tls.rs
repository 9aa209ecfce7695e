//! TLS material and rustls configurations shared by the harness client and the reference provider.
//!
//! Everything runs on rustls with the `ring` provider. Identities come from PEM files or from
//! PKCS#12 archives (the form in which Serviceplatformen FOCES/VOCES certificates usually arrive);
//! the archive password is read from an environment variable or a file, never from argv, and no
//! `Debug`/`Display` in this module prints a secret value.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use sha2::{Digest, Sha256};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// Why TLS material could not be loaded or turned into a configuration. Every variant names the
/// file involved so the user knows which flag to fix.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {}: {source}", path.display())]
    Unreadable { path: PathBuf, source: io::Error },
    #[error("{}: no PEM certificate found (expected a -----BEGIN CERTIFICATE----- block)", path.display())]
    NoCertificate { path: PathBuf },
    #[error("{}: malformed PEM: {detail}", path.display())]
    MalformedPem { path: PathBuf, detail: String },
    #[error("{}: no private key found (expected a PKCS#8, PKCS#1 or SEC1 PEM key)", path.display())]
    NoPrivateKey { path: PathBuf },
    #[error("{}: wrong PKCS#12 password (taken from {secret}), or the file is corrupt", path.display())]
    WrongPkcs12Password { path: PathBuf, secret: Secret },
    #[error("{}: not a usable PKCS#12 file: {detail}", path.display())]
    MalformedPkcs12 { path: PathBuf, detail: String },
    #[error("{}: the PKCS#12 file holds no private key together with its certificate", path.display())]
    Pkcs12WithoutKey { path: PathBuf },
    #[error("environment variable {name} (the PKCS#12 password) is not set or not UTF-8")]
    SecretEnvMissing { name: String },
    #[error("password file {} is not UTF-8", path.display())]
    SecretFileNotUtf8 { path: PathBuf },
    #[error("the private key of {identity} does not belong to its certificate")]
    KeyMismatch { identity: String },
    #[error("{identity}: certificate or key rejected: {source}")]
    IdentityRejected {
        identity: String,
        source: rustls::Error,
    },
    #[error("{}: not usable as a CA certificate: {detail}", path.display())]
    BadCaCertificate { path: PathBuf, detail: String },
    #[error("no trusted root certificates found on this system ({detail}); pass --ca <bundle.pem>")]
    NoSystemRoots { detail: String },
    #[error("cannot build the TLS configuration: {0}")]
    Config(String),
}

/// Where a secret (such as a PKCS#12 password) is kept. Holds only the location, so printing it
/// reveals nothing.
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    Env(String),
    File(PathBuf),
}

impl Secret {
    /// Reads the secret. A single trailing newline of a password file is not part of the secret,
    /// since editors and `echo` add one.
    pub fn reveal(&self) -> Result<SecretValue, TlsError> {
        match self {
            Secret::Env(name) => std::env::var(name)
                .map(SecretValue)
                .map_err(|_| TlsError::SecretEnvMissing { name: name.clone() }),
            Secret::File(path) => {
                let bytes = read_file(path)?;
                let mut text = String::from_utf8(bytes)
                    .map_err(|_| TlsError::SecretFileNotUtf8 { path: path.clone() })?;
                if text.ends_with('\n') {
                    text.pop();
                    if text.ends_with('\r') {
                        text.pop();
                    }
                }
                Ok(SecretValue(text))
            }
        }
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Secret::Env(name) => write!(f, "environment variable {name}"),
            Secret::File(path) => write!(f, "file {}", path.display()),
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({self})")
    }
}

/// A revealed secret. Its `Debug` and `Display` print a mask; only [`SecretValue::expose`] gives
/// the text.
pub struct SecretValue(String);

impl SecretValue {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("********")
    }
}

impl fmt::Display for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("********")
    }
}

/// Where a client identity (certificate chain + private key) comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentitySource {
    Pem { cert: PathBuf, key: PathBuf },
    Pkcs12 { path: PathBuf, password: Secret },
}

impl IdentitySource {
    pub fn load(&self) -> Result<Identity, TlsError> {
        match self {
            IdentitySource::Pem { cert, key } => Identity::from_pem_files(cert, key),
            IdentitySource::Pkcs12 { path, password } => Identity::from_pkcs12_file(path, password),
        }
    }
}

/// A certificate chain (leaf first) with its private key.
pub struct Identity {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    origin: String,
}

impl Identity {
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Identity, TlsError> {
        Ok(Identity {
            chain: read_pem_certificates(cert)?,
            key: read_pem_key(key)?,
            origin: format!("{} + {}", cert.display(), key.display()),
        })
    }

    pub fn from_pkcs12_file(path: &Path, password: &Secret) -> Result<Identity, TlsError> {
        let data = read_file(path)?;
        let revealed = password.reveal()?;
        let store = p12_keystore::KeyStore::from_pkcs12(
            &data,
            revealed.expose(),
            p12_keystore::Pkcs12ImportPolicy::Strict,
        )
        .map_err(|error| match error {
            p12_keystore::error::Error::MacError(_) => TlsError::WrongPkcs12Password {
                path: path.to_path_buf(),
                secret: password.clone(),
            },
            other => TlsError::MalformedPkcs12 {
                path: path.to_path_buf(),
                detail: other.to_string(),
            },
        })?;
        let (_alias, key_chain) =
            store
                .private_key_chain()
                .ok_or_else(|| TlsError::Pkcs12WithoutKey {
                    path: path.to_path_buf(),
                })?;
        let chain: Vec<CertificateDer<'static>> = key_chain
            .certs()
            .iter()
            .map(|cert| CertificateDer::from(cert.as_der().to_vec()))
            .collect();
        if chain.is_empty() {
            return Err(TlsError::Pkcs12WithoutKey {
                path: path.to_path_buf(),
            });
        }
        Ok(Identity {
            chain,
            key: PrivatePkcs8KeyDer::from(key_chain.key().as_der().to_vec()).into(),
            origin: path.display().to_string(),
        })
    }

    /// SHA-256 of the leaf certificate's DER, lower-case hex: the thumbprint shown in reports.
    pub fn thumbprint_sha256(&self) -> String {
        hex::encode(Sha256::digest(self.chain[0].as_ref()))
    }

    /// The files this identity was loaded from.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    fn parts(&self) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        (self.chain.clone(), self.key.clone_key())
    }

    fn rejected(&self, error: rustls::Error) -> TlsError {
        match error {
            rustls::Error::InconsistentKeys(_) => TlsError::KeyMismatch {
                identity: self.origin.clone(),
            },
            source => TlsError::IdentityRejected {
                identity: self.origin.clone(),
                source,
            },
        }
    }
}

impl Clone for Identity {
    fn clone(&self) -> Self {
        let (chain, key) = self.parts();
        Identity {
            chain,
            key,
            origin: self.origin.clone(),
        }
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("origin", &self.origin)
            .field("certificates", &self.chain.len())
            .field("key", &"********")
            .finish()
    }
}

/// How the client authenticates the server and itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsClientOptions {
    /// PEM bundle of trusted CAs. When given it replaces the system roots, so a test deployment
    /// with its own CA is trusted exactly as configured.
    pub ca_bundle: Option<PathBuf>,
    pub identity: Option<IdentitySource>,
    /// Accept any server certificate. An explicit opt-in the CLI must announce loudly.
    pub insecure: bool,
}

/// The one crypto provider of the crate: pure-Rust `ring`.
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Builds the rustls client configuration, loading every file it names, so bad TLS input is
/// reported before any request is sent.
pub fn client_config(options: &TlsClientOptions) -> Result<ClientConfig, TlsError> {
    let provider = crypto_provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|error| TlsError::Config(error.to_string()))?;
    let builder = if options.insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyServerCertificate { provider }))
    } else {
        let roots = match &options.ca_bundle {
            Some(path) => root_store_from_file(path)?,
            None => system_root_store()?,
        };
        builder.with_root_certificates(roots)
    };
    let mut config = match &options.identity {
        Some(source) => {
            let identity = source.load()?;
            let (chain, key) = identity.parts();
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|error| identity.rejected(error))?
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Builds the server configuration of the reference provider. With `client_ca` every client must
/// present a certificate issued by one of those CAs; without it no client certificate is asked.
pub fn server_config(
    cert: &Path,
    key: &Path,
    client_ca: Option<&Path>,
) -> Result<Arc<ServerConfig>, TlsError> {
    let identity = Identity::from_pem_files(cert, key)?;
    let provider = crypto_provider();
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|error| TlsError::Config(error.to_string()))?;
    let builder = match client_ca {
        Some(path) => {
            let roots = Arc::new(root_store_from_file(path)?);
            let verifier = WebPkiClientVerifier::builder_with_provider(roots, provider)
                .build()
                .map_err(|error| TlsError::BadCaCertificate {
                    path: path.to_path_buf(),
                    detail: error.to_string(),
                })?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let (chain, key) = identity.parts();
    let mut config = builder
        .with_single_cert(chain, key)
        .map_err(|error| identity.rejected(error))?;
    // The provider answers as Serviceplatformen's SOAP endpoints do, over HTTP/1.1; the client's
    // HTTP/2 path is exercised against a test server (tests/client_h2.rs).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn read_file(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Unreadable {
        path: path.to_path_buf(),
        source,
    })
}

fn read_pem_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let data = read_file(path)?;
    let certificates = CertificateDer::pem_slice_iter(&data)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| TlsError::MalformedPem {
            path: path.to_path_buf(),
            detail: error.to_string(),
        })?;
    if certificates.is_empty() {
        return Err(TlsError::NoCertificate {
            path: path.to_path_buf(),
        });
    }
    Ok(certificates)
}

fn read_pem_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let data = read_file(path)?;
    PrivateKeyDer::from_pem_slice(&data).map_err(|error| match error {
        rustls_pki_types::pem::Error::NoItemsFound => TlsError::NoPrivateKey {
            path: path.to_path_buf(),
        },
        other => TlsError::MalformedPem {
            path: path.to_path_buf(),
            detail: other.to_string(),
        },
    })
}

fn root_store_from_file(path: &Path) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    for certificate in read_pem_certificates(path)? {
        roots
            .add(certificate)
            .map_err(|error| TlsError::BadCaCertificate {
                path: path.to_path_buf(),
                detail: error.to_string(),
            })?;
    }
    Ok(roots)
}

fn system_root_store() -> Result<RootCertStore, TlsError> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (_added, _ignored) = roots.add_parsable_certificates(found.certs);
    if roots.is_empty() {
        let detail = match found.errors.first() {
            Some(error) => error.to_string(),
            None => "the system certificate store is empty".to_owned(),
        };
        return Err(TlsError::NoSystemRoots { detail });
    }
    Ok(roots)
}

/// `--insecure`: trusts any server certificate but still checks that the server holds the key
/// of the certificate it showed, so the handshake itself stays sound.
#[derive(Debug)]
struct AcceptAnyServerCertificate {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AcceptAnyServerCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A client that never finishes its handshake must not hold a connection slot for ever.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause after a failed `accept` (e.g. out of file descriptors) so the loop does not spin.
const ACCEPT_RETRY_PAUSE: Duration = Duration::from_millis(100);
const PENDING_CONNECTIONS: usize = 64;

type Accepted = (TlsStream<TcpStream>, SocketAddr);

/// An [`axum::serve::Listener`] that terminates TLS. Handshakes run in their own tasks, so a
/// failed or stalled handshake neither stops nor delays the accept loop; failed handshakes are
/// dropped (the client already got the TLS alert that explains why).
pub struct TlsListener {
    local_addr: Result<SocketAddr, io::ErrorKind>,
    accepted: mpsc::Receiver<Accepted>,
    accept_loop: JoinHandle<()>,
}

impl TlsListener {
    /// Starts accepting at once; must be called inside a Tokio runtime.
    pub fn new(tcp: TcpListener, config: Arc<ServerConfig>) -> TlsListener {
        let (sender, accepted) = mpsc::channel(PENDING_CONNECTIONS);
        TlsListener {
            local_addr: tcp.local_addr().map_err(|error| error.kind()),
            accepted,
            accept_loop: tokio::spawn(accept_loop(tcp, TlsAcceptor::from(config), sender)),
        }
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

async fn accept_loop(tcp: TcpListener, acceptor: TlsAcceptor, sender: mpsc::Sender<Accepted>) {
    while !sender.is_closed() {
        let (stream, peer) = match tcp.accept().await {
            Ok(connection) => connection,
            Err(_) => {
                tokio::time::sleep(ACCEPT_RETRY_PAUSE).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let sender = sender.clone();
        tokio::spawn(async move {
            if let Ok(Ok(tls)) =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
            {
                let _closed = sender.send((tls, peer)).await;
            }
        });
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.accepted.recv().await {
            Some(connection) => connection,
            // The loop only ends when this listener is dropped; never hand out a fake connection.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.local_addr.map_err(io::Error::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kontrakt-tls-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    #[test]
    fn password_file_loses_one_trailing_newline_only() {
        let path = temp_file("pw", b"s3cret \r\n");
        let value = Secret::File(path).reveal().unwrap();
        assert_eq!(value.expose(), "s3cret ");
    }

    #[test]
    fn revealed_secret_is_masked_in_debug_and_display() {
        let path = temp_file("pw", b"hunter2");
        let value = Secret::File(path.clone()).reveal().unwrap();
        assert!(!format!("{value:?} {value}").contains("hunter2"));
        let source = IdentitySource::Pkcs12 {
            path: path.clone(),
            password: Secret::File(path),
        };
        assert!(!format!("{source:?}").contains("hunter2"));
    }

    #[test]
    fn missing_password_variable_is_named() {
        let error = Secret::Env("KONTRAKT_TEST_SURELY_UNSET_VARIABLE".into())
            .reveal()
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("KONTRAKT_TEST_SURELY_UNSET_VARIABLE")
        );
    }

    #[test]
    fn unreadable_certificate_names_the_file() {
        let missing = std::env::temp_dir().join("kontrakt-no-such-dir/cert.pem");
        let error = Identity::from_pem_files(&missing, &missing).unwrap_err();
        assert!(matches!(error, TlsError::Unreadable { .. }));
        assert!(error.to_string().contains("kontrakt-no-such-dir/cert.pem"));
    }

    #[test]
    fn pem_without_certificate_is_reported_as_such() {
        let path = temp_file("empty.pem", b"just text\n");
        let error = Identity::from_pem_files(&path, &path).unwrap_err();
        assert!(matches!(error, TlsError::NoCertificate { .. }), "{error}");
    }

    #[test]
    fn ca_bundle_without_certificate_fails_client_config() {
        let path = temp_file("ca.pem", b"");
        let options = TlsClientOptions {
            ca_bundle: Some(path),
            ..TlsClientOptions::default()
        };
        let error = client_config(&options).unwrap_err();
        assert!(matches!(error, TlsError::NoCertificate { .. }), "{error}");
    }

    #[test]
    fn insecure_client_config_needs_no_roots() {
        let options = TlsClientOptions {
            insecure: true,
            ..TlsClientOptions::default()
        };
        let config = client_config(&options).unwrap();
        assert_eq!(config.alpn_protocols.len(), 2);
    }
}
