//! The CLI's transport for archive scenes (`ureq`): JSON documents, and remote GeoTIFFs as
//! [`FileSource`]s read through `glacier_archive`'s range reader. Every request of the process
//! is counted in one [`Traffic`], which commands report at the end.

use std::io;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use glacier_archive::sign::Token;
use glacier_archive::{Answer, Blocks, Fetch, RangeReader, Request, Traffic};
use glacier_inputs::source::{FileSource, ReadSeek};

/// Seconds a request may take before it is given up.
const TIMEOUT_S: u64 = 60;

fn agent() -> &'static ureq::Agent {
    static AGENT: OnceLock<ureq::Agent> = OnceLock::new();
    AGENT.get_or_init(|| {
        ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(TIMEOUT_S)))
            .http_status_as_error(false)
            .build()
            .into()
    })
}

/// What this process fetched from archives so far.
pub fn traffic() -> &'static Traffic {
    static TRAFFIC: OnceLock<Traffic> = OnceLock::new();
    TRAFFIC.get_or_init(Traffic::default)
}

/// A JSON document (an item, a landing page, a page of results) as text.
pub fn text(request: &Request) -> Result<String> {
    let url = request.url();
    let sent = match request {
        Request::Get(_) => agent().get(url).header("Accept", "application/json").call(),
        Request::Post { body, .. } => agent()
            .post(url)
            .header("Content-Type", "application/json")
            .header("Accept", "application/geo+json, application/json")
            .send(body.to_string()),
    };
    let mut response = sent.with_context(|| format!("could not reach {url}"))?;
    let status = response.status().as_u16();
    if status != 200 {
        bail!(
            "{url} answered {status}{}",
            if status == 404 {
                ": no such document (check the address)"
            } else {
                ""
            }
        );
    }
    response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .with_context(|| format!("could not read the answer of {url}"))
}

/// Read tokens for an archive's assets (the Planetary Computer's SAS tokens): fetched from
/// the token endpoint when first needed, renewed shortly before they expire.
pub struct Signer {
    token_url: String,
    token: Mutex<Option<Token>>,
}

impl Signer {
    /// Tokens from `token_url` (`{endpoint}/{collection}`).
    pub fn new(token_url: String) -> Self {
        Signer {
            token_url,
            token: Mutex::new(None),
        }
    }

    /// `href` with a valid token.
    fn sign(&self, href: &str) -> io::Result<String> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let mut held = self
            .token
            .lock()
            .map_err(|_| io::Error::other("the token was lost by a failed request"))?;
        if held.as_ref().is_none_or(|t| t.stale(now)) {
            let answer = text(&Request::Get(self.token_url.clone())).map_err(|e| {
                io::Error::other(format!(
                    "no read token for {href} from {}: {e:#}",
                    self.token_url
                ))
            })?;
            *held = Some(
                Token::from_json(&self.token_url, &answer)
                    .map_err(|e| io::Error::other(e.to_string()))?,
            );
        }
        Ok(held
            .as_ref()
            .map_or_else(|| href.to_owned(), |t| t.apply(href)))
    }
}

/// One remote file's bytes by range.
struct HttpFetch {
    /// The address fetched.
    href: String,
    /// How messages name the file: its address, after its asset key where it has one.
    named: String,
    signer: Option<Arc<Signer>>,
}

impl Fetch for HttpFetch {
    fn fetch(&self, start: u64, end: u64) -> io::Result<Answer> {
        let range = format!("bytes={start}-{}", end.saturating_sub(1));
        let url = match &self.signer {
            Some(signer) => signer.sign(&self.href)?,
            None => self.href.clone(),
        };
        let mut response = agent()
            .get(&url)
            .header("Range", &range)
            .call()
            .map_err(|e| io::Error::other(format!("{}: {e}", self.named)))?;
        let status = response.status().as_u16();
        let content_range = response
            .headers()
            .get("content-range")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response
            .body_mut()
            .with_config()
            .limit(glacier_archive::ranges::WHOLE_BODY_LIMIT + 1)
            .read_to_vec()
            .map_err(|e| io::Error::other(format!("{}: {e}", self.named)))?;
        Ok(Answer {
            status,
            content_range,
            body,
        })
    }

    fn url(&self) -> &str {
        &self.named
    }
}

/// A remote GeoTIFF as a scene file: named by `name` (its USGS file name, so it is recognised
/// as a local copy would be), read by range; every opening (and clone) shares the blocks read.
#[derive(Clone)]
pub struct HttpFile {
    name: String,
    url: String,
    label: String,
    signer: Option<Arc<Signer>>,
    blocks: Arc<Mutex<Blocks>>,
}

impl HttpFile {
    /// The file at `url` (signed by `signer` when given), seen by the scene as `name`.
    pub fn new(name: String, url: String, signer: Option<Arc<Signer>>) -> Self {
        HttpFile {
            name,
            label: url.clone(),
            url,
            signer,
            blocks: Arc::default(),
        }
    }

    /// Its bytes by range.
    fn fetcher(&self) -> HttpFetch {
        HttpFetch {
            href: self.url.clone(),
            named: self.label.clone(),
            signer: self.signer.clone(),
        }
    }

    /// The same file, named in messages by the STAC asset `key` it is (`asset nir08 at URL`).
    pub fn asset(mut self, key: &str) -> Self {
        self.label = format!("asset {key} at {}", self.url);
        self
    }
}

/// Range requests [`prefetch`] keeps in flight.
const IN_FLIGHT: usize = 6;

/// Fetches every block that reading `scene` will need from the remote `files`, [`IN_FLIGHT`]
/// requests at a time on threads of their own, and keeps them for the reads (which are
/// sequential); the number of requests sent. Best effort: a request that fails is left to the
/// read that needs the block, which reports why; a file whose blocks would not fit its cache,
/// or whose host ignores ranges, is read as it goes.
pub fn prefetch(files: &[HttpFile], scene: &glacier_inputs::Scene) -> usize {
    let named: Vec<_> = files
        .iter()
        .map(|f| (f.name.as_str(), &*f.blocks))
        .collect();
    let requests = glacier_map::item::prefetch_requests(scene, &named);
    let sent = requests.len();
    let queue = Mutex::new(requests.into_iter());
    std::thread::scope(|scope| {
        for _ in 0..IN_FLIGHT.min(sent) {
            scope.spawn(|| {
                while let Some((index, start, end)) = queue.lock().ok().and_then(|mut q| q.next()) {
                    let file = &files[index];
                    if let Ok(answer) = file.fetcher().fetch(start, end)
                        && let Ok(mut blocks) = file.blocks.lock()
                    {
                        let _ = blocks.store(&file.label, start, end, answer, traffic());
                    }
                }
            });
        }
    });
    sent
}

impl FileSource for HttpFile {
    fn name(&self) -> &str {
        &self.name
    }

    fn open(&self) -> io::Result<Box<dyn ReadSeek + '_>> {
        Ok(Box::new(RangeReader::new(
            self.fetcher(),
            traffic().clone(),
            self.blocks.clone(),
        )))
    }
}
