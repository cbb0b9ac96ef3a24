//! How a person is named on the wire. One detection rule (Segment's `resolveIdentifiers`, the
//! rule customerio-api.md §3.2 infers): a `cio_` prefix is a cio_id, an email shape is an email,
//! anything else an id; and one explicit wire form per field, because each API spells the same
//! person differently (Track path, App path + `id_type`, a body `identifiers` object, a prefixed
//! query value).

use serde_json::{json, Value};

use crate::error::ConnectorError;

/// The kinds of person identifier Customer.io knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdType {
    /// The workspace's own id.
    Id,
    /// An email address.
    Email,
    /// Customer.io's canonical id (without the `cio_` prefix on the wire, except in paths).
    CioId,
    /// An E.164 phone number (App `id_type=phone`, Track v2 identifiers).
    Phone,
}

impl IdType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            IdType::Id => "id",
            IdType::Email => "email",
            IdType::CioId => "cio_id",
            IdType::Phone => "phone",
        }
    }

    fn parse(s: &str) -> Option<IdType> {
        [IdType::Id, IdType::Email, IdType::CioId, IdType::Phone]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

/// Where an identifier goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wire {
    /// Track v1 path segment: the API reads the type from the shape, so a cio_id gets its
    /// `cio_` prefix and a value that would be misread is refused.
    TrackPath,
    /// App path segment plus an `id_type` query parameter.
    AppPath,
    /// An `{"<type>": value}` object at this body pointer (Track v2, merge, transactional).
    Identifiers(&'static str),
    /// A query parameter holding the value, a cio_id with its `cio_` prefix.
    PrefixedQuery(&'static str),
}

/// An identifier resolved for the wire.
#[derive(Clone, Debug, PartialEq)]
pub enum Placed {
    /// Text for the `{name}` path segment, plus an optional `id_type` query value.
    Path(String, Option<&'static str>),
    /// The `identifiers` object to write at the pointer.
    Body(&'static str, Value),
    /// A query pair, plus an `id_type` query value for an email or phone (a `cio_` prefix already
    /// marks a cio_id, and a bare value is an id).
    Query(&'static str, String, Option<&'static str>),
}

/// Whether a value looks like an email address (the detection rule's second step).
pub fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((a, b)) => {
            !a.is_empty()
                && b.contains('.')
                && !b.starts_with('.')
                && !b.ends_with('.')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// The detection rule.
pub fn detect(value: &str) -> IdType {
    if value.starts_with("cio_") {
        IdType::CioId
    } else if looks_like_email(value) {
        IdType::Email
    } else {
        IdType::Id
    }
}

/// Resolves `value` (of the explicit type `given`, else detected) into its wire form. `pointer`
/// names the input field in errors.
pub fn place(
    wire: Wire,
    value: &str,
    given: Option<&str>,
    pointer: &str,
) -> Result<Placed, ConnectorError> {
    let bad = |msg: String| ConnectorError::invalid_input(pointer, msg);
    let ty = match given {
        Some(t) => IdType::parse(t).ok_or_else(|| {
            bad(format!(
                "unknown identifier type `{t}`; use id, email or cio_id"
            ))
        })?,
        None => detect(value),
    };
    let bare = value.strip_prefix("cio_").unwrap_or(value);
    if ty == IdType::CioId && bare.is_empty() {
        return Err(bad(
            "a cio_id must not be empty (write it with or without the cio_ prefix)".into(),
        ));
    }
    if ty == IdType::Email && !looks_like_email(value) {
        return Err(bad(format!("the identifier type is email but {} is not an email address; fix it or set the type to id", json!(value))));
    }
    Ok(match wire {
        Wire::TrackPath => match ty {
            IdType::CioId => Placed::Path(format!("cio_{bare}"), None),
            IdType::Phone => {
                return Err(bad("the Track API cannot address a person by phone in a path; use their id, email or cio_id".into()))
            }
            IdType::Id if value.starts_with("cio_") || looks_like_email(value) => {
                return Err(bad("Customer.io's Track API reads an identifier that starts with cio_ as a cio_id and one shaped like an email as an email; set the identifier type to match".into()))
            }
            _ => Placed::Path(value.to_string(), None),
        },
        Wire::AppPath => Placed::Path(
            if ty == IdType::CioId { bare } else { value }.to_string(),
            Some(ty.as_str()),
        ),
        Wire::Identifiers(at) => {
            let v = if ty == IdType::CioId { bare } else { value };
            Placed::Body(at, json!({ ty.as_str(): v }))
        }
        Wire::PrefixedQuery(name) => Placed::Query(
            name,
            if ty == IdType::CioId { format!("cio_{bare}") } else { value.to_string() },
            // The prefix already marks a cio_id; an email or phone needs the type spelled out.
            matches!(ty, IdType::Email | IdType::Phone).then_some(ty.as_str()),
        ),
    })
}

/// Refuses path values that a URL parser or server would read as path syntax: `.` and `..`
/// segments and empty values. (Anything else is safe once encoded: `%2e` goes out as `%252e`.)
pub fn check_segment(value: &str, pointer: &str) -> Result<(), ConnectorError> {
    if value.is_empty() || value == "." || value == ".." {
        return Err(ConnectorError::invalid_input(
            pointer,
            format!("{} cannot be used as an identifier in a URL path (it would change the path); use the person's email or cio_id instead", json!(value)),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_and_wire_forms() {
        assert_eq!(detect("cio_abc"), IdType::CioId);
        assert_eq!(detect("jane+1@example.com"), IdType::Email);
        assert_eq!(detect("42"), IdType::Id);
        assert_eq!(detect("a@b"), IdType::Id);
        assert_eq!(
            place(Wire::TrackPath, "abc", Some("cio_id"), "/id").unwrap(),
            Placed::Path("cio_abc".into(), None)
        );
        assert_eq!(
            place(Wire::AppPath, "cio_abc", None, "/id").unwrap(),
            Placed::Path("abc".into(), Some("cio_id"))
        );
        assert_eq!(
            place(Wire::Identifiers("identifiers"), "cio_abc", None, "/id").unwrap(),
            Placed::Body("identifiers", json!({"cio_id": "abc"}))
        );
        assert_eq!(
            place(
                Wire::PrefixedQuery("customer_id"),
                "abc",
                Some("cio_id"),
                "/id"
            )
            .unwrap(),
            Placed::Query("customer_id", "cio_abc".into(), None)
        );
        assert!(place(Wire::TrackPath, "cio_x", Some("id"), "/id").is_err());
        assert!(place(Wire::TrackPath, "42", Some("email"), "/id").is_err());
        assert!(place(Wire::TrackPath, "+1555", Some("phone"), "/id").is_err());
        assert!(place(Wire::TrackPath, "cio_", None, "/id").is_err());
        for bad in [".", "..", ""] {
            assert!(check_segment(bad, "/id").is_err(), "{bad}");
        }
        for good in ["...", "%2e", ".%2E", "a.."] {
            assert!(check_segment(good, "/id").is_ok(), "{good}");
        }
    }
}
