//! Stateless reads served from a table: each row is an API, a method, a path pattern (`{name}`
//! matches any one non-empty segment) and the canned JSON answered with 200. Rows marked `public`
//! are answered before authentication (the real API documents them as open); the others after
//! the auth, region and rate-limit checks, just before the 404. Stateful resources keep handlers.

use axum::http::StatusCode;
use axum::response::Response;

use crate::util::{json_bytes, Api};

/// One canned answer.
pub(crate) struct Fixture {
    pub(crate) api: Api,
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) public: bool,
    pub(crate) body: &'static str,
}

/// The table. Addresses are from the documentation ranges (RFC 5737), not Customer.io's own.
pub(crate) const FIXTURES: &[Fixture] = &[
    Fixture {
        api: Api::App,
        method: "GET",
        path: "/v1/info/ip_addresses",
        public: true,
        body: r#"{"ip_addresses":["192.0.2.10","192.0.2.11","198.51.100.20","203.0.113.30"]}"#,
    },
    Fixture {
        api: Api::App,
        method: "GET",
        path: "/v1/subscription_topics",
        public: false,
        body: r#"{"topics":[{"id":1,"identifier":"topic_1","name":"Product updates","description":"News about the product","subscribed_by_default":true},{"id":3,"identifier":"topic_3","name":"Offers","description":"Discounts and promotions","subscribed_by_default":false}]}"#,
    },
    Fixture {
        api: Api::App,
        method: "GET",
        path: "/v1/newsletters",
        public: false,
        body: r#"{"newsletters":[{"id":12,"name":"Weekly digest","type":"email","created":1767225600,"updated":1767225600,"tags":["weekly"]},{"id":11,"name":"Launch announcement","type":"email","created":1764547200,"updated":1764547200,"tags":[]}],"next":""}"#,
    },
    // The segments every workspace is seeded with (state.rs): manual 7 and data-driven 3.
    Fixture {
        api: Api::App,
        method: "GET",
        path: "/v1/segments",
        public: false,
        body: r#"{"segments":[{"id":7,"name":"VIP customers","type":"manual","state":"finished","progress":null,"tags":null,"deduplicate_id":"7:1767225600"},{"id":3,"name":"Active users","type":"dynamic","state":"finished","progress":null,"tags":null,"deduplicate_id":"3:1767225600"}]}"#,
    },
];

/// Whether a path pattern matches the decoded segments.
fn matches(pattern: &str, segments: &[&str]) -> bool {
    let parts: Vec<&str> = pattern.trim_start_matches('/').split('/').collect();
    parts.len() == segments.len()
        && parts.iter().zip(segments).all(|(part, segment)| {
            let is_param = part.starts_with('{') && part.ends_with('}');
            if is_param {
                !segment.is_empty()
            } else {
                part == segment
            }
        })
}

/// The canned answer for a request, if a row matches; `public_only` restricts to open rows.
pub(crate) fn serve(
    api: Api,
    method: &str,
    segments: &[&str],
    public_only: bool,
) -> Option<Response> {
    FIXTURES
        .iter()
        .find(|f| {
            f.api == api
                && f.method == method
                && (f.public || !public_only)
                && matches(f.path, segments)
        })
        .map(|f| json_bytes(StatusCode::OK, f.body.as_bytes().to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_segments_and_params() {
        assert!(matches(
            "/v1/info/ip_addresses",
            &["v1", "info", "ip_addresses"]
        ));
        assert!(matches("/v1/things/{id}", &["v1", "things", "a b"]));
        assert!(!matches("/v1/things/{id}", &["v1", "things", ""]));
        assert!(!matches("/v1/things/{id}", &["v1", "things"]));
        assert!(!matches("/v1/info", &["v1", "info", "ip_addresses"]));
    }

    #[test]
    fn every_fixture_is_json() {
        for fixture in FIXTURES {
            let parsed: Result<serde_json::Value, _> = serde_json::from_str(fixture.body);
            assert!(parsed.is_ok(), "{}", fixture.path);
        }
    }
}
