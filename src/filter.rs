//! Customer.io's audience filters, checked for shape before sending so a typo gets a pointer to
//! it instead of a bare 400, then passed through exactly as given. Two grammars
//! (customerio-api.md §6.7, routes of `POST /v1/objects`): a people filter (search, customer
//! exports) has exactly one of `and` / `or` (non-empty arrays of filters), `not` (a filter),
//! `segment` (`{"id": n}`) or `attribute` (`{"field", "operator", "value"}`); an object filter
//! has `and` / `or` / `not` or `object_attribute` (the same plus `type_id`). Groups nest.

use serde_json::{Map, Value};

/// Deeper nesting than this is refused (Customer.io's own filters are a few levels deep).
const MAX_DEPTH: usize = 20;

/// Which API's filter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Grammar {
    People,
    Objects,
}

impl Grammar {
    fn keys(self) -> &'static str {
        match self {
            Grammar::People => "and, or, not, segment or attribute",
            Grammar::Objects => "and, or, not or object_attribute",
        }
    }
}

type Problems = Vec<(String, String)>;

/// The problems of the people filter at `pointer`, each with its JSON Pointer.
pub fn check(value: &Value, pointer: &str) -> Problems {
    let mut problems = Vec::new();
    walk(Grammar::People, value, pointer, 0, &mut problems);
    problems
}

/// The problems of the object filter at `pointer`.
pub fn check_objects(value: &Value, pointer: &str) -> Problems {
    let mut problems = Vec::new();
    walk(Grammar::Objects, value, pointer, 0, &mut problems);
    problems
}

fn walk(g: Grammar, value: &Value, at: &str, depth: usize, problems: &mut Problems) {
    let keys = g.keys();
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
            format!("a filter is an object with one of {keys}"),
        );
    };
    if o.len() != 1 {
        return bad(
            at.into(),
            format!(
                "a filter has exactly one of {keys}; this one has {} keys — group several with and / or",
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
                    walk(g, item, &format!("{here}/{i}"), depth + 1, problems);
                }
            }
            _ => bad(here, format!("`{key}` takes a non-empty array of filters")),
        },
        "not" => walk(g, inner, &here, depth + 1, problems),
        "segment" if g == Grammar::People => {
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
        "attribute" if g == Grammar::People => condition(g, inner, &here, problems),
        "object_attribute" if g == Grammar::Objects => condition(g, inner, &here, problems),
        other => bad(
            here,
            format!("`{other}` is not a condition of this filter; use one of {keys}"),
        ),
    }
}

fn condition(g: Grammar, inner: &Value, at: &str, problems: &mut Problems) {
    let Some(a) = inner.as_object() else {
        return problems.push((
            at.into(),
            "a condition is {\"field\": …, \"operator\": \"eq\" | \"exists\", \"value\": …}".into(),
        ));
    };
    let text = |m: &Map<String, Value>, k: &str| {
        m.get(k)
            .and_then(crate::util::scalar_text)
            .is_some_and(|s| !s.trim().is_empty())
    };
    if !a.get("field").is_some_and(Value::is_string) || !text(a, "field") {
        problems.push((
            format!("{at}/field"),
            "give the attribute's name as a non-empty string".into(),
        ));
    }
    match a.get("operator").and_then(Value::as_str) {
        Some("eq") if !a.get("value").is_some_and(Value::is_string) => problems.push((
            format!("{at}/value"),
            "the eq operator needs a value, as text (write 5 as \"5\")".into(),
        )),
        Some("eq" | "exists") => {}
        Some(other) => problems.push((
            format!("{at}/operator"),
            format!("unknown operator `{other}`; Customer.io's filter takes eq or exists"),
        )),
        None => problems.push((
            format!("{at}/operator"),
            "give the operator: eq or exists".into(),
        )),
    }
    if g == Grammar::Objects && !text(a, "type_id") {
        problems.push((
            format!("{at}/type_id"),
            "an object condition needs type_id: the object type's id, e.g. \"1\"".into(),
        ));
    }
    let allowed = |k: &str| {
        matches!(k, "field" | "operator" | "value") || (k == "type_id" && g == Grammar::Objects)
    };
    if let Some(k) = a.keys().find(|k| !allowed(k)) {
        problems.push((
            format!("{at}/{}", crate::schema::pointer_escape(k)),
            format!("unknown key `{k}` in a condition; it takes field, operator, value (and type_id for objects)"),
        ));
    }
}

fn rule_for(input: &Map<String, Value>, key: &str, g: Grammar) -> Problems {
    let mut problems = Vec::new();
    if let Some(f) = input.get(key) {
        walk(g, f, &format!("/{key}"), 0, &mut problems);
    }
    problems
}

/// The rule of entries whose people filter is the `filter` input.
pub fn filter_rule(input: &mut Map<String, Value>, _: &dyn Fn() -> String) -> Problems {
    rule_for(input, "filter", Grammar::People)
}

/// The rule of customer exports (a people filter under `filters`).
pub fn filters_rule(input: &mut Map<String, Value>, _: &dyn Fn() -> String) -> Problems {
    rule_for(input, "filters", Grammar::People)
}

/// The rule of object search (an object filter under `filter`).
pub fn object_filter_rule(input: &mut Map<String, Value>, _: &dyn Fn() -> String) -> Problems {
    rule_for(input, "filter", Grammar::Objects)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn first(p: &Problems) -> Option<&str> {
        p.first().map(|p| p.0.as_str())
    }

    #[test]
    fn people_filters() {
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
                json!({"attribute":{"field":"x","operator":"gt","value":"1"}}),
                "/filter/attribute/operator",
            ),
            (
                json!({"attribute":{"field":"x","operator":"eq"}}),
                "/filter/attribute/value",
            ),
            (
                json!({"attribute":{"field":"n","operator":"eq","value":5}}),
                "/filter/attribute/value",
            ),
            (
                json!({"attribute":{"field":"","operator":"exists"}}),
                "/filter/attribute/field",
            ),
            (
                json!({"attribute":{"field":"x","operator":"exists","type_id":"1"}}),
                "/filter/attribute/type_id",
            ),
            (
                json!({"object_attribute":{"field":"x","operator":"exists","type_id":"1"}}),
                "/filter/object_attribute",
            ),
            (json!({"not":{"nope":{}}}), "/filter/not/nope"),
            (json!("plan=pro"), "/filter"),
        ] {
            let p = check(&bad, "/filter");
            assert_eq!(first(&p), Some(at), "{bad}: {p:?}");
        }
        let mut deep = json!({"segment":{"id":1}});
        for _ in 0..30 {
            deep = json!({ "not": deep });
        }
        assert!(!check(&deep, "/filter").is_empty());
    }

    #[test]
    fn object_filters() {
        let ok = json!({"and":[{"object_attribute":{"field":"plan","operator":"eq","value":"pro","type_id":"1"}},
            {"not":{"object_attribute":{"field":"seats","operator":"exists","type_id":1}}}]});
        assert!(check_objects(&ok, "/filter").is_empty());
        for (bad, at) in [
            (json!({"segment":{"id":7}}), "/filter/segment"),
            (
                json!({"attribute":{"field":"x","operator":"exists"}}),
                "/filter/attribute",
            ),
            (
                json!({"object_attribute":{"field":"plan","operator":"exists"}}),
                "/filter/object_attribute/type_id",
            ),
        ] {
            let p = check_objects(&bad, "/filter");
            assert_eq!(first(&p), Some(at), "{bad}: {p:?}");
        }
    }
}
