//! The raw HTTP "universal operation" (DESIGN §4): the user gives a method and the path after the
//! base URL; the connector adds base URL, region and auth.
//!
//! Safety does not rely on the host: the endpoint is checked as text, the URL is built with a URL
//! parser, and the parsed host and path prefix are verified before anything is sent, so
//! credentials can only ever reach the Customer.io host of the connection's API and region.

use serde_json::{json, Map, Value};

use crate::call::{Call, RetryPolicy};
use crate::error::{ConnectorError, ErrorKind};
use crate::http::{HttpRequest, HttpResponse, Method};
use crate::region;
use crate::types::{ConnectorKind, ExecuteResponse, Region};
use crate::util;

/// Bodies larger than this are elided from debug output.
pub const DEBUG_BODY_MAX: usize = 10 * 1024;

/// Headers the connector owns. Letting a user set them would override auth, re-target the
/// request (the proxy and framework routing headers rewrite the path or method behind the URL
/// the connector checked) or break message framing.
const FORBIDDEN_HEADERS: [&str; 22] = [
    "authorization",
    "proxy-authorization",
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "proxy-connection",
    "http2-settings",
    "x-forwarded-host",
    "forwarded",
    "x-original-url",
    "x-rewrite-url",
    "x-original-host",
    "x-host",
    "x-forwarded-server",
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
];

fn invalid(pointer: &str, message: impl Into<String>) -> ConnectorError {
    ConnectorError::invalid_input(pointer, message)
}

/// Checks the endpoint text. Everything that could change the host, leave the base path, or smuggle
/// bytes into the request line is refused here, before any URL exists.
pub fn check_endpoint(endpoint: &str) -> Result<(), ConnectorError> {
    let bad = |why: &str| {
        invalid(
            "/endpoint",
            format!("endpoint {}: {why}. Give only the path after the base URL, e.g. /campaigns/8/triggers/1", util::truncate(&format!("{endpoint:?}"), 80)),
        )
    };
    if endpoint.is_empty() {
        return Err(bad("is empty"));
    }
    for ch in endpoint.chars() {
        if ch.is_control() {
            return Err(bad("contains a control character (CR, LF, NUL, tab…)"));
        }
        if ch.is_whitespace() {
            return Err(bad("contains whitespace; percent-encode a space as %20"));
        }
        if matches!(ch, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
        {
            return Err(bad("contains an invisible formatting character"));
        }
        if ch == '\\' {
            return Err(bad("contains a backslash"));
        }
        if ch == '#' {
            return Err(bad("contains #; a fragment is never sent (percent-encode it as %23 if it is part of an id)"));
        }
    }
    if !endpoint.starts_with('/') {
        let scheme_like = endpoint.split_once(':').is_some_and(|(s, _)| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        });
        return Err(bad(if scheme_like {
            "is an absolute URL; the base URL comes from the connection's API and region"
        } else {
            "must start with /"
        }));
    }
    if endpoint.starts_with("//") {
        return Err(bad("starts with //, which names another host"));
    }
    let bytes = endpoint.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'%'
            && !(i + 2 < bytes.len()
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit())
        {
            return Err(bad(
                "has a % that is not followed by two hex digits; write a literal % as %25",
            ));
        }
    }
    // Look at the path as servers and proxies that decode it (once or repeatedly) would see it:
    // only the raw `?` starts the query, so an encoded `?` cannot hide what follows it.
    // Control characters and backslashes are refused anywhere, query included.
    let fully_decoded = |text: &str| -> Result<Vec<u8>, ConnectorError> {
        let mut decoded = text.as_bytes().to_vec();
        for round in 0.. {
            let next = util::percent_decode(&decoded);
            if next == decoded {
                break;
            }
            if round == 16 {
                return Err(bad("is percent-encoded more than 16 times over"));
            }
            decoded = next;
            if decoded.iter().any(|b| *b < 0x20 || *b == 0x7F) {
                return Err(bad(
                    "contains a percent-encoded control character (CR, LF, NUL, tab…)",
                ));
            }
            if decoded.contains(&b'\\') {
                return Err(bad("contains a percent-encoded backslash"));
            }
        }
        Ok(decoded)
    };
    fully_decoded(endpoint)?;
    let decoded = fully_decoded(endpoint.split('?').next().unwrap_or_default())?;
    if decoded.starts_with(b"//") {
        return Err(bad("starts with an encoded //"));
    }
    let Ok(text) = std::str::from_utf8(&decoded) else {
        return Err(bad(
            "percent-encodes bytes that are not UTF-8 (overlong or broken sequences)",
        ));
    };
    // Servers that normalise unicode (NFKC) read these as `/`, `\\` or dots.
    if text.contains([
        '\u{FF0F}', '\u{2215}', '\u{2044}', '\u{FF3C}', '\u{2216}', '\u{FE68}', '\u{29F5}',
    ]) {
        return Err(bad("contains a slash or backslash look-alike"));
    }
    // How many dots a character becomes under NFKC; `None` for any other character.
    let dots = |c: char| match c {
        '.' | '\u{FF0E}' | '\u{2024}' | '\u{FE52}' => Some(1),
        '\u{2025}' => Some(2),
        '\u{2026}' => Some(3),
        _ => None,
    };
    // A `;` starts path parameters that some proxies strip (`..;x` is `..` to them).
    let climbs = text.split(['/', '?', '#']).any(|seg| {
        let name = seg.split(';').next().unwrap_or_default();
        let n: Option<u32> = name.chars().map(dots).sum();
        matches!(n, Some(1 | 2))
    });
    if climbs {
        return Err(bad("contains a . or .. segment (also when percent-encoded, with ;parameters or as unicode look-alikes), which would climb out of the base path"));
    }
    Ok(())
}

/// Builds the final URL under the base URL of `connector` in `region` and verifies it: scheme,
/// host, port, no user info, and a path under the base path that the parser did not rewrite.
pub fn build_url(
    connector: ConnectorKind,
    region: Region,
    endpoint: &str,
    query: &[(String, String)],
) -> Result<url::Url, ConnectorError> {
    check_endpoint(endpoint)?;
    let base = region::base_url(connector, region);
    let base_path = region::base_path(connector, region);
    let host = region::host(connector, region);
    let escape = |e: &str| {
        invalid(
            "/endpoint",
            format!("endpoint would leave {base} ({e}); give only the path after the base URL"),
        )
    };
    let mut url =
        url::Url::parse(&format!("{base}{endpoint}")).map_err(|e| escape(&e.to_string()))?;
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    let (path_part, _) = endpoint.split_once('?').unwrap_or((endpoint, ""));
    let same_path = util::percent_decode(url.path().as_bytes())
        == util::percent_decode(format!("{base_path}{path_part}").as_bytes());
    let ok = url.scheme() == "https"
        && url.host_str() == Some(host)
        && url.port().is_none()
        && url.username().is_empty()
        && url.password().is_none()
        && url.fragment().is_none()
        && url.path().starts_with(&format!("{base_path}/"))
        && same_path;
    if !ok {
        return Err(escape("the parsed URL differs from base + endpoint"));
    }
    Ok(url)
}

/// Flattens an object of scalars or arrays of scalars into pairs (arrays repeat the key).
fn pairs(obj: &Map<String, Value>, pointer: &str) -> Result<Vec<(String, String)>, ConnectorError> {
    let mut out = Vec::new();
    for (k, v) in obj {
        let p = format!("{pointer}/{}", crate::schema::pointer_escape(k));
        match v {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let s = util::scalar_text(item).ok_or_else(|| {
                        invalid(
                            &format!("{p}/{i}"),
                            format!("`{k}` items must be strings, numbers or booleans"),
                        )
                    })?;
                    out.push((k.clone(), s));
                }
            }
            Value::Null => {}
            other => out.push((
                k.clone(),
                util::scalar_text(other).ok_or_else(|| {
                    invalid(
                        &p,
                        format!("`{k}` must be a string, number, boolean or an array of them"),
                    )
                })?,
            )),
        }
    }
    Ok(out)
}

/// Header limits well inside what HTTP servers and wasmtime's field tables accept, so a request
/// is refused with a clear error here instead of trapping or being cut by a proxy.
const MAX_HEADERS: usize = 64;
const MAX_HEADER_BYTES: usize = 32 * 1024;

fn check_headers(obj: &Map<String, Value>) -> Result<Vec<(String, String)>, ConnectorError> {
    if obj.len() > MAX_HEADERS {
        return Err(invalid(
            "/headers",
            format!(
                "{} headers given; at most {MAX_HEADERS} are allowed",
                obj.len()
            ),
        ));
    }
    let total: usize = obj
        .iter()
        .map(|(k, v)| k.len() + util::scalar_text(v).map_or(0, |s| s.len()))
        .sum();
    if total > MAX_HEADER_BYTES {
        return Err(invalid(
            "/headers",
            format!("the headers add up to {total} bytes; at most {MAX_HEADER_BYTES} are allowed"),
        ));
    }
    let mut out = Vec::new();
    for (name, v) in obj {
        let p = format!("/headers/{}", crate::schema::pointer_escape(name));
        let token = !name.is_empty()
            && name.len() <= 256
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !token {
            return Err(invalid(
                &p,
                format!(
                    "header name {:?} is not a valid HTTP header name",
                    util::truncate(name, 60)
                ),
            ));
        }
        let lower = name.to_ascii_lowercase();
        if FORBIDDEN_HEADERS.contains(&lower.as_str()) || lower.starts_with("proxy-") {
            return Err(invalid(&p, format!("the {name} header is set by the connector (from the connection and the body) and cannot be given")));
        }
        let value = util::scalar_text(v)
            .ok_or_else(|| invalid(&p, format!("header {name} must be a string")))?;
        if value.len() > 8192
            || value
                .chars()
                .any(|c| (c.is_control() && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}'))
        {
            return Err(invalid(
                &p,
                format!(
                    "header {name} contains CR, LF or another control character, or is over 8 KB"
                ),
            ));
        }
        out.push((lower, value));
    }
    Ok(out)
}

/// What the body fields turn into.
struct Body {
    bytes: Vec<u8>,
    content_type: Option<String>,
}

/// One multipart part: field name, file name and content type for files, bytes.
type Part = (String, Option<(String, String)>, Vec<u8>);

fn multipart_name(s: &str, pointer: &str) -> Result<String, ConnectorError> {
    if s.chars().any(char::is_control) {
        return Err(invalid(
            pointer,
            "multipart field names and file names cannot contain control characters",
        ));
    }
    Ok(s.replace('"', "%22"))
}

fn build_body(input: &Map<String, Value>, call: &Call<'_>) -> Result<Body, ConnectorError> {
    let body = input.get("body").filter(|v| !v.is_null());
    let files = input.get("files").and_then(Value::as_array);
    let default_type = if files.is_some() {
        "multipart"
    } else if body.is_some() {
        "json"
    } else {
        "none"
    };
    let body_type = input
        .get("body_type")
        .and_then(Value::as_str)
        .unwrap_or(default_type);
    if files.is_some() && body_type != "multipart" {
        return Err(invalid(
            "/files",
            "files are sent only with body_type multipart",
        ));
    }
    let need = |what: &str| {
        invalid(
            "/body",
            format!("body_type {body_type} needs `body` as {what}"),
        )
    };
    match body_type {
        "none" => match body {
            Some(_) => Err(invalid("/body", "body_type is none but a body was given; set body_type (json, text, form_urlencoded, multipart, binary)")),
            None => Ok(Body { bytes: Vec::new(), content_type: None }),
        },
        "json" => {
            let v = body.ok_or_else(|| need("any JSON value"))?;
            Ok(Body { bytes: serde_json::to_vec(v).map_err(|e| ConnectorError::internal(e.to_string()))?, content_type: Some("application/json".into()) })
        }
        "text" => {
            let s = body.and_then(Value::as_str).ok_or_else(|| need("a string"))?;
            Ok(Body { bytes: s.as_bytes().to_vec(), content_type: Some("text/plain; charset=utf-8".into()) })
        }
        "binary" => {
            let s = body.and_then(Value::as_str).ok_or_else(|| need("a base64 string"))?;
            let bytes = util::b64_decode(s).ok_or_else(|| invalid("/body", "body is not valid base64 (standard alphabet, e.g. aGVsbG8=)"))?;
            Ok(Body { bytes, content_type: Some("application/octet-stream".into()) })
        }
        "form_urlencoded" => {
            let obj = body.and_then(Value::as_object).ok_or_else(|| need("an object of fields"))?;
            let fields = pairs(obj, "/body")?;
            let text = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
            Ok(Body { bytes: text.into_bytes(), content_type: Some("application/x-www-form-urlencoded".into()) })
        }
        "multipart" => {
            let fields = match body {
                Some(Value::Object(o)) => pairs(o, "/body")?,
                Some(_) => return Err(need("an object of text fields")),
                None => Vec::new(),
            };
            let mut parts: Vec<Part> = Vec::new();
            for (k, v) in fields {
                parts.push((multipart_name(&k, "/body")?, None, v.into_bytes()));
            }
            for (i, f) in files.into_iter().flatten().enumerate() {
                let p = format!("/files/{i}");
                let get = |key: &str| f.get(key).and_then(Value::as_str);
                let field = get("field").ok_or_else(|| invalid(&format!("{p}/field"), "each file needs `field` (the form field name)"))?;
                let filename = get("filename").ok_or_else(|| invalid(&format!("{p}/filename"), "each file needs `filename`"))?;
                let ctype = get("content_type").unwrap_or("application/octet-stream");
                if ctype.chars().any(char::is_control) {
                    return Err(invalid(&format!("{p}/content_type"), "content_type cannot contain control characters"));
                }
                let data = get("content_base64")
                    .and_then(util::b64_decode)
                    .ok_or_else(|| invalid(&format!("{p}/content_base64"), "each file needs `content_base64`: its bytes as standard base64"))?;
                parts.push((multipart_name(field, &format!("{p}/field"))?, Some((multipart_name(filename, &format!("{p}/filename"))?, ctype.to_string())), data));
            }
            if parts.is_empty() {
                return Err(need("an object of fields and/or `files`"));
            }
            let boundary = loop {
                let mut r = [0u8; 12];
                call.clock().fill_random(&mut r);
                let b: String = r.iter().map(|x| format!("{x:02x}")).collect();
                let b = format!("cio-boundary-{b}");
                if !parts.iter().any(|(_, _, d)| d.windows(b.len()).any(|w| w == b.as_bytes())) {
                    break b;
                }
            };
            let mut out = Vec::new();
            for (name, file, data) in parts {
                out.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes());
                if let Some((filename, ctype)) = file {
                    out.extend_from_slice(format!("; filename=\"{filename}\"\r\nContent-Type: {ctype}").as_bytes());
                }
                out.extend_from_slice(b"\r\n\r\n");
                out.extend_from_slice(&data);
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
            Ok(Body { bytes: out, content_type: Some(format!("multipart/form-data; boundary={boundary}")) })
        }
        other => Err(invalid("/body_type", format!("unknown body_type {other}"))),
    }
}

fn body_for_debug(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        Value::Null
    } else if bytes.len() > DEBUG_BODY_MAX {
        json!(format!("[{} bytes elided]", bytes.len()))
    } else {
        match std::str::from_utf8(bytes) {
            Ok(s) => json!(s),
            Err(_) => json!({"base64": util::b64(bytes)}),
        }
    }
}

fn headers_json(headers: &[(String, String)]) -> Value {
    let mut out = Map::new();
    for (k, v) in headers {
        let k = k.to_ascii_lowercase();
        match out.get_mut(&k) {
            Some(Value::Array(list)) => list.push(json!(v)),
            Some(prev) => *prev = json!([prev.clone(), v]),
            None => {
                out.insert(k, json!(v));
            }
        }
    }
    Value::Object(out)
}

fn decode_response(
    resp: &HttpResponse,
    response_type: &str,
) -> Result<(Value, &'static str), ConnectorError> {
    if resp.body.is_empty() {
        return Ok((Value::Null, "none"));
    }
    match response_type {
        "binary" => Ok((json!(util::b64(&resp.body)), "base64")),
        "text" => Ok((json!(String::from_utf8_lossy(&resp.body)), "text")),
        "json" => {
            serde_json::from_slice(&resp.body)
                .map(|v| (v, "json"))
                .map_err(|e| {
                    let mut err = ConnectorError::new(
                ErrorKind::Upstream,
                crate::FixBy::User,
                format!("the answer is not JSON ({e}); use response_type text or binary (or auto)"),
            )
            .with_status(resp.status);
                    err.body = Some(util::truncate(&String::from_utf8_lossy(&resp.body), 2048));
                    // (the body was scrubbed of secrets when it arrived)
                    err
                })
        }
        _ => Ok(match serde_json::from_slice::<Value>(&resp.body) {
            Ok(v) => (v, "json"),
            Err(_) => match std::str::from_utf8(&resp.body) {
                Ok(s) => (json!(s), "text"),
                Err(_) => (json!(util::b64(&resp.body)), "base64"),
            },
        }),
    }
}

/// Runs a raw request.
pub fn run(
    call: &mut Call<'_>,
    input: Map<String, Value>,
) -> Result<ExecuteResponse, ConnectorError> {
    let connector = call.config.connector;
    let method = input
        .get("method")
        .and_then(Value::as_str)
        .and_then(Method::parse)
        .ok_or_else(|| invalid("/method", "method is required"))?;
    let endpoint = input
        .get("endpoint")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let query = match input.get("query") {
        Some(Value::Object(o)) => pairs(o, "/query")?,
        _ => Vec::new(),
    };
    let user_headers = match input.get("headers") {
        Some(Value::Object(o)) => check_headers(o)?,
        _ => Vec::new(),
    };
    // Checked against the US table before the region is known, so hostile input never triggers
    // the `auto` probe; both regions share paths.
    build_url(connector, Region::Us, &endpoint, &query)?;
    let body = build_body(&input, call)?;
    let flag = |k: &str, d: bool| input.get(k).and_then(Value::as_bool).unwrap_or(d);
    let int = |k: &str, d: u64| input.get(k).and_then(Value::as_u64).unwrap_or(d);
    let response_type = input
        .get("response_type")
        .and_then(Value::as_str)
        .unwrap_or("auto")
        .to_string();
    let policy = RetryPolicy {
        max_retries: int("max_retries", 0) as u32,
        delay_ms: int("retry_delay_ms", 1000),
        exponential: flag("exponential_backoff", true),
        retry_all: flag("retry_on_all_errors", false),
        safe_to_repeat: method.is_idempotent(),
    };
    call.limit_budget(int("timeout_ms", crate::call::DEFAULT_TIMEOUT_MS));

    let region = call.region()?;
    let url = build_url(connector, region, &endpoint, &query)?;
    let mut headers = call.base_headers();
    if let Some(ct) = &body.content_type {
        headers.push(("content-type".into(), ct.clone()));
    }
    for (k, v) in user_headers {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&k));
        headers.push((k, v));
    }
    let request = HttpRequest {
        method,
        url: url.clone(),
        headers,
        body: body.bytes,
        timeout: Default::default(),
        max_response: int(
            "max_response_bytes",
            crate::http::MAX_RESPONSE_DEFAULT as u64,
        ) as usize,
    };
    let debug = flag("debug", false).then(|| {
        let headers: Vec<(String, String)> = request
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), if k == "authorization" { "[redacted]".to_string() } else { v.clone() }))
            .collect();
        json!({"method": method.as_str(), "url": url.as_str(), "headers": headers_json(&headers), "body": body_for_debug(&request.body)})
    });
    let before = call.requests;
    let mut resp = call.send(request, &policy)?;
    // Scrub what came back before anything is made of it: text, JSON with escapes, binary.
    let secrets = call.config.credentials.secrets();
    resp.body = util::redact_bytes(&resp.body, &secrets);
    for (_, v) in resp.headers.iter_mut() {
        *v = util::redact(v, &secrets);
    }
    let ok = (200..300).contains(&resp.status);
    if !ok && !flag("return_error_responses", false) {
        let err = call.status_error(&resp, &format!("{} {}", method.as_str(), url.path()));
        let mut err = call.explain_unauthorized(err);
        if err.kind == ErrorKind::NotFound
            && connector != ConnectorKind::Track
            && endpoint.starts_with("/v1/")
        {
            err.message.push_str(
                " (the base URL already ends in /v1: drop the /v1 prefix from the endpoint)",
            );
        }
        return Err(err);
    }
    let (body_value, encoding) = decode_response(&resp, &response_type)?;
    let mut output = json!({
        "status": resp.status,
        "headers": headers_json(&resp.headers),
        "body": body_value,
        "body_encoding": encoding,
        "url": url.as_str(),
        "attempts": call.requests - before,
    });
    if let Some(req) = debug {
        output["debug"] = json!({
            "request": req,
            "response": {"status": resp.status, "headers": headers_json(&resp.headers), "body": body_for_debug(&resp.body)},
        });
    }
    Ok(ExecuteResponse {
        output: output.to_string(),
        status: resp.status,
        requests: call.requests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tray_examples_map_to_the_documented_urls() {
        let u = build_url(
            ConnectorKind::App,
            Region::Us,
            "/campaigns/8/triggers/1",
            &[],
        )
        .unwrap();
        assert_eq!(
            u.as_str(),
            "https://api.customer.io/v1/campaigns/8/triggers/1"
        );
        let u = build_url(ConnectorKind::Track, Region::Eu, "/v1/accounts/region", &[]).unwrap();
        assert_eq!(
            u.as_str(),
            "https://track-eu.customer.io/api/v1/accounts/region"
        );
        let u = build_url(
            ConnectorKind::Beta,
            Region::Eu,
            "/customers/jane@example.com/attributes?id_type=email",
            &[("x".into(), "a b+c".into())],
        )
        .unwrap();
        assert_eq!(u.as_str(), "https://beta-api-eu.customer.io/v1/api/customers/jane@example.com/attributes?id_type=email&x=a+b%2Bc");
        let u = build_url(
            ConnectorKind::App,
            Region::Us,
            "/customers/a%2Fb/attributes",
            &[],
        )
        .unwrap();
        assert_eq!(u.path(), "/v1/customers/a%2Fb/attributes");
    }
}
