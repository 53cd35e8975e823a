//! A remote file read through HTTP range requests: a `Read + Seek` that fetches whole blocks,
//! keeps a bounded number of them (least recently used out first), and asks for a run of
//! neighbouring missing blocks in one request, as GDAL's `/vsicurl/` does. The GeoTIFF reader
//! reads the header, then the tile table, then only the tiles of its window, so a small area of
//! a cloud-optimised GeoTIFF costs a few requests.

use std::collections::BTreeMap;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Bytes per block: one request brings at least this much (GDAL's `/vsicurl/` uses 16 KiB).
pub const BLOCK: u64 = 16 * 1024;

/// Blocks kept per file (256 × 16 KiB = 4 MiB).
pub const KEPT_BLOCKS: usize = 256;

/// Largest body taken from a server that ignores `Range` and sends the whole file (200).
pub const WHOLE_BODY_LIMIT: u64 = 256 * 1024 * 1024;

/// What a server answered to a range request.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The `Content-Range` header, when sent.
    pub content_range: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

/// The transport: fetches bytes `start..end` of one file (natively an HTTP client, in the page
/// the browser's).
pub trait Fetch {
    /// Asks for bytes `start..end` (the `Range: bytes=start-(end-1)` request).
    ///
    /// # Errors
    /// Transport errors (connection, time-out) as I/O errors naming the address.
    fn fetch(&self, start: u64, end: u64) -> io::Result<Answer>;
    /// How messages name the file: its address (after its STAC asset key, where the caller
    /// knows it).
    fn url(&self) -> &str;
}

/// Requests and bytes fetched, shared by every reader of one run (cheap to clone), and how
/// large the files read are, so a run can say what share of them it fetched.
#[derive(Clone, Debug, Default)]
pub struct Traffic {
    requests: Arc<AtomicU64>,
    bytes: Arc<AtomicU64>,
    file_bytes: Arc<AtomicU64>,
}

impl Traffic {
    /// Requests sent so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }
    /// Body bytes received so far.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
    /// The lengths of the files read so far, added up (each file once, when an answer first
    /// tells it).
    pub fn file_bytes(&self) -> u64 {
        self.file_bytes.load(Ordering::Relaxed)
    }
    fn add(&self, bytes: u64) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }
}

/// `start-end/total` of a `Content-Range: bytes start-end/total` header (end inclusive; total
/// `None` when the server wrote `*`).
pub fn parse_content_range(header: &str) -> Option<(u64, u64, Option<u64>)> {
    let rest = header.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    Some((start.trim().parse().ok()?, end.trim().parse().ok()?, total))
}

/// Where the bytes an answer holds start (`start`, or 0 for a whole file), the bytes and the
/// file's length, or why the answer is unusable.
fn checked(answer: Answer, start: u64, url: &str) -> io::Result<(u64, Vec<u8>, Option<u64>)> {
    let bad = |detail: String| io::Error::other(format!("{url}: {detail}"));
    match answer.status {
        206 => {
            let header = answer
                .content_range
                .as_deref()
                .ok_or_else(|| bad("a partial answer (206) without Content-Range".into()))?;
            let (first, last, total) = parse_content_range(header)
                .ok_or_else(|| bad(format!("unreadable Content-Range {header:?}")))?;
            // Saturating: a header may claim any numbers (`bytes 0-18446744073709551615/*`).
            let claimed_end = last.saturating_add(1);
            if first != start || claimed_end < first.saturating_add(answer.body.len() as u64) {
                return Err(bad(format!(
                    "asked for bytes from {start}, the server sent {header} with {} bytes",
                    answer.body.len()
                )));
            }
            Ok((start, answer.body, total))
        }
        200 => {
            let len = answer.body.len() as u64;
            if len > WHOLE_BODY_LIMIT {
                return Err(bad(format!(
                    "the host ignores range requests and sent the whole file ({} MB, more than \
                     the {} MB taken that way); copy the file to a host that honours Range",
                    len / 1_000_000,
                    WHOLE_BODY_LIMIT / 1_000_000
                )));
            }
            Ok((0, answer.body, Some(len)))
        }
        416 => Ok((start, Vec::new(), None)),
        403 => Err(bad(
            "403 Forbidden: the host refused (a signed address may have expired: search again)"
                .into(),
        )),
        404 => Err(bad("404 Not Found: the file is not at this address".into())),
        s => Err(bad(format!("the server answered {s}"))),
    }
}

/// The blocks of one file read so far: shared by every reader of that file (a scene opens a
/// file once to check it and again to read it), so nothing is fetched twice.
#[derive(Debug, Default)]
pub struct Blocks {
    /// The file's length once an answer has told it.
    len: Option<u64>,
    /// Block index → (bytes, last use).
    kept: BTreeMap<u64, (Arc<[u8]>, u64)>,
    clock: u64,
    /// The host sent the whole file once: every block is kept, none asked again.
    whole: bool,
}

impl Blocks {
    /// The requests (block-aligned byte ranges `start..end`, neighbouring missing blocks in
    /// one) that would bring every block of `spans` this cache lacks, for a caller that sends
    /// them at once, several in flight, and [`Blocks::store`]s the answers before reading.
    /// Empty when nothing is missing, or when the blocks would not all fit in the cache beside
    /// those it holds (the reads then fetch as they go, as they would without this).
    pub fn missing(&self, spans: &[(u64, u64)]) -> Vec<(u64, u64)> {
        if self.whole {
            return Vec::new();
        }
        let last_block = self.len.map(|len| len.saturating_sub(1) / BLOCK);
        let mut wanted: Vec<u64> = Vec::new();
        for &(start, end) in spans.iter().filter(|(s, e)| s < e) {
            let mut last = (end - 1) / BLOCK;
            if let Some(l) = last_block {
                last = last.min(l);
            }
            let first = start / BLOCK;
            // A span claiming more blocks than a cache holds is not prefetched.
            if last.saturating_sub(first) >= KEPT_BLOCKS as u64 {
                return Vec::new();
            }
            wanted.extend((first..=last).filter(|b| !self.kept.contains_key(b)));
        }
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() || wanted.len() + self.kept.len() > KEPT_BLOCKS {
            return Vec::new();
        }
        let mut runs: Vec<(u64, u64)> = Vec::new();
        for block in wanted {
            match runs.last_mut() {
                Some(run) if run.1 == block * BLOCK => run.1 += BLOCK,
                _ => runs.push((block * BLOCK, (block + 1) * BLOCK)),
            }
        }
        runs
    }

    /// Keeps what a server answered to a request for bytes `start..end` (block-aligned) of the
    /// file at `url`, counting it in `traffic`.
    ///
    /// # Errors
    /// An unusable answer (see the statuses [`RangeReader`] takes), naming `url`.
    pub fn store(
        &mut self,
        url: &str,
        start: u64,
        end: u64,
        answer: Answer,
        traffic: &Traffic,
    ) -> io::Result<()> {
        traffic.add(answer.body.len() as u64);
        let (at, bytes, total) = checked(answer, start, url)?;
        if let Some(len) = total {
            if self.len.is_none() {
                traffic.file_bytes.fetch_add(len, Ordering::Relaxed);
            }
            self.len = Some(len);
        }
        self.whole |= at < start;
        for (i, chunk) in bytes.chunks(BLOCK as usize).enumerate() {
            self.clock += 1;
            let used = self.clock;
            self.kept
                .insert(at / BLOCK + i as u64, (Arc::from(chunk), used));
        }
        // A short answer (the end of the file) still marks the blocks as read.
        for i in start / BLOCK..end.div_ceil(BLOCK) {
            let used = self.clock;
            self.kept
                .entry(i)
                .or_insert_with(|| (Arc::from(Vec::new()), used));
        }
        Ok(())
    }
}

/// A remote file as `Read + Seek`, block by block through a bounded cache.
pub struct RangeReader<F: Fetch> {
    fetch: F,
    traffic: Traffic,
    pos: u64,
    blocks: Arc<Mutex<Blocks>>,
}

impl<F: Fetch> RangeReader<F> {
    /// A reader of `fetch`'s file, counting what it fetches in `traffic`, keeping blocks in
    /// `blocks` (share one [`Blocks`] among the readers of one file).
    pub fn new(fetch: F, traffic: Traffic, blocks: Arc<Mutex<Blocks>>) -> Self {
        RangeReader {
            fetch,
            traffic,
            pos: 0,
            blocks,
        }
    }

    fn lock(&self) -> io::Result<std::sync::MutexGuard<'_, Blocks>> {
        self.blocks
            .lock()
            .map_err(|_| io::Error::other("a reader of the same file failed mid-read"))
    }

    /// Fetches the missing blocks among `first..=last`, each run of neighbours in one request.
    fn load(&self, b: &mut Blocks, first: u64, last: u64) -> io::Result<()> {
        let mut block = first;
        while block <= last {
            if b.kept.contains_key(&block) {
                block += 1;
                continue;
            }
            let mut end = block;
            while end < last && !b.kept.contains_key(&(end + 1)) {
                end += 1;
            }
            let start = block * BLOCK;
            let answer = self.fetch.fetch(start, (end + 1) * BLOCK)?;
            b.store(
                self.fetch.url(),
                start,
                (end + 1) * BLOCK,
                answer,
                &self.traffic,
            )?;
            block = end + 1;
        }
        while !b.whole && b.kept.len() > KEPT_BLOCKS.max((last - first + 1) as usize) {
            let oldest = b
                .kept
                .iter()
                .filter(|(i, _)| !(first..=last).contains(*i))
                .min_by_key(|(_, (_, used))| *used)
                .map(|(i, _)| *i);
            match oldest {
                Some(i) => b.kept.remove(&i),
                None => break,
            };
        }
        Ok(())
    }
}

impl<F: Fetch> Read for RangeReader<F> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let blocks = self.blocks.clone();
        let mut b = blocks
            .lock()
            .map_err(|_| io::Error::other("a reader of the same file failed mid-read"))?;
        if buf.is_empty() || b.len.is_some_and(|len| self.pos >= len) {
            return Ok(0);
        }
        let first = self.pos / BLOCK;
        let mut last = (self.pos + buf.len() as u64 - 1) / BLOCK;
        if let Some(len) = b.len {
            // Never ask for blocks past the end of a file of known length.
            last = last.min(len.saturating_sub(1) / BLOCK).max(first);
        }
        self.load(&mut b, first, last)?;
        let mut copied = 0;
        for block in first..=last {
            b.clock += 1;
            let now = b.clock;
            let Some((bytes, used)) = b.kept.get_mut(&block) else {
                break;
            };
            *used = now;
            let from = (self.pos + copied as u64 - block * BLOCK) as usize;
            if from >= bytes.len() {
                break;
            }
            let n = (bytes.len() - from).min(buf.len() - copied);
            buf[copied..copied + n].copy_from_slice(&bytes[from..from + n]);
            copied += n;
            if copied == buf.len() || bytes.len() < BLOCK as usize {
                break;
            }
        }
        self.pos += copied as u64;
        Ok(copied)
    }
}

impl<F: Fetch> Seek for RangeReader<F> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => {
                let mut b = self.lock()?;
                if b.len.is_none() {
                    let blocks = &mut *b;
                    self.load(blocks, 0, 0)?;
                }
                let len = b.len.ok_or_else(|| {
                    io::Error::other(format!(
                        "{}: the server did not say how long the file is",
                        self.fetch.url()
                    ))
                })?;
                len.checked_add_signed(d)
            }
        };
        self.pos = target.ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "seek before the file's start")
        })?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// The ranges a [`Served`] file was asked for.
    type Asked = Rc<RefCell<Vec<(u64, u64)>>>;

    /// A file in memory answering like a server that honours Range (or ignores it).
    struct Served {
        bytes: Vec<u8>,
        honours_range: bool,
        asked: Asked,
    }

    impl Fetch for Served {
        fn fetch(&self, start: u64, end: u64) -> io::Result<Answer> {
            self.asked.borrow_mut().push((start, end));
            let len = self.bytes.len() as u64;
            if !self.honours_range {
                return Ok(Answer {
                    status: 200,
                    content_range: None,
                    body: self.bytes.clone(),
                });
            }
            if start >= len {
                return Ok(Answer {
                    status: 416,
                    content_range: None,
                    body: Vec::new(),
                });
            }
            let end = end.min(len);
            Ok(Answer {
                status: 206,
                content_range: Some(format!("bytes {start}-{}/{len}", end - 1)),
                body: self.bytes[start as usize..end as usize].to_vec(),
            })
        }
        fn url(&self) -> &str {
            "http://test/file.tif"
        }
    }

    fn served(len: usize, honours_range: bool) -> (RangeReader<Served>, Asked) {
        let asked = Rc::new(RefCell::new(Vec::new()));
        let bytes = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        let reader = RangeReader::new(
            Served {
                bytes,
                honours_range,
                asked: asked.clone(),
            },
            Traffic::default(),
            Arc::default(),
        );
        (reader, asked)
    }

    #[test]
    fn reads_equal_the_file_and_neighbours_merge() {
        let len = 5 * BLOCK as usize + 123;
        let (mut r, asked) = served(len, true);
        let mut all = Vec::new();
        r.read_to_end(&mut all).expect("reads");
        let expected: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        assert_eq!(all, expected);
        // Reading across blocks 1..=3 after a seek: one request for the three missing blocks.
        let (mut r, asked2) = served(len, true);
        r.seek(SeekFrom::Start(BLOCK + 10)).expect("seek");
        let mut buf = vec![0; 2 * BLOCK as usize + 100];
        r.read_exact(&mut buf).expect("reads");
        assert_eq!(&buf[..], &expected[BLOCK as usize + 10..][..buf.len()]);
        assert_eq!(*asked2.borrow(), vec![(BLOCK, 4 * BLOCK)]);
        // Read again: from the cache.
        r.seek(SeekFrom::Start(BLOCK)).expect("seek");
        r.read_exact(&mut buf[..100]).expect("cached");
        assert_eq!(asked2.borrow().len(), 1);
        assert!(!asked.borrow().is_empty());
        assert_eq!(
            r.seek(SeekFrom::End(-3)).expect("len known"),
            len as u64 - 3
        );
    }

    #[test]
    fn the_cache_is_bounded() {
        let len = (KEPT_BLOCKS + 10) * BLOCK as usize;
        let (mut r, _) = served(len, true);
        let mut byte = [0u8];
        for b in 0..(KEPT_BLOCKS + 10) as u64 {
            r.seek(SeekFrom::Start(b * BLOCK)).expect("seek");
            r.read_exact(&mut byte).expect("reads");
        }
        let kept = r.blocks.lock().expect("lock").kept.len();
        assert!(kept <= KEPT_BLOCKS, "{kept}");
        assert_eq!(r.traffic.requests(), (KEPT_BLOCKS + 10) as u64);
    }

    #[test]
    fn a_host_that_ignores_ranges_and_bad_answers() {
        let len = 3 * BLOCK as usize;
        let (mut r, asked) = served(len, false);
        r.seek(SeekFrom::Start(2 * BLOCK + 10)).expect("seek");
        let mut rest = Vec::new();
        r.read_to_end(&mut rest)
            .expect("a small whole body is taken");
        assert_eq!(rest.len(), BLOCK as usize - 10);
        r.seek(SeekFrom::Start(0)).expect("seek");
        r.read_to_end(&mut rest).expect("from what was sent");
        assert_eq!(asked.borrow().len(), 1, "the whole file is asked for once");
        assert_eq!(
            parse_content_range("bytes 0-99/1000"),
            Some((0, 99, Some(1000)))
        );
        assert_eq!(parse_content_range("bytes 5-9/*"), Some((5, 9, None)));
        assert_eq!(parse_content_range("items 0-1/2"), None);
        for (status, words) in [
            (404, "404 Not Found"),
            (403, "expired"),
            (500, "answered 500"),
        ] {
            let e = checked(
                Answer {
                    status,
                    content_range: None,
                    body: Vec::new(),
                },
                0,
                "http://h/B3.TIF",
            )
            .expect_err("refused")
            .to_string();
            assert!(
                e.starts_with("http://h/B3.TIF: ") && e.contains(words),
                "{e}"
            );
        }
        let e = checked(
            Answer {
                status: 206,
                content_range: Some("bytes 100-199/1000".into()),
                body: vec![0; 100],
            },
            0,
            "u",
        )
        .expect_err("wrong range");
        assert!(e.to_string().contains("asked for bytes from 0"), "{e}");
    }

    #[test]
    fn missing_blocks_fetched_at_once_are_read_without_another_request() {
        let len = 40 * BLOCK as usize + 500;
        let (mut r, asked) = served(len, true);
        // The header, read as it goes.
        let mut head = [0u8; 100];
        r.read_exact(&mut head).expect("reads");
        assert_eq!(asked.borrow().len(), 1);
        // Two chunks in blocks 3–4 and 10 (its tail past the end of block 10), and one that
        // ends in the file's last, short block.
        let spans = [
            (3 * BLOCK + 5, 5 * BLOCK - 1),
            (10 * BLOCK + 7, 10 * BLOCK + 9),
            (40 * BLOCK + 100, 40 * BLOCK + 400),
        ];
        let runs = r.blocks.lock().expect("lock").missing(&spans);
        assert_eq!(
            runs,
            [
                (3 * BLOCK, 5 * BLOCK),
                (10 * BLOCK, 11 * BLOCK),
                (40 * BLOCK, 41 * BLOCK)
            ]
        );
        // Answered out of order, as requests in flight come back.
        for &(start, end) in runs.iter().rev() {
            let answer = r.fetch.fetch(start, end).expect("answers");
            let mut b = r.blocks.lock().expect("lock");
            b.store(r.fetch.url(), start, end, answer, &r.traffic)
                .expect("stores");
        }
        let before = asked.borrow().len();
        let expected: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        for (start, end) in spans {
            r.seek(SeekFrom::Start(start)).expect("seeks");
            let mut buf = vec![0; (end - start) as usize];
            r.read_exact(&mut buf).expect("reads");
            assert_eq!(buf, expected[start as usize..end as usize]);
        }
        assert_eq!(
            asked.borrow().len(),
            before,
            "no request after the prefetch"
        );
        assert_eq!(r.traffic.requests(), 4);
        // Nothing is missing now; more than a cache holds is left to the reads.
        assert!(r.blocks.lock().expect("lock").missing(&spans).is_empty());
        let huge = [(0, (KEPT_BLOCKS as u64 + 1) * BLOCK)];
        assert!(Blocks::default().missing(&huge).is_empty());
        assert_eq!(Blocks::default().missing(&huge[..0]), []);
    }
}
