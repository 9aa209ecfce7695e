//! STUB
use std::path::PathBuf;
#[derive(Debug, Clone, Copy)]
pub enum FaultMode {
    A,
}
impl FaultMode {
    pub fn all() -> &'static [FaultMode] {
        &[FaultMode::A]
    }
    pub fn description(self) -> &'static str {
        ""
    }
}
impl std::fmt::Display for FaultMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a")
    }
}
impl std::str::FromStr for FaultMode {
    type Err = ReferenceError;
    fn from_str(_: &str) -> Result<Self, ReferenceError> {
        Err(ReferenceError)
    }
}
#[derive(Debug, thiserror::Error)]
#[error("x")]
pub struct ReferenceError;
pub struct ProviderOptions {
    pub today: Option<chrono::NaiveDate>,
    pub fault: Option<FaultMode>,
    pub fixture: PathBuf,
}
pub struct Running {
    pub addr: std::net::SocketAddr,
}
pub async fn spawn(_: ProviderOptions) -> Result<Running, ReferenceError> {
    Err(ReferenceError)
}
pub async fn serve(
    _: tokio::net::TcpListener,
    _: ProviderOptions,
    _s: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ReferenceError> {
    Ok(())
}
pub fn router(_: ProviderOptions) -> Result<axum::Router, ReferenceError> {
    Err(ReferenceError)
}
