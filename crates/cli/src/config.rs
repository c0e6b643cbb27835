//! Where things are, decided once from flags and environment and passed on.

use std::path::PathBuf;

use anyhow::{Context, Result};

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    reference_dir: Option<PathBuf>,
}

/// The bundled `data/` directory: next to the working directory, or above
/// the executable (target/debug/tsunagi → the checkout).
fn find_bundled(rel: &str) -> Option<PathBuf> {
    let mut candidates = vec![PathBuf::from("data").join(rel)];
    if let Ok(exe) = std::env::current_exe() {
        candidates.extend(exe.ancestors().skip(1).map(|a| a.join("data").join(rel)));
    }
    candidates.into_iter().find(|p| p.exists())
}

impl Config {
    pub fn new(data_dir: PathBuf, reference_dir: Option<PathBuf>) -> Config {
        Config {
            data_dir,
            reference_dir,
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("tsunagi.sqlite")
    }

    pub fn store(&self) -> Result<tsunagi_db::Store> {
        tsunagi_db::Store::open(&self.db_path())
            .with_context(|| format!("opening {}", self.db_path().display()))
    }

    pub fn reference_dir(&self) -> Result<PathBuf> {
        self.reference_dir
            .clone()
            .or_else(|| find_bundled("reference"))
            .context("cannot find the reference data (data/reference): pass --reference-dir or set TSUNAGI_REFERENCE_DIR")
    }

    pub fn reference(&self) -> Result<tsunagi_import::Reference> {
        let dir = self.reference_dir()?;
        Ok(tsunagi_import::Reference::load(&dir)?)
    }

    /// The description of the bundled datasets, if present.
    pub fn catalog(&self) -> Result<tsunagi_import::Catalog> {
        let path = self
            .reference_dir()
            .ok()
            .and_then(|r| r.parent().map(|p| p.join("catalog.json")))
            .filter(|p| p.exists())
            .or_else(|| find_bundled("catalog.json"));
        match path {
            Some(p) => tsunagi_import::Catalog::load(&p).map_err(anyhow::Error::msg),
            None => Ok(tsunagi_import::Catalog::default()),
        }
    }
}
