//! The contract other hosts read: the WIT world in `wit/` (with its WASI imports vendored in
//! `wit/deps`) is exactly what the built component imports and exports — the check
//! `wasm-tools component targets wit/ --world connector-component` makes.

mod common;

#[test]
fn the_component_targets_the_declared_world() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut resolve = wit_parser::Resolve::default();
    let (pkg, _) = resolve.push_dir(root.join("wit")).expect("wit/ parses");
    let world = resolve
        .select_world(&[pkg], Some("connector-component"))
        .expect("the world exists");
    let wasm = std::fs::read(common::component()).expect("the component is built");
    wit_component::targets(&resolve, world, &wasm)
        .expect("the component targets wit/ --world connector-component");
    // And a world without the WASI imports is not enough: the check can fail.
    let mut bare = wit_parser::Resolve::default();
    let dir = std::env::temp_dir().join(format!("cio-bare-wit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(root.join("wit/connector.wit")).unwrap();
    let without: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("import wasi:"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.join("connector.wit"), without).unwrap();
    let (pkg, _) = bare.push_dir(&dir).unwrap();
    let world = bare
        .select_world(&[pkg], Some("connector-component"))
        .unwrap();
    assert!(wit_component::targets(&bare, world, &wasm).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_component_says_what_it_is() {
    let wasm = std::fs::read(common::component()).expect("the component is built");
    let mut sections = std::collections::HashMap::new();
    for payload in wasmparser::Parser::new(0).parse_all(&wasm) {
        if let wasmparser::Payload::CustomSection(c) = payload.expect("valid wasm") {
            sections.insert(c.name().to_string(), c.data().to_vec());
        }
    }
    let text = |name: &str| {
        String::from_utf8(sections.get(name).cloned().unwrap_or_default()).unwrap_or_default()
    };
    assert_eq!(text("version"), env!("CARGO_PKG_VERSION"));
    assert_eq!(text("licenses"), "MIT OR Apache-2.0");
    assert!(
        text("description").contains("Customer.io"),
        "{}",
        text("description")
    );
}

#[test]
fn list_operations_is_served_from_the_host_after_the_first_call() {
    let emu = common::emulator();
    let host = common::host(&emu);
    let first = host.list_operations().unwrap();
    let again = host.list_operations().unwrap();
    assert_eq!(first.len(), again.len());
    assert!(first
        .iter()
        .zip(&again)
        .all(|(a, b)| a.id == b.id && a.input_schema == b.input_schema));
    let manifest: serde_json::Value =
        serde_json::from_str(include_str!("../manifest.json")).unwrap();
    assert_eq!(
        manifest["operations"].as_array().map(Vec::len),
        Some(first.len())
    );
}
