//! Customer.io's audience filter (people search, customer exports, object search): checked for
//! shape before sending so a typo gets a pointer to it instead of a bare 400, then passed
//! through exactly as given. The grammar (customerio-api.md §6.7): an object with exactly one of
//! `and` / `or` (non-empty arrays of filters), `not` (a filter), `segment` (`{"id": n}`),
//! `attribute` (`{"field", "operator", "value"}`) or, for objects, `object_attribute`; groups
//! nest.

use serde_json::{Map, Value};

const KEYS: &str = "and, or, not, segment, attribute or object_attribute";
/// Deeper nesting than this is refused (Customer.io's own filters are a few levels deep).
const MAX_DEPTH: usize = 20;

/// The problems of the filter at `pointer`, each with its JSON Pointer.
pub fn check(value: &Value, pointer: &str) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    walk(value, pointer, 0, &mut problems);
    problems
}

fn walk(value: &Value, at: &str, depth: usize, problems: &mut Vec<(String, String)>) {
    let mut bad = |p: String, m: String| problems.push((p, m));
    if depth > MAX_DEPTH {
        return bad(
            at.into(),
            format!("the filter nests deeper than {MAX_DEPTH} levels"),
        );
    }
    let Some(o) = value.as_object() else {
        return bad(
            at.into(),
            format!("a filter is an object with one of {KEYS}, e.g. {{\"segment\":{{\"id\":7}}}}"),
        );
    };
    if o.len() != 1 {
        return bad(
            at.into(),
            format!(
                "a filter has exactly one of {KEYS}; this one has {} keys — group several with and / or",
                o.len()
            ),
        );
    }
    let (key, inner) = o.iter().next().expect("one key");
    let here = format!("{at}/{}", crate::schema::pointer_escape(key));
    match key.as_str() {
        "and" | "or" => match inner.as_array() {
            Some(items) if !items.is_empty() => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{here}/{i}"), depth + 1, problems);
                }
            }
            _ => bad(here, format!("`{key}` takes a non-empty array of filters")),
        },
        "not" => walk(inner, &here, depth + 1, problems),
        "segment" => {
            let id = inner.get("id");
            let ok = inner.as_object().is_some_and(|s| s.len() == 1)
                && id.is_some_and(|v| v.as_u64().is_some_and(|n| n > 0));
            if !ok {
                bad(
                    here,
                    "`segment` is {\"id\": <segment id>}, a positive integer".into(),
                );
            }
        }
        "attribute" | "object_attribute" => attribute(inner, &here, problems),
        other => bad(
            here,
            format!("unknown filter key `{other}`; use one of {KEYS}"),
        ),
    }
}

fn attribute(inner: &Value, at: &str, problems: &mut Vec<(String, String)>) {
    let Some(a) = inner.as_object() else {
        return problems.push((
            at.into(),
            "an attribute condition is {\"field\": …, \"operator\": \"eq\" | \"exists\", \"value\": …}".into(),
        ));
    };
    let text = |m: &Map<String, Value>, k: &str| {
        m.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .is_some()
    };
    if !text(a, "field") {
        problems.push((
            format!("{at}/field"),
            "give the attribute's name as a non-empty string".into(),
        ));
    }
    match a.get("operator").and_then(Value::as_str) {
        Some("eq") => {
            if !a
                .get("value")
                .is_some_and(|v| v.is_string() || v.is_number() || v.is_boolean())
            {
                problems.push((
                    format!("{at}/value"),
                    "the eq operator needs a value (text, number or boolean)".into(),
                ));
            }
        }
        Some("exists") => {}
        Some(other) => problems.push((
            format!("{at}/operator"),
            format!("unknown operator `{other}`; Customer.io's filter takes eq or exists"),
        )),
        None => problems.push((
            format!("{at}/operator"),
            "give the operator: eq or exists".into(),
        )),
    }
    if let Some(k) = a
        .keys()
        .find(|k| !matches!(k.as_str(), "field" | "operator" | "value" | "type_id"))
    {
        problems.push((
            format!("{at}/{}", crate::schema::pointer_escape(k)),
            format!(
                "unknown key `{k}` in an attribute condition; it takes field, operator and value"
            ),
        ));
    }
}

/// A rule checking the filter under `key` of the input, when it is there.
fn rule_for(input: &Map<String, Value>, key: &str) -> Vec<(String, String)> {
    input
        .get(key)
        .map(|f| check(f, &format!("/{key}")))
        .unwrap_or_default()
}

/// The rule of entries whose filter is the `filter` input.
pub fn filter_rule(
    input: &mut Map<String, Value>,
    _: &dyn Fn() -> String,
) -> Vec<(String, String)> {
    rule_for(input, "filter")
}

/// The rule of entries whose filter is the `filters` input (customer exports).
pub fn filters_rule(
    input: &mut Map<String, Value>,
    _: &dyn Fn() -> String,
) -> Vec<(String, String)> {
    rule_for(input, "filters")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes() {
        let ok = json!({"and":[{"attribute":{"field":"email","operator":"eq","value":"a@example.com"}},
            {"not":{"attribute":{"field":"source","operator":"exists"}}},{"or":[{"segment":{"id":7}}]}]});
        assert!(check(&ok, "/filter").is_empty());
        for (bad, at) in [
            (json!({}), "/filter"),
            (json!({"and":[],"or":[]}), "/filter"),
            (json!({"and":[]}), "/filter/and"),
            (
                json!({"and":[{"segment":{"id":0}}]}),
                "/filter/and/0/segment",
            ),
            (json!({"segment":{"id":"7"}}), "/filter/segment"),
            (
                json!({"attribute":{"field":"x","operator":"gt","value":1}}),
                "/filter/attribute/operator",
            ),
            (
                json!({"attribute":{"field":"x","operator":"eq"}}),
                "/filter/attribute/value",
            ),
            (
                json!({"attribute":{"field":"","operator":"exists"}}),
                "/filter/attribute/field",
            ),
            (json!({"not":{"nope":{}}}), "/filter/not/nope"),
            (json!("plan=pro"), "/filter"),
        ] {
            let p = check(&bad, "/filter");
            assert_eq!(p.first().map(|p| p.0.as_str()), Some(at), "{bad}: {p:?}");
        }
        let mut deep = json!({"segment":{"id":1}});
        for _ in 0..30 {
            deep = json!({ "not": deep });
        }
        assert!(!check(&deep, "/filter").is_empty());
    }
}
