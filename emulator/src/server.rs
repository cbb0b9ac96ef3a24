//! The server thread: accept loop, per-connection HTTP/1.1, and the single fallback handler that
//! records, applies faults and routes by host.

use std::io;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::RETRY_AFTER;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, Notify};
use tower_service::Service as _;

use crate::fault_serve::{self, Takeover};
use crate::state::Shared;
use crate::util::{app_error, classify_host, decode_segments, effective_host, Api};
use crate::{app, inspect, track, FaultAction, RecordedRequest, RecordedResponse};

/// Lets a handler hand its connection's socket over to the connection task (the faults that drop
/// or hand-write an answer); axum alone offers no way to close a connection without answering.
#[derive(Clone)]
struct ConnControl(Arc<Handover>);

struct Handover {
    ready: Notify,
    takeover: Mutex<Option<Takeover>>,
}

impl ConnControl {
    fn hand_over(&self, takeover: Takeover) {
        *self.0.takeover.lock().unwrap_or_else(|e| e.into_inner()) = Some(takeover);
        self.0.ready.notify_one();
    }
}

/// Body of the server thread. Reports start-up success or failure on `ready`, then serves until
/// `shutdown` fires (or its sender is dropped).
pub(crate) fn run(
    listeners: Vec<(std::net::TcpListener, Option<&'static str>)>,
    shared: Arc<Shared>,
    shutdown: oneshot::Receiver<()>,
    ready: mpsc::Sender<io::Result<()>>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            let _ = ready.send(Err(err));
            return;
        }
    };
    runtime.block_on(async move {
        let mut converted = Vec::new();
        for (listener, host) in listeners {
            match TcpListener::from_std(listener) {
                Ok(listener) => converted.push((listener, host)),
                Err(err) => {
                    let _ = ready.send(Err(err));
                    return;
                }
            }
        }
        let _ = ready.send(Ok(()));
        let router = router(shared);
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        for (listener, host) in converted {
            tokio::spawn(accept_loop(listener, router.clone(), host, stop_rx.clone()));
        }
        let _ = shutdown.await;
        let _ = stop_tx.send(true);
    });
    // Dropping the runtime cancels every connection task, so no socket outlives the emulator.
    drop(runtime);
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .fallback(handle)
        .layer(DefaultBodyLimit::disable())
        .with_state(shared)
}

async fn accept_loop(
    listener: TcpListener,
    router: Router,
    host: Option<&'static str>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(serve_connection(stream, router.clone(), host));
                }
                // Out of file descriptors and similar: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
        }
    }
}

/// Serves one connection; on a per-host port every request is that host's, as if `Host` said so.
async fn serve_connection(stream: TcpStream, router: Router, host: Option<&'static str>) {
    let _ = stream.set_nodelay(true);
    // A second handle on the socket outlives hyper's, so a fault can reset it or write to it.
    let Ok((stream, keep)) = stream.into_std().and_then(|s| {
        let keep = s.try_clone()?;
        Ok((TcpStream::from_std(s)?, keep))
    }) else {
        return;
    };
    let handover = Arc::new(Handover {
        ready: Notify::new(),
        takeover: Mutex::new(None),
    });
    let control = ConnControl(Arc::clone(&handover));
    let service = hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(control.clone());
        if let Some(host) = host {
            req.headers_mut()
                .insert("x-forwarded-host", HeaderValue::from_static(host));
        }
        let mut router = router.clone();
        async move { router.call(req).await }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = connection => return,
        _ = handover.ready.notified() => {}
    }
    // Hyper's half of the socket is gone here; `keep` alone holds it open.
    let takeover = handover
        .takeover
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
        .unwrap_or(Takeover::Reset);
    fault_serve::serve(keep, takeover).await;
}

/// Hands the connection over and never returns: the connection task drops this handler together
/// with hyper's side of the socket.
async fn take_over(parts: &Parts, takeover: Takeover) -> Response {
    if let Some(control) = parts.extensions.get::<ConnControl>() {
        control.hand_over(takeover);
        std::future::pending::<()>().await;
    }
    app_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "fault: this connection cannot be taken over",
    )
}

fn record(parts: &Parts, body: Vec<u8>) -> RecordedRequest {
    RecordedRequest {
        method: parts.method.as_str().to_string(),
        host: effective_host(&parts.headers, &parts.uri),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let read_body = |body: Body| async move {
        axum::body::to_bytes(body, usize::MAX).await.map_err(|err| {
            app_error(
                StatusCode::BAD_REQUEST,
                &format!("could not read the request body: {err}"),
            )
        })
    };
    let path = parts.uri.path();
    if inspect::is_inspection_path(path) {
        return match read_body(body).await {
            Ok(body) => inspect::handle(&shared, &parts.method, path, parts.uri.query(), &body),
            Err(response) => response,
        };
    }

    // Faults depend on the path alone, so the decision comes before the body is read.
    let fault = shared.lock().take_fault(path);
    if let Some(FaultAction::ResetBeforeBody) = fault {
        shared.lock().requests.push(record(&parts, Vec::new()));
        return take_over(&parts, Takeover::Reset).await;
    }
    let body = match read_body(body).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let rec = record(&parts, body.to_vec());
    let index = {
        let mut state = shared.lock();
        state.requests.push(rec.clone());
        state.requests.len() - 1
    };
    match fault {
        None => {}
        Some(FaultAction::Delay { ms }) => tokio::time::sleep(Duration::from_millis(ms)).await,
        Some(FaultAction::RateLimit { retry_after_secs }) => {
            let mut response = app_error(
                StatusCode::TOO_MANY_REQUESTS,
                "rate limited (reference emulator fault)",
            );
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
            return response;
        }
        Some(FaultAction::Reset | FaultAction::ResetBeforeBody) => {
            return take_over(&parts, Takeover::Reset).await
        }
        Some(FaultAction::ResetAfterApply) => {
            drop(dispatch(&shared, &rec));
            return take_over(&parts, Takeover::Reset).await;
        }
        Some(action) => {
            if let Some(takeover) = fault_serve::takeover_for(&action) {
                return take_over(&parts, takeover).await;
            }
            if let Some(response) = fault_serve::response_for(&action, &rec) {
                return response;
            }
            // A chaos fault is resolved to one of its choices (or none) before it gets here.
        }
    }
    remember_answer(&shared, index, dispatch(&shared, &rec)).await
}

/// Keeps a copy of the answer next to its request ([`crate::Emulator::exchanges`]); the emulator's
/// own answers are complete in memory, so buffering them changes nothing the client sees.
async fn remember_answer(shared: &Shared, index: usize, response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return app_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the emulator could not buffer its own answer",
        );
    };
    let recorded = RecordedResponse {
        status: parts.status.as_u16(),
        content_type: parts
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        body: bytes.to_vec(),
    };
    {
        let mut state = shared.lock();
        // reset() may have cleared the list while this request was in flight.
        if index < state.requests.len() {
            state.responses.push((index, recorded));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn dispatch(shared: &Shared, rec: &RecordedRequest) -> Response {
    let Some((api, region)) = classify_host(&rec.host) else {
        return app_error(
            StatusCode::NOT_FOUND,
            &format!(
                "unknown host {}: the emulator serves the Customer.io Track, App and Beta hosts",
                rec.host
            ),
        );
    };
    let segments = decode_segments(&rec.path);
    match api {
        Api::Track => track::handle(shared, region, rec, segments.as_deref()),
        Api::App => app::handle(shared, region, false, rec, segments.as_deref()),
        Api::Beta => app::handle(shared, region, true, rec, segments.as_deref()),
    }
}
