//! Request rates (SPEC §12): a quota per API key (`--rate-limit N/UNIT`, governor's GCRA) with
//! the `RateLimit-*` headers, and a limit on failed authentications per client address.

use super::problem::{Headers, Problem};
use crate::error::ServeError;
use axum::http::{HeaderName, HeaderValue};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `N/UNIT`: at most `count` requests per `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: NonZeroU32,
    pub period: Duration,
    unit: &'static str,
}

impl std::str::FromStr for Rate {
    type Err = String;
    fn from_str(s: &str) -> Result<Rate, String> {
        let bad = || ServeError::BadRateLimit(s.to_string()).to_string();
        let (n, unit) = s.trim().split_once('/').ok_or_else(bad)?;
        let count: NonZeroU32 = n.trim().parse().map_err(|_| bad())?;
        let (period, unit) = match unit.trim() {
            "s" => (Duration::from_secs(1), "s"),
            "min" => (Duration::from_secs(60), "min"),
            "h" => (Duration::from_secs(3600), "h"),
            _ => return Err(bad()),
        };
        Ok(Rate {
            count,
            period,
            unit,
        })
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.count, self.unit)
    }
}

/// One quota per API key name; the whole quota may be spent at once, then it refills evenly.
pub struct KeyRates {
    rate: Rate,
    limiter: DefaultKeyedRateLimiter<String, StateInformationMiddleware>,
}

impl KeyRates {
    pub fn new(rate: Rate) -> KeyRates {
        let quota = Quota::with_period(rate.period / rate.count.get())
            .unwrap_or_else(|| Quota::per_second(rate.count))
            .allow_burst(rate.count);
        KeyRates {
            rate,
            limiter: DefaultKeyedRateLimiter::keyed(quota).with_middleware(),
        }
    }

    /// Counts one request of `key`: the `RateLimit-*` headers to answer with, or a `429`.
    pub fn check(&self, key: &str) -> Result<Headers, Problem> {
        let limit = self.rate.count.get();
        let per_cell = self.rate.period / limit;
        match self.limiter.check_key(&key.to_string()) {
            Ok(state) => {
                let remaining = state.remaining_burst_capacity();
                // Seconds until the quota is whole again.
                let reset = per_cell * (limit - remaining);
                Ok(headers(limit, remaining, ceil_secs(reset)))
            }
            Err(not_until) => {
                let next = not_until.wait_time_from(DefaultClock::default().now());
                let wait = ceil_secs(next);
                // RateLimit-Reset means one thing on every answer: seconds until the quota is
                // whole again (Retry-After says when the next request is allowed).
                let whole = ceil_secs(next + per_cell * (limit - 1));
                let limited = ServeError::RateLimited {
                    limit: self.rate.to_string(),
                    retry_after: wait,
                };
                let mut problem = Problem::retry_after(limited, wait);
                problem.headers.extend(headers(limit, 0, whole));
                Err(problem)
            }
        }
    }
}

fn headers(limit: u32, remaining: u32, reset: u64) -> Headers {
    [
        ("ratelimit-limit", limit as u64),
        ("ratelimit-remaining", remaining as u64),
        ("ratelimit-reset", reset),
    ]
    .map(|(name, value)| (HeaderName::from_static(name), HeaderValue::from(value)))
    .to_vec()
}

/// Whole seconds, rounded up, at least 1.
fn ceil_secs(d: Duration) -> u64 {
    (d.as_millis().div_ceil(1000) as u64).max(1)
}

/// Failed authentications per client address: after `max` within `window`, the address's
/// further failures are answered `429` until the window that began with its first failure has
/// passed. Only failures are counted: a valid key from the same address is never refused here.
pub struct Failures {
    max: u32,
    window: Duration,
    seen: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl Failures {
    pub fn new(max: u32, window: Duration) -> Failures {
        Failures {
            max,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one failure of `addr`: `429` once it has failed more than `max` times lately.
    pub fn failed(&self, addr: IpAddr) -> Result<(), Problem> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        // Forget old windows, so that scanning addresses cannot grow the map for ever.
        if seen.len() > 10_000 {
            let window = self.window;
            seen.retain(|_, (since, _)| since.elapsed() < window);
        }
        let entry = seen.entry(addr).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= self.window {
            *entry = (Instant::now(), 0);
        }
        entry.1 = entry.1.saturating_add(1);
        if entry.1 <= self.max {
            return Ok(());
        }
        let wait = ceil_secs(self.window.saturating_sub(entry.0.elapsed()));
        Err(Problem::retry_after(
            ServeError::TooManyFailures(wait),
            wait,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    #[test]
    fn rates_parse_and_print() {
        let r: Rate = "60/min".parse().unwrap();
        assert_eq!((r.count.get(), r.period), (60, Duration::from_secs(60)));
        assert_eq!(r.to_string(), "60/min");
        assert_eq!(
            "5/s".parse::<Rate>().unwrap().period,
            Duration::from_secs(1)
        );
        assert_eq!(
            "2/h".parse::<Rate>().unwrap().period,
            Duration::from_secs(3600)
        );
        for bad in ["60", "0/min", "x/min", "60/day", "/s"] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_key_gets_its_quota_then_429_and_another_key_is_unaffected() {
        let rates = KeyRates::new("3/min".parse().unwrap());
        for left in [2, 1, 0] {
            let h = rates.check("a").unwrap();
            assert_eq!(h[1].1, left.to_string().as_str());
            assert_eq!(h[0].1, "3");
        }
        let refused = rates.check("a").unwrap_err();
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.headers.iter().any(|(k, _)| k == "retry-after"));
        assert!(rates.check("b").is_ok());
    }

    #[test]
    fn an_address_is_refused_after_its_failures() {
        let f = Failures::new(2, Duration::from_secs(60));
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(f.failed(a).is_ok());
        assert!(f.failed(a).is_ok());
        assert_eq!(
            f.failed(a).unwrap_err().status,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert!(f.failed("127.0.0.2".parse().unwrap()).is_ok());
    }
}
