//! Where a task's files live: a folder on a local or shared file system, or a prefix in object
//! storage (Amazon S3 and S3-compatible stores, Google Cloud Storage, Azure Blob Storage) when
//! the task's `out` is such a URL (`s3://bucket/run/2019_140041`).
//!
//! The contract of [`crate::tasks`] holds in both: a file appears whole or not at all (on disk
//! through a temporary name and a rename; in object storage a single PUT is atomic), and the
//! record goes last. Object storage is reached through the `object_store` crate, configured as
//! it is everywhere: from the `AWS_*`, `GOOGLE_*` and `AZURE_*` environment variables
//! (credentials, region, `AWS_ENDPOINT` for an S3-compatible store, `AWS_ALLOW_HTTP`), so a
//! cluster's usual settings apply.

use std::path::PathBuf;
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};
use object_store::{ObjectStore, PutPayload, path::Path as StorePath};

use crate::tasks::{DONE, FAILED, write_atomically};

/// URL schemes taken as object storage.
const SCHEMES: [&str; 7] = ["s3", "s3a", "gs", "az", "adl", "azure", "abfss"];

/// A task's folder.
pub enum Folder {
    /// A directory.
    Local(PathBuf),
    /// A prefix in an object store.
    Store {
        /// The store the URL names.
        store: Box<dyn ObjectStore>,
        /// The prefix inside it.
        prefix: StorePath,
        /// The URL as given, for messages.
        url: String,
    },
}

/// Whether `out` names object storage (a URL with one of [`SCHEMES`]).
pub fn is_store_url(out: &str) -> bool {
    out.split_once("://")
        .is_some_and(|(scheme, _)| SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()))
}

impl Folder {
    /// The folder `out` names: an object-storage URL, else `local` (the path resolved against
    /// the plan's folder).
    ///
    /// # Errors
    /// A URL that is not valid, or a store that cannot be configured from the environment.
    pub fn new(out: &str, local: impl FnOnce() -> PathBuf) -> Result<Folder> {
        if !is_store_url(out) {
            if out.contains("://") {
                bail!(
                    "{out}: not a folder, and not object storage this build reaches \
                     (s3://, gs://, az://, abfss://); give a path or one of those URLs"
                );
            }
            return Ok(Folder::Local(local()));
        }
        let parsed: url::Url = out
            .parse()
            .with_context(|| format!("{out}: not a valid URL"))?;
        let options = std::env::vars().filter_map(|(k, v)| {
            ["AWS_", "GOOGLE_", "AZURE_"]
                .iter()
                .any(|p| k.starts_with(p))
                .then(|| (k.to_ascii_lowercase(), v))
        });
        let (store, prefix) =
            object_store::parse_url_opts(&parsed, options).with_context(|| {
                format!(
                    "{out}: cannot set up object storage (credentials and endpoint come from the \
                 AWS_*, GOOGLE_* or AZURE_* environment variables)"
                )
            })?;
        Ok(Folder::Store {
            store,
            prefix,
            url: out.trim_end_matches('/').to_owned(),
        })
    }

    /// The folder, for messages.
    pub fn display(&self) -> String {
        match self {
            Folder::Local(dir) => dir.display().to_string(),
            Folder::Store { url, .. } => url.clone(),
        }
    }

    /// The file `name` in it, for messages.
    pub fn name(&self, name: &str) -> String {
        match self {
            Folder::Local(dir) => dir.join(name).display().to_string(),
            Folder::Store { url, .. } => format!("{url}/{name}"),
        }
    }

    /// The file `name`'s bytes, `None` where there is no such file.
    ///
    /// # Errors
    /// When it exists and cannot be read.
    pub fn read(&self, name: &str) -> Result<Option<Vec<u8>>> {
        match self {
            Folder::Local(dir) => match std::fs::read(dir.join(name)) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e).with_context(|| format!("cannot read {}", self.name(name))),
            },
            Folder::Store { store, prefix, .. } => {
                let at = prefix.child(name);
                let got = block_on(async {
                    match store.get(&at).await {
                        Ok(r) => r.bytes().await.map(Some),
                        Err(object_store::Error::NotFound { .. }) => Ok(None),
                        Err(e) => Err(e),
                    }
                })
                .with_context(|| format!("cannot read {}", self.name(name)))?;
                Ok(got.map(|b| b.to_vec()))
            }
        }
    }

    /// Writes the file `name`: whole or not at all.
    ///
    /// # Errors
    /// When it cannot be written.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        match self {
            Folder::Local(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                write_atomically(&dir.join(name), bytes)
            }
            Folder::Store { store, prefix, .. } => {
                let payload = PutPayload::from(bytes.to_vec());
                block_on(store.put(&prefix.child(name), payload))
                    .map(|_| ())
                    .with_context(|| format!("cannot write {}", self.name(name)))
            }
        }
    }

    /// Makes the folder ready for a run: on disk it exists and holds no partial file; in either,
    /// no record of an earlier run (so a run killed from here on leaves "not run").
    ///
    /// # Errors
    /// When the folder cannot be made or a record cannot be removed.
    pub fn prepare(&self) -> Result<()> {
        match self {
            Folder::Local(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                crate::tasks::clear_leftovers(dir)
            }
            Folder::Store { store, prefix, .. } => {
                for name in [DONE, FAILED] {
                    let at = prefix.child(name);
                    match block_on(store.delete(&at)) {
                        Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                        Err(e) => {
                            return Err(e)
                                .with_context(|| format!("cannot remove {}", self.name(name)));
                        }
                    }
                }
                Ok(())
            }
        }
    }
}

/// Runs `f` to completion on the one-thread runtime object_store's HTTP client needs.
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap_or_else(|e| {
                    eprintln!("error: cannot start the runtime for object storage: {e}");
                    std::process::exit(1)
                })
        })
        .block_on(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_paths_are_told_apart() {
        assert!(is_store_url("s3://bucket/run/2019_140041"));
        assert!(is_store_url("GS://bucket/x"));
        assert!(is_store_url("az://container/x"));
        assert!(!is_store_url("runs/2019_140041"));
        assert!(!is_store_url("/data/runs/x"));
        let local = Folder::new("runs/x", || PathBuf::from("/plan/runs/x")).expect("a path");
        assert_eq!(local.display(), "/plan/runs/x");
        let err = Folder::new("ftp://host/x", PathBuf::new)
            .err()
            .expect("ftp is refused");
        assert!(err.to_string().contains("s3://"), "{err}");
    }

    #[test]
    fn an_in_memory_store_keeps_the_contract() {
        let folder = Folder::Store {
            store: Box::new(object_store::memory::InMemory::new()),
            prefix: StorePath::from("run/2019_140041"),
            url: "memory:///run/2019_140041".into(),
        };
        assert_eq!(folder.read(DONE).expect("reads"), None);
        folder.write("areas.csv", b"id,km2\n").expect("writes");
        folder.write(DONE, b"{}").expect("writes");
        assert_eq!(
            folder.read("areas.csv").expect("reads").as_deref(),
            Some(&b"id,km2\n"[..])
        );
        folder.prepare().expect("clears the record");
        assert_eq!(folder.read(DONE).expect("reads"), None);
        assert!(folder.read("areas.csv").expect("reads").is_some());
    }
}
