//! Cross-crate tests: the real `tsunagi` binary on the real files in data/.
//! One integration-test binary (see STYLE.md: link time matters on 2 cores).

mod architecture;
mod import;
mod search;
mod web;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

pub fn data(rel: &str) -> PathBuf {
    root().join("data").join(rel)
}

/// The built IPADIC dictionary (scripts/setup.sh builds it).
pub fn dictionary() -> PathBuf {
    let dir =
        std::env::var_os("TSUNAGI_DICTIONARY_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("var/dict/ipadic"));
    assert!(dir.join("metadata.json").exists(), "no dictionary at {}: run ./scripts/setup.sh first", dir.display());
    dir
}

/// A fresh data directory and the binary pointed at it.
pub struct Tsunagi {
    pub dir: tempfile::TempDir,
}

impl Default for Tsunagi {
    fn default() -> Tsunagi {
        Tsunagi::new()
    }
}

impl Tsunagi {
    pub fn new() -> Tsunagi {
        // Under target/tmp: the shared fixture lives in a static, which is
        // never dropped, so its directory must not litter the system's /tmp.
        Tsunagi { dir: tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap() }
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_tsunagi"));
        c.arg("--data-dir").arg(self.dir.path()).arg("--reference-dir").arg(data("reference"));
        c.arg("--dictionary-dir").arg(dictionary());
        c.env_remove("TSUNAGI_DATA_DIR");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let out = self.cmd().args(args).output().unwrap();
        if !out.status.success() && out.status.code() != Some(1) {
            panic!("tsunagi {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        out
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.run(args);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "tsunagi {args:?}: {e}\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        })
    }

    pub fn import(&self, files: &[PathBuf]) -> serde_json::Value {
        let mut args: Vec<String> = vec!["import".into(), "--json".into()];
        args.extend(files.iter().map(|f| f.display().to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        self.json(&refs)
    }
}

/// Every bundled facility list, as the demo imports them.
pub fn bundled_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["jichitai", "mhlw"] {
        walk(&data(dir), &mut files);
    }
    files.retain(|p| p.extension().is_some_and(|e| e == "csv" || e == "xlsx"));
    files.sort();
    files
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}
