//! The embedded reference provider: a conforming implementation of the hosted services, with
//! in-memory state seeded from a fixture, an injectable "today" and named fault modes that break
//! it on purpose. It implements the business rules on its own and talks to the harness only over
//! HTTP, so a bug in the harness's checks cannot hide behind the same bug here.
//!
//! A service is one file: its [`service::ServiceSpec`], its handlers, its fixture section and a
//! `mount` function, listed once in [`SERVICES`].

mod clock;
mod fault_mode;
mod fixture;
mod jobcenter;
mod kontanthjaelp;
mod message;
mod service;
mod sygefravaer;
mod terminaladgang;

pub use fault_mode::{FaultMode, UnknownFaultMode};

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use chrono::NaiveDate;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use clock::Clock;
use fixture::Fixture;
use service::Provider;

/// Where `kontrakt` finds the fixture when run from the repository root.
pub const DEFAULT_FIXTURE: &str = "contracts/reference-fixture.toml";

/// How to run the provider.
#[derive(Debug, Clone)]
pub struct ProviderOptions {
    /// The business date; `None` is the real date in Europe/Copenhagen at each call.
    pub today: Option<NaiveDate>,
    pub fault: Option<FaultMode>,
    /// The seeded state (see contracts/reference-fixture.toml).
    pub fixture: PathBuf,
}

impl Default for ProviderOptions {
    fn default() -> Self {
        ProviderOptions {
            today: None,
            fault: None,
            fixture: PathBuf::from(DEFAULT_FIXTURE),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("cannot read the reference fixture {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid reference fixture {}: {message}", path.display())]
    InvalidFixture { path: PathBuf, message: String },
    #[error("reference provider: {0}")]
    Io(#[from] std::io::Error),
    #[error("reference provider: a service's schemas do not compile: {0}")]
    Schema(String),
}

/// A hosted service: the fixture section it reads and how it becomes a route.
struct HostedService {
    fixture_key: &'static str,
    mount: fn(&Fixture, Arc<Provider>) -> Result<Router, ReferenceError>,
}

const SERVICES: &[HostedService] = &[
    HostedService {
        fixture_key: kontanthjaelp::FIXTURE_KEY,
        mount: kontanthjaelp::mount,
    },
    HostedService {
        fixture_key: sygefravaer::FIXTURE_KEY,
        mount: sygefravaer::mount,
    },
    HostedService {
        fixture_key: terminaladgang::FIXTURE_KEY,
        mount: terminaladgang::mount,
    },
];

/// The fixture sections the hosted services read.
fn fixture_keys() -> Vec<&'static str> {
    SERVICES.iter().map(|s| s.fixture_key).collect()
}

/// All hosted services, each at `/service/<contract path>`, with state seeded from the fixture.
pub fn router(options: ProviderOptions) -> Result<Router, ReferenceError> {
    let fixture = Fixture::load(&options.fixture, &fixture_keys())?;
    let provider = Arc::new(Provider {
        clock: Clock::new(options.today),
        fault: options.fault,
        // The fixture lives in the contracts folder, beside the services' schemas.
        contracts_dir: options
            .fixture
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default(),
    });
    SERVICES.iter().try_fold(Router::new(), |router, service| {
        Ok(router.merge((service.mount)(&fixture, provider.clone())?))
    })
}

/// Serves on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    options: ProviderOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ReferenceError> {
    let app = router(options)?;
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// A provider serving on an ephemeral loopback port in a tokio task; it stops when dropped or
/// when [`Running::stop`] is awaited.
#[derive(Debug)]
pub struct Running {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), ReferenceError>>,
}

/// Binds 127.0.0.1:0 and serves there. The fixture is read before this returns, so a bad fixture
/// is an error here, not a dead server.
pub async fn spawn(options: ProviderOptions) -> Result<Running, ReferenceError> {
    let app = router(options)?;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                // A dropped sender stops the server as well as an explicit stop.
                let _ = stopped.await;
            })
            .await?;
        Ok(())
    });
    Ok(Running {
        addr,
        stop: Some(stop),
        task,
    })
}

impl Running {
    /// The base URL, e.g. `http://127.0.0.1:40123`; services live under `/service/<path>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting calls, lets calls in flight finish, and reports how serving ended.
    pub async fn stop(mut self) -> Result<(), ReferenceError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match (&mut self.task).await {
            Ok(result) => result,
            Err(join) => Err(ReferenceError::Io(std::io::Error::other(join))),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Without an explicit stop nobody waits for calls in flight, so end the task outright.
        self.task.abort();
    }
}
