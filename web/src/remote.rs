//! Archive scenes in the mapping worker: documents and range reads through synchronous
//! `XMLHttpRequest` (allowed in workers; the GeoTIFF reader wants `Read + Seek`), each remote
//! band a [`FileSource`] read block by block through `glacier_archive`'s range reader. Before
//! the reads, [`prefetch`] fetches the blocks they will need with `fetch`, several requests in
//! flight, so the synchronous reads find them kept.

use std::io;
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use glacier_archive::{Answer, Blocks, Fetch, RangeReader, Traffic};
use glacier_inputs::{FileSource, ReadSeek};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{XmlHttpRequest, XmlHttpRequestResponseType};

/// Range requests [`prefetch`] keeps in flight (a browser opens about six connections a host).
pub const IN_FLIGHT: usize = 6;

/// The host of `url`, for messages.
fn host(url: &str) -> &str {
    url.split("://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or(url)
}

/// Why a request got no answer, in words: the browser hides the cause of a failed
/// cross-origin read, so name the likely one.
fn unreachable(url: &str, e: &wasm_bindgen::JsValue) -> io::Error {
    let detail = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| format!("{e:?}"));
    io::Error::other(format!(
        "could not read {url} ({detail}): the host {} may not allow cross-origin reads from \
         this page (CORS), or cannot be reached; check the address, or use a host that allows \
         them",
        host(url)
    ))
}

/// A synchronous GET of `url`, with a `Range` header when given.
fn get(
    url: &str,
    range: Option<(u64, u64)>,
    kind: XmlHttpRequestResponseType,
) -> io::Result<XmlHttpRequest> {
    let xhr = XmlHttpRequest::new().map_err(|e| unreachable(url, &e))?;
    xhr.open_with_async("GET", url, false)
        .map_err(|e| unreachable(url, &e))?;
    xhr.set_response_type(kind);
    if let Some((start, end)) = range {
        xhr.set_request_header("Range", &format!("bytes={start}-{}", end.saturating_sub(1)))
            .map_err(|e| unreachable(url, &e))?;
    }
    xhr.send().map_err(|e| unreachable(url, &e))?;
    Ok(xhr)
}

/// A document (an item) as text.
///
/// # Errors
/// A sentence naming the address and what went wrong.
pub fn text(url: &str) -> Result<String, String> {
    let xhr = get(url, None, XmlHttpRequestResponseType::Text).map_err(|e| e.to_string())?;
    let status = xhr.status().unwrap_or(0);
    if status != 200 {
        return Err(format!(
            "{url} answered {status}{}",
            if status == 404 {
                ": there is no item at this address (check the link)"
            } else {
                ""
            }
        ));
    }
    xhr.response_text()
        .ok()
        .flatten()
        .ok_or_else(|| format!("{url} sent no text"))
}

/// One remote file's bytes by range.
struct XhrFetch {
    /// The address fetched.
    href: String,
    /// How messages name the file: its asset key and address.
    named: String,
}

impl Fetch for XhrFetch {
    fn fetch(&self, start: u64, end: u64) -> io::Result<Answer> {
        let xhr = get(
            &self.href,
            Some((start, end)),
            XmlHttpRequestResponseType::Arraybuffer,
        )?;
        let status = xhr.status().unwrap_or(0);
        let body = xhr
            .response()
            .map(|b| js_sys::Uint8Array::new(&b).to_vec())
            .map_err(|e| unreachable(&self.href, &e))?;
        let sent = xhr.get_response_header("Content-Range").ok().flatten();
        Ok(Answer {
            status,
            content_range: content_range(sent, status, start, &body),
            body,
        })
    }

    fn url(&self) -> &str {
        &self.named
    }
}

/// The `Content-Range` of an answer: as sent, or (from a host that does not expose it to
/// cross-origin readers) the part sent, starting where it was asked to.
fn content_range(sent: Option<String>, status: u16, start: u64, body: &[u8]) -> Option<String> {
    sent.or_else(|| {
        (status == 206 && !body.is_empty())
            .then(|| format!("bytes {start}-{}/*", start + body.len() as u64 - 1))
    })
}

/// Bytes `start..end` of `url` through `fetch` (async: several can be in flight).
async fn fetch_range(url: &str, start: u64, end: u64) -> Result<Answer, wasm_bindgen::JsValue> {
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    let request = web_sys::Request::new_with_str_and_init(url, &init)?;
    request
        .headers()
        .set("Range", &format!("bytes={start}-{}", end.saturating_sub(1)))?;
    let scope: web_sys::WorkerGlobalScope = js_sys::global().dyn_into()?;
    let answer: web_sys::Response = JsFuture::from(scope.fetch_with_request(&request))
        .await?
        .dyn_into()?;
    let status = answer.status();
    let sent = answer.headers().get("Content-Range")?;
    let body = js_sys::Uint8Array::new(&JsFuture::from(answer.array_buffer()?).await?).to_vec();
    Ok(Answer {
        status,
        content_range: content_range(sent, status, start, &body),
        body,
    })
}

/// Fetches every block that reading `scene` will need from the remote `files`, [`IN_FLIGHT`]
/// requests at a time, and keeps them for the reads; the number of requests sent. Best effort:
/// a request that fails is left to the read that needs the block, which reports why; a file
/// whose blocks would not fit its cache, or whose host ignores ranges, is read as it goes.
pub async fn prefetch(scene: &glacier_inputs::Scene, files: &[RemoteFile]) -> usize {
    let named: Vec<_> = files
        .iter()
        .map(|f| (f.name.as_str(), &*f.blocks))
        .collect();
    let requests = glacier_map::item::prefetch_requests(scene, &named);
    let sent = requests.len();
    futures::stream::iter(requests)
        .map(|(index, start, end)| async move {
            let remote = &files[index];
            if let Ok(answer) = fetch_range(&remote.url, start, end).await
                && let Ok(mut blocks) = remote.blocks.lock()
            {
                let _ = blocks.store(&remote.label, start, end, answer, &remote.traffic);
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect::<Vec<()>>()
        .await;
    sent
}

/// A remote band as a scene file, named as USGS names it; every opening shares its blocks.
#[derive(Clone)]
pub struct RemoteFile {
    name: String,
    url: String,
    /// How messages name it: `asset KEY at URL`.
    label: String,
    traffic: Traffic,
    blocks: Arc<Mutex<Blocks>>,
}

impl RemoteFile {
    /// The file of asset `key` at `url`, seen by the scene as `name`, its requests counted
    /// in `traffic`.
    pub fn new(key: &str, name: String, url: String, traffic: Traffic) -> Self {
        RemoteFile {
            name,
            label: format!("asset {key} at {url}"),
            url,
            traffic,
            blocks: Arc::default(),
        }
    }
}

impl FileSource for RemoteFile {
    fn name(&self) -> &str {
        &self.name
    }

    fn open(&self) -> io::Result<Box<dyn ReadSeek + '_>> {
        Ok(Box::new(RangeReader::new(
            XhrFetch {
                href: self.url.clone(),
                named: self.label.clone(),
            },
            self.traffic.clone(),
            self.blocks.clone(),
        )))
    }
}

/// Read tokens for an item's assets: one token for the run from the token endpoint, applied
/// to every asset when an endpoint was named, else to assets on Azure Blob Storage (the
/// Planetary Computer's), as the CLI's `--token-endpoint` does.
pub struct Signing {
    token: Option<glacier_archive::sign::Token>,
    every_asset: bool,
    from: String,
}

impl Signing {
    /// Fetches the token `item`'s assets need, if any.
    ///
    /// # Errors
    /// A sentence naming the token endpoint when it gives no token.
    pub fn of(item: &glacier_archive::Item, endpoint: Option<&str>) -> Result<Signing, String> {
        use glacier_archive::sign;
        let every_asset = endpoint.is_some();
        let collection = item.collection.as_deref().unwrap_or("landsat-c2-l2");
        let from = sign::token_url(endpoint.unwrap_or(sign::PLANETARY_COMPUTER), collection);
        let needed = every_asset || item.assets.values().any(|a| sign::needs_token(&a.href));
        let token = if needed {
            let answer =
                text(&from).map_err(|e| format!("no read token for the item's assets: {e}"))?;
            Some(sign::Token::from_json(&from, &answer).map_err(|e| e.to_string())?)
        } else {
            None
        };
        Ok(Signing {
            token,
            every_asset,
            from,
        })
    }

    /// `href` with the token where it needs one.
    pub fn href(&self, href: &str) -> String {
        match &self.token {
            Some(t) if self.every_asset || glacier_archive::sign::needs_token(href) => {
                t.apply(href)
            }
            _ => href.to_owned(),
        }
    }

    /// What the notes say about signing, when assets were signed.
    pub fn note(&self) -> Option<String> {
        self.token
            .as_ref()
            .map(|_| format!("The assets were read with a token from {}.", self.from))
    }
}
