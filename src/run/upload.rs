//! Asset upload (`POST /v1/assets/files`): Customer.io takes the file as `multipart/form-data`,
//! which a workflow step cannot build, so the step takes the file as base64 and this runner
//! writes the form (`file`, plus `name` and `parent_folder_id` when given). The file is checked
//! first — a known type by extension, valid base64, at most 2 MB — so a bad file is refused
//! with a pointer before anything is sent.

use serde_json::{Map, Value};

use crate::call::Call;
use crate::catalog::Bound;
use crate::error::ConnectorError;
use crate::run::rest;
use crate::util;

/// Customer.io's limit on one asset (decoded bytes).
pub const ASSET_MAX: usize = 2 * 1024 * 1024;
/// File types the asset library takes, by extension, with their media types.
const TYPES: [(&str, &str); 6] = [
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("bmp", "image/bmp"),
    ("pdf", "application/pdf"),
];

fn media_type(file_name: &str) -> Option<&'static str> {
    let ext = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    TYPES.iter().find(|(e, _)| *e == ext).map(|(_, t)| *t)
}

/// The upload rule: a known file type, valid base64, at most 2 MB.
pub fn upload_rule(
    input: &mut Map<String, Value>,
    _: &dyn Fn() -> String,
) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    let name = input.get("file_name").and_then(Value::as_str).unwrap_or("");
    if media_type(name).is_none() {
        problems.push((
            "/file_name".into(),
            format!("{name:?} is not a file type the asset library takes; use a .png, .jpg, .jpeg, .gif, .bmp or .pdf name"),
        ));
    }
    let content = input.get("content").and_then(Value::as_str).unwrap_or("");
    match decode_file(content) {
        Some(bytes) if bytes.is_empty() => {
            problems.push(("/content".into(), "the file is empty".into()))
        }
        Some(bytes) if bytes.len() > ASSET_MAX => problems.push((
            "/content".into(),
            format!(
                "the file is {} bytes; Customer.io takes at most {ASSET_MAX} (2 MB) per asset",
                bytes.len()
            ),
        )),
        Some(_) => {}
        None => problems.push((
            "/content".into(),
            "give the file's bytes as base64 (standard or URL-safe, or a data: URL)".into(),
        )),
    }
    problems
}

/// The file's bytes from base64 as workflow tools write it: standard or URL-safe, padded or
/// not, wrapped in lines, or as a `data:<type>;base64,` URL.
pub fn decode_file(text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    use base64::Engine as _;
    let text = match text.strip_prefix("data:") {
        Some(rest) => rest.split_once(";base64,")?.1,
        None => text,
    };
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(&compact).ok())
}

/// A boundary that occurs in none of the parts: random, checked, a few tries at most.
fn boundary(call: &Call<'_>, parts: &[&[u8]]) -> Result<String, ConnectorError> {
    (0..8)
        .map(|n| format!("cio-connector-{}-{n}", call.nonce()))
        .find(|b| {
            !parts
                .iter()
                .any(|p| p.windows(b.len()).any(|w| w == b.as_bytes()))
        })
        .ok_or_else(|| {
            ConnectorError::internal("could not pick a multipart boundary absent from the file")
        })
}

/// Quotes a form field's file name (RFC 7578: `"`, `\` and line breaks as percent codes).
fn quoted(name: &str) -> String {
    name.replace('\\', "%5C")
        .replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Sends the multipart form.
pub fn upload(
    call: &mut Call<'_>,
    b: Bound,
    input: Map<String, Value>,
) -> Result<(Value, u16), ConnectorError> {
    let file_name = input
        .get("file_name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    // The name goes into a header line: a control character (NUL, tab, a line break) there
    // would change the form, not name a file.
    if file_name.chars().any(char::is_control) {
        return Err(ConnectorError::invalid_input(
            "/file_name",
            "the file name has a control character (NUL, tab, line break, …); give a plain name such as banner.png",
        ));
    }
    let media = media_type(file_name)
        .ok_or_else(|| ConnectorError::invalid_input("/file_name", "unknown file type"))?;
    let bytes = input
        .get("content")
        .and_then(Value::as_str)
        .and_then(decode_file)
        .ok_or_else(|| ConnectorError::invalid_input("/content", "not base64"))?;
    let mut fields: Vec<(&str, String)> = Vec::new();
    if let Some(name) = input.get("name").and_then(Value::as_str) {
        fields.push(("name", name.to_string()));
    }
    if let Some(folder) = input.get("parent_folder_id").and_then(util::scalar_text) {
        fields.push(("parent_folder_id", folder));
    }
    let mut texts: Vec<&[u8]> = fields.iter().map(|(_, v)| v.as_bytes()).collect();
    texts.push(&bytes);
    texts.push(file_name.as_bytes());
    let boundary = boundary(call, &texts)?;
    let mut body = Vec::with_capacity(bytes.len() + 512);
    for (name, value) in &fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: {media}\r\n\r\n",
            quoted(file_name)
        )
        .as_bytes(),
    );
    body.extend_from_slice(&bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let plan = rest::plan(b.op, &input, &|| String::new())?;
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let (status, answer) = rest::exchange_body(call, b, &plan, Some((&content_type, body)))?;
    Ok((answer, status))
}
