//! Where things are, decided once from flags and environment and passed on.

use std::path::PathBuf;

use anyhow::{Context, Result};

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    reference_dir: Option<PathBuf>,
    dictionary_dir: Option<PathBuf>,
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
    pub fn new(data_dir: PathBuf, reference_dir: Option<PathBuf>, dictionary_dir: Option<PathBuf>) -> Config {
        Config { data_dir, reference_dir, dictionary_dir }
    }

    pub fn dictionary_dir(&self) -> PathBuf {
        self.dictionary_dir.clone().unwrap_or_else(|| tsunagi_search::dictionary::default_dir(&self.data_dir))
    }

    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }

    /// Municipal boundary files shipped in data/boundaries.
    pub fn boundary_files(&self) -> Vec<PathBuf> {
        let Some(dir) = find_bundled("boundaries/smartnews-japan-topography/s0010") else { return Vec::new() };
        let mut files: Vec<PathBuf> =
            std::fs::read_dir(&dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
        files.retain(|f| f.extension().is_some_and(|e| e == "json"));
        files.sort();
        files
    }

    /// The project's web/ directory (CSS, JS, vendored libraries).
    pub fn web_dir(&self) -> Option<PathBuf> {
        let mut candidates = vec![PathBuf::from("web")];
        if let Ok(exe) = std::env::current_exe() {
            candidates.extend(exe.ancestors().skip(1).map(|a| a.join("web")));
        }
        candidates.into_iter().find(|p| p.join("app.css").exists())
    }

    /// Municipal boundaries (for assigning municipalities by point and
    /// answering "who visits here").
    pub fn areas(&self) -> Result<tsunagi_search::Areas> {
        let mut areas = tsunagi_search::Areas::default();
        for f in self.boundary_files() {
            let text = std::fs::read_to_string(&f)?;
            areas
                .add_geojson(&text, tsunagi_search::AreaKind::Municipality)
                .map_err(|e| anyhow::anyhow!("{}: {e}", f.display()))?;
        }
        // Readings of municipality names, when the reference data is here.
        if let Some(path) =
            self.reference_dir().ok().map(|d| d.join(tsunagi_import::Gazetteer::FILE)).filter(|p| p.exists())
        {
            for m in tsunagi_import::Gazetteer::load(&path)?.all() {
                areas.add_reading(&m.code, &m.kana);
            }
        }
        Ok(areas)
    }

    pub fn index(&self) -> Result<tsunagi_search::SearchIndex> {
        let dict = tsunagi_search::dictionary::load(&self.dictionary_dir())?;
        let ja = tsunagi_search::Japanese::new(dict);
        Ok(tsunagi_search::SearchIndex::open(&self.index_dir(), ja, self.areas()?)?)
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("tsunagi.sqlite")
    }

    pub fn store(&self) -> Result<tsunagi_db::Store> {
        tsunagi_db::Store::open(&self.db_path()).with_context(|| format!("opening {}", self.db_path().display()))
    }

    pub fn reference_dir(&self) -> Result<PathBuf> {
        self.reference_dir.clone().or_else(|| find_bundled("reference")).context(
            "cannot find the reference data (data/reference): pass --reference-dir or set TSUNAGI_REFERENCE_DIR",
        )
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
