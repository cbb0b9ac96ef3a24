//! Reads served from a table: each row is an API, a method, a path pattern and how to answer.
//! In a pattern `{name}` matches any one non-empty segment and hands it to the answer by name,
//! and `a|b` matches either literal; a method `GET|PUT` serves both. Rows marked `public` are
//! answered before authentication (the real API documents them as open); the others after the
//! auth, region and rate-limit checks, just before the 404.
//!
//! An answer is canned JSON, a generated document, a record wrapped in its key (a `PUT` row
//! stores the body's fields over it in the workspace, see [`records::edit`]) or a list: whole, or
//! a page at a time with `?limit=` and an opaque `start` cursor that comes back as `next` (`""`
//! after the last page). The records themselves come from [`records`]; writes with more to them
//! than an edit keep handlers.

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use serde_json::{json, Value};

use crate::records::{
    self, children, content, deliveries, family_list, family_record, journey, links, metrics,
    sender_identities, sender_identity, test_groups, List, Out,
};
use crate::state::SiteData;
use crate::util::{json_bytes, query_param, Api, AppError, STANDARD_LENIENT};

/// A page holds this many records when `limit` is absent.
pub(crate) const DEFAULT_LIMIT: usize = 50;
/// A larger `limit` is served as this one.
pub(crate) const MAX_LIMIT: usize = 1000;

/// The request as an answer sees it: decoded App path segments (Beta's `/v1/api` already made
/// `/v1`), the pattern's parameters by name, the raw query and the workspace.
pub(crate) struct Req<'a> {
    pub(crate) segments: &'a [&'a str],
    pub(crate) params: Vec<(&'static str, &'a str)>,
    pub(crate) query: Option<&'a str>,
    pub(crate) site: &'a SiteData,
}

impl Req<'_> {
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }

    pub(crate) fn query(&self, name: &str) -> Option<String> {
        query_param(self.query, name)
    }
}

pub(crate) type Gen = fn(&Req<'_>) -> Out<Value>;
pub(crate) type Lister = for<'a> fn(&Req<'a>) -> Out<List<'a>>;

/// The order a sortable list is served in when `sort` is absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sort {
    Asc,
    Desc,
}

/// How a row answers.
pub(crate) enum Body {
    /// This JSON, byte for byte.
    Json(&'static str),
    /// A generated document.
    Gen(Gen),
    /// `{key: record}`.
    Record(&'static str, Gen),
    /// `{key: [records]}`, all of them.
    All(&'static str, Lister),
    /// `{key: [records], next}`, a page at a time; `Some` order makes `sort=asc|desc` apply.
    Pages(&'static str, Option<Sort>, Lister),
}

/// One row of the table.
pub(crate) struct Fixture {
    pub(crate) api: Api,
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) public: bool,
    pub(crate) body: Body,
}

use Body::{All, Gen as Doc, Json, Pages, Record};

/// An authenticated App row.
const fn app(method: &'static str, path: &'static str, body: Body) -> Fixture {
    Fixture {
        api: Api::App,
        method,
        path,
        public: false,
        body,
    }
}

/// The table. Addresses are from the documentation ranges (RFC 5737), not Customer.io's own.
/// One row a line, so the table reads as one.
#[rustfmt::skip]
pub(crate) const FIXTURES: &[Fixture] = &[
    Fixture {
        api: Api::App,
        method: "GET",
        path: "/v1/info/ip_addresses",
        public: true,
        body: Json(r#"{"ip_addresses":["192.0.2.10","192.0.2.11","198.51.100.20","203.0.113.30"]}"#),
    },
    app("GET", "/v1/subscription_topics", Json(r#"{"topics":[{"id":1,"identifier":"topic_1","name":"Product updates","description":"News about the product","subscribed_by_default":true},{"id":3,"identifier":"topic_3","name":"Offers","description":"Discounts and promotions","subscribed_by_default":false}]}"#)),
    // The families (records.rs): campaigns, the workspace's broadcasts and newsletters, templates.
    app("GET", "/v1/campaigns", All("campaigns", family_list)),
    app("GET", "/v1/broadcasts", All("broadcasts", family_list)),
    app("GET", "/v1/newsletters", Pages("newsletters", Some(Sort::Desc), family_list)),
    app("GET", "/v1/transactional", All("messages", family_list)),
    app("GET", "/v1/campaigns/{id}", Record("campaign", family_record)),
    app("GET", "/v1/broadcasts/{id}", Record("broadcast", family_record)),
    app("GET", "/v1/newsletters/{id}", Record("newsletter", family_record)),
    app("GET", "/v1/transactional/{id}", Record("message", family_record)),
    // What every family has.
    app("GET", "/v1/campaigns|broadcasts|newsletters|transactional/{id}/metrics", Doc(metrics)),
    app("GET", "/v1/campaigns|broadcasts|newsletters|transactional/{id}/metrics/links", Doc(links)),
    app("GET", "/v1/campaigns|broadcasts|newsletters|transactional/{id}/messages", Pages("messages", None, deliveries)),
    // Campaign and broadcast actions.
    app("GET", "/v1/campaigns/{id}/journey_metrics", Doc(journey)),
    app("GET", "/v1/campaigns/{id}/actions", Pages("actions", None, children)),
    app("GET", "/v1/broadcasts/{id}/actions", All("actions", children)),
    app("GET|PUT", "/v1/campaigns|broadcasts/{id}/actions/{action_id}", Record("action", content)),
    app("GET|PUT", "/v1/campaigns|broadcasts/{id}/actions/{action_id}/language/{language}", Record("action", content)),
    app("GET", "/v1/campaigns|broadcasts/{id}/actions/{action_id}/metrics", Doc(metrics)),
    app("GET", "/v1/campaigns|broadcasts/{id}/actions/{action_id}/metrics/links", Doc(links)),
    // Newsletter and transactional contents (the transactional PUT path is singular).
    app("GET", "/v1/newsletters|transactional/{id}/contents", All("contents", children)),
    app("GET|PUT", "/v1/newsletters|transactional/{id}/language/{language}", Record("content", content)),
    app("GET|PUT", "/v1/newsletters/{id}/contents/{content_id}", Record("content", content)),
    app("GET", "/v1/newsletters/{id}/contents/{content_id}/metrics", Doc(metrics)),
    app("GET", "/v1/newsletters/{id}/contents/{content_id}/metrics/links", Doc(links)),
    app("GET", "/v1/newsletters/{id}/test_groups", All("test_groups", test_groups)),
    app("GET|PUT", "/v1/newsletters/{id}/test_group/{test_group_id}/language/{language}", Record("content", content)),
    app("GET", "/v1/transactional/{id}/contents/{content_id}", Record("content", content)),
    app("PUT", "/v1/transactional/{id}/content/{content_id}", Record("content", content)),
    // Lookup sources.
    app("GET", "/v1/sender_identities", Pages("sender_identities", Some(Sort::Asc), sender_identities)),
    app("GET", "/v1/sender_identities/{sender_id}", Record("sender_identity", sender_identity)),
];

/// The parameters of `pattern` if it matches the decoded segments.
fn matches<'a>(
    pattern: &'static str,
    segments: &[&'a str],
) -> Option<Vec<(&'static str, &'a str)>> {
    let parts: Vec<&'static str> = pattern.trim_start_matches('/').split('/').collect();
    if parts.len() != segments.len() {
        return None;
    }
    let mut params = Vec::new();
    for (part, segment) in parts.into_iter().zip(segments) {
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) if !segment.is_empty() => params.push((name, *segment)),
            Some(_) => return None,
            None if part.split('|').any(|literal| literal == *segment) => {}
            None => return None,
        }
    }
    Some(params)
}

fn find<'a>(
    api: Api,
    method: &str,
    segments: &[&'a str],
    public_only: bool,
) -> Option<(&'static Fixture, Vec<(&'static str, &'a str)>)> {
    FIXTURES.iter().find_map(|f| {
        let wanted =
            f.api == api && f.method.split('|').any(|m| m == method) && (f.public || !public_only);
        wanted
            .then(|| matches(f.path, segments))
            .flatten()
            .map(|params| (f, params))
    })
}

/// The answer of a public row, if one matches (answered before authentication).
pub(crate) fn public(api: Api, method: &str, segments: &[&str]) -> Option<Response> {
    let (fixture, params) = find(api, method, segments, true)?;
    let mut nobody = SiteData::default();
    Some(answer(
        fixture,
        method,
        segments,
        params,
        None,
        b"",
        &mut nobody,
    ))
}

/// The answer of any matching row for an authenticated request to `site`.
pub(crate) fn serve(
    api: Api,
    method: &str,
    segments: &[&str],
    query: Option<&str>,
    body: &[u8],
    site: &mut SiteData,
) -> Option<Response> {
    let (fixture, params) = find(api, method, segments, false)?;
    Some(answer(fixture, method, segments, params, query, body, site))
}

fn answer(
    fixture: &Fixture,
    method: &str,
    segments: &[&str],
    params: Vec<(&'static str, &str)>,
    query: Option<&str>,
    body: &[u8],
    site: &mut SiteData,
) -> Response {
    let req = Req {
        segments,
        params,
        query,
        site: &*site,
    };
    let (document, edit) = match document(&fixture.body, method, &req, body) {
        Ok(done) => done,
        Err(error) => return error.response(),
    };
    if let Some((key, record)) = edit {
        site.edits.insert(key, record);
    }
    json_bytes(StatusCode::OK, document)
}

/// Where an edited record is kept, and the record.
type Edit = (String, Value);

/// The bytes a row answers with (canned JSON as written), and for a `PUT` the edit to store.
fn document(
    body: &Body,
    method: &str,
    req: &Req<'_>,
    request_body: &[u8],
) -> Out<(Vec<u8>, Option<Edit>)> {
    let (value, edit) = match *body {
        Json(text) => return Ok((text.as_bytes().to_vec(), None)),
        Doc(generate) => (generate(req)?, None),
        Record(key, record) => {
            let record = record(req)?;
            if method == "PUT" {
                let (edit_key, edited) = records::edit(req, record, request_body)?;
                (json!({ key: edited.clone() }), Some((edit_key, edited)))
            } else {
                (json!({ key: record }), None)
            }
        }
        All(key, list) => {
            let list = list(req)?;
            let items: Vec<Value> = (0..list.len).map(|i| (list.item)(i)).collect();
            (json!({ key: items }), None)
        }
        Pages(key, sort, list) => (page(key, sort, list(req)?, req)?, None),
    };
    Ok((serde_json::to_vec(&value).unwrap_or_default(), edit))
}

/// `?limit=`: `default` when absent, at most [`MAX_LIMIT`]; 400 unless a positive integer.
pub(crate) fn limit(query: Option<&str>, default: usize) -> Out<usize> {
    match query_param(query, "limit").filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n.min(MAX_LIMIT)),
            _ => Err(AppError::bad_request(format!(
                "limit must be a positive integer (at most {MAX_LIMIT} are returned), not {text:?}"
            ))),
        },
    }
}

/// Cursor bytes: a marker, the offset (big-endian) and a version, so a token always has `+`,
/// `/` and `=` in it, as real ones often do, and clients that do not escape it fail here too.
const CURSOR_MARK: [u8; 2] = [0xfb, 0xff];
const CURSOR_VERSION: u8 = 1;

pub(crate) fn cursor(offset: usize) -> String {
    let mut bytes = CURSOR_MARK.to_vec();
    bytes.extend(u32::try_from(offset).unwrap_or(u32::MAX).to_be_bytes());
    bytes.push(CURSOR_VERSION);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(crate) fn cursor_offset(token: &str) -> Option<usize> {
    let bytes = STANDARD_LENIENT.decode(token).ok()?;
    let valid = bytes.len() == 7 && bytes[..2] == CURSOR_MARK && bytes[6] == CURSOR_VERSION;
    valid.then(|| u32::from_be_bytes([bytes[2], bytes[3], bytes[4], bytes[5]]) as usize)
}

/// One page of `list` for the request's `start`, `limit` and (when sortable) `sort`.
fn page(key: &str, sort: Option<Sort>, list: List<'_>, req: &Req<'_>) -> Out<Value> {
    let limit = limit(req.query, DEFAULT_LIMIT)?;
    let start = match req.query("start").filter(|s| !s.is_empty()) {
        None => 0,
        Some(token) => cursor_offset(&token).ok_or_else(|| {
            AppError::bad_request(format!(
                "start {token:?} is not a cursor this list returned as next"
            ))
        })?,
    };
    let descending = match (sort, req.query("sort").as_deref()) {
        (None, _) => false,
        (Some(order), None | Some("")) => order == Sort::Desc,
        (Some(_), Some("asc")) => false,
        (Some(_), Some("desc")) => true,
        (Some(_), Some(other)) => {
            return Err(AppError::bad_request(format!(
                "sort must be asc or desc, not {other:?}"
            )))
        }
    };
    let start = start.min(list.len);
    let end = start.saturating_add(limit).min(list.len);
    let items: Vec<Value> = (start..end)
        .map(|i| (list.item)(if descending { list.len - 1 - i } else { i }))
        .collect();
    let next = if end < list.len {
        cursor(end)
    } else {
        String::new()
    };
    Ok(json!({ key: items, "next": next }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_segments_params_and_alternatives() {
        assert!(matches("/v1/info/ip_addresses", &["v1", "info", "ip_addresses"]).is_some());
        assert_eq!(
            matches("/v1/things/{id}", &["v1", "things", "a b"]),
            Some(vec![("id", "a b")])
        );
        assert!(matches("/v1/things/{id}", &["v1", "things", ""]).is_none());
        assert!(matches("/v1/things/{id}", &["v1", "things"]).is_none());
        assert!(matches("/v1/info", &["v1", "info", "ip_addresses"]).is_none());
        assert!(matches("/v1/a|b/{id}", &["v1", "b", "1"]).is_some());
        assert!(matches("/v1/a|b/{id}", &["v1", "c", "1"]).is_none());
        assert!(matches("/v1/a|b/{id}", &["v1", "a|b", "1"]).is_none());
    }

    #[test]
    fn every_json_fixture_parses() {
        for fixture in FIXTURES {
            if let Json(text) = fixture.body {
                let parsed: Result<Value, _> = serde_json::from_str(text);
                assert!(parsed.is_ok(), "{}", fixture.path);
            }
        }
    }

    #[test]
    fn cursors_round_trip_and_carry_characters_that_need_escaping() {
        for offset in [0, 1, 50, 999, 1_000_000] {
            let token = cursor(offset);
            assert_eq!(cursor_offset(&token), Some(offset), "{token}");
            assert!(token.starts_with("+/") && token.ends_with("=="), "{token}");
        }
        for bad in ["", "abc", " /8AAAAyAQ==", "AAAAAAAAAQ=="] {
            assert_eq!(cursor_offset(bad), None, "{bad:?}");
        }
    }
}
