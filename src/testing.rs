//! Fakes of the transport and clock for unit tests: scripted answers, recorded requests, and a
//! clock whose sleeps advance time instantly, so retry and timeout logic is tested without waiting.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use crate::http::{Clock, HttpRequest, HttpResponse, Transport, TransportError};

/// A transport that answers from a script and records what it was sent.
#[derive(Default)]
pub struct FakeTransport {
    /// Answers, in order; when empty, `200 {}`.
    pub script: RefCell<VecDeque<Result<HttpResponse, TransportError>>>,
    /// Every request sent.
    pub sent: RefCell<Vec<HttpRequest>>,
}

impl FakeTransport {
    /// A transport with these answers queued.
    pub fn with(answers: Vec<Result<HttpResponse, TransportError>>) -> Self {
        FakeTransport {
            script: RefCell::new(answers.into()),
            sent: RefCell::default(),
        }
    }
}

/// A JSON answer.
pub fn answer(status: u16, body: &str) -> Result<HttpResponse, TransportError> {
    Ok(HttpResponse {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    })
}

impl Transport for FakeTransport {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.sent.borrow_mut().push(request.clone());
        self.script
            .borrow_mut()
            .pop_front()
            .unwrap_or_else(|| answer(200, "{}\n"))
    }
}

/// A clock that starts at a fixed instant and moves only when slept on.
pub struct FakeClock {
    /// Current monotonic milliseconds.
    pub now: Cell<u64>,
    /// Every sleep, in ms.
    pub sleeps: RefCell<Vec<u64>>,
}

impl Default for FakeClock {
    fn default() -> Self {
        FakeClock {
            now: Cell::new(1_700_000_000_000),
            sleeps: RefCell::default(),
        }
    }
}

impl Clock for FakeClock {
    fn monotonic_ms(&self) -> u64 {
        self.now.get()
    }
    fn unix_ms(&self) -> u64 {
        self.now.get()
    }
    fn sleep_ms(&self, ms: u64) {
        self.sleeps.borrow_mut().push(ms);
        self.now.set(self.now.get() + ms);
    }
    fn fill_random(&self, buf: &mut [u8]) {
        for (i, b) in buf.iter_mut().enumerate() {
            *b = i as u8 * 7 + 1;
        }
    }
}

/// Runs one operation on a fake transport and clock.
pub fn exec(
    t: &FakeTransport,
    c: &FakeClock,
    op: &str,
    config: crate::types::ConnectionConfig,
    input: serde_json::Value,
) -> Result<crate::types::ExecuteResponse, crate::ConnectorError> {
    crate::Connector::new(t, c).execute(&crate::types::ExecuteRequest {
        operation_id: op.into(),
        config,
        input: input.to_string(),
        timeout_ms: Some(20_000),
        request_id: None,
    })
}
