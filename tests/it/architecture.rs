//! The dependency direction of ARCHITECTURE.md, checked on the manifests:
//! each external technology has one owner crate, and the domain crate does
//! no I/O.

use std::collections::BTreeSet;

use super::root;

fn deps(krate: &str) -> BTreeSet<String> {
    let path = root().join("crates").join(krate).join("Cargo.toml");
    let manifest: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    manifest.get("dependencies").and_then(|d| d.as_table()).map(|t| t.keys().cloned().collect()).unwrap_or_default()
}

#[test]
fn each_technology_has_one_owner_crate() {
    let owners: &[(&str, &[&str])] = &[
        ("db", &["diesel", "diesel_migrations", "libsqlite3-sys"]),
        ("search", &["tantivy", "lindera"]),
        ("web", &["actix-web", "maud"]),
        ("import", &["csv", "calamine", "encoding_rs"]),
    ];
    let crates = ["domain", "db", "import", "search", "web", "cli"];
    for (owner, techs) in owners {
        for krate in crates {
            for t in *techs {
                if krate != *owner {
                    assert!(!deps(krate).contains(*t), "{krate} depends on {t}, which only {owner} may use");
                }
            }
        }
    }
}

#[test]
fn domain_depends_on_no_io_crate_and_no_other_tsunagi_crate() {
    let allowed: BTreeSet<&str> =
        ["serde", "serde_json", "chrono", "unicode-normalization", "jpholiday", "thiserror"].into();
    for d in deps("domain") {
        assert!(allowed.contains(d.as_str()), "the domain crate must stay pure: it depends on {d}");
    }
}

#[test]
fn crates_depend_only_downwards() {
    let layer = |k: &str| ["domain", "db", "import", "search", "web", "cli"].iter().position(|x| *x == k).unwrap();
    for krate in ["domain", "db", "import", "search", "web", "cli"] {
        for d in deps(krate) {
            if let Some(inner) = d.strip_prefix("tsunagi-") {
                assert!(layer(inner) < layer(krate), "{krate} → {d} points upwards");
                let siblings = (krate, inner) == ("db", "import") || (krate, inner) == ("import", "db");
                assert!(!siblings, "db and import are siblings");
                assert!(
                    !(krate == "search" && inner == "db"),
                    "the index is built from domain values, not from the store"
                );
            }
        }
    }
}
