//! Small helpers shared by the API modules: response builders, host and path parsing.

use axum::body::Body;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{json, Value};

use crate::check::Invalid;
use crate::{RecordedRequest, Region};

/// Clients differ on padding, so decoding accepts it either way.
pub(crate) const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The Go client's alphabet.
pub(crate) const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The real Track API answers with exactly this content type.
pub(crate) const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// Which API a host name belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Api {
    Track,
    App,
    Beta,
}

pub(crate) fn classify_host(host: &str) -> Option<(Api, Region)> {
    Some(match host {
        "track.customer.io" => (Api::Track, Region::Us),
        "track-eu.customer.io" => (Api::Track, Region::Eu),
        "api.customer.io" => (Api::App, Region::Us),
        "api-eu.customer.io" => (Api::App, Region::Eu),
        "beta-api.customer.io" => (Api::Beta, Region::Us),
        "beta-api-eu.customer.io" => (Api::Beta, Region::Eu),
        _ => return None,
    })
}

/// `X-Forwarded-Host` wins because a client behind a proxy-style transport keeps `Host` pointing at
/// the emulator's own address.
pub(crate) fn effective_host(headers: &HeaderMap, uri: &Uri) -> String {
    let header = |name: &str| {
        headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .and_then(|v| {
                let first = v.split(',').next().unwrap_or("").trim().to_string();
                (!first.is_empty()).then_some(first)
            })
    };
    let raw = header("x-forwarded-host")
        .or_else(|| header("host"))
        .or_else(|| uri.authority().map(|a| a.as_str().to_string()))
        .unwrap_or_default();
    strip_port(&raw).trim_end_matches('.').to_ascii_lowercase()
}

fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        // IPv6 literal: keep the brackets, drop what follows them.
        return match host.find(']') {
            Some(end) => &host[..=end],
            None => host,
        };
    }
    match host.split_once(':') {
        Some((name, _)) => name,
        None => host,
    }
}

/// The method a request is routed by: `HEAD` is answered like `GET` (the server leaves the body
/// out).
pub(crate) fn route_method(method: &str) -> &str {
    match method {
        "HEAD" => "GET",
        other => other,
    }
}

/// Decoded segments borrowed as `&str`, which slice patterns can match.
pub(crate) fn as_strs(segments: Option<&[String]>) -> Option<Vec<&str>> {
    segments.map(|s| s.iter().map(String::as_str).collect())
}

/// Segments after the leading `/`, still encoded.
pub(crate) fn raw_segments(path: &str) -> std::str::Split<'_, char> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

/// Decodes each segment once; `None` when one is not UTF-8, which is a 400 rather than a guess.
pub(crate) fn decode_segments(path: &str) -> Option<Vec<String>> {
    raw_segments(path)
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .ok()
                .map(|c| c.into_owned())
        })
        .collect()
}

/// Looks a query parameter up, decoding it as a form value (`+` is a space there).
pub(crate) fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    let decode = |s: &str| {
        let spaced = s.replace('+', " ");
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8_lossy()
            .into_owned()
    };
    query?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(key) == name).then(|| decode(value))
    })
}

pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Path ids are plain decimal integers; anything else names no broadcast, trigger or segment.
pub(crate) fn parse_id(segment: &str) -> Option<u64> {
    if segment.is_empty() || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    segment.parse().ok()
}

pub(crate) fn json_bytes(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE));
    response
}

pub(crate) fn json_value(status: StatusCode, value: &Value) -> Response {
    json_bytes(status, serde_json::to_vec(value).unwrap_or_default())
}

/// Track's success answer: the three bytes `{}\n`, as recorded from the live API.
pub(crate) fn track_ok() -> Response {
    json_bytes(StatusCode::OK, b"{}\n".to_vec())
}

/// Track's documented error shape.
pub(crate) fn track_error(status: StatusCode, message: &str) -> Response {
    json_value(status, &json!({"meta": {"errors": [message]}}))
}

/// The `meta.error` shape: one message, as Track's merge and the App API's transactional sends
/// answer.
pub(crate) fn meta_error(status: StatusCode, message: &str) -> Response {
    json_value(status, &json!({"meta": {"error": message}}))
}

/// 204 with no body and no content type (form submissions).
pub(crate) fn no_content() -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

/// The App/Beta error shape, with the status repeated as a string.
pub(crate) fn app_error(status: StatusCode, detail: &str) -> Response {
    app_error_at(status, detail, "")
}

/// The App/Beta error shape naming the part of the body at fault with a JSON pointer (none
/// when `pointer` is empty).
pub(crate) fn app_error_at(status: StatusCode, detail: &str, pointer: &str) -> Response {
    let status_text = status.as_u16().to_string();
    let item = if pointer.is_empty() {
        json!({"detail": detail, "status": status_text})
    } else {
        json!({"detail": detail, "source": {"pointer": pointer}, "status": status_text})
    };
    json_value(status, &json!({ "errors": [item] }))
}

/// An App/Beta error before it becomes a response: small, so that `Result`s carrying it stay
/// cheap to move.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AppError {
    pub(crate) status: StatusCode,
    pub(crate) detail: String,
    /// A JSON pointer into the request body, or empty.
    pub(crate) pointer: String,
}

impl AppError {
    pub(crate) fn new(status: StatusCode, detail: impl Into<String>) -> AppError {
        AppError::at(status, detail, "")
    }

    pub(crate) fn at(
        status: StatusCode,
        detail: impl Into<String>,
        pointer: impl Into<String>,
    ) -> AppError {
        AppError {
            status,
            detail: detail.into(),
            pointer: pointer.into(),
        }
    }

    pub(crate) fn bad_request(detail: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, detail)
    }

    pub(crate) fn not_found() -> AppError {
        AppError::new(StatusCode::NOT_FOUND, "not found")
    }

    pub(crate) fn response(&self) -> Response {
        app_error_at(self.status, &self.detail, &self.pointer)
    }
}

/// A validation failure is a 400 pointing at its field (`a.b` is `/a/b`).
impl From<Invalid> for AppError {
    fn from(invalid: Invalid) -> AppError {
        let pointer = if invalid.field.is_empty() {
            String::new()
        } else {
            format!("/{}", invalid.field.replace('.', "/"))
        };
        AppError::at(StatusCode::BAD_REQUEST, invalid.message, pointer)
    }
}

/// The answer of a handler that may refuse.
pub(crate) fn respond(result: Result<Value, AppError>) -> Response {
    match result {
        Ok(value) => json_value(StatusCode::OK, &value),
        Err(error) => error.response(),
    }
}

/// The App/Beta 404 for an unknown path or id.
pub(crate) fn not_found() -> Response {
    AppError::not_found().response()
}

/// Adds `Location` pointing at `base` with the request's own path and query.
pub(crate) fn with_location(mut response: Response, base: &str, rec: &RecordedRequest) -> Response {
    let mut target = format!("{base}{}", rec.path);
    if let Some(query) = &rec.query {
        target.push('?');
        target.push_str(query);
    }
    if let Ok(value) = HeaderValue::from_str(&target) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_port_handles_names_and_ipv6() {
        assert_eq!(strip_port("track.customer.io:443"), "track.customer.io");
        assert_eq!(strip_port("api.customer.io"), "api.customer.io");
        assert_eq!(strip_port("[::1]:8080"), "[::1]");
    }

    #[test]
    fn forwarded_host_wins_and_is_normalised() {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("127.0.0.1:9"));
        headers.insert(
            "x-forwarded-host",
            HeaderValue::from_static("Track-EU.Customer.IO:443, other"),
        );
        assert_eq!(
            effective_host(&headers, &Uri::from_static("/")),
            "track-eu.customer.io"
        );
    }

    #[test]
    fn segments_decode_once_and_keep_plus() {
        assert_eq!(
            decode_segments("/api/v1/customers/a%2Fb+c%40d%2525").unwrap(),
            vec!["api", "v1", "customers", "a/b+c@d%25"]
        );
        assert!(decode_segments("/x/%FF").is_none());
    }

    #[test]
    fn query_param_decodes_form_values() {
        assert_eq!(
            query_param(Some("a=1&id_type=email&x"), "id_type").as_deref(),
            Some("email")
        );
        assert_eq!(query_param(Some("q=a+b%2B"), "q").as_deref(), Some("a b+"));
        assert_eq!(query_param(None, "q"), None);
    }
}
