//! The domain synonym table (`synonyms.txt`, kept as data): a query with
//! one word of a group also looks for the others.

use crate::japanese::fold;

#[derive(Debug, Clone)]
pub struct Synonyms {
    /// Groups of folded words.
    groups: Vec<Vec<String>>,
}

impl Default for Synonyms {
    fn default() -> Synonyms {
        Synonyms::parse(include_str!("synonyms.txt"))
    }
}

impl Synonyms {
    pub fn parse(text: &str) -> Synonyms {
        let published: Vec<Vec<String>> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .filter(|g| g.len() > 1)
            .collect();
        let groups = published.iter().map(|g| g.iter().map(|w| fold(w)).collect()).collect();
        Synonyms { groups }
    }

    /// Variants of a query with one synonym swapped in: 「下松 デイサービス」 →
    /// 「下松 通所介護」. The folded query itself comes first.
    pub fn variants(&self, query: &str) -> Vec<String> {
        let q = fold(query);
        let mut out = vec![q.clone()];
        // The longest word of any group that the query contains.
        let mut best: Option<(&str, usize)> = None;
        for (gi, g) in self.groups.iter().enumerate() {
            for w in g {
                if q.contains(w.as_str()) && best.is_none_or(|(b, _)| w.len() > b.len()) {
                    best = Some((w.as_str(), gi));
                }
            }
        }
        if let Some((word, gi)) = best {
            for other in &self.groups[gi] {
                if other != word {
                    let v = q.replacen(word, other, 1);
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
            }
        }
        out.truncate(12);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_swap_the_longest_synonym() {
        let s = Synonyms::default();
        let v = s.variants("デイサービス");
        assert!(v.contains(&fold("通所介護")), "{v:?}");
        let v = s.variants("ケアマネ");
        assert!(v.contains(&fold("居宅介護支援")));
        let v = s.variants("往診");
        assert!(v.contains(&fold("訪問診療")));
        let v = s.variants("歯医者");
        assert!(v.contains(&fold("歯科")));
        assert_eq!(s.variants("さくら"), vec![fold("さくら")]);
    }
}
