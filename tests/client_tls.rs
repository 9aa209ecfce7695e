//! Mutual TLS end to end on loopback: a PKI generated at run time, a real axum server behind
//! `TlsListener` that requires client certificates, and the harness client in front of it.

mod common;

use std::path::Path;

use axum::Router;
use axum::routing::post;
use kontrakt::client::{
    Client, ClientError, ClientOptions, HttpExchange, RequestHeaders, TransportError,
};
use kontrakt::tls::{
    IdentitySource, Secret, TlsClientOptions, TlsError, TlsListener, server_config,
};
use tokio::net::TcpListener;
use url::Url;

use common::Pki;

const P12_PASSWORD: &str = "correct horse battery staple";

/// Every certificate the tests need, and a server with client authentication for each kind of
/// server certificate.
struct World {
    pki: Pki,
}

impl World {
    fn new() -> World {
        let pki = Pki::new();
        let trusted_ca = pki.ca("ca");
        let other_ca = pki.ca("other-ca");
        pki.server("server", &trusted_ca, &["127.0.0.1", "localhost"], false);
        pki.server("wrong-host", &trusted_ca, &["wrong.example"], false);
        pki.server("expired-server", &trusted_ca, &["127.0.0.1"], true);
        let client = pki.client("client", &trusted_ca, false);
        pki.pkcs12("client.p12", &trusted_ca, &client, P12_PASSWORD);
        pki.client("stranger", &other_ca, false);
        pki.client("expired-client", &trusted_ca, true);
        pki.write("p12-password", format!("{P12_PASSWORD}\n"));
        pki.write("wrong-password", "not the password\n");
        World { pki }
    }

    /// Serves "ok" over HTTPS with `<server>.pem`, requiring a client certificate from "ca".
    async fn serve(&self, server: &str) -> Url {
        let config = server_config(
            &self.pki.path(&format!("{server}.pem")),
            &self.pki.path(&format!("{server}.key")),
            Some(&self.pki.path("ca.pem")),
        )
        .unwrap();
        let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = tcp.local_addr().unwrap();
        let app = Router::new().route("/soap", post(|| async { "ok" }));
        tokio::spawn(async move { axum::serve(TlsListener::new(tcp, config), app).await });
        Url::parse(&format!("https://{address}/soap")).unwrap()
    }

    fn pem_identity(&self, name: &str) -> IdentitySource {
        IdentitySource::Pem {
            cert: self.pki.path(&format!("{name}.pem")),
            key: self.pki.path(&format!("{name}.key")),
        }
    }

    fn p12_identity(&self, password_file: &str) -> IdentitySource {
        IdentitySource::Pkcs12 {
            path: self.pki.path("client.p12"),
            password: Secret::File(self.pki.path(password_file)),
        }
    }

    fn client(&self, ca: &str, identity: Option<IdentitySource>) -> Result<Client, ClientError> {
        Client::new(&ClientOptions {
            tls: TlsClientOptions {
                ca_bundle: Some(self.pki.path(&format!("{ca}.pem"))),
                identity,
                insecure: false,
            },
            ..ClientOptions::default()
        })
    }

    async fn post(
        &self,
        server: &str,
        identity: Option<IdentitySource>,
    ) -> Result<HttpExchange, TransportError> {
        let url = self.serve(server).await;
        let client = self.client("ca", identity).unwrap();
        client
            .post(
                &client.target(url),
                &RequestHeaders::default(),
                b"<Envelope/>".to_vec(),
            )
            .await
    }

    async fn failure(&self, server: &str, identity: Option<IdentitySource>) -> TransportError {
        match self.post(server, identity).await {
            Ok(exchange) => panic!("expected a TLS failure, got {exchange:?}"),
            Err(error) => error,
        }
    }
}

fn assert_ok(result: Result<HttpExchange, TransportError>) {
    let exchange = result.unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(exchange.status, 200);
    assert_eq!(exchange.body, b"ok");
}

#[tokio::test]
async fn right_pem_client_certificate_passes() {
    let world = World::new();
    assert_ok(
        world
            .post("server", Some(world.pem_identity("client")))
            .await,
    );
}

#[tokio::test]
async fn right_pkcs12_client_certificate_passes() {
    let world = World::new();
    assert_ok(
        world
            .post("server", Some(world.p12_identity("p12-password")))
            .await,
    );
}

#[tokio::test]
async fn pem_and_pkcs12_identities_show_the_same_thumbprint() {
    let world = World::new();
    let pem = world.client("ca", Some(world.pem_identity("client")));
    let p12 = world.client("ca", Some(world.p12_identity("p12-password")));
    let thumbprint = pem
        .unwrap()
        .client_certificate_thumbprint()
        .map(str::to_owned);
    assert_eq!(thumbprint.as_deref().map(str::len), Some(64));
    assert_eq!(
        p12.unwrap().client_certificate_thumbprint(),
        thumbprint.as_deref()
    );
}

#[tokio::test]
async fn no_client_certificate_is_told_to_pass_one() {
    let world = World::new();
    let error = world.failure("server", None).await;
    assert!(
        matches!(error, TransportError::ClientCertificateRequired { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("requires a client certificate"),
        "{error}"
    );
}

#[tokio::test]
async fn client_certificate_from_another_ca_is_rejected_as_unknown_ca() {
    let world = World::new();
    let error = world
        .failure("server", Some(world.pem_identity("stranger")))
        .await;
    assert!(
        matches!(error, TransportError::ClientCertificateRejected { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("unknown CA"), "{error}");
}

#[tokio::test]
async fn expired_client_certificate_is_rejected_as_expired() {
    let world = World::new();
    let error = world
        .failure("server", Some(world.pem_identity("expired-client")))
        .await;
    assert!(
        matches!(error, TransportError::ClientCertificateRejected { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("expired"), "{error}");
}

#[tokio::test]
async fn server_certificate_for_another_host_is_refused() {
    let world = World::new();
    let error = world
        .failure("wrong-host", Some(world.pem_identity("client")))
        .await;
    assert!(
        matches!(error, TransportError::ServerCertificateWrongHost { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("host name 127.0.0.1 (it names wrong.example)"),
        "{message}"
    );
}

#[tokio::test]
async fn expired_server_certificate_is_refused() {
    let world = World::new();
    let error = world
        .failure("expired-server", Some(world.pem_identity("client")))
        .await;
    assert!(
        matches!(error, TransportError::ServerCertificateExpired { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn server_from_an_untrusted_ca_is_refused_with_a_hint_to_pass_ca() {
    let world = World::new();
    let url = world.serve("server").await;
    let client = world
        .client("other-ca", Some(world.pem_identity("client")))
        .unwrap();
    let error = client
        .post(&client.target(url), &RequestHeaders::default(), Vec::new())
        .await
        .unwrap_err();
    assert!(
        matches!(error, TransportError::ServerCertificateUntrusted { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("--ca"), "{error}");
}

#[tokio::test]
async fn failed_handshakes_do_not_stop_the_server() {
    let world = World::new();
    let url = world.serve("server").await;
    let stranger = world
        .client("ca", Some(world.pem_identity("stranger")))
        .unwrap();
    assert!(
        stranger
            .post(
                &stranger.target(url.clone()),
                &RequestHeaders::default(),
                Vec::new()
            )
            .await
            .is_err()
    );
    let client = world
        .client("ca", Some(world.pem_identity("client")))
        .unwrap();
    assert_ok(
        client
            .post(&client.target(url), &RequestHeaders::default(), Vec::new())
            .await,
    );
}

#[test]
fn wrong_pkcs12_password_names_the_file_and_the_cause() {
    let world = World::new();
    let error = world
        .client("ca", Some(world.p12_identity("wrong-password")))
        .unwrap_err();
    assert!(
        matches!(
            error,
            ClientError::Tls(TlsError::WrongPkcs12Password { .. })
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("client.p12") && message.contains("wrong PKCS#12 password"),
        "{message}"
    );
    assert!(!message.contains("not the password"), "{message}");
}

#[test]
fn key_of_another_certificate_is_a_key_mismatch() {
    let world = World::new();
    let identity = IdentitySource::Pem {
        cert: world.pki.path("client.pem"),
        key: world.pki.path("stranger.key"),
    };
    let error = world.client("ca", Some(identity)).unwrap_err();
    assert!(
        matches!(error, ClientError::Tls(TlsError::KeyMismatch { .. })),
        "{error:?}"
    );
    assert!(error.to_string().contains("client.pem"), "{error}");
}

#[test]
fn unreadable_certificate_names_the_file() {
    let world = World::new();
    let missing: &Path = &world.pki.path("missing.pem");
    let identity = IdentitySource::Pem {
        cert: missing.to_path_buf(),
        key: world.pki.path("client.key"),
    };
    let error = world.client("ca", Some(identity)).unwrap_err();
    assert!(
        matches!(error, ClientError::Tls(TlsError::Unreadable { .. })),
        "{error:?}"
    );
    assert!(error.to_string().contains("missing.pem"), "{error}");
}
