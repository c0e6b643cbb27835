//! The `tsunagi` command.

/// `println!` that ends the program quietly when standard output is a
/// closed pipe (`tsunagi search 歯科 | head`), as a shell tool does,
/// instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::say_line(format_args!($($arg)*))
    };
}

mod bench;
mod config;
mod import;
mod search;
mod serve;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use config::Config;

/// mimalloc rather than glibc's malloc: after the side tables are built the
/// glibc heap is left fragmented, and a query's small allocations then
/// spent a fifth of its time in `_int_malloc`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "tsunagi", version, about = "医療・介護資源マップ: import, search and serve facility lists")]
struct Cli {
    /// Where the database and the search index live.
    #[arg(long, global = true, env = "TSUNAGI_DATA_DIR", default_value = "var")]
    data_dir: std::path::PathBuf,
    /// The project's data/reference (municipalities, 町字 points).
    #[arg(long, global = true, env = "TSUNAGI_REFERENCE_DIR")]
    reference_dir: Option<std::path::PathBuf>,
    /// The built IPADIC dictionary (default: DATA_DIR/dict/ipadic).
    #[arg(long, global = true, env = "TSUNAGI_DICTIONARY_DIR")]
    dictionary_dir: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Import official lists (CSV/TSV/XLSX/GeoJSON) into the database.
    Import(import::Args),
    /// Search facilities (Japanese text, filters, places).
    Search(Box<search::SearchArgs>),
    /// The search index: rebuild, sync, check.
    #[command(subcommand)]
    Index(search::IndexCommand),
    /// The Japanese dictionary.
    #[command(subcommand)]
    Dict(search::DictCommand),
    /// Benchmarks run inside the process.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Serve the map site and the JSON API.
    Serve(serve::Args),
    /// Change one field of a facility (locks it against re-imports).
    Edit {
        id: i64,
        /// Field to set, e.g. `fax`, `phone`, `vacancy`.
        field: String,
        /// New value: JSON (`{"available":2,...}`, `30`) or plain text; omit to clear.
        value: Option<String>,
        #[arg(long, default_value = "staff")]
        by: String,
    },
    /// Record that a facility's listing was checked today.
    Verify {
        id: i64,
        #[arg(long, default_value = "staff")]
        by: String,
    },
    /// Show one facility with its sources and history as JSON.
    Show { id: i64 },
    /// What the database holds: facilities, datasets, last write.
    Status {
        #[arg(long)]
        json: bool,
    },
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("TSUNAGI_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(2);
        }
    }
}

fn say_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.write_all(b"\n")) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(2);
    }
}

/// After a change from the command line, bring the index along when it can
/// be opened (a running server picks the change up from it).
fn sync_quietly(config: &Config, store: &tsunagi_db::Store) {
    match config.index() {
        Ok(index) => {
            if let Err(e) = search::sync(store, &index) {
                eprintln!("note: search index not updated: {e:#}");
            }
        }
        Err(e) => eprintln!("note: search index not updated: {e:#}"),
    }
}

fn run(cli: Cli) -> Result<i32> {
    let config = Config::new(cli.data_dir, cli.reference_dir, cli.dictionary_dir);
    match cli.command {
        Command::Import(args) => import::run(&config, args),
        Command::Search(args) => search::search(&config, *args),
        Command::Index(cmd) => search::index(&config, cmd),
        Command::Dict(cmd) => search::dict(&config, cmd),
        Command::Bench(cmd) => bench::run(&config, cmd),
        Command::Serve(args) => serve::run(&config, args),
        Command::Edit { id, field, value, by } => {
            let store = config.store()?;
            let value = value.map(|v| serde_json::from_str(&v).unwrap_or(serde_json::Value::String(v)));
            match store.edit(id, &field, value, &by)? {
                Some(c) => say!("{}", serde_json::to_string_pretty(&c)?),
                None => say!("no change"),
            }
            sync_quietly(&config, &store);
            Ok(0)
        }
        Command::Verify { id, by } => {
            let store = config.store()?;
            store.verify(id, &by, tsunagi_db::today_jst())?;
            say!("facility {id} verified by {by} on {}", tsunagi_db::today_jst());
            sync_quietly(&config, &store);
            Ok(0)
        }
        Command::Show { id } => {
            let store = config.store()?;
            let f = store.get(id)?.with_context(|| format!("facility {id} does not exist"))?;
            let out = serde_json::json!({
                "facility": f,
                "sources": store.sources(id)?,
                "history": store.history(id)?,
            });
            say!("{}", serde_json::to_string_pretty(&out)?);
            Ok(0)
        }
        Command::Status { json } => {
            let store = config.store()?;
            let datasets = store.datasets()?;
            let status = serde_json::json!({
                "database": config.db_path(),
                "facilities": store.count()?,
                "seq": store.seq()?,
                "datasets": datasets.iter().map(|d| serde_json::json!({
                    "file_name": d.file_name, "format": d.format, "dataset_date": d.dataset_date,
                    "rows": d.rows, "imported": d.imported, "merged": d.merged, "skipped": d.skipped,
                    "last_imported_at": d.last_imported_at,
                })).collect::<Vec<_>>(),
            });
            if json {
                say!("{}", serde_json::to_string_pretty(&status)?);
            } else {
                say!(
                    "{}: {} facilities from {} datasets",
                    config.db_path().display(),
                    status["facilities"],
                    datasets.len()
                );
                for d in &datasets {
                    say!("  {} ({}, {}): {} rows", d.file_name, d.format, d.dataset_date, d.rows);
                }
            }
            Ok(0)
        }
    }
}
