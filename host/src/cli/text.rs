//! What the CLI prints for people: the operations table, an operation's form, example command
//! lines, readable errors, and "did you mean" suggestions. Everything here works on the JSON
//! renderings of [`crate::json`], so what a person reads is what a script reads.

use serde_json::{Map, Value};

/// ANSI styles, or nothing when colour is off.
#[derive(Clone, Copy, Debug, Default)]
pub struct Paint {
    /// Whether to emit ANSI escape codes.
    pub on: bool,
}

impl Paint {
    fn wrap(self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    /// Bold.
    pub fn bold(self, s: &str) -> String {
        self.wrap("1", s)
    }
    /// Bold red (the word "error").
    pub fn red(self, s: &str) -> String {
        self.wrap("1;31", s)
    }
    /// Yellow (JSON Pointers).
    pub fn yellow(self, s: &str) -> String {
        self.wrap("33", s)
    }
    /// Green (fixes).
    pub fn green(self, s: &str) -> String {
        self.wrap("32", s)
    }
    /// Dim (secondary details).
    pub fn dim(self, s: &str) -> String {
        self.wrap("2", s)
    }
}

/// The hints of a descriptor as words: `read-only, idempotent, paginated`.
pub fn hint_words(d: &Value) -> String {
    let mut words = Vec::new();
    for (key, word) in [
        ("read_only", "read-only"),
        ("destructive", "destructive"),
        ("idempotent", "idempotent"),
        ("paginated", "paginated"),
    ] {
        if d["hints"][key] == Value::Bool(true) {
            words.push(word);
        }
    }
    words.join(", ")
}

/// Whether a descriptor matches every word of a search (id, title or description, any case).
pub fn matches(d: &Value, search: &str) -> bool {
    let hay = format!(
        "{} {} {}",
        d["id"].as_str().unwrap_or_default(),
        d["title"].as_str().unwrap_or_default(),
        d["description"].as_str().unwrap_or_default()
    )
    .to_lowercase();
    search
        .split_whitespace()
        .all(|w| hay.contains(&w.to_lowercase()))
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(width.saturating_sub(n)))
}

/// The operations as an aligned table: id, title, kind, hints.
pub fn operations_table(ops: &[&Value], paint: Paint) -> String {
    let rows: Vec<[String; 4]> = ops
        .iter()
        .map(|d| {
            [
                d["id"].as_str().unwrap_or_default().to_string(),
                truncate(d["title"].as_str().unwrap_or_default(), 48),
                d["kind"].as_str().unwrap_or_default().to_string(),
                hint_words(d),
            ]
        })
        .collect();
    let head = ["ID", "TITLE", "KIND", "HINTS"];
    let mut widths = head.map(|h| h.len());
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: [&str; 4]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i == 3 {
                s.push_str(c);
            } else {
                s.push_str(&pad(c, widths[i] + 2));
            }
        }
        s.trim_end().to_string()
    };
    let mut out = paint.bold(&line(head));
    out.push('\n');
    for r in &rows {
        out.push_str(&line([&r[0], &r[1], &r[2], &r[3]]));
        out.push('\n');
    }
    out
}

/// The JSON types a schema accepts (`type`, or the types of its `anyOf` alternatives).
pub fn accepted_types(schema: &Value) -> Vec<String> {
    match &schema["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(ts) => ts
            .iter()
            .filter_map(|t| t.as_str().map(String::from))
            .collect(),
        _ => match schema["anyOf"].as_array() {
            Some(alts) => {
                let mut v: Vec<String> = alts.iter().flat_map(accepted_types).collect();
                v.dedup();
                v
            }
            None => Vec::new(),
        },
    }
}

/// A short name of what a schema takes: `string`, `one of a, b`, `array of integer`, ….
pub fn type_summary(schema: &Value) -> String {
    if let Some(values) = schema["enum"].as_array() {
        let vs: Vec<String> = values
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), String::from))
            .collect();
        return format!("one of {}", vs.join(", "));
    }
    if let Some(alts) = schema["anyOf"].as_array() {
        let names: Vec<String> = alts
            .iter()
            .map(|a| {
                a["title"]
                    .as_str()
                    .map_or_else(|| type_summary(a), String::from)
            })
            .collect();
        return names.join(" or ");
    }
    let types = accepted_types(schema);
    if types.is_empty() {
        return "any JSON value".into();
    }
    types
        .iter()
        .map(|t| match t.as_str() {
            "array" => format!("array of {}", type_summary(&schema["items"])),
            "object" if schema["additionalProperties"].is_object() => {
                let inner = &schema["additionalProperties"];
                if inner.get("type").is_some() || inner.get("enum").is_some() {
                    format!("object of {}", type_summary(inner))
                } else {
                    "object".into()
                }
            }
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The limits a schema states, in words.
pub fn limits(schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let num = |k: &str| {
        schema
            .get(k)
            .filter(|v| v.is_number())
            .map(Value::to_string)
    };
    match (num("minLength"), num("maxLength")) {
        (Some(a), Some(b)) => out.push(format!("{a} to {b} characters")),
        (Some(a), None) if a != "1" => out.push(format!("at least {a} characters")),
        (Some(_), None) => out.push("not empty".into()),
        (None, Some(b)) => out.push(format!("at most {b} characters")),
        _ => {}
    }
    if let Some(b) = num("x-max-bytes") {
        out.push(format!("at most {b} bytes (UTF-8)"));
    }
    match (num("minimum"), num("maximum")) {
        (Some(a), Some(b)) if b == i64::MAX.to_string() => out.push(format!("at least {a}")),
        (Some(a), Some(b)) => out.push(format!("{a} to {b}")),
        (Some(a), None) => out.push(format!("at least {a}")),
        (None, Some(b)) => out.push(format!("at most {b}")),
        _ => {}
    }
    match (num("minItems"), num("maxItems")) {
        (Some(a), Some(b)) => out.push(format!("{a} to {b} items")),
        (None, Some(b)) => out.push(format!("at most {b} items")),
        _ => {}
    }
    if let Some(b) = num("maxProperties") {
        if schema.get("minProperties").map(Value::to_string) == Some(b.clone()) {
            out.push(format!("exactly {b} key"));
        } else {
            out.push(format!("at most {b} keys"));
        }
    }
    out
}

/// The readable form of one input property and, for objects with properties, its keys
/// (dotted names).
fn form_property(
    out: &mut String,
    name: &str,
    schema: &Value,
    required: bool,
    depth: usize,
    paint: Paint,
) {
    let indent = "  ".repeat(depth + 1);
    let mut head = type_summary(schema);
    if required {
        head.push_str(", required");
    }
    out.push_str(&format!(
        "{indent}{}  {}\n",
        paint.bold(name),
        paint.dim(&format!("({head})"))
    ));
    let more = format!("{indent}    ");
    let title = schema["title"].as_str().unwrap_or_default();
    let description = schema["description"].as_str().unwrap_or_default();
    let text = match (title.is_empty(), description.is_empty()) {
        (false, false) => format!("{title}: {description}"),
        (false, true) => title.to_string(),
        (true, _) => description.to_string(),
    };
    if !text.is_empty() {
        out.push_str(&format!("{more}{text}\n"));
    }
    if let Some(d) = schema.get("default") {
        out.push_str(&format!("{more}default: {d}\n"));
    }
    let l = limits(schema);
    if !l.is_empty() {
        out.push_str(&format!("{more}limits: {}\n", l.join("; ")));
    }
    if let Some(l) = schema["x-lookup"].as_str() {
        out.push_str(&format!(
            "{more}lookup: {l} (`cio-host execute {l}` lists the values to choose from)\n"
        ));
    }
    if let Some(props) = schema["properties"].as_object() {
        let req = required_names(schema);
        for (k, s) in ordered(props, &req) {
            form_property(
                out,
                &format!("{name}.{k}"),
                s,
                req.contains(&k.as_str()),
                depth + 1,
                paint,
            );
        }
    }
}

fn required_names(schema: &Value) -> Vec<&str> {
    schema["required"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Required properties first, each group in name order.
fn ordered<'a>(props: &'a Map<String, Value>, required: &[&str]) -> Vec<(&'a String, &'a Value)> {
    let mut v: Vec<(&String, &Value)> = props.iter().collect();
    v.sort_by_key(|(k, _)| (!required.contains(&k.as_str()), k.to_string()));
    v
}

/// Quotes a word for a POSIX shell when it needs it.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:=@+,%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// `-f` pairs that give `input`: `key=value` where the text says it (strings, and numbers or
/// booleans of fields that take no string), `a.b=value` for the keys of an object of such values,
/// `key:=json` otherwise.
pub fn field_pairs(input: &Value, schema: &Value) -> Vec<String> {
    let Some(obj) = input.as_object() else {
        return Vec::new();
    };
    let plain = |v: &Value, field: &Value| -> Option<String> {
        let takes_string =
            accepted_types(field).iter().any(|t| t == "string") || field.get("enum").is_some();
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(_) | Value::Bool(_) if !takes_string && !field.is_null() => {
                Some(v.to_string())
            }
            _ => None,
        }
    };
    let mut out = Vec::new();
    for (k, v) in obj {
        let field = &schema["properties"][k];
        if let Some(text) = plain(v, field) {
            out.push(shell_quote(&format!("{k}={text}")));
            continue;
        }
        // An object of plain values (and keys without dots): one dotted pair per key.
        if let Some(inner) = v.as_object().filter(|o| !o.is_empty()) {
            let pairs: Option<Vec<String>> = inner
                .iter()
                .map(|(ik, iv)| {
                    let sub = field["properties"]
                        .get(ik)
                        .or_else(|| field.get("additionalProperties").filter(|a| a.is_object()))
                        .unwrap_or(&Value::Null);
                    let text = match iv {
                        Value::String(s) => Some(s.clone()),
                        _ => None,
                    }
                    .or_else(|| plain(iv, sub))?;
                    (!ik.contains('.') && !ik.is_empty())
                        .then(|| shell_quote(&format!("{k}.{ik}={text}")))
                })
                .collect();
            if let Some(p) = pairs {
                out.extend(p);
                continue;
            }
        }
        out.push(shell_quote(&format!("{k}:={v}")));
    }
    out
}

/// `cio-host execute ID -f …` for a descriptor's first example.
pub fn example_command(d: &Value) -> String {
    let id = d["id"].as_str().unwrap_or_default();
    let schema = &d["input_schema"];
    let example = &schema["examples"][0];
    let mut parts = vec!["cio-host".to_string(), "execute".into(), id.into()];
    for p in field_pairs(example, schema) {
        parts.push("-f".into());
        parts.push(p);
    }
    parts.join(" ")
}

/// An operation as a readable form: what it does, each input, the output, an example.
pub fn describe(d: &Value, paint: Paint) -> String {
    let id = d["id"].as_str().unwrap_or_default();
    let mut out = format!(
        "{}  {}\n",
        paint.bold(id),
        d["title"].as_str().unwrap_or_default()
    );
    out.push_str(&format!(
        "{}\n\n",
        d["description"].as_str().unwrap_or_default()
    ));
    let hints = hint_words(d);
    out.push_str(&format!(
        "connector: {}   kind: {}{}\n\n",
        d["connector"].as_str().unwrap_or_default(),
        d["kind"].as_str().unwrap_or_default(),
        if hints.is_empty() {
            String::new()
        } else {
            format!("   hints: {hints}")
        }
    ));
    let schema = &d["input_schema"];
    out.push_str(&paint.bold("Inputs"));
    out.push('\n');
    match schema["properties"].as_object() {
        Some(props) if !props.is_empty() => {
            let req = required_names(schema);
            for (k, s) in ordered(props, &req) {
                form_property(&mut out, k, s, req.contains(&k.as_str()), 0, paint);
            }
        }
        _ => out.push_str("  (none)\n"),
    }
    let output = &d["output_schema"];
    out.push('\n');
    out.push_str(&paint.bold("Output"));
    out.push('\n');
    out.push_str(&format!(
        "  {}{}\n",
        output["title"].as_str().unwrap_or("object"),
        output["description"]
            .as_str()
            .map(|s| format!(": {s}"))
            .unwrap_or_default()
    ));
    if let Some(props) = output["properties"].as_object() {
        let req = required_names(output);
        for (k, s) in ordered(props, &req) {
            out.push_str(&format!(
                "  {}  {}{}\n",
                paint.bold(k),
                paint.dim(&format!("({})", type_summary(s))),
                s["description"]
                    .as_str()
                    .map(|t| format!(" {t}"))
                    .unwrap_or_default()
            ));
        }
    }
    out.push('\n');
    out.push_str(&paint.bold("Example"));
    out.push('\n');
    // The first line runs as printed: every example names things the emulator's demo workspace
    // has (a test runs every operation's example there, in both regions).
    out.push_str(&format!(
        "  {}\n",
        example_command(d).replacen("cio-host execute", "cio-host --emulator execute", 1)
    ));
    out.push_str(&format!(
        "  {}\n",
        paint.dim("(runs as-is against the local emulator's demo workspace; for your workspace set CUSTOMERIO_* and drop --emulator; --input JSON or stdin work too)")
    ));
    out
}

/// The `n` ids nearest to `id`: those that end with what was typed first (a missing `app.`),
/// then by edit distance.
pub fn nearest<'a>(id: &str, ids: impl Iterator<Item = &'a str>, n: usize) -> Vec<String> {
    let mut scored: Vec<(bool, usize, &str)> = ids
        .map(|c| {
            (
                !c.ends_with(&format!(".{id}")),
                strsim::levenshtein(id, c),
                c,
            )
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(n)
        .map(|(_, _, c)| c.to_string())
        .collect()
}

/// "a, b or c".
pub fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// What a person should do about an error of this kind.
pub fn fix_for(e: &Value) -> String {
    let kind = e["kind"].as_str().unwrap_or_default();
    let pointers: Vec<&str> = e["pointers"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    match kind {
        "invalid-input" if !pointers.is_empty() => format!(
            "correct the input at {} and run again; `cio-host describe ID` shows every input",
            pointers.join(", ")
        ),
        "invalid-input" => "correct the input and run again; `cio-host describe ID` shows every input".into(),
        "invalid-config" => "check the credentials in CUSTOMERIO_* and --region (`cio-host --help` lists them)".into(),
        "unknown-operation" => "`cio-host operations WORD` searches the operations".into(),
        "unauthorized" => "check CUSTOMERIO_SITE_ID and CUSTOMERIO_TRACK_API_KEY (Track) or CUSTOMERIO_APP_API_KEY (App, Beta), and that they belong to this region".into(),
        "forbidden" => "the key is valid but may not do this: give it the scope in Customer.io (Settings → API credentials)".into(),
        "wrong-region" => "run again with the region the message names (--region us|eu), or --region auto".into(),
        "not-found" => "check the ids in the input (a lookup operation lists what exists)".into(),
        "rate-limited" => match e["retry_after_ms"].as_u64() {
            Some(ms) => format!("wait {ms} ms and run again"),
            None => "wait a little and run again".into(),
        },
        "upstream" if e["retryable"] == Value::Bool(true) => "Customer.io failed; running the step again is safe".into(),
        "upstream" => "Customer.io refused the request; its answer is below".into(),
        "transport" => "check the network (or --route-to); the step did not reach Customer.io or lost its answer".into(),
        "timeout" => "raise --timeout-ms or run again later".into(),
        _ => "this is a bug in the host or the component; report it with this message".into(),
    }
}

/// A connector error (`{"error": {...}}`) as a few readable lines: the message, where (JSON
/// Pointers), the fix, and the status details.
pub fn error_text(v: &Value, fix: Option<&str>, paint: Paint) -> String {
    let e = &v["error"];
    let kind = e["kind"].as_str().unwrap_or("error");
    let mut out = format!(
        "{} {}\n",
        paint.red(&format!("error[{kind}]:")),
        e["message"].as_str().unwrap_or_default()
    );
    if let Some(ps) = e["pointers"].as_array().filter(|a| !a.is_empty()) {
        let ps: Vec<String> = ps
            .iter()
            .filter_map(Value::as_str)
            .map(|p| paint.yellow(if p.is_empty() { "(the whole input)" } else { p }))
            .collect();
        out.push_str(&format!("  at:  {}\n", ps.join(", ")));
    }
    let fix = fix.map_or_else(|| fix_for(e), String::from);
    out.push_str(&format!("  fix: {}\n", paint.green(&fix)));
    let mut details = Vec::new();
    if let Some(s) = e["status"].as_u64() {
        details.push(format!("HTTP status {s}"));
    }
    if e["retryable"] == Value::Bool(true) {
        details.push("retryable".into());
    }
    if let Some(ms) = e["retry_after_ms"].as_u64() {
        details.push(format!("retry after {ms} ms"));
    }
    if let Some(by) = e["fix_by"].as_str() {
        details.push(format!("fixed by: {by}"));
    }
    if !details.is_empty() {
        out.push_str(&format!("  {}\n", paint.dim(&details.join(" · "))));
    }
    if let Some(b) = e["body"].as_str() {
        out.push_str(&format!("  answer: {}\n", truncate(b, 500)));
    }
    out
}
