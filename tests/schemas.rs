//! The documents a platform reads are valid and say what they mean: manifest.json against
//! manifest.schema.json, every operation schema against the JSON Schema 2020-12 meta-schema, every
//! example against its schema, every property titled and described — and what a schema accepts
//! or refuses, `execute` accepts or refuses.
//!
//! These run on the plain-Rust core (no component build): `list-operations` of the component is
//! the same catalog, and tests/cli.rs checks that manifest.json is the component's.

use std::cell::{Cell, RefCell};

use customerio_connector::http::{Clock, HttpRequest, HttpResponse, Transport, TransportError};
use customerio_connector::{
    catalog, ConnectionConfig, Connector, ConnectorKind, Credentials, ErrorKind, ExecuteRequest,
    Region, TrackCredentials,
};
use serde_json::{json, Value};

fn read(path: &str) -> Value {
    let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("schema does not compile: {e}\n{schema}"))
}

fn descriptors() -> Vec<(String, Value, Value)> {
    catalog::descriptors()
        .into_iter()
        .map(|d| {
            (
                d.id.clone(),
                serde_json::from_str(&d.input_schema).unwrap(),
                serde_json::from_str(&d.output_schema).unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_manifest_matches_its_schema() {
    let schema = read("manifest.schema.json");
    jsonschema::draft202012::meta::validate(&schema).expect("manifest.schema.json is 2020-12");
    let v = validator(&schema);
    let manifest = read("manifest.json");
    let problems = errors(&v, &manifest);
    assert!(problems.is_empty(), "manifest.json: {problems:#?}");
    // The schema is not vacuous: a secret flag that is not a boolean or an unknown kind fails.
    let mut bad = manifest.clone();
    bad["connectors"][0]["auth_fields"][0]["secret"] = json!("yes");
    bad["operations"][0]["kind"] = json!("trigger");
    bad["operations"][1]["input_schema"]["type"] = json!("array");
    assert_eq!(errors(&v, &bad).len(), 3, "{:#?}", errors(&v, &bad));
}

#[test]
fn every_schema_is_2020_12_and_every_example_is_valid() {
    let mut problems = Vec::new();
    for (id, input, output) in descriptors() {
        for (which, s) in [("input", &input), ("output", &output)] {
            if let Err(e) = jsonschema::draft202012::meta::validate(s) {
                problems.push(format!("{id} {which} schema: {e}"));
            }
        }
        let v = validator(&input);
        for ex in input["examples"].as_array().expect("examples") {
            for p in errors(&v, ex) {
                problems.push(format!("{id} example {ex}: {p}"));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Walks every subschema that describes a value, calling `f(pointer, schema, is_property)`.
fn walk(at: &str, s: &Value, property: bool, f: &mut dyn FnMut(&str, &Value, bool)) {
    f(at, s, property);
    if let Some(props) = s["properties"].as_object() {
        for (k, p) in props {
            walk(&format!("{at}/properties/{k}"), p, true, f);
        }
    }
    for key in ["items", "additionalProperties"] {
        if s[key].is_object() {
            walk(&format!("{at}/{key}"), &s[key], false, f);
        }
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        for (i, alt) in s[key].as_array().into_iter().flatten().enumerate() {
            walk(&format!("{at}/{key}/{i}"), alt, false, f);
        }
    }
}

#[test]
fn every_property_is_titled_described_and_typed() {
    let mut problems = Vec::new();
    for (id, input, output) in descriptors() {
        for (which, schema) in [("input", &input), ("output", &output)] {
            walk("", schema, false, &mut |at, s, property| {
                let here = format!("{id} {which} {}", if at.is_empty() { "/" } else { at });
                if property {
                    for key in ["title", "description"] {
                        if s[key].as_str().is_none_or(|t| t.trim().is_empty()) {
                            problems.push(format!("{here}: no {key}"));
                        }
                    }
                }
                let types: Vec<&str> = match &s["type"] {
                    Value::String(t) => vec![t.as_str()],
                    Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                    _ => vec![],
                };
                if types.contains(&"object")
                    && s.get("properties").is_none()
                    && s.get("additionalProperties").is_none()
                {
                    problems.push(format!(
                        "{here}: a free-form object without additionalProperties"
                    ));
                }
                if types.contains(&"array") && s.get("items").is_none() {
                    problems.push(format!("{here}: an array without items"));
                }
                if let Some(d) = s["description"].as_str() {
                    // "Default: 20" in prose must be a `default` too (not "Default: detected").
                    if let Some(rest) = d.split("Default: ").nth(1) {
                        let word = rest
                            .split([' ', ')', ',', ';'])
                            .next()
                            .unwrap_or_default()
                            .trim_end_matches('.');
                        let literal =
                            word.parse::<f64>().is_ok() || word == "true" || word == "false";
                        if literal && s.get("default").is_none() {
                            problems
                                .push(format!("{here}: says `Default: {word}` but has no default"));
                        }
                    }
                }
            });
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems: {problems:#?}",
        problems.len()
    );
}

/// A transport that answers `200 {}` and counts what it was sent.
#[derive(Default)]
struct Counting {
    sent: Cell<usize>,
}

impl Transport for Counting {
    fn send(&self, _: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.sent.set(self.sent.get() + 1);
        Ok(HttpResponse {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: b"{}".to_vec(),
        })
    }
}

/// A clock whose sleeps pass instantly.
#[derive(Default)]
struct Instant {
    now: Cell<u64>,
    #[allow(dead_code)]
    sleeps: RefCell<Vec<u64>>,
}

impl Clock for Instant {
    fn monotonic_ms(&self) -> u64 {
        self.now.get()
    }
    fn unix_ms(&self) -> u64 {
        1_700_000_000_000 + self.now.get()
    }
    fn sleep_ms(&self, ms: u64) {
        self.now.set(self.now.get() + ms);
    }
    fn fill_random(&self, buf: &mut [u8]) {
        buf.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8);
    }
}

fn config(id: &str) -> ConnectionConfig {
    let connector = ConnectorKind::parse(id.split('.').next().unwrap()).unwrap();
    let credentials = match connector {
        ConnectorKind::Track => Credentials::Track(TrackCredentials {
            site_id: "site".into(),
            api_key: "key".into(),
        }),
        _ => Credentials::App("key".into()),
    };
    ConnectionConfig {
        connector,
        region: Region::Us,
        credentials,
    }
}

/// Runs `input` through `execute`: `Err(pointers)` when it is refused as invalid input (then
/// nothing may have been sent), `Ok` otherwise (sent, or failed for another reason).
fn execute(id: &str, input: &Value) -> Result<(), Vec<String>> {
    let (t, c) = (Counting::default(), Instant::default());
    let r = Connector::new(&t, &c).execute(&ExecuteRequest {
        operation_id: id.into(),
        config: config(id),
        input: input.to_string(),
        timeout_ms: Some(1_000),
        request_id: None,
    });
    match r {
        Err(e) if e.kind == ErrorKind::InvalidInput => {
            assert_eq!(t.sent.get(), 0, "{id} sent a refused input {input}");
            Err(e.pointers)
        }
        _ => Ok(()),
    }
}

/// Values of several JSON types, to find one a property's schema refuses.
fn wrong_values() -> Vec<Value> {
    vec![
        json!({"zz_not_a_field": [1]}),
        json!([[]]),
        json!(true),
        json!(12.5),
        json!(-3),
        json!("zz not valid"),
        json!(""),
    ]
}

#[test]
fn what_a_schema_accepts_execute_accepts_and_what_it_refuses_execute_refuses() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for (id, schema, _) in descriptors() {
        let v = validator(&schema);
        let example = schema["examples"][0].clone();
        // Accepted by the schema: the example.
        if let Err(p) = execute(&id, &example) {
            problems.push(format!("{id}: the example {example} is refused at {p:?}"));
        }
        let mut refused: Vec<(Value, String)> = Vec::new();
        // An unknown key.
        let mut with_unknown = example.clone();
        with_unknown["zz_unknown"] = json!(1);
        refused.push((with_unknown, "/zz_unknown".into()));
        // Each required key left out.
        for r in schema["required"].as_array().into_iter().flatten() {
            let r = r.as_str().unwrap();
            let mut without = example.clone();
            without.as_object_mut().unwrap().remove(r);
            refused.push((without, format!("/{r}")));
        }
        // Each property of the example given a value of a type its schema refuses.
        for key in example.as_object().unwrap().keys() {
            for bad in wrong_values() {
                let mut input = example.clone();
                input[key] = bad;
                if !v.is_valid(&input) {
                    refused.push((input, format!("/{key}")));
                    break;
                }
            }
        }
        for (input, at) in refused {
            checked += 1;
            assert!(
                !v.is_valid(&input),
                "{id}: {input} should be refused by the schema"
            );
            match execute(&id, &input) {
                Ok(()) => problems.push(format!(
                    "{id}: the schema refuses {input} but execute accepts it"
                )),
                Err(p) if !p.iter().any(|p| p.starts_with(&at)) => {
                    problems.push(format!("{id}: {input} refused at {p:?}, not at {at}"))
                }
                Err(_) => {}
            }
        }
    }
    assert!(checked > 1000, "{checked}");
    assert!(
        problems.is_empty(),
        "{} disagreements: {problems:#?}",
        problems.len()
    );
}
