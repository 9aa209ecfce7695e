//! STUB
use std::time::Duration;
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    pub total_timeout: Duration,
    pub max_response_bytes: u64,
}
#[derive(Debug, thiserror::Error)]
#[error("x")]
pub struct ClientError;
#[derive(Debug, thiserror::Error)]
#[error("x")]
pub struct TransportError;
pub struct HttpExchange {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}
pub struct Client;
impl Client {
    pub fn new(_: &ClientOptions) -> Result<Client, ClientError> {
        Ok(Client)
    }
    pub async fn post(
        &self,
        _url: &reqwest::Url,
        _h: &[(&'static str, String)],
        _b: Vec<u8>,
    ) -> Result<HttpExchange, TransportError> {
        Err(TransportError)
    }
}
