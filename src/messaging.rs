//! Rules of the messaging operations that JSON Schema cannot say: transactional attachments
//! (file names with an extension, valid base64, under 2 MB in total) and broadcast audiences
//! (at most one of the six targeting forms per trigger).

use serde_json::{Map, Value};

/// Customer.io's limit on the attachments of one email (decoded bytes).
pub const ATTACHMENTS_MAX: usize = 2 * 1024 * 1024;

/// The rule of `transactional.send_email`.
pub fn email_rule(input: &mut Map<String, Value>, _: &dyn Fn() -> String) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    let Some(Value::Object(files)) = input.get("attachments") else {
        return problems;
    };
    let mut total = 0usize;
    for (name, content) in files {
        let at = format!("/attachments/{}", crate::schema::pointer_escape(name));
        if !name
            .rsplit_once('.')
            .is_some_and(|(stem, ext)| !stem.is_empty() && !ext.is_empty())
        {
            problems.push((
                at.clone(),
                format!("attachment name {name:?} needs a file extension, e.g. receipt.pdf"),
            ));
        }
        match content.as_str().and_then(crate::util::b64_decode) {
            Some(bytes) => total += bytes.len(),
            None => problems.push((
                at,
                format!("attachment {name:?} must be the file's bytes as standard base64"),
            )),
        }
    }
    if total >= ATTACHMENTS_MAX {
        problems.push(("/attachments".into(), format!("the attachments add up to {total} bytes; Customer.io takes less than {ATTACHMENTS_MAX} (2 MB) per email")));
    }
    problems
}

/// The audience forms of a broadcast trigger.
const AUDIENCES: [&str; 5] = [
    "recipients",
    "emails",
    "ids",
    "per_user_data",
    "data_file_url",
];

/// The rule of `broadcast.trigger`: one audience at most (none = the broadcast's own).
pub fn trigger_rule(
    input: &mut Map<String, Value>,
    _: &dyn Fn() -> String,
) -> Vec<(String, String)> {
    let given: Vec<&str> = AUDIENCES
        .iter()
        .copied()
        .filter(|k| input.contains_key(*k))
        .collect();
    if given.len() > 1 {
        return vec![(
            format!("/{}", given[1]),
            format!("give one audience at most, not {}: Customer.io takes one of recipients, emails, ids, per_user_data or data_file_url per trigger", given.join(" and ")),
        )];
    }
    if let Some(Value::Object(f)) = input.get("recipients") {
        if f.is_empty() {
            return vec![("/recipients".into(), "an empty recipients filter is refused by Customer.io; leave it out to use the broadcast's own audience".into())];
        }
    }
    Vec::new()
}
