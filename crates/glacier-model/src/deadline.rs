//! A future raced against a timer, for the browser steps that can hang (the WebGPU adapter
//! request, the GPU self-check, the model download). The caller brings the timer (a
//! `setTimeout` in the page), so this module needs no clock.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;

/// A step that did not finish within its time limit.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{what} did not finish within {}", seconds(*limit_ms))]
pub struct TimedOut {
    /// The step in words, e.g. `the WebGPU adapter request`.
    pub what: String,
    /// Its limit in milliseconds.
    pub limit_ms: u32,
}

/// `1.5 s`, `30 s`.
fn seconds(ms: u32) -> String {
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", f64::from(ms) / 1000.0)
    }
}

/// Runs `work` until it finishes or `timer` fires, whichever is first (`work` wins a tie).
/// `timer` should fire after `limit_ms`, which the error reports.
///
/// # Errors
/// [`TimedOut`] naming `what` when the timer fired first.
pub async fn within<T>(
    work: impl Future<Output = T>,
    timer: impl Future<Output = ()>,
    what: &str,
    limit_ms: u32,
) -> Result<T, TimedOut> {
    let mut work = pin!(work);
    let mut timer = pin!(timer);
    poll_fn(|cx| {
        if let Poll::Ready(value) = work.as_mut().poll(cx) {
            return Poll::Ready(Ok(value));
        }
        if timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(TimedOut {
                what: what.to_owned(),
                limit_ms,
            }));
        }
        Poll::Pending
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::{pending, ready};

    #[test]
    fn work_that_finishes_wins() {
        let got = pollster::block_on(within(ready(7), pending(), "x", 10));
        assert_eq!(got, Ok(7));
        // A tie goes to the work: its result is not thrown away.
        assert_eq!(
            pollster::block_on(within(ready(8), ready(()), "x", 10)),
            Ok(8)
        );
    }

    #[test]
    fn a_hung_step_times_out_with_its_name_and_limit() {
        let got = pollster::block_on(within(
            pending::<u8>(),
            ready(()),
            "the WebGPU adapter request",
            10_000,
        ));
        let e = got.expect_err("the timer fired");
        assert_eq!(
            e.to_string(),
            "the WebGPU adapter request did not finish within 10 s"
        );
        let e = pollster::block_on(within(
            pending::<()>(),
            ready(()),
            "the model download",
            1500,
        ))
        .expect_err("timer");
        assert_eq!(
            e.to_string(),
            "the model download did not finish within 1.5 s"
        );
    }

    #[test]
    fn a_later_timer_lets_slow_work_finish() {
        // Work that needs a few polls still wins against a timer that is never ready.
        let mut polls = 0;
        let slow = poll_fn(move |cx| {
            polls += 1;
            if polls < 3 {
                cx.waker().wake_by_ref();
                Poll::Pending
            } else {
                Poll::Ready("done")
            }
        });
        assert_eq!(
            pollster::block_on(within(slow, pending(), "x", 1)),
            Ok("done")
        );
    }
}
