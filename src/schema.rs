//! Compact field definitions for catalog operations, and the two things made from them: the JSON
//! Schema a workflow builder renders, and the validation `execute` runs. Both walk the same
//! recursive definition, so what the schema allows is what `execute` accepts wherever JSON Schema
//! can say it, and the component carries short tables instead of long schema strings.

use serde_json::{json, Map, Value};

use crate::error::ConnectorError;
use crate::identity::Wire;

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
    /// Any JSON object.
    Obj,
    /// Any JSON value.
    Any,
    /// Unix seconds (integer, decimal or numeric string) or ISO-8601; sent as integer seconds.
    Timestamp,
    /// A ULID; with `true`, generated when the field is absent (event ids).
    Ulid(bool),
    /// One of the listed strings.
    Enum(&'static [&'static str]),
    /// An integer or a non-empty string, sent as given (ids the API takes in either form).
    IntOrStr,
    /// A string or an integer, sent as a string (ids the API wants as text).
    IdText,
    /// An object whose values are all strings (device attributes, form data).
    StrMap,
    /// Person or object attributes: at most 300 keys, names ≤ 150 bytes, string values ≤ 1000
    /// bytes (customerio-api.md §3.4).
    Attributes,
    /// An object of exactly these fields (nested places are ignored: keys keep their names).
    Object(&'static [Field]),
    /// An object with exactly one of these fields (an identifier such as `{"email": …}`).
    OneOf(&'static [Field]),
    /// An array of items of one type, with inclusive length bounds.
    List(&'static Ty, usize, usize),
}

/// Where a field goes in the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Fills the `{name}` placeholder of the path, percent-encoded.
    Path,
    /// A person identifier written in the wire form of the API; the second value names the
    /// input field that holds its type (`id_type`), which is detected when absent.
    Ident(Wire, &'static str),
    /// A JSON Pointer into the body without the leading `/` (`device/platform`).
    Body(&'static str),
    /// An object whose keys are merged into the body root (attributes).
    BodyRoot,
    /// A query parameter.
    Query(&'static str),
    /// Read by the runner or an identifier (types, pagination and raw-request inputs).
    Control,
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
    /// Upper bound in UTF-8 bytes: of a string, or of an object's or array's JSON text.
    pub max_bytes: Option<usize>,
    /// Default value as JSON text, shown in the schema; Customer.io applies it when the field
    /// is left out, unless `sent` says the request must carry it.
    pub default: Option<&'static str>,
    /// The route requires the parameter but the person need not choose it: when the input
    /// leaves it out, the request carries the default (a query parameter's `version`).
    pub sent: bool,
    /// Inclusive bounds for integers.
    pub range: Option<(i64, i64)>,
    /// The lookup operation (suffix after `<api>.`) that fills this field in a dropdown.
    pub lookup: Option<&'static str>,
}

impl Field {
    /// An optional field; chain `.required()`, `.max_bytes(n)`, `.default(json)`, ….
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
            sent: false,
            range: None,
            lookup: None,
        }
    }

    /// A key of a nested object (`Ty::Object`, `Ty::OneOf`): its place is its own name.
    pub const fn key(
        name: &'static str,
        ty: Ty,
        title: &'static str,
        description: &'static str,
    ) -> Field {
        Field::new(name, ty, Place::Control, title, description)
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

    /// Sets a default the request always carries when the input leaves the field out (see
    /// [`Field::sent`]).
    pub const fn sent_default(mut self, json: &'static str) -> Field {
        self.default = Some(json);
        self.sent = true;
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

    /// Names the lookup that fills the field.
    pub const fn lookup(mut self, op: &'static str) -> Field {
        self.lookup = Some(op);
        self
    }

    /// Moves the field to another place (shared fields reused with another wire name).
    pub const fn at(mut self, place: Place) -> Field {
        self.place = place;
        self
    }

    fn schema(&self, api: &str) -> Value {
        let mut s = ty_schema(&self.ty, api);
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
        if matches!(self.ty, Ty::IntOrStr | Ty::IdText)
            || (self.required && matches!(self.ty, Ty::Str))
        {
            s["minLength"] = json!(1);
        }
        if self.required && matches!(self.ty, Ty::Str) {
            // Blank text is refused too: at least one character that is not a space.
            s["pattern"] = json!("\\S");
        }
        if let Some(n) = self.max_bytes {
            if matches!(self.ty, Ty::Str | Ty::IntOrStr | Ty::IdText) {
                // maxLength counts characters; the API counts bytes, which x-max-bytes says.
                s["maxLength"] = json!(n);
            }
            s["x-max-bytes"] = json!(n);
        }
        if let Some(l) = self.lookup {
            // Track has no listing endpoints: its dropdowns are filled over an App connection.
            let from = if api == "track" { "app" } else { api };
            s["x-lookup"] = json!(format!("{from}.{l}"));
        }
        s
    }
}

fn object_schema(fields: &[Field], api: &str) -> Value {
    let mut props = Map::new();
    for f in fields {
        props.insert(f.name.to_string(), f.schema(api));
    }
    let required: Vec<&str> = fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.name)
        .collect();
    json!({"type": "object", "properties": props, "required": required, "additionalProperties": false})
}

/// Schemas of the scalar types as JSON text (smaller in the component than building code).
const TIMESTAMP_SCHEMA: &str = r#"{"anyOf":[{"type":"integer","title":"Unix seconds"},{"type":"number","title":"Unix seconds with a fraction (dropped)"},{"type":"string","format":"date-time","title":"ISO-8601 date-time"},{"type":"string","format":"date","title":"ISO-8601 date (midnight UTC)"},{"type":"string","pattern":"^-?[0-9]+(\\.[0-9]*)?$","title":"Unix seconds as text"}]}"#;

/// Attributes Customer.io reads as timestamps (customerio-api.md §4.1), normalised like fields.
const TIMESTAMP_ATTRIBUTES: [&str; 2] = ["created_at", "_timestamp"];

fn ty_schema(ty: &Ty, api: &str) -> Value {
    let text = match ty {
        Ty::Str => r#"{"type":"string"}"#,
        Ty::Int => r#"{"type":"integer"}"#,
        Ty::Num => r#"{"type":"number"}"#,
        Ty::Bool => r#"{"type":"boolean"}"#,
        Ty::Obj => r#"{"type":"object"}"#,
        Ty::Any => "{}",
        Ty::Timestamp => TIMESTAMP_SCHEMA,
        Ty::Ulid(_) => r#"{"type":"string","pattern":"^[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}$"}"#,
        Ty::IntOrStr | Ty::IdText => r#"{"type":["string","integer"],"minLength":1}"#,
        Ty::StrMap => r#"{"type":"object","additionalProperties":{"type":"string"}}"#,
        Ty::Attributes => {
            r#"{"type":"object","maxProperties":300,"propertyNames":{"maxLength":150},"additionalProperties":{"maxLength":1000}}"#
        }
        Ty::Enum(values) => return json!({"type": "string", "enum": values}),
        Ty::Object(fields) => return object_schema(fields, api),
        Ty::OneOf(fields) => {
            let mut s = object_schema(fields, api);
            s["minProperties"] = json!(1);
            s["maxProperties"] = json!(1);
            return s;
        }
        Ty::List(item, min, max) => {
            return json!({"type": "array", "items": ty_schema(item, api), "minItems": min, "maxItems": max})
        }
    };
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// An attribute value's size as Customer.io counts it: a string's bytes, anything else's JSON
/// text.
fn attribute_size(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len(),
        other => other.to_string().len(),
    }
}

/// Builds the JSON Schema 2020-12 document of an operation's input from its field groups.
pub fn input_schema(
    title: &str,
    description: &str,
    api: &str,
    groups: &[&[Field]],
    example: &Value,
) -> Value {
    let fields: Vec<Field> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let mut s = object_schema(&fields, api);
    let obj = s.as_object_mut().expect("object schema");
    let mut doc = Map::new();
    doc.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    doc.insert("title".into(), json!(title));
    doc.insert("description".into(), json!(description));
    doc.append(obj);
    doc.insert("examples".into(), json!([example]));
    let mut doc = Value::Object(doc);
    document(&mut doc);
    doc
}

/// The title a property gets when its definition gives none: its name in words
/// (`queued_at` → `Queued at`).
pub fn title_from_name(name: &str) -> String {
    let words = name.replace('_', " ");
    let mut c = words.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Fills what a schema leaves implicit, everywhere in it: a title for each property (from its
/// name), `additionalProperties` for objects that list no properties (any JSON value), `items`
/// for arrays (any JSON value). Validation is unchanged; a form builder no longer has to guess.
pub fn document(s: &mut Value) {
    let Some(obj) = s.as_object_mut() else {
        return;
    };
    let types: Vec<String> = match obj.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|t| t.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    };
    let any = || json!({"description": "any JSON value"});
    if types.iter().any(|t| t == "object")
        && !obj.contains_key("properties")
        && !obj.contains_key("additionalProperties")
    {
        obj.insert("additionalProperties".into(), any());
    }
    if types.iter().any(|t| t == "array") && !obj.contains_key("items") {
        obj.insert("items".into(), any());
    }
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        for (name, p) in props.iter_mut() {
            if let Some(po) = p.as_object_mut() {
                if !po.contains_key("title") {
                    po.insert("title".into(), json!(title_from_name(name)));
                }
            }
            document(p);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(v) = obj.get_mut(key) {
            document(v);
        }
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(alts)) = obj.get_mut(key) {
            alts.iter_mut().for_each(document);
        }
    }
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

/// Problems found so far: (JSON Pointer, message).
type Problems = Vec<(String, String)>;

/// Turns collected problems into one `invalid-input` error listing them all.
pub fn problems_error(problems: Problems) -> ConnectorError {
    let mut err = ConnectorError::invalid_input(
        problems[0].0.clone(),
        problems
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("; "),
    );
    err.pointers = problems.into_iter().map(|(p, _)| p).collect();
    err
}

/// Checks an input object against field groups and returns it normalised (timestamps as integer
/// unix seconds, text ids as strings). Every problem is reported at once, each with its JSON
/// Pointer, so a user fixes a form in one pass.
pub fn validate(groups: &[&[Field]], input: &Value) -> Result<Map<String, Value>, ConnectorError> {
    let Some(obj) = input.as_object() else {
        return Err(ConnectorError::invalid_input(
            "",
            format!("the input must be a JSON object, not {}", type_name(input)),
        ));
    };
    let fields: Vec<&Field> = groups.iter().flat_map(|g| g.iter()).collect();
    let mut problems = Problems::new();
    let out = check_object(&fields, obj, "", &mut problems);
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems_error(problems))
    }
}

fn check_object(
    fields: &[&Field],
    obj: &Map<String, Value>,
    at: &str,
    problems: &mut Problems,
) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in obj {
        let pointer = format!("{at}/{}", pointer_escape(key));
        let Some(field) = fields.iter().find(|f| f.name == key) else {
            let known: Vec<&str> = fields.iter().map(|f| f.name).collect();
            problems.push((
                pointer,
                format!("unknown field `{key}`; allowed here: {}", known.join(", ")),
            ));
            continue;
        };
        if value.is_null() && !field.required {
            continue;
        }
        if let Some(v) = check_field(field, value, &pointer, problems) {
            out.insert(key.clone(), v);
        }
    }
    for f in fields.iter().filter(|f| f.required) {
        if obj.get(f.name).is_none_or(Value::is_null) {
            problems.push((
                format!("{at}/{}", f.name),
                format!("`{}` is required: {}", f.name, f.description),
            ));
        }
    }
    out
}

fn check_field(
    field: &Field,
    value: &Value,
    pointer: &str,
    problems: &mut Problems,
) -> Option<Value> {
    let name = field.name;
    let before = problems.len();
    let v = check_ty(&field.ty, value, pointer, problems)?;
    if problems.len() > before {
        return None;
    }
    let fail = |problems: &mut Problems, msg: String| {
        problems.push((pointer.to_string(), format!("`{name}` {msg}")));
        None
    };
    if let (Some((min, max)), Value::Number(n)) = (field.range, &v) {
        let inside = match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => (min..=max).contains(&i),
            (None, Some(u)) => max >= 0 && u <= max as u64,
            _ => true,
        };
        if !inside {
            return fail(
                problems,
                format!("must be between {min} and {max}, not {n}"),
            );
        }
    }
    if let Some(max) = field.max_bytes {
        let len = match &v {
            Value::String(s) => s.len(),
            Value::Number(_) | Value::Bool(_) | Value::Null => 0,
            other => other.to_string().len(),
        };
        if len > max {
            return fail(
                problems,
                format!("is {len} bytes long; Customer.io allows at most {max}"),
            );
        }
    }
    if let Value::String(s) = &v {
        if field.required && s.trim().is_empty() {
            return fail(problems, "must not be empty".into());
        }
    }
    Some(v)
}

/// Checks one value against a type; pushes problems (with the pointer) and returns the
/// normalised value.
fn check_ty(ty: &Ty, value: &Value, pointer: &str, problems: &mut Problems) -> Option<Value> {
    // Name list items by their field and index (`ids[3]`), not the bare index.
    let mut parts = pointer.rsplitn(3, '/');
    let last = parts.next().unwrap_or_default().to_string();
    let label = match (last.parse::<usize>(), parts.next()) {
        (Ok(i), Some(parent)) => format!("{parent}[{i}]"),
        _ => last,
    };
    let fail = |problems: &mut Problems, msg: String| -> Option<Value> {
        problems.push((pointer.to_string(), format!("`{label}` {msg}")));
        None
    };
    let want = |w: &str| format!("must be {w}, not {}", type_name(value));
    match ty {
        Ty::Str => value.is_string().then(|| value.clone()).or_else(|| fail(problems, want("a string"))),
        Ty::Int => integer(value).map(Value::Number).or_else(|| fail(problems, want("an integer"))),
        Ty::Num => value.is_number().then(|| value.clone()).or_else(|| fail(problems, want("a number"))),
        Ty::Bool => value.is_boolean().then(|| value.clone()).or_else(|| fail(problems, want("true or false"))),
        Ty::Obj => value.is_object().then(|| value.clone()).or_else(|| fail(problems, want("an object"))),
        Ty::Any => Some(value.clone()),
        Ty::Timestamp => crate::util::parse_timestamp(value).map(Value::from).or_else(|| {
            fail(problems, format!(
                "must be unix seconds (e.g. 1700000000) or an ISO-8601 date-time (e.g. 2023-11-14T22:13:20Z), not {}",
                short(value)
            ))
        }),
        Ty::Ulid(_) => match value.as_str() {
            Some(s) if is_ulid(s) => Some(value.clone()),
            Some(_) => fail(problems, "must be a ULID (26 Crockford base32 characters); leave it out and the connector generates one".into()),
            None => fail(problems, want("a string")),
        },
        Ty::Enum(values) => match value.as_str() {
            Some(s) if values.contains(&s) => Some(value.clone()),
            _ => fail(problems, format!("must be one of {}, not {}", values.join(", "), short(value))),
        },
        Ty::IntOrStr | Ty::IdText => match value {
            Value::String(s) if !s.is_empty() => Some(value.clone()),
            Value::Number(n) if (n.is_i64() || n.is_u64()) => Some(if matches!(ty, Ty::IdText) {
                Value::String(n.to_string())
            } else {
                value.clone()
            }),
            _ => fail(problems, format!("must be a non-empty string or an integer, not {}", short(value))),
        },
        Ty::StrMap => match value.as_object() {
            Some(o) => {
                for (k, v) in o.iter().filter(|(_, v)| !v.is_string()) {
                    problems.push((
                        format!("{pointer}/{}", pointer_escape(k)),
                        format!("`{k}` must be a string (Customer.io takes only text values here), not {}", type_name(v)),
                    ));
                }
                Some(value.clone())
            }
            None => fail(problems, want("an object")),
        },
        Ty::Attributes => match value.as_object() {
            Some(o) => {
                if o.len() > 300 {
                    problems.push((pointer.to_string(), format!("`{label}` has {} keys; Customer.io allows at most 300", o.len())));
                }
                let mut out = o.clone();
                for (k, v) in o {
                    let p = format!("{pointer}/{}", pointer_escape(k));
                    if k.len() > 150 {
                        problems.push((p, format!("attribute name is {} bytes; Customer.io allows at most 150", k.len())));
                    } else if attribute_size(v) > 1000 {
                        // A list or object counts as its JSON text: the limit is on the value.
                        problems.push((p, format!("`{k}` is {} bytes; Customer.io allows at most 1000 per attribute value (a list or object counts as its JSON text)", attribute_size(v))));
                    } else if TIMESTAMP_ATTRIBUTES.contains(&k.as_str()) && !v.is_null() {
                        // Reserved timestamps take the same forms as timestamp fields.
                        if let Some(t) = check_ty(&Ty::Timestamp, v, &p, problems) {
                            out.insert(k.clone(), t);
                        }
                    }
                }
                Some(Value::Object(out))
            }
            None => fail(problems, want("an object")),
        },
        Ty::Object(fields) => match value.as_object() {
            Some(o) => {
                let refs: Vec<&Field> = fields.iter().collect();
                Some(Value::Object(check_object(&refs, o, pointer, problems)))
            }
            None => fail(problems, want("an object")),
        },
        Ty::OneOf(fields) => match value.as_object() {
            Some(o) if o.len() == 1 && o.values().all(|v| !v.is_null()) => {
                let refs: Vec<&Field> = fields.iter().collect();
                Some(Value::Object(check_object(&refs, o, pointer, problems)))
            }
            _ => {
                let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
                fail(problems, format!("must be an object with exactly one of {}, e.g. {{\"{}\": \"…\"}}", names.join(", "), names[0]))
            }
        },
        Ty::List(item, min, max) => match value.as_array() {
            Some(a) if a.len() < *min || a.len() > *max => {
                fail(problems, format!("has {} items; it takes {min} to {max}", a.len()))
            }
            Some(a) => Some(Value::Array(
                a.iter()
                    .enumerate()
                    .filter_map(|(i, v)| check_ty(item, v, &format!("{pointer}/{i}"), problems))
                    .collect(),
            )),
            None => fail(problems, want("an array")),
        },
    }
}

/// An integer, also when written as an integral float (`7.0`, which JSON Schema counts as an
/// integer); `None` otherwise.
fn integer(v: &Value) -> Option<serde_json::Number> {
    let n = v.as_number()?;
    if n.is_i64() || n.is_u64() {
        return Some(n.clone());
    }
    let f = n.as_f64()?;
    (f.fract() == 0.0 && f.abs() < 9.0e15).then(|| serde_json::Number::from(f as i64))
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

    const INNER: &[Field] = &[
        Field::key("token", Ty::Str, "Token", "t").required(),
        Field::key("at", Ty::Timestamp, "At", "when"),
    ];
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
        Field::new(
            "dev",
            Ty::Object(INNER),
            Place::Body("device"),
            "Device",
            "d",
        ),
        Field::new(
            "ids",
            Ty::List(&Ty::IdText, 1, 2),
            Place::Body("ids"),
            "Ids",
            "i",
        ),
        Field::new(
            "who",
            Ty::OneOf(&[
                Field::key("id", Ty::Str, "Id", "i"),
                Field::key("email", Ty::Str, "E", "e"),
            ]),
            Place::Body("who"),
            "Who",
            "w",
        ),
    ];

    #[test]
    fn reports_every_problem_with_pointers() {
        let err = validate(
            &[FIELDS],
            &json!({"at": "soon", "kind": "c", "n": 1.5, "x/y": 1, "dev": {"at": "x"}, "ids": [1, true], "who": {"id": "1", "email": "a"}}),
        )
        .unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::InvalidInput);
        for p in [
            "/at",
            "/kind",
            "/n",
            "/x~1y",
            "/id",
            "/dev/at",
            "/dev/token",
            "/ids/1",
            "/who",
        ] {
            assert!(
                err.pointers.contains(&p.to_string()),
                "{p} missing from {:?}",
                err.pointers
            );
        }
        assert!(err.message.contains("unknown field `x/y`"));
    }

    #[test]
    fn normalises_nested_values_and_limits_bytes() {
        let ok = validate(&[FIELDS], &json!({"id": "abc", "at": "2023-11-14T22:13:20Z", "dev": {"token": "t", "at": "1700000000.5"}, "ids": [7, "x"]})).unwrap();
        assert_eq!(ok["at"], json!(1700000000));
        assert_eq!(ok["dev"]["at"], json!(1700000000));
        assert_eq!(ok["ids"], json!(["7", "x"]));
        let err = validate(&[FIELDS], &json!({"id": "abcdef"})).unwrap_err();
        assert!(err.message.contains("at most 5"), "{}", err.message);
        let err = validate(&[FIELDS], &json!({"id": "a", "ids": []})).unwrap_err();
        assert!(err.message.contains("1 to 2"), "{}", err.message);
        let err = validate(&[FIELDS], &json!([1])).unwrap_err();
        assert_eq!(err.pointers, vec![String::new()]);
    }

    #[test]
    fn schema_says_what_validation_checks() {
        let s = input_schema("T", "D", "track", &[FIELDS], &json!({"id": "a"}));
        assert_eq!(s["required"], json!(["id"]));
        assert_eq!(s["properties"]["id"]["minLength"], json!(1));
        assert_eq!(s["properties"]["id"]["x-max-bytes"], json!(5));
        assert_eq!(s["properties"]["kind"]["enum"], json!(["a", "b"]));
        assert_eq!(s["properties"]["dev"]["required"], json!(["token"]));
        assert_eq!(
            s["properties"]["ids"]["items"]["type"],
            json!(["string", "integer"])
        );
        assert_eq!(s["properties"]["ids"]["maxItems"], json!(2));
        assert_eq!(s["properties"]["who"]["maxProperties"], json!(1));
        assert!(s["properties"]["at"]["anyOf"].is_array());
        assert_eq!(s["examples"][0]["id"], "a");
        assert_eq!(s["additionalProperties"], json!(false));
    }
}
