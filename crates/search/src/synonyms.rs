//! The domain synonym table (`synonyms.txt`, kept as data): a query with
//! one word of a group also looks for the others.

use crate::japanese::fold;

/// At most this many variants of a query.
const MAX_VARIANTS: usize = 12;

#[derive(Debug, Clone)]
pub struct Synonyms {
    /// Groups of folded words.
    groups: Vec<Vec<String>>,
    /// Per group, whether its term stands for its words' bigram phrases:
    /// every word has two characters or more (a bigram field holds no
    /// single characters but of one-character names) and all of them are
    /// a query's variants.
    whole: Vec<bool>,
    /// The words of the groups that are `whole`, found in a name in one
    /// pass, and each one's group.
    words: aho_corasick::AhoCorasick,
    word_groups: Vec<usize>,
    /// Every word of the table, found in a query in one pass, and where it
    /// is in `groups` (group, word).
    any_word: aho_corasick::AhoCorasick,
    any_word_at: Vec<(usize, usize)>,
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
        let groups: Vec<Vec<String>> = published.iter().map(|g| g.iter().map(|w| fold(w)).collect()).collect();
        let whole: Vec<bool> =
            groups.iter().map(|g| g.len() <= MAX_VARIANTS && g.iter().all(|w| w.chars().count() >= 2)).collect();
        let (patterns, word_groups): (Vec<&str>, Vec<usize>) = groups
            .iter()
            .enumerate()
            .filter(|&(gi, _)| whole[gi])
            .flat_map(|(gi, g)| g.iter().map(move |w| (w.as_str(), gi)))
            .unzip();
        let words = aho_corasick::AhoCorasick::new(patterns).expect("the synonym table makes an automaton");
        let mut any_word_at: Vec<(usize, usize)> = Vec::new();
        for (gi, g) in groups.iter().enumerate() {
            for (wi, w) in g.iter().enumerate() {
                if !any_word_at.iter().any(|&(gj, wj)| groups[gj][wj] == *w) {
                    any_word_at.push((gi, wi));
                }
            }
        }
        let any_word = aho_corasick::AhoCorasick::new(any_word_at.iter().map(|&(gi, wi)| &groups[gi][wi]))
            .expect("the synonym table makes an automaton");
        Synonyms { groups, whole, words, word_groups, any_word, any_word_at }
    }

    /// The group whose words are, all of them, the variants of `query`:
    /// the query is one of its words (and no longer word of another group
    /// is in it). A name containing any of them holds the group's term
    /// ([`Synonyms::groups_in`]), which matches like the words' bigram
    /// phrases together without reading a position.
    pub fn group_of(&self, query: &str) -> Option<usize> {
        let q = fold(query);
        let (word, gi) = self.longest_in(&q)?;
        (word == q && self.whole[gi]).then_some(gi)
    }

    /// The groups some word of which `folded` (a folded name) contains, in
    /// group order, each once.
    pub fn groups_in(&self, folded: &str) -> Vec<usize> {
        let mut out: Vec<usize> =
            self.words.find_overlapping_iter(folded).map(|m| self.word_groups[m.pattern().as_usize()]).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// A digest of the table: terms made from one are wrong for another.
    pub fn fingerprint(&self) -> u64 {
        // FNV-1a over the folded groups.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for g in &self.groups {
            for w in g.iter().map(String::as_str).chain(["\n"]) {
                for b in w.bytes().chain([0]) {
                    h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
                }
            }
        }
        h
    }

    /// The longest word of any group that `q` contains, and its group.
    /// (Of equally long ones, the first in the table.)
    fn longest_in(&self, q: &str) -> Option<(&str, usize)> {
        let word = |p: usize| {
            let (gi, wi) = self.any_word_at[p];
            (self.groups[gi][wi].as_str(), gi)
        };
        let found = self.any_word.find_overlapping_iter(q).map(|m| m.pattern().as_usize());
        found.min_by_key(|&p| (std::cmp::Reverse(word(p).0.len()), p)).map(word)
    }

    /// Every word of the table, folded.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.groups.iter().flatten().map(String::as_str)
    }

    /// Variants of a query with one synonym swapped in: 「下松 デイサービス」 →
    /// 「下松 通所介護」. The folded query itself comes first.
    pub fn variants(&self, query: &str) -> Vec<String> {
        let q = fold(query);
        let mut out = vec![q.clone()];
        if let Some((word, gi)) = self.longest_in(&q) {
            for other in &self.groups[gi] {
                if other != word {
                    let v = q.replacen(word, other, 1);
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
            }
        }
        out.truncate(MAX_VARIANTS);
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

    #[test]
    fn the_longest_word_found_is_the_one_a_scan_of_the_table_finds() {
        let s = Synonyms::default();
        // The first word of the table, longest first, that a query contains.
        let scan = |q: &str| {
            let mut best: Option<(&str, usize)> = None;
            for (gi, g) in s.groups.iter().enumerate() {
                for w in g {
                    if q.contains(w.as_str()) && best.is_none_or(|(b, _)| w.len() > b.len()) {
                        best = Some((w.as_str(), gi));
                    }
                }
            }
            best
        };
        let words: Vec<&str> = s.words().collect();
        let mut queries: Vec<String> =
            ["さくら", "", "医療法人 さくら歯科クリニック訪問看護ステーション"].map(String::from).into();
        for (i, a) in words.iter().enumerate() {
            queries.push(a.to_string());
            queries.push(format!("あ{a}の{}", words[(i * 7 + 3) % words.len()]));
            queries.push(format!("{a}{}", words[(i + 1) % words.len()]));
        }
        for q in queries.iter().map(|q| fold(q)) {
            assert_eq!(s.longest_in(&q), scan(&q), "{q}");
        }
    }

    #[test]
    fn a_group_term_stands_for_its_words() {
        let s = Synonyms::default();
        let g = s.group_of("医院").expect("医院 is a word of a group");
        assert_eq!(s.group_of("クリニック"), Some(g));
        assert_eq!(s.group_of("ｸﾘﾆｯｸ"), Some(g));
        // A query with more than the word has other variants.
        assert_eq!(s.group_of("あいクリニック"), None);
        assert_eq!(s.group_of("さくら"), None);
        // The group's variants are its words.
        let mut v = s.variants("医院");
        v.sort();
        let mut words = s.groups[g].clone();
        words.sort();
        assert_eq!(v, words);
        assert!(s.groups_in(&fold("あいクリニック")).contains(&g));
        assert!(!s.groups_in(&fold("さくら薬局")).contains(&g));
        // Every group a name holds a word of, the same as looking for each.
        let name = fold("医療法人 さくら歯科クリニック訪問看護ステーション");
        let each: Vec<usize> = (0..s.groups.len())
            .filter(|&g| s.whole[g] && s.groups[g].iter().any(|w| name.contains(w.as_str())))
            .collect();
        assert!(each.len() >= 3, "{each:?}");
        assert_eq!(s.groups_in(&name), each);
        assert_ne!(s.fingerprint(), Synonyms::parse("医院 クリニック").fingerprint());
    }
}
