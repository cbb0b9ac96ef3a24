//! Small encoders the connector needs on every request, kept here instead of pulling in crates
//! whose size would dominate the component (percent-encoding is ten lines; base64 is a crate).

use base64::Engine as _;

/// Percent-encodes one path segment: only RFC 3986 unreserved characters stay raw, so `/`, `+`,
/// `@`, spaces and unicode in an identifier can never change the route (customerio-api.md §3.2).
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes once (invalid escapes stay as they are). Used to see a path the way a
/// server that decodes it would, never to build one.
pub fn percent_decode(s: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' && i + 2 < s.len() {
            if let (Some(h), Some(l)) = (hex(s[i + 1]), hex(s[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

/// The text of a JSON scalar as it goes into a query string, form or header (strings unquoted);
/// `None` for null, arrays and objects.
pub fn scalar_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Standard base64.
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard base64 (padding optional, whitespace not allowed).
pub fn b64_decode(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(s))
        .ok()
}

/// Replaces each non-empty secret in `text` by `[redacted]`.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        if s.len() >= 3 && out.contains(s) {
            out = out.replace(s, "[redacted]");
        }
    }
    out
}

/// Cuts text to at most `max` bytes on a character boundary, saying how much was left off.
pub fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [{} more bytes]", &text[..end], text.len() - end)
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A ULID (48-bit milliseconds + 80 random bits, Crockford base32): the event `id` Customer.io
/// de-duplicates on, which is what makes retrying an event safe.
pub fn ulid(unix_ms: u64, random: [u8; 10]) -> String {
    let mut v: u128 = (unix_ms as u128 & 0xFFFF_FFFF_FFFF) << 80;
    for (i, b) in random.iter().enumerate() {
        v |= (*b as u128) << (72 - 8 * i);
    }
    (0..26)
        .map(|i| CROCKFORD[((v >> (125 - 5 * i)) & 0x1F) as usize] as char)
        .collect()
}

/// Parses a timestamp the way users write them: unix seconds (integer, decimal or a numeric
/// string), or ISO-8601 / RFC 3339 date-times. Returns whole unix seconds (fractions dropped),
/// because the API wants integers (customerio-api.md §3.3).
pub fn parse_timestamp(v: &serde_json::Value) -> Option<i64> {
    match v {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite())
                .map(|f| f.trunc() as i64)
        }),
        serde_json::Value::String(s) => {
            let t = s.trim();
            if let Ok(i) = t.parse::<i64>() {
                return Some(i);
            }
            if let Ok(f) = t.parse::<f64>() {
                return f.is_finite().then(|| f.trunc() as i64);
            }
            parse_rfc3339(t)
        }
        _ => None,
    }
}

fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let (mut h, mut mi, mut sec, mut offset) = (0, 0, 0, 0i64);
    if b.len() > 10 {
        if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 16 || b[13] != b':' {
            return None;
        }
        h = num(11..13)?;
        mi = num(14..16)?;
        let mut i = 16;
        if b.get(16) == Some(&b':') {
            sec = num(17..19)?;
            i = 19;
            if b.get(i) == Some(&b'.') {
                i += 1;
                while b.get(i).is_some_and(|c| c.is_ascii_digit()) {
                    i += 1;
                }
            }
        }
        match b.get(i) {
            None => {}
            Some(b'Z' | b'z') if i + 1 == b.len() => {}
            Some(sign @ (b'+' | b'-')) if b.len() == i + 6 && b[i + 3] == b':' => {
                let off = num(i + 1..i + 3)? * 3600 + num(i + 4..i + 6)? * 60;
                offset = if *sign == b'+' { off } else { -off };
            }
            _ => return None,
        }
        if h > 23 || mi > 59 || sec > 60 {
            return None;
        }
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn segments_are_fully_escaped() {
        assert_eq!(
            encode_segment("jane+1@example.com"),
            "jane%2B1%40example.com"
        );
        assert_eq!(encode_segment("a/b c"), "a%2Fb%20c");
        assert_eq!(encode_segment("zoë"), "zo%C3%AB");
        assert_eq!(encode_segment("A-z_0.9~"), "A-z_0.9~");
    }

    #[test]
    fn timestamps_in_every_form() {
        assert_eq!(parse_timestamp(&json!(1700000000)), Some(1700000000));
        assert_eq!(parse_timestamp(&json!(1700000000.9)), Some(1700000000));
        assert_eq!(parse_timestamp(&json!("1700000000")), Some(1700000000));
        assert_eq!(
            parse_timestamp(&json!("2023-11-14T22:13:20Z")),
            Some(1700000000)
        );
        assert_eq!(
            parse_timestamp(&json!("2023-11-14T23:13:20.123+01:00")),
            Some(1700000000)
        );
        assert_eq!(parse_timestamp(&json!("2023-11-14")), Some(1699920000));
        assert_eq!(parse_timestamp(&json!("1970-01-01T00:00:00Z")), Some(0));
        assert_eq!(parse_timestamp(&json!("yesterday")), None);
        assert_eq!(parse_timestamp(&json!("2023-13-01")), None);
        assert_eq!(parse_timestamp(&json!(true)), None);
    }

    #[test]
    fn ulid_shape() {
        let u = ulid(1_700_000_000_000, [0xFF; 10]);
        assert_eq!(u.len(), 26);
        assert!(u.starts_with("01HF"), "{u}");
        assert!(u.ends_with("ZZZZ"));
        assert_ne!(ulid(1, [0; 10]), ulid(2, [0; 10]));
    }

    #[test]
    fn redaction_and_truncation() {
        assert_eq!(redact("key=abc123 x", &["abc123"]), "key=[redacted] x");
        assert_eq!(truncate("héllo", 2), "h… [5 more bytes]");
    }
}
