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

/// Percent-encodes every byte that is not an ASCII letter or digit (the strictest style a
/// server may echo a value in), with upper- or lower-case hex digits.
pub fn encode_all(s: &str, upper: bool) -> String {
    s.bytes()
        .map(|b| match (b.is_ascii_alphanumeric(), upper) {
            (true, _) => (b as char).to_string(),
            (false, true) => format!("%{b:02X}"),
            (false, false) => format!("%{b:02x}"),
        })
        .collect()
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

/// Replaces each secret (of 3 bytes or more) in `text` by `[redacted]`. A JSON text can also
/// spell a secret with `\uXXXX` escapes: such a text is compared in its canonical form, and
/// returned in that form, scrubbed, when it held one.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let replace = |t: &str| {
        let mut out = t.to_string();
        for s in secrets {
            if s.len() >= 3 && out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "[redacted]");
            }
        }
        out
    };
    let out = replace(text);
    if out.contains("\\u") {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&out) {
            let canonical = v.to_string();
            let scrubbed = replace(&canonical);
            if scrubbed != canonical {
                return scrubbed;
            }
        }
    }
    out
}

/// [`redact`] for bytes that may not be text (a binary body shown as base64 would otherwise
/// carry a secret in an encoding no text search finds).
pub fn redact_bytes(bytes: &[u8], secrets: &[String]) -> Vec<u8> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return redact(text, secrets).into_bytes();
    }
    let mut out = bytes.to_vec();
    for s in secrets
        .iter()
        .map(String::as_bytes)
        .filter(|s| s.len() >= 3)
    {
        let mut i = 0;
        while i + s.len() <= out.len() {
            if &out[i..i + s.len()] == s {
                out.splice(i..i + s.len(), b"[redacted]".iter().copied());
                i += b"[redacted]".len();
            } else {
                i += 1;
            }
        }
    }
    out
}

/// URL-safe base64 (the Go client's Basic header).
pub fn b64_url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE.encode(bytes)
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

/// A ULID derived from `seed` and `index`: the same pair always gives the same id, and
/// different pairs give different ids with overwhelming probability (two 64-bit FNV-1a hashes).
/// Its time part lies between 2020 and 2054, as an id's time part is not the event's time.
pub fn derived_ulid(seed: &str, index: u64) -> String {
    fn fnv(basis: u64, parts: &[&[u8]]) -> u64 {
        let mut h = basis;
        for part in parts {
            for b in *part {
                h ^= u64::from(*b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
            h ^= 0xff;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    }
    let index = index.to_le_bytes();
    let a = fnv(0xcbf2_9ce4_8422_2325, &[seed.as_bytes(), &index]);
    let b = fnv(0x8422_2325_cbf2_9ce4, &[&index, seed.as_bytes()]);
    const Y2020_MS: u64 = 1_577_836_800_000;
    let time = Y2020_MS + (a >> 24);
    let mut random = [0u8; 10];
    random[..8].copy_from_slice(&b.to_be_bytes());
    random[8..].copy_from_slice(&a.to_be_bytes()[6..]);
    ulid(time, random)
}

/// The range of timestamps accepted: 1970-01-01 to 9999-12-31. Beyond it a value is a mistake
/// (milliseconds given as seconds, `1e20`), refused rather than clamped.
pub const TIMESTAMP_RANGE: std::ops::RangeInclusive<i64> = 0..=253_402_300_799;

/// Parses a timestamp the way users write them: unix seconds (integer, decimal or a numeric
/// string), or ISO-8601 / RFC 3339 date-times. Returns whole unix seconds (fractions dropped),
/// because the API wants integers (customerio-api.md §3.3); impossible dates and values outside
/// [`TIMESTAMP_RANGE`] are `None`.
pub fn parse_timestamp(v: &serde_json::Value) -> Option<i64> {
    let secs = match v {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| seconds_of(n.as_f64()?)),
        serde_json::Value::String(s) => {
            let t = s.trim();
            if let Ok(i) = t.parse::<i64>() {
                Some(i)
            } else if is_decimal(t) {
                t.parse::<f64>().ok().and_then(seconds_of)
            } else {
                parse_rfc3339(t)
            }
        }
        _ => None,
    }?;
    TIMESTAMP_RANGE.contains(&secs).then_some(secs)
}

/// `-?digits(.digits)?`: the only text read as a number (not `1e20`, `inf`, `NaN`).
fn is_decimal(t: &str) -> bool {
    let t = t.strip_prefix('-').unwrap_or(t);
    let (int, frac) = t.split_once('.').unwrap_or((t, "0"));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

fn seconds_of(f: f64) -> Option<i64> {
    (f.is_finite() && f.abs() < 1e15).then(|| f.trunc() as i64)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses an HTTP date (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`) to unix seconds.
pub fn parse_http_date(s: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<&str> = s.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    let m = MONTHS.iter().position(|x| x == month)? + 1;
    if day.len() != 2 || year.len() != 4 || time.len() != 8 {
        return None;
    }
    parse_rfc3339(&format!("{year}-{m:02}-{day}T{time}Z"))
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
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
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
                let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
                if oh > 23 || om > 59 {
                    return None;
                }
                let off = oh * 3600 + om * 60;
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
        for bad in [
            json!("2023-02-31"),
            json!("2023-02-29T00:00:00Z"),
            json!("2023-11-14T22:13:20+99:99"),
            json!(1e20),
            json!("1e20"),
            json!(-1),
            json!(253_402_300_800i64),
            json!("NaN"),
            json!("inf"),
        ] {
            assert_eq!(parse_timestamp(&bad), None, "{bad}");
        }
        assert_eq!(parse_timestamp(&json!("2024-02-29")), Some(1709164800));
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784111777)
        );
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 PST"), None);
        assert_eq!(parse_http_date("soon"), None);
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
        assert_eq!(
            redact("key=abc123 x", &["abc123".to_string()]),
            "key=[redacted] x"
        );
        assert_eq!(truncate("héllo", 2), "h… [5 more bytes]");
    }
}
