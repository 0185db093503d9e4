//! Text a caller controls, made safe to log: cut to a length, and every control,
//! bidirectional or invisible formatting character written out as `\u{…}`, so a record
//! reads the same in every viewer (no hidden lines, no text shown in reverse).

use serde_json::Value;

/// The longest string kept whole (a pattern may be 4 KiB; its first 1 KiB says enough).
pub const MAX_CHARS: usize = 1024;
/// The most items kept of one array (`filterArns`, routing targets).
pub const MAX_ITEMS: usize = 100;
/// How deep a JSON value is followed.
const MAX_DEPTH: usize = 8;

/// `text`, at most `max` characters of it, escaped; what was cut is counted.
pub fn escaped(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max) + 8);
    for (kept, c) in text.chars().enumerate() {
        if kept == max {
            let rest = text.chars().count() - kept;
            out.push_str(&format!("…[{rest} more characters]"));
            break;
        }
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:04x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Control characters (C0, DEL, C1), the bidirectional controls, zero-width and other
/// invisible formatting characters, and the Unicode line separators.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// A JSON value with every string (keys too) escaped and capped, arrays and objects
/// cut to [`MAX_ITEMS`], nesting to a few levels.
pub fn escaped_json(value: &Value) -> Value {
    escaped_at(value, 0)
}

fn escaped_at(value: &Value, depth: usize) -> Value {
    if depth == MAX_DEPTH {
        return Value::String("…[nested too deep]".to_owned());
    }
    match value {
        Value::String(s) => Value::String(escaped(s, MAX_CHARS)),
        Value::Array(items) => items
            .iter()
            .take(MAX_ITEMS)
            .map(|v| escaped_at(v, depth + 1))
            .collect(),
        Value::Object(fields) => fields
            .iter()
            .take(MAX_ITEMS)
            .map(|(k, v)| (escaped(k, 64), escaped_at(v, depth + 1)))
            .collect(),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn controls_and_bidi_are_written_out() {
        assert_eq!(escaped("plain ünïcode", 100), "plain ünïcode");
        assert_eq!(
            escaped("a\nb\rc\u{0}", 100),
            "a\\u{000a}b\\u{000d}c\\u{0000}"
        );
        assert_eq!(
            escaped("invoice\u{202e}fdp.exe", 100),
            "invoice\\u{202e}fdp.exe"
        );
        assert_eq!(escaped("\u{2066}x\u{2069}", 100), "\\u{2066}x\\u{2069}");
        assert_eq!(
            escaped("zero\u{200b}width\u{feff}", 100),
            "zero\\u{200b}width\\u{feff}"
        );
        assert_eq!(
            escaped("line\u{2028}sep\u{85}", 100),
            "line\\u{2028}sep\\u{0085}"
        );
        assert_eq!(escaped("del\u{7f}", 100), "del\\u{007f}");
    }

    #[test]
    fn long_text_is_cut_and_the_rest_counted() {
        let long = "x".repeat(3000);
        let cut = escaped(&long, MAX_CHARS);
        assert!(cut.starts_with(&"x".repeat(MAX_CHARS)));
        assert!(cut.ends_with("…[1976 more characters]"), "{cut}");
        assert_eq!(escaped("ééé", 2), "éé…[1 more characters]");
    }

    #[test]
    fn json_strings_keys_and_lengths_are_bounded() {
        let many: Vec<Value> = (0..500).map(|i| json!(i)).collect();
        let value = json!({
            "description": "two\nlines",
            "k\u{202e}ey": ["\u{1b}[31mred", {"deep": "x".repeat(2000)}],
            "many": many,
        });
        let out = escaped_json(&value);
        assert_eq!(out["description"], "two\\u{000a}lines");
        assert_eq!(out["k\\u{202e}ey"][0], "\\u{001b}[31mred");
        assert!(out["k\\u{202e}ey"][1]["deep"].as_str().unwrap().len() < 1100);
        assert_eq!(out["many"].as_array().unwrap().len(), MAX_ITEMS);
        let mut nested = json!("bottom");
        for _ in 0..20 {
            nested = json!([nested]);
        }
        assert!(
            escaped_json(&nested)
                .to_string()
                .contains("nested too deep")
        );
    }
}
