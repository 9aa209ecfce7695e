//! Telling a request that failed because its pooled connection had been closed under it from
//! one that failed on a connection that never answered.
//!
//! A server or load balancer may close an idle keep-alive connection at any moment without
//! announcing it. If the pool hands that connection out before its close arrives, the request is
//! written into a dead socket and the error looks like any other reset or early close. hyper-util
//! retries only requests it had not written yet, so the client retries the rest itself: a request
//! whose connection closed before answering, on a connection that had answered before. Such a
//! request was never answered (usually never even read), so sending it again cannot hide a wrong
//! answer; a connection that fails its very first request is the endpoint's doing and is reported.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use hyper::http::Extensions;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::{Connected, Connection};

/// Whether a connection has delivered a response head. Shared by the connection's metadata,
/// which hyper-util copies into every response and error of that connection.
#[derive(Debug, Clone, Default)]
struct Answered(Arc<AtomicBool>);

/// A connection that carries its [`Answered`] flag in its metadata.
#[derive(Debug)]
pub(super) struct TrackedStream<S> {
    inner: S,
    answered: Answered,
}

impl<S> TrackedStream<S> {
    pub(super) fn new(inner: S) -> TrackedStream<S> {
        TrackedStream {
            inner,
            answered: Answered::default(),
        }
    }
}

/// Records that the connection `response` came over has answered.
pub(super) fn mark_answered<B>(response: &hyper::Response<B>) {
    if let Some(answered) = response.extensions().get::<Answered>() {
        answered.0.store(true, Ordering::Relaxed);
    }
}

/// Whether `error` happened on a connection that had answered an earlier request.
pub(super) fn on_answered_connection(error: &hyper_util::client::legacy::Error) -> bool {
    let Some(connected) = error.connect_info() else {
        return false;
    };
    let mut extensions = Extensions::new();
    connected.get_extras(&mut extensions);
    extensions
        .get::<Answered>()
        .is_some_and(|answered| answered.0.load(Ordering::Relaxed))
}

impl<S: Connection> Connection for TrackedStream<S> {
    fn connected(&self) -> Connected {
        self.inner.connected().extra(self.answered.clone())
    }
}

impl<S: Read + Unpin> Read for TrackedStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(context, buffer)
    }
}

impl<S: Write + Unpin> Write for TrackedStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(context, bytes)
    }

    fn poll_flush(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(context)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(context)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffers: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(context, buffers)
    }
}
