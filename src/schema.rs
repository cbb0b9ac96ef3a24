//! Compact field definitions for catalog operations, and the two things made from them: the JSON
//! Schema a workflow builder renders, and the validation `execute` runs. Keeping one definition
//! means the schema a user sees and the check that runs can never disagree, and the component
//! carries short tables instead of long schema strings.

use serde_json::{json, Map, Value};

use crate::error::ConnectorError;

/// The JSON type of an input field.
#[derive(Clone, Copy, Debug)]
pub enum Ty {
    /// A string.
    Str,
    /// An integer.
    Int,
    /// Any number.
    Num,
    /// true or false.
    Bool,
    /// A JSON object.
    Obj,
    /// A JSON array.
    Arr,
    /// Unix seconds (integer, decimal or numeric string) or ISO-8601; sent as integer seconds.
    Timestamp,
    /// One of the listed strings.
    Enum(&'static [&'static str]),
    /// A ULID; generated when the field is absent.
    Ulid,
    /// Any JSON value.
    Any,
}

/// Where a field goes in the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Fills the `{name}` placeholder of the path, percent-encoded.
    Path,
    /// The identifier type of the `{id}` path field (Track: `cio_` prefix; App: `id_type` query).
    IdType,
    /// A key of the JSON body (the wire name may differ from the input name).
    Body(&'static str),
    /// An object whose keys are merged into the body root (attributes).
    BodyRoot,
    /// A query parameter.
    Query(&'static str),
}

/// One input field of a catalog operation.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// Input property name (snake_case).
    pub name: &'static str,
    /// JSON type.
    pub ty: Ty,
    /// Where it goes.
    pub place: Place,
    /// Whether the input must have it.
    pub required: bool,
    /// Short label for the form.
    pub title: &'static str,
    /// Help text.
    pub description: &'static str,
    /// Upper bound in UTF-8 bytes for strings (the API's own limits).
    pub max_bytes: Option<usize>,
    /// Default value as JSON text (shown in the schema; the builder applies it).
    pub default: Option<&'static str>,
    /// Inclusive bounds for integers.
    pub range: Option<(i64, i64)>,
}

impl Field {
    /// An optional field; chain `.required()` / `.max_bytes(n)`.
    pub const fn new(
        name: &'static str,
        ty: Ty,
        place: Place,
        title: &'static str,
        description: &'static str,
    ) -> Field {
        Field {
            name,
            ty,
            place,
            required: false,
            title,
            description,
            max_bytes: None,
            default: None,
            range: None,
        }
    }

    /// Marks the field required.
    pub const fn required(mut self) -> Field {
        self.required = true;
        self
    }

    /// Sets a byte limit.
    pub const fn max_bytes(mut self, n: usize) -> Field {
        self.max_bytes = Some(n);
        self
    }

    /// Sets the default (JSON text).
    pub const fn default(mut self, json: &'static str) -> Field {
        self.default = Some(json);
        self
    }

    /// Sets inclusive integer bounds.
    pub const fn range(mut self, min: i64, max: i64) -> Field {
        self.range = Some((min, max));
        self
    }

    fn schema(&self) -> Value {
        let mut s = match self.ty {
            Ty::Str => json!({"type": "string"}),
            Ty::Int => json!({"type": "integer"}),
            Ty::Num => json!({"type": "number"}),
            Ty::Bool => json!({"type": "boolean"}),
            Ty::Obj => json!({"type": "object"}),
            Ty::Arr => json!({"type": "array"}),
            Ty::Timestamp => json!({"type": ["integer", "number", "string"]}),
            Ty::Enum(values) => json!({"type": "string", "enum": values}),
            Ty::Ulid => {
                json!({"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}$"})
            }
            Ty::Any => json!({}),
        };
        if let Some(d) = self
            .default
            .and_then(|d| serde_json::from_str::<Value>(d).ok())
        {
            s["default"] = d;
        }
        if let Some((min, max)) = self.range {
            s["minimum"] = json!(min);
            s["maximum"] = json!(max);
        }
        s["title"] = json!(self.title);
        s["description"] = json!(self.description);
        if let Some(n) = self.max_bytes {
            s["maxLength"] = json!(n);
        }
        s
    }
}

/// Builds the JSON Schema 2020-12 document of an operation's input.
pub fn input_schema(title: &str, description: &str, fields: &[Field], example: &Value) -> Value {
    let mut props = Map::new();
    for f in fields {
        props.insert(f.name.to_string(), f.schema());
    }
    let required: Vec<&str> = fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.name)
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "description": description,
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": false,
        "examples": [example],
    })
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Checks an input object against the fields and returns it with timestamps normalised to integer
/// unix seconds. Every problem is reported at once, each with its JSON Pointer, so a user fixes a
/// form in one pass.
pub fn validate(fields: &[Field], input: &Value) -> Result<Map<String, Value>, ConnectorError> {
    let Some(obj) = input.as_object() else {
        return Err(ConnectorError::invalid_input(
            "",
            format!("the input must be a JSON object, not {}", type_name(input)),
        ));
    };
    let mut problems: Vec<(String, String)> = Vec::new();
    let mut out = Map::new();
    for (key, value) in obj {
        let Some(field) = fields.iter().find(|f| f.name == key) else {
            let known: Vec<&str> = fields.iter().map(|f| f.name).collect();
            problems.push((
                format!("/{}", pointer_escape(key)),
                format!(
                    "unknown field `{key}`; this operation takes: {}",
                    known.join(", ")
                ),
            ));
            continue;
        };
        if value.is_null() && !field.required {
            continue;
        }
        match check(field, value) {
            Ok(v) => {
                out.insert(key.clone(), v);
            }
            Err(msg) => problems.push((
                format!("/{}", pointer_escape(key)),
                format!("`{key}` {msg}"),
            )),
        }
    }
    for f in fields.iter().filter(|f| f.required) {
        if obj.get(f.name).is_none_or(Value::is_null) {
            problems.push((
                format!("/{}", f.name),
                format!("`{}` is required: {}", f.name, f.description),
            ));
        }
    }
    if problems.is_empty() {
        return Ok(out);
    }
    let mut err = ConnectorError::invalid_input(
        problems[0].0.clone(),
        problems
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("; "),
    );
    err.pointers = problems.into_iter().map(|(p, _)| p).collect();
    Err(err)
}

fn check(field: &Field, value: &Value) -> Result<Value, String> {
    let ok = match field.ty {
        Ty::Str | Ty::Ulid | Ty::Enum(_) => value.is_string(),
        Ty::Int => value.is_i64() || value.is_u64(),
        Ty::Num => value.is_number(),
        Ty::Bool => value.is_boolean(),
        Ty::Obj => value.is_object(),
        Ty::Arr => value.is_array(),
        Ty::Any => true,
        Ty::Timestamp => {
            return crate::util::parse_timestamp(value).map(Value::from).ok_or_else(|| {
                format!(
                    "must be unix seconds (e.g. 1700000000) or an ISO-8601 date-time (e.g. 2023-11-14T22:13:20Z), not {}",
                    short(value)
                )
            })
        }
    };
    if !ok {
        let want = match field.ty {
            Ty::Int => "an integer",
            Ty::Num => "a number",
            Ty::Bool => "true or false",
            Ty::Obj => "an object",
            Ty::Arr => "an array",
            _ => "a string",
        };
        return Err(format!("must be {want}, not {}", type_name(value)));
    }
    if let (Some((min, max)), Some(n)) = (
        field.range,
        value.as_i64().or(value.is_u64().then_some(i64::MAX)),
    ) {
        if n < min || n > max {
            return Err(format!("must be between {min} and {max}, not {n}"));
        }
    }
    if let Value::String(s) = value {
        if let Some(max) = field.max_bytes {
            if s.len() > max {
                return Err(format!(
                    "is {} bytes long; Customer.io allows at most {max}",
                    s.len()
                ));
            }
        }
        if field.required && s.trim().is_empty() {
            return Err("must not be empty".into());
        }
        if let Ty::Enum(values) = field.ty {
            if !values.contains(&s.as_str()) {
                return Err(format!(
                    "must be one of {}, not {}",
                    values.join(", "),
                    short(value)
                ));
            }
        }
        if matches!(field.ty, Ty::Ulid) && !is_ulid(s) {
            return Err("must be a ULID (26 Crockford base32 characters); leave it out and the connector generates one".into());
        }
    }
    Ok(value.clone())
}

fn is_ulid(s: &str) -> bool {
    s.len() == 26
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                && !matches!(b.to_ascii_uppercase(), b'I' | b'L' | b'O' | b'U')
        })
}

fn short(v: &Value) -> String {
    crate::util::truncate(&v.to_string(), 60)
}

/// Escapes a key for use in a JSON Pointer (RFC 6901).
pub fn pointer_escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[Field] = &[
        Field::new("id", Ty::Str, Place::Path, "Id", "who")
            .required()
            .max_bytes(5),
        Field::new("at", Ty::Timestamp, Place::Body("timestamp"), "At", "when"),
        Field::new(
            "kind",
            Ty::Enum(&["a", "b"]),
            Place::Body("kind"),
            "Kind",
            "which",
        ),
        Field::new("n", Ty::Int, Place::Body("n"), "N", "count"),
    ];

    #[test]
    fn reports_every_problem_with_pointers() {
        let err = validate(
            FIELDS,
            &json!({"at": "soon", "kind": "c", "n": 1.5, "x/y": 1}),
        )
        .unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::InvalidInput);
        for p in ["/at", "/kind", "/n", "/x~1y", "/id"] {
            assert!(
                err.pointers.contains(&p.to_string()),
                "{p} missing from {:?}",
                err.pointers
            );
        }
        assert!(err.message.contains("unknown field `x/y`"));
    }

    #[test]
    fn normalises_timestamps_and_limits_bytes() {
        let ok = validate(FIELDS, &json!({"id": "abc", "at": "2023-11-14T22:13:20Z"})).unwrap();
        assert_eq!(ok["at"], json!(1700000000));
        let err = validate(FIELDS, &json!({"id": "abcdef"})).unwrap_err();
        assert!(err.message.contains("at most 5"), "{}", err.message);
        let err = validate(FIELDS, &json!([1])).unwrap_err();
        assert_eq!(err.pointers, vec![String::new()]);
    }

    #[test]
    fn schema_lists_required_and_examples() {
        let s = input_schema("T", "D", FIELDS, &json!({"id": "a"}));
        assert_eq!(s["required"], json!(["id"]));
        assert_eq!(s["properties"]["kind"]["enum"], json!(["a", "b"]));
        assert_eq!(s["examples"][0]["id"], "a");
    }
}
