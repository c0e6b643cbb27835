//! Check digits of the official codes: 全国地方公共団体コード and 法人番号.

use crate::normalize::nfkc;

/// The check digit of a 5-digit 全国地方公共団体コード.
fn municipality_check_digit(d: &[u32; 5]) -> u32 {
    let s: u32 = d.iter().zip([6, 5, 4, 3, 2]).map(|(a, b)| a * b).sum();
    (11 - s % 11) % 10
}

/// A 全国地方公共団体コード in its 6-digit form. Accepts the 5-digit form
/// without check digit (adds it) and the 6-digit form (verifies it).
/// Prefecture codes (350001) are accepted too.
pub fn municipality_code(s: &str) -> Option<String> {
    let s = nfkc(s);
    let s = s.trim();
    if !s.chars().all(|c| c.is_ascii_digit()) || !(s.len() == 5 || s.len() == 6) {
        return None;
    }
    let d: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    let first5: [u32; 5] = d[..5].try_into().ok()?;
    if first5 == [0; 5] {
        return None;
    }
    let check = municipality_check_digit(&first5);
    if d.len() == 6 && d[5] != check {
        return None;
    }
    Some(format!("{}{}", &s[..5], check))
}

/// True when a 13-digit 法人番号 has a correct check digit (its first digit).
pub fn corporate_number_valid(s: &str) -> bool {
    let d: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 13 || s.chars().count() != 13 {
        return false;
    }
    let sum: u32 = d[1..].iter().rev().enumerate().map(|(i, &p)| p * if i % 2 == 0 { 1 } else { 2 }).sum();
    d[0] == 9 - sum % 9
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn municipality_codes() {
        assert_eq!(municipality_code("352071").as_deref(), Some("352071"));
        assert_eq!(municipality_code("35207").as_deref(), Some("352071"));
        assert_eq!(municipality_code("131016").as_deref(), Some("131016"));
        assert_eq!(municipality_code("350001").as_deref(), Some("350001"));
        assert_eq!(municipality_code("372013").as_deref(), Some("372013"));
        assert_eq!(municipality_code("352072"), None, "wrong check digit");
        assert_eq!(municipality_code("山口県"), None);
        assert_eq!(municipality_code(""), None);
    }

    #[test]
    fn corporate_numbers() {
        assert!(corporate_number_valid("9250005005861"));
        assert!(!corporate_number_valid("9250005005862"));
        assert!(!corporate_number_valid("925000500586"));
    }
}
