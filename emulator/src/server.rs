//! The server thread: accept loop, per-connection HTTP/1.1, and the single fallback handler that
//! records, applies faults and routes by host.

use std::io;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER, TRANSFER_ENCODING};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, Notify};
use tower_service::Service as _;

use crate::state::Shared;
use crate::util::{
    app_error, classify_host, decode_segments, effective_host, Api, JSON_CONTENT_TYPE,
};
use crate::{app, inspect, track, FaultAction, RecordedRequest};

/// Lets a handler ask its connection's task to drop the socket (the `Reset` fault); axum alone
/// offers no way to close a connection without answering.
#[derive(Clone)]
struct ConnControl(Arc<Notify>);

/// Body of the server thread. Reports start-up success or failure on `ready`, then serves until
/// `shutdown` fires (or its sender is dropped).
pub(crate) fn run(
    listener: std::net::TcpListener,
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
        let listener = match TcpListener::from_std(listener) {
            Ok(listener) => listener,
            Err(err) => {
                let _ = ready.send(Err(err));
                return;
            }
        };
        let _ = ready.send(Ok(()));
        accept_loop(listener, router(shared), shutdown).await;
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

async fn accept_loop(listener: TcpListener, router: Router, mut shutdown: oneshot::Receiver<()>) {
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(serve_connection(stream, router.clone()));
                }
                // Out of file descriptors and similar: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
        }
    }
}

async fn serve_connection(stream: TcpStream, router: Router) {
    let _ = stream.set_nodelay(true);
    // A second handle on the socket lets the reset path set SO_LINGER=0 while hyper owns the stream.
    let Ok((stream, keep)) = stream.into_std().and_then(|s| {
        let keep = s.try_clone()?;
        Ok((TcpStream::from_std(s)?, keep))
    }) else {
        return;
    };
    let reset = Arc::new(Notify::new());
    let control = ConnControl(Arc::clone(&reset));
    let service = hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(control.clone());
        let mut router = router.clone();
        async move { router.call(req).await }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = connection => {}
        _ = reset.notified() => {
            // Zero linger turns the close into a TCP reset, like a crashed peer.
            let _ = socket2::SockRef::from(&keep).set_linger(Some(Duration::ZERO));
        }
    }
    drop(keep);
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(err) => {
            return app_error(
                StatusCode::BAD_REQUEST,
                &format!("could not read the request body: {err}"),
            )
        }
    };
    let path = parts.uri.path();
    if inspect::is_inspection_path(path) {
        return inspect::handle(&shared, &parts.method, path, parts.uri.query(), &body);
    }

    let rec = RecordedRequest {
        method: parts.method.as_str().to_string(),
        host: effective_host(&parts.headers, &parts.uri),
        path: path.to_string(),
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
        body: body.to_vec(),
    };
    let fault = {
        let mut state = shared.lock();
        state.requests.push(rec.clone());
        state.take_fault(&rec.path)
    };
    match fault {
        None => {}
        Some(FaultAction::Delay { ms }) => tokio::time::sleep(Duration::from_millis(ms)).await,
        Some(FaultAction::Respond {
            status,
            headers,
            body,
        }) => return fault_response(status, &headers, body),
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
        Some(FaultAction::Reset) => {
            if let Some(control) = parts.extensions.get::<ConnControl>() {
                control.0.notify_one();
                // The connection task drops this handler together with the socket.
                std::future::pending::<()>().await;
            }
            return app_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "reset fault: this connection cannot be dropped",
            );
        }
    }
    dispatch(&shared, &rec)
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

fn fault_response(status: u16, headers: &[(String, String)], body: Vec<u8>) -> Response {
    let Ok(status) = StatusCode::from_u16(status).map_err(|_| ()).and_then(|s| {
        if s.is_informational() {
            Err(())
        } else {
            Ok(s)
        }
    }) else {
        return app_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("respond fault has an unusable status {status}; use 200 to 999"),
        );
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let map = response.headers_mut();
    for (name, value) in headers {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) else {
            continue;
        };
        if name == CONTENT_LENGTH || name == TRANSFER_ENCODING {
            continue;
        }
        map.append(name, value);
    }
    if !map.contains_key(CONTENT_TYPE) {
        map.insert(CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE));
    }
    response
}
