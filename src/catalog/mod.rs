//! The declarative operation catalog: one table entry per operation. Adding an operation means
//! adding an entry (and a test); the request builder, validator and schema generator are shared.

use serde_json::Value;

use crate::http::Method;
use crate::schema::{self, Field};
use crate::types::{ConnectorKind, Hints, OperationDescriptor, OperationKind};

pub mod raw;
pub mod track;

/// How an operation turns its input into a request.
#[derive(Clone, Copy, Debug)]
pub enum Request {
    /// A fixed method and path template under the API's base URL.
    Rest {
        /// HTTP method.
        method: Method,
        /// Path after the base URL, with `{field}` placeholders filled from `Place::Path` fields.
        path: &'static str,
        /// The API de-duplicates retries (events carry an `id`), so POSTs may be retried too.
        dedup: bool,
    },
    /// The universal raw HTTP request (its own builder in `crate::raw`).
    Raw,
}

/// One catalog entry.
#[derive(Clone, Copy, Debug)]
pub struct Operation {
    /// `<api>.<resource>.<action>`.
    pub id: &'static str,
    /// Short title.
    pub title: &'static str,
    /// Description for the builder's help panel.
    pub description: &'static str,
    /// The API it belongs to.
    pub connector: ConnectorKind,
    /// Action, lookup or raw.
    pub kind: OperationKind,
    /// Scheduling hints.
    pub hints: Hints,
    /// Request shape.
    pub request: Request,
    /// Input fields.
    pub fields: &'static [Field],
    /// JSON Schema of the output (compact JSON text).
    pub output_schema: &'static str,
    /// An example input (JSON text).
    pub example: &'static str,
}

/// Hint sets used by the tables.
pub mod hints {
    use crate::types::Hints;
    /// Creates or updates; repeating it gives the same state.
    pub const UPSERT: Hints = Hints {
        read_only: false,
        destructive: false,
        idempotent: true,
        paginated: false,
    };
    /// Deletes; repeating it is harmless.
    pub const DELETE: Hints = Hints {
        read_only: false,
        destructive: true,
        idempotent: true,
        paginated: false,
    };
    /// Appends (an event); idempotent only through the event id.
    pub const APPEND: Hints = Hints {
        read_only: false,
        destructive: false,
        idempotent: true,
        paginated: false,
    };
    /// Depends on the request.
    pub const RAW: Hints = Hints {
        read_only: false,
        destructive: true,
        idempotent: false,
        paginated: false,
    };
}

/// The output schema of Track v1 writes, which answer `{}`.
pub const EMPTY_OUTPUT: &str = r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"Customer.io's answer","description":"Customer.io answers an empty JSON object when it accepted the request.","type":"object"}"#;

/// Every operation, Track first.
pub fn all() -> impl Iterator<Item = &'static Operation> {
    track::OPERATIONS.iter().chain(raw::OPERATIONS.iter())
}

/// Finds an operation by id.
pub fn find(id: &str) -> Option<&'static Operation> {
    all().find(|op| op.id == id)
}

impl Operation {
    /// The example input as JSON.
    pub fn example_value(&self) -> Value {
        serde_json::from_str(self.example).unwrap_or(Value::Null)
    }

    /// The descriptor `list-operations` returns.
    pub fn descriptor(&self) -> OperationDescriptor {
        let input = schema::input_schema(
            self.title,
            self.description,
            self.fields,
            &self.example_value(),
        );
        OperationDescriptor {
            id: self.id.into(),
            title: self.title.into(),
            description: self.description.into(),
            connector: self.connector,
            kind: self.kind,
            hints: self.hints,
            input_schema: input.to_string(),
            output_schema: self.output_schema.into(),
        }
    }
}

/// All descriptors, in catalog order.
pub fn descriptors() -> Vec<OperationDescriptor> {
    all().map(Operation::descriptor).collect()
}

/// Ids of the operations of one API, for "did you mean" messages.
pub fn ids_for(connector: ConnectorKind) -> Vec<&'static str> {
    all()
        .filter(|op| op.connector == connector)
        .map(|op| op.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for op in all() {
            assert!(seen.insert(op.id), "duplicate id {}", op.id);
            assert!(op.id.starts_with(op.connector.as_str()), "{}", op.id);
            let out: Value = serde_json::from_str(op.output_schema).expect(op.id);
            assert!(out.is_object(), "{}", op.id);
            let ex = op.example_value();
            assert!(ex.is_object(), "{} example", op.id);
            if let Request::Rest { path, .. } = op.request {
                assert!(path.starts_with('/'), "{}", op.id);
                schema::validate(op.fields, &ex)
                    .unwrap_or_else(|e| panic!("{} example invalid: {e}", op.id));
                for f in op.fields.iter().filter(|f| f.place == schema::Place::Path) {
                    assert!(
                        path.contains(&format!("{{{}}}", f.name)),
                        "{} lacks {{{}}}",
                        op.id,
                        f.name
                    );
                }
            }
            let d = op.descriptor();
            let input: Value = serde_json::from_str(&d.input_schema).unwrap();
            assert_eq!(input["examples"][0], ex, "{}", op.id);
        }
    }
}
