//! The audience filter grammar of people search (`POST /v1/customers`), customer exports and
//! object search (`POST /v1/objects`): every node has exactly one of `and` (a non-empty array),
//! `or` (a non-empty array), `not` (one node), `segment` (`{"id": int}`, people only),
//! `attribute` (`{"field", "operator": "eq"|"exists", "value"}`; `value` is required for `eq`)
//! or, for objects, `object_attribute` (the same fields plus `type_id`). Groups nest. A malformed
//! filter is a 400 whose `source.pointer` names the node at fault.

use serde_json::{Map, Value};

use crate::records::Out;
use crate::util::AppError;

/// Deeper filters are refused rather than recursed into.
const MAX_DEPTH: usize = 32;

/// What a filter may name: people (segments, `attribute`) or objects (`object_attribute`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Subject {
    People,
    Objects,
}

/// A parsed filter node.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Segment(u64),
    Eq(String, String),
    Exists(String),
}

fn refuse(pointer: &str, detail: String) -> AppError {
    AppError::at(axum::http::StatusCode::BAD_REQUEST, detail, pointer)
}

/// Reads the filter at `pointer` (`/filter`, `/filters`) of a request body.
pub(crate) fn parse(value: Option<&Value>, pointer: &str, subject: Subject) -> Out<Filter> {
    let name = pointer.trim_start_matches('/');
    match value {
        None | Some(Value::Null) => Err(refuse(pointer, format!("{name} is required"))),
        Some(value) => node(value, pointer, subject, 0),
    }
}

fn node(value: &Value, pointer: &str, subject: Subject, depth: usize) -> Out<Filter> {
    let keys = match subject {
        Subject::People => "and, or, not, segment, attribute",
        Subject::Objects => "and, or, not, object_attribute",
    };
    let shape = || {
        refuse(
            pointer,
            format!("a filter must be an object with exactly one of {keys}"),
        )
    };
    if depth > MAX_DEPTH {
        return Err(refuse(
            pointer,
            format!("filters nest at most {MAX_DEPTH} levels deep"),
        ));
    }
    let Value::Object(map) = value else {
        return Err(shape());
    };
    if map.len() != 1 {
        return Err(shape());
    }
    let (key, inner) = map.iter().next().ok_or_else(shape)?;
    let here = format!("{pointer}/{key}");
    match (key.as_str(), subject) {
        ("and" | "or", _) => {
            let items = match inner {
                Value::Array(items) if !items.is_empty() => items,
                _ => {
                    let detail = format!("{key} must be a non-empty array of filters");
                    return Err(refuse(&here, detail));
                }
            };
            let parsed = items
                .iter()
                .enumerate()
                .map(|(i, item)| node(item, &format!("{here}/{i}"), subject, depth + 1))
                .collect::<Out<Vec<_>>>()?;
            Ok(if key == "and" {
                Filter::And(parsed)
            } else {
                Filter::Or(parsed)
            })
        }
        ("not", _) => Ok(Filter::Not(Box::new(node(
            inner,
            &here,
            subject,
            depth + 1,
        )?))),
        ("segment", Subject::People) => {
            let id = inner
                .as_object()
                .and_then(|m| m.get("id"))
                .and_then(|id| match id {
                    Value::Number(n) => n.as_u64(),
                    Value::String(s) => crate::util::parse_id(s),
                    _ => None,
                });
            id.map(Filter::Segment).ok_or_else(|| {
                refuse(
                    &here,
                    "segment must be {\"id\": <segment id, an integer>}".into(),
                )
            })
        }
        ("attribute", Subject::People) | ("object_attribute", Subject::Objects) => {
            let Value::Object(fields) = inner else {
                let detail = format!("{key} must be an object with field, operator and value");
                return Err(refuse(&here, detail));
            };
            attribute(fields, &here)
        }
        _ => Err(shape()),
    }
}

fn attribute(fields: &Map<String, Value>, here: &str) -> Out<Filter> {
    let field = match fields.get("field") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => {
            let detail = "field is required: the attribute's name".to_string();
            return Err(refuse(&format!("{here}/field"), detail));
        }
    };
    match fields.get("operator").and_then(Value::as_str) {
        Some("eq") => match fields.get("value").and_then(text) {
            Some(value) => Ok(Filter::Eq(field, value)),
            None => Err(refuse(
                &format!("{here}/value"),
                "value is required with operator eq (a string)".into(),
            )),
        },
        Some("exists") => Ok(Filter::Exists(field)),
        _ => Err(refuse(
            &format!("{here}/operator"),
            "operator must be eq or exists".into(),
        )),
    }
}

/// A scalar as the text filters compare; `None` for null, arrays and objects.
pub(crate) fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Filter {
    /// Whether a subject matches: `attr` reads a field (None when absent), `in_segment` tells
    /// segment membership.
    pub(crate) fn eval(
        &self,
        attr: &dyn Fn(&str) -> Option<Value>,
        in_segment: &dyn Fn(u64) -> bool,
    ) -> bool {
        match self {
            Filter::And(items) => items.iter().all(|f| f.eval(attr, in_segment)),
            Filter::Or(items) => items.iter().any(|f| f.eval(attr, in_segment)),
            Filter::Not(inner) => !inner.eval(attr, in_segment),
            Filter::Segment(id) => in_segment(*id),
            Filter::Exists(field) => attr(field).is_some_and(|v| match v {
                Value::Null => false,
                Value::String(s) => !s.is_empty(),
                _ => true,
            }),
            Filter::Eq(field, want) => attr(field).as_ref().and_then(text).is_some_and(|got| {
                got == *want || (field == "email" && got.eq_ignore_ascii_case(want))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn people(value: Value) -> Out<Filter> {
        parse(Some(&value), "/filter", Subject::People)
    }

    #[test]
    fn nested_filters_parse_and_evaluate() {
        let f = people(json!({"and": [
            {"attribute": {"field": "plan", "operator": "eq", "value": "pro"}},
            {"not": {"segment": {"id": 7}}},
            {"or": [{"attribute": {"field": "age", "operator": "exists"}}]}
        ]}))
        .unwrap();
        let attrs = json!({"plan": "pro", "age": 3});
        let attr = |k: &str| attrs.get(k).cloned();
        assert!(f.eval(&attr, &|_| false));
        assert!(!f.eval(&attr, &|id| id == 7));
    }

    #[test]
    fn malformed_filters_point_at_the_node() {
        let pointer = |v: Value| people(v).unwrap_err().pointer;
        assert_eq!(pointer(json!({})), "/filter");
        assert_eq!(pointer(json!({"and": [], "or": []})), "/filter");
        assert_eq!(pointer(json!({"and": []})), "/filter/and");
        assert_eq!(
            pointer(json!({"or": [{"attribute": {"field": "a", "operator": "lt"}}]})),
            "/filter/or/0/attribute/operator"
        );
        assert_eq!(
            pointer(json!({"attribute": {"field": "a", "operator": "eq"}})),
            "/filter/attribute/value"
        );
        assert_eq!(pointer(json!({"segment": {"id": "x"}})), "/filter/segment");
        assert_eq!(pointer(json!({"object_attribute": {}})), "/filter");
        assert!(parse(None, "/filter", Subject::People).is_err());
    }
}
