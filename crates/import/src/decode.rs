//! Bytes → text: which encoding a file is in, and which delimiter it uses.
//!
//! Municipal files come as UTF-8 with or without BOM, CP932 (Shift_JIS as
//! Windows writes it), sometimes UTF-16 from Excel's "Unicode text", rarely
//! EUC-JP. A BOM decides; otherwise the first of UTF-8, UTF-16 (by its NUL
//! pattern), CP932 and EUC-JP that decodes the file without a single error
//! wins. A file that none decodes cleanly is refused rather than imported
//! with mangled names.

use encoding_rs::{EUC_JP, Encoding, SHIFT_JIS, UTF_8, UTF_16BE, UTF_16LE};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// The encoding's name as users know it: UTF-8, UTF-8 (BOM), CP932 …
    pub encoding: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the file is empty")]
    Empty,
    #[error(
        "the file is not text in UTF-8, UTF-16, Shift_JIS (CP932) or EUC-JP (first undecodable byte at offset {offset})"
    )]
    NotText { offset: usize },
}

fn strict(enc: &'static Encoding, bytes: &[u8]) -> Option<String> {
    enc.decode_without_bom_handling_and_without_replacement(bytes).map(|s| s.into_owned())
}

/// Looks like UTF-16 without BOM: many NUL bytes, all on one side.
fn utf16_guess(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    let (even, odd) =
        sample.chunks(2).fold((0, 0), |(e, o), c| (e + (c[0] == 0) as usize, o + (c.get(1) == Some(&0)) as usize));
    let pairs = sample.len() / 2;
    if odd * 3 > pairs && even * 20 < pairs {
        Some(UTF_16LE)
    } else if even * 3 > pairs && odd * 20 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        let name = match enc.name() {
            "UTF-8" => "UTF-8 (BOM)",
            "UTF-16LE" => "UTF-16LE",
            _ => "UTF-16BE",
        };
        return strict(enc, body)
            .map(|text| Decoded { text, encoding: name })
            .ok_or(DecodeError::NotText { offset: bom_len });
    }
    if let Some(text) = strict(UTF_8, bytes)
        && !text.contains('\0')
    {
        return Ok(Decoded { text, encoding: "UTF-8" });
    }
    if let Some(enc) = utf16_guess(bytes)
        && let Some(text) = strict(enc, bytes)
    {
        return Ok(Decoded { text, encoding: enc.name() });
    }
    // EUC-JP bytes often decode as CP932 half-width katakana without error:
    // of the legacy encodings that decode cleanly, take the one whose text
    // looks most like Japanese.
    let best = [(SHIFT_JIS, "CP932"), (EUC_JP, "EUC-JP")]
        .into_iter()
        .filter_map(|(enc, name)| strict(enc, bytes).map(|t| (plausibility(&t), t, name)))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((_, text, encoding)) = best {
        return Ok(Decoded { text, encoding });
    }
    let offset = std::str::from_utf8(bytes).err().map_or(0, |e| e.valid_up_to());
    Err(DecodeError::NotText { offset })
}

/// The share of non-ASCII characters that are ordinary Japanese (kana,
/// kanji, full-width punctuation) rather than half-width katakana or rare
/// symbols.
fn plausibility(text: &str) -> f64 {
    let (mut good, mut all) = (0usize, 0usize);
    for c in text.chars().filter(|c| !c.is_ascii()).take(20_000) {
        all += 1;
        if matches!(c, '\u{3000}'..='\u{30FF}' | '\u{4E00}'..='\u{9FFF}' | '\u{FF01}'..='\u{FF5E}') {
            good += 1;
        }
    }
    if all == 0 { 1.0 } else { good as f64 / all as f64 }
}

/// Comma or TAB, whichever splits the first lines (quotes respected) into
/// more fields, whatever the file is called. Several lines are looked at
/// because a title line above the header may hold neither.
pub fn delimiter(text: &str) -> u8 {
    let (mut commas, mut tabs) = (0, 0);
    for record in records(text).take(10) {
        let count = |d: char| {
            let mut quoted = false;
            record
                .chars()
                .filter(|&c| {
                    if c == '"' {
                        quoted = !quoted;
                    }
                    !quoted && c == d
                })
                .count()
        };
        commas = commas.max(count(','));
        tabs = tabs.max(count('\t'));
    }
    if tabs > commas { b'\t' } else { b',' }
}

/// The non-blank records at the start of the text (quoted line breaks respected).
fn records(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        rest = rest.trim_start_matches(['\r', '\n']);
        if rest.is_empty() {
            return None;
        }
        let mut quoted = false;
        for (i, c) in rest.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '\r' | '\n' if !quoted => {
                    let (line, tail) = rest.split_at(i);
                    rest = tail;
                    return Some(line);
                }
                _ => {}
            }
        }
        let line = rest;
        rest = "";
        Some(line)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        let s = "名称,住所\r\nさくら苑,下松市\r\n";
        let (cp932, _, _) = SHIFT_JIS.encode(s);
        let (euc, _, _) = EUC_JP.encode(s);
        let utf16: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let mut bom16 = vec![0xff, 0xfe];
        bom16.extend(&utf16);
        let mut bom8 = vec![0xef, 0xbb, 0xbf];
        bom8.extend(s.as_bytes());
        for (bytes, name) in [
            (s.as_bytes().to_vec(), "UTF-8"),
            (bom8, "UTF-8 (BOM)"),
            (cp932.into_owned(), "CP932"),
            (utf16, "UTF-16LE"),
            (bom16, "UTF-16LE"),
        ] {
            let d = decode(&bytes).unwrap();
            assert_eq!((d.text.as_str(), d.encoding), (s, name));
        }
        let d = decode(&euc).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (s, "EUC-JP"));
        assert_eq!(decode(b""), Err(DecodeError::Empty));
        assert!(matches!(
            decode(&[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xff, 0x81]),
            Err(DecodeError::NotText { .. })
        ));
    }

    #[test]
    fn delimiters() {
        assert_eq!(delimiter("a,b,c\n1,2,3"), b',');
        assert_eq!(delimiter("a\tb\tc\n"), b'\t');
        assert_eq!(delimiter("\"a,b\"\tc\td\n"), b'\t');
        assert_eq!(delimiter("\r\n\r\na\tb,c\td"), b'\t');
        assert_eq!(delimiter("医療機関一覧\n名称\t住所\t電話\nさくら\t下松市\t0833\n"), b'\t', "a title line first");
    }
}
