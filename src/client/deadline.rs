//! One timer per exchange for both the read and the total timeout.
//!
//! A timeout per wait, inside a timeout for the whole exchange, arms and cancels a timer for
//! every wait of every exchange. Instead the exchange keeps one timer, set to whichever comes
//! first: the read deadline of the current wait or the total deadline. A wait that is over at
//! once does not touch the timer at all.

use std::future::poll_fn;
use std::pin::{Pin, pin};
use std::task::Poll;
use std::time::Duration;

use tokio::time::{Instant, Sleep};

/// Which timeout struck.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expired {
    /// Nothing arrived for the read timeout.
    Read,
    /// The exchange did not finish within the total timeout.
    Total,
}

pub(super) struct Deadline<'t> {
    timer: Pin<&'t mut Sleep>,
    read_timeout: Duration,
    total: Instant,
    /// Whether the timer is set to a read deadline rather than the total one.
    reading: bool,
    /// Whether the next wait starts its read deadline afresh. The first wait, for the response
    /// head, runs from the start of the exchange, connecting and sending included.
    restart: bool,
}

impl<'t> Deadline<'t> {
    /// The deadlines of an exchange that started at `started`, kept by `timer`.
    pub(super) fn new(
        timer: Pin<&'t mut Sleep>,
        started: Instant,
        read_timeout: Duration,
        total_timeout: Duration,
    ) -> Deadline<'t> {
        let mut deadline = Deadline {
            timer,
            read_timeout,
            total: started + total_timeout,
            reading: true,
            restart: false,
        };
        deadline.set_read_deadline(started + read_timeout);
        deadline
    }

    /// Sets the timer to `read`, or to the total deadline when that comes first.
    fn set_read_deadline(&mut self, read: Instant) {
        // At a tie the read timeout is reported: it is the one that says the endpoint went quiet.
        self.reading = read <= self.total;
        let at = if self.reading { read } else { self.total };
        self.timer.as_mut().reset(at);
    }

    /// Waits for `future` unless a deadline passes first.
    pub(super) async fn within<F: Future>(&mut self, future: F) -> Result<F::Output, Expired> {
        let mut future = pin!(future);
        let mut armed = !self.restart;
        let outcome = poll_fn(|context| {
            if let Poll::Ready(output) = future.as_mut().poll(context) {
                return Poll::Ready(Ok(output));
            }
            if !armed {
                armed = true;
                self.set_read_deadline(Instant::now() + self.read_timeout);
            }
            match self.timer.as_mut().poll(context) {
                Poll::Ready(()) if self.reading => Poll::Ready(Err(Expired::Read)),
                Poll::Ready(()) => Poll::Ready(Err(Expired::Total)),
                Poll::Pending => Poll::Pending,
            }
        })
        .await;
        self.restart = true;
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHORT: Duration = Duration::from_millis(50);
    const LONG: Duration = Duration::from_secs(60);

    #[tokio::test(start_paused = true)]
    async fn a_quiet_wait_hits_whichever_timeout_comes_first() {
        for (read, total, expired) in [(SHORT, LONG, Expired::Read), (LONG, SHORT, Expired::Total)]
        {
            let timer = pin!(tokio::time::sleep(Duration::ZERO));
            let mut deadline = Deadline::new(timer, Instant::now(), read, total);
            assert_eq!(
                deadline.within(tokio::time::sleep(LONG * 2)).await,
                Err(expired)
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn each_later_wait_has_the_whole_read_timeout() {
        let timer = pin!(tokio::time::sleep(Duration::ZERO));
        let mut deadline = Deadline::new(timer, Instant::now(), SHORT, LONG);
        for _ in 0..5 {
            let output = deadline.within(tokio::time::sleep(SHORT * 3 / 4)).await;
            assert_eq!(output, Ok(()));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn waits_that_each_beat_the_read_timeout_still_meet_the_total_one() {
        let timer = pin!(tokio::time::sleep(Duration::ZERO));
        let mut deadline = Deadline::new(timer, Instant::now(), SHORT, SHORT * 2);
        let mut outcomes = Vec::new();
        for _ in 0..4 {
            outcomes.push(deadline.within(tokio::time::sleep(SHORT * 3 / 4)).await);
        }
        assert_eq!(
            outcomes,
            [Ok(()), Ok(()), Err(Expired::Total), Err(Expired::Total)]
        );
    }
}
