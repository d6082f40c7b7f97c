//! Where a key is written in an experiment file, from the TOML parser: the
//! file is parsed with `toml_edit`, which keeps the byte range of every key
//! and value it read, so a key is found by its path in the tree, not by
//! reading the text again. A file that does not parse has no keys to find.

use std::ops::Range;
use toml_edit::{ImDocument, Item, TableLike, Value};

/// 1-based line and column (in characters) of byte `at` of `text`.
pub(super) fn line_col(text: &str, at: usize) -> (usize, usize) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The dotted key (`sender.nodelay`) whose `key = value` holds byte `at`,
/// the innermost one when values nest. Keys in `[[table]]` arrays are named
/// without an index (`variant.name`).
pub(super) fn key_at(text: &str, at: usize) -> Option<String> {
    let doc = ImDocument::parse(text).ok()?;
    let mut found = None;
    walk(doc.as_table(), "", &mut |path, key, item| {
        // A `[table]` holds no value of its own: only `key = value` counts.
        let Item::Value(value) = item else { return };
        let span = match (key, value.span()) {
            (Some(k), Some(v)) => k.start..v.end.max(k.end),
            (k, v) => match k.or(v) {
                Some(r) => r,
                None => return,
            },
        };
        if span.contains(&at) {
            found = Some(path.to_string());
        }
    });
    found
}

/// The byte where the dotted `key` is written (its last part), if it is
/// written in the file: under a `[table]` header, as a dotted key, or in an
/// inline table.
pub(super) fn key_start(text: &str, key: &str) -> Option<usize> {
    let doc = ImDocument::parse(text).ok()?;
    find(doc.as_table(), key)
}

/// Where, in the `index`-th `[[variant]]` table, `key` is written (as a
/// quoted `"sender.count"`, a dotted key, or in a `[variant.sender]`
/// sub-table), else where that table's header is.
pub(super) fn variant_key_start(text: &str, index: usize, key: Option<&str>) -> Option<usize> {
    let doc = ImDocument::parse(text).ok()?;
    let (table, span): (&dyn TableLike, _) = match doc.as_table().get("variant")? {
        Item::ArrayOfTables(a) => {
            let t = a.get(index)?;
            (t, t.span())
        }
        Item::Value(Value::Array(a)) => {
            let t = a.get(index)?.as_inline_table()?;
            (t, t.span())
        }
        _ => return None,
    };
    key.and_then(|k| find(table, k)).or(span.map(|s| s.start))
}

/// The start of the key at dotted path `key` under `table`: a key may hold
/// dots itself (`"sender.count" = 2`), so every split is tried.
fn find(table: &dyn TableLike, key: &str) -> Option<usize> {
    if let Some((k, _)) = table.get_key_value(key) {
        return k.span().map(|s| s.start);
    }
    key.match_indices('.').find_map(|(i, _)| {
        let inner = table.get(&key[..i])?.as_table_like()?;
        find(inner, &key[i + 1..])
    })
}

/// What [`walk`] calls for each key: its dotted path, its span, its item.
type Visit<'a> = dyn FnMut(&str, Option<Range<usize>>, &Item) + 'a;

/// Calls `visit` with the dotted path, the key's span and the item of every
/// key under `table`, outer keys before the keys they hold.
fn walk(table: &dyn TableLike, prefix: &str, visit: &mut Visit<'_>) {
    for (name, item) in table.iter() {
        let path = match prefix {
            "" => name.to_string(),
            p => format!("{p}.{name}"),
        };
        let key = table.get_key_value(name).and_then(|(k, _)| k.span());
        visit(&path, key, item);
        match item {
            Item::ArrayOfTables(a) => a.iter().for_each(|t| walk(t, &path, visit)),
            other => {
                if let Some(t) = other.as_table_like() {
                    walk(t, &path, visit);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_by_their_path() {
        let text = "name = \"x\"\n[receiver]\nrecv_sizes = [0]\n";
        let at = |key| key_start(text, key).map(|b| line_col(text, b));
        assert_eq!(at("receiver.recv_sizes"), Some((3, 1)));
        assert_eq!(at("name"), Some((1, 1)));
        assert_eq!(at("receiver.nope"), None);
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        let text = "trials = 1\n[sender]\nnodelay = \"yes\"\n";
        let yes = text.find("\"yes").unwrap();
        assert_eq!(key_at(text, yes).as_deref(), Some("sender.nodelay"));
        assert_eq!(key_at(text, 3).as_deref(), Some("trials"));
        assert_eq!(key_at(text, text.find("[sender]").unwrap()), None);
        let text = "sender.gap = \"1\"\nreceiver = { idle = 3 }\n";
        assert_eq!(key_start(text, "sender.gap"), Some(7));
        let three = text.find('3').unwrap();
        assert_eq!(key_at(text, three).as_deref(), Some("receiver.idle"));
    }

    #[test]
    fn finds_lines_of_variant_keys() {
        let text = "[sender]\ncount = 3\n[[variant]]\nname = \"a\"\n[[variant]] # b\nname = \"b\"\n\"sender.count\" = 0\n[variant.transport]\nkind = \"x\"\n[receiver]\n";
        let line = |i, k| variant_key_start(text, i, k).map(|b| line_col(text, b).0);
        assert_eq!(line(1, Some("sender.count")), Some(7));
        assert_eq!(line(1, Some("transport.kind")), Some(9));
        assert_eq!(line(1, None), Some(5));
        assert_eq!(line(0, Some("sender.count")), Some(3));
        assert_eq!(line(2, None), None);
    }
}
