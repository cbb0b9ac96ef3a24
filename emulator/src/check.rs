//! Body validation shared by Track v1 and v2: a JSON object read field by field, where every
//! problem names its field (v2 reports it) and carries a message (v1 reports only that).

use serde_json::{Map, Value};

pub(crate) const MAX_IDENTIFIER: usize = 150;
pub(crate) const MAX_ATTRIBUTE_NAME: usize = 150;
pub(crate) const MAX_ATTRIBUTE_VALUE: usize = 1000;
pub(crate) const MAX_ATTRIBUTES: usize = 300;
pub(crate) const MAX_EVENT_NAME: usize = 100;
pub(crate) const MAX_EVENT_DATA: usize = 100_000;

/// One validation failure. `reason` is the machine word of a v2 error (`required`, `invalid`,
/// `too_large`, `unsupported`, `not_allowed`, `malformed`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Invalid {
    pub(crate) field: String,
    pub(crate) reason: &'static str,
    pub(crate) message: String,
}

impl Invalid {
    pub(crate) fn new(field: impl Into<String>, reason: &'static str, message: String) -> Invalid {
        Invalid {
            field: field.into(),
            reason,
            message,
        }
    }

    fn required(field: String) -> Invalid {
        let message = format!("{field} is required");
        Invalid::new(field, "required", message)
    }

    fn wrong_type(field: String, want: &str) -> Invalid {
        let message = format!("{field} must be {want}");
        Invalid::new(field, "invalid", message)
    }

    /// The v1 error text.
    pub(crate) fn into_message(self) -> String {
        self.message
    }
}

impl From<Invalid> for String {
    fn from(invalid: Invalid) -> String {
        invalid.into_message()
    }
}

/// Parses a whole request body that must be a JSON object; `empty_ok` turns an empty body into `{}`.
pub(crate) fn parse_body(body: &[u8], empty_ok: bool) -> Result<Map<String, Value>, Invalid> {
    let malformed = |message: String| Invalid::new("", "malformed", message);
    if body.iter().all(u8::is_ascii_whitespace) {
        return if empty_ok {
            Ok(Map::new())
        } else {
            Err(malformed(
                "the request body is empty; expected a JSON object".to_string(),
            ))
        };
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(malformed(
            "the request body must be a JSON object".to_string(),
        )),
        Err(err) => Err(malformed(format!(
            "the request body is not valid JSON: {err}"
        ))),
    }
}

/// A JSON object being read, with the dotted path of its place in the request for messages.
#[derive(Clone)]
pub(crate) struct Obj<'a> {
    pub(crate) map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Obj<'a> {
    pub(crate) fn root(map: &'a Map<String, Value>) -> Obj<'a> {
        Obj {
            map,
            path: String::new(),
        }
    }

    /// An object found elsewhere than under its parent, named by `path` in messages.
    pub(crate) fn at(map: &'a Map<String, Value>, path: &str) -> Obj<'a> {
        Obj {
            map,
            path: path.to_string(),
        }
    }

    /// Where this object sits in the request (`""` for the body itself).
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    pub(crate) fn field(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// A value, with `null` counting as absent.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<&'a str>, Invalid> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(Invalid::wrong_type(self.field(key), "a string")),
        }
    }

    /// A string that must be present and not empty.
    pub(crate) fn req_str(&self, key: &str) -> Result<&'a str, Invalid> {
        match self.opt_str(key)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(Invalid::required(self.field(key))),
        }
    }

    /// A required string from a fixed list.
    pub(crate) fn one_of(&self, key: &str, allowed: &[&str]) -> Result<&'a str, Invalid> {
        let value = self.req_str(key)?;
        if allowed.contains(&value) {
            return Ok(value);
        }
        let field = self.field(key);
        let message = format!(
            "{field} must be one of {}, not {value:?}",
            allowed.join(", ")
        );
        Err(Invalid::new(field, "invalid", message))
    }

    pub(crate) fn opt_int(&self, key: &str) -> Result<Option<i64>, Invalid> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => value
                .as_i64()
                .map(Some)
                .ok_or_else(|| Invalid::wrong_type(self.field(key), "an integer")),
        }
    }

    pub(crate) fn opt_obj(&self, key: &str) -> Result<Option<Obj<'a>>, Invalid> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Obj {
                map,
                path: self.field(key),
            })),
            Some(_) => Err(Invalid::wrong_type(self.field(key), "a JSON object")),
        }
    }

    pub(crate) fn req_obj(&self, key: &str) -> Result<Obj<'a>, Invalid> {
        self.opt_obj(key)?
            .ok_or_else(|| Invalid::required(self.field(key)))
    }

    /// An optional array; with `non_empty` it is required and must have an item.
    pub(crate) fn array(&self, key: &str, non_empty: bool) -> Result<&'a [Value], Invalid> {
        match self.get(key) {
            None if !non_empty => Ok(&[]),
            None => Err(Invalid::required(self.field(key))),
            Some(Value::Array(items)) if non_empty && items.is_empty() => {
                let field = self.field(key);
                let message = format!("{field} must not be empty");
                Err(Invalid::new(field, "required", message))
            }
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(Invalid::wrong_type(self.field(key), "an array")),
        }
    }

    /// An optional object whose values must all be strings (device attributes, form data).
    pub(crate) fn string_values(&self, key: &str) -> Result<Map<String, Value>, Invalid> {
        let Some(inner) = self.opt_obj(key)? else {
            return Ok(Map::new());
        };
        match inner.map.iter().find(|(_, v)| !v.is_string()) {
            Some((name, _)) => Err(Invalid::wrong_type(inner.field(name), "a string")),
            None => Ok(inner.map.clone()),
        }
    }

    /// The object at `index` of an array field, for items such as relationships.
    pub(crate) fn item(
        &self,
        key: &str,
        index: usize,
        value: &'a Value,
    ) -> Result<Obj<'a>, Invalid> {
        let field = format!("{}[{index}]", self.field(key));
        match value {
            Value::Object(map) => Ok(Obj { map, path: field }),
            _ => Err(Invalid::wrong_type(field, "a JSON object")),
        }
    }
}

/// Checks identify-style attributes against the documented limits and returns the `id` and
/// `email` they set (an integer `id` counts as its text, as clients send numeric ids).
pub(crate) fn attributes(obj: &Obj<'_>) -> Result<(Option<String>, Option<String>), Invalid> {
    let map = obj.map;
    if map.len() > MAX_ATTRIBUTES {
        let message = format!(
            "too many attributes: {}; the limit is {MAX_ATTRIBUTES}",
            map.len()
        );
        return Err(Invalid::new(obj.path(), "too_large", message));
    }
    for (name, value) in map {
        if name.len() > MAX_ATTRIBUTE_NAME {
            let message = format!(
                "attribute name {name:?} is {} bytes; the limit is {MAX_ATTRIBUTE_NAME}",
                name.len()
            );
            return Err(Invalid::new(obj.field(name), "too_large", message));
        }
        if let Value::String(text) = value {
            if text.len() > MAX_ATTRIBUTE_VALUE {
                let message = format!(
                    "attribute {name:?} has a value of {} bytes; the limit is {MAX_ATTRIBUTE_VALUE}",
                    text.len()
                );
                return Err(Invalid::new(obj.field(name), "too_large", message));
            }
        }
    }
    let id = match obj.get("id") {
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        _ => obj.opt_str("id")?.map(str::to_string),
    };
    let email = obj.opt_str("email")?.map(str::to_string);
    let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty());
    Ok((non_empty(id), non_empty(email)))
}

/// An optional attributes object, checked like identify attributes.
pub(crate) struct Attributes {
    pub(crate) map: Map<String, Value>,
    pub(crate) id: Option<String>,
    pub(crate) email: Option<String>,
}

/// The optional attributes object under `key` of `obj` (empty when absent), checked against the
/// limits.
pub(crate) fn attributes_at(obj: &Obj<'_>, key: &str) -> Result<Attributes, Invalid> {
    let Some(inner) = obj.opt_obj(key)? else {
        return Ok(Attributes {
            map: Map::new(),
            id: None,
            email: None,
        });
    };
    let (id, email) = attributes(&inner)?;
    Ok(Attributes {
        map: inner.map.clone(),
        id,
        email,
    })
}

/// A person or object identifier: present, not empty, at most 150 bytes.
pub(crate) fn identifier(field: &str, value: &str) -> Result<(), Invalid> {
    if value.is_empty() {
        return Err(Invalid::new(field, "required", format!("{field} is empty")));
    }
    if value.len() > MAX_IDENTIFIER {
        let message = format!(
            "{field} is {} bytes; the limit is {MAX_IDENTIFIER}",
            value.len()
        );
        return Err(Invalid::new(field, "too_large", message));
    }
    Ok(())
}
