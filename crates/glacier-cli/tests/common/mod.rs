//! What the CLI's archive tests share: the binary run as a person runs it, the real Liverpool
//! Level-2 bands of `../shared/data` unpacked, and a local HTTP server (a STAC API, items and
//! files answered with `Range`, a request log, optional read tokens).

#![allow(dead_code)] // each test file uses its part

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};

use glacier_testdata::path;

pub mod cluster;
pub mod series;

pub const SCENE: &str = "LC08_L2SP_204023_20200927_20201006_02_T1";
pub const KEYS: [(&str, &str); 5] = [
    ("green", "SR_B3"),
    ("red", "SR_B4"),
    ("nir08", "SR_B5"),
    ("swir16", "SR_B6"),
    ("swir22", "SR_B7"),
];

/// Serves the Liverpool band files of `dir` at `/files/NAME`.
pub fn serve_bands(site: &mut Site, dir: &std::path::Path) {
    for (_, band) in KEYS {
        let name = format!("{SCENE}_{band}.TIF");
        let bytes = std::fs::read(dir.join(&name)).expect("unpacked band");
        site.docs.insert(format!("/files/{name}"), bytes);
    }
}

/// How many requests the site has answered for band files so far.
pub fn band_reads(site: &Mutex<Site>) -> usize {
    let s = site.lock().expect("lock");
    s.log
        .iter()
        .filter(|(_, p, _)| p.starts_with("/files/"))
        .count()
}

/// The binary under test: `GLACIER_BIN` when set (`cargo xtask bench-tasks` gives its release
/// build), else this build's.
pub fn glacier_bin() -> String {
    std::env::var("GLACIER_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_glacier").to_owned())
}

/// Runs the binary: (success, stdout, stderr); never a panic's exit code.
pub fn glacier(args: &[&str]) -> (bool, String, String) {
    glacier_with_env(args, &[])
}

/// [`glacier`] with these environment variables set.
#[allow(dead_code)] // not every test binary sets any
pub fn glacier_with_env(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let out = Command::new(glacier_bin())
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .envs(env.iter().copied())
        .output()
        .expect("runs");
    assert_ne!(out.status.code(), Some(101), "a panic: {out:?}");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("glacier_cli_{}_{name}", std::process::id()))
}

/// The Liverpool bands unpacked from the real USGS archive into a fresh folder.
pub fn liverpool_files(test: &str) -> Option<PathBuf> {
    let tar = path(&format!("xlandsat_c2_ice_free/{SCENE}-cropped.tar.gz"))?;
    let dir = tmp(&format!("liverpool_{test}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ok = Command::new("tar")
        .arg("xzf")
        .arg(&tar)
        .arg("-C")
        .arg(&dir)
        .status()
        .expect("tar runs");
    assert!(ok.success());
    Some(dir)
}

/// What the local server serves, and what it was asked.
#[derive(Default)]
pub struct Site {
    /// Path → body.
    pub docs: BTreeMap<String, Vec<u8>>,
    /// Paths answered with the whole body (200) even when a range is asked.
    pub ignore_range: Vec<String>,
    /// When set, files are answered only to addresses with this query (a read token).
    pub token: Option<String>,
    /// POST bodies holding the first text are answered from the document at the path plus
    /// the second (a search per year: `("2019-", "#2019")`).
    pub body_keys: Vec<(String, String)>,
    /// Each request: method, path, Range header.
    pub log: Vec<(String, String, Option<String>)>,
    /// Milliseconds each file read waits before it is answered, as over a network.
    pub delay_ms: u64,
    /// File reads being answered now, and the most there were at once.
    pub in_flight: (usize, usize),
}

/// Starts the server on a free port; returns its base address.
pub fn serve(site: Arc<Mutex<Site>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let site = site.clone();
            std::thread::spawn(move || answer(stream, &site));
        }
    });
    base
}

fn answer(stream: TcpStream, site: &Mutex<Site>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let target = parts.next().unwrap_or("").to_owned();
    let mut range = None;
    let mut length = 0;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap_or(("", ""));
        match name.trim().to_ascii_lowercase().as_str() {
            "range" => range = Some(value.trim().to_owned()),
            "content-length" => length = value.trim().parse().unwrap_or(0),
            _ => {}
        }
    }
    let mut body_in = vec![0; length];
    let _ = reader.read_exact(&mut body_in);
    let path = target.split('?').next().unwrap_or("").to_owned();
    // A POST to the search gets the second page when its body carries the token.
    let body_text = String::from_utf8_lossy(&body_in).into_owned();
    let key = if method == "POST" && body_text.contains("page-2") {
        format!("{path}#2")
    } else {
        let s = site.lock().expect("lock");
        s.body_keys
            .iter()
            .find(|(needle, _)| method == "POST" && body_text.contains(needle.as_str()))
            .map_or_else(|| path.clone(), |(_, suffix)| format!("{path}{suffix}"))
    };
    let query = target.split_once('?').map(|(_, q)| q.to_owned());
    let (doc, whole, refused) = {
        let mut s = site.lock().expect("lock");
        s.log.push((method, target.clone(), range.clone()));
        let refused = path.starts_with("/files/") && s.token.is_some() && s.token != query;
        (
            s.docs.get(&key).cloned(),
            s.ignore_range.contains(&path),
            refused,
        )
    };
    let file_read = path.starts_with("/files/");
    let delay = {
        let mut s = site.lock().expect("lock");
        if file_read {
            s.in_flight.0 += 1;
            s.in_flight.1 = s.in_flight.1.max(s.in_flight.0);
        }
        s.delay_ms
    };
    if file_read && delay > 0 {
        std::thread::sleep(std::time::Duration::from_millis(delay));
    }
    let done = || {
        if file_read {
            site.lock().expect("lock").in_flight.0 -= 1;
        }
    };
    let mut out = stream;
    if refused {
        done();
        let _ = out
            .write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        return;
    }
    let Some(doc) = doc else {
        done();
        let _ = out
            .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        return;
    };
    let parsed = range.as_deref().and_then(|r| {
        let (a, b) = r.strip_prefix("bytes=")?.split_once('-')?;
        Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?))
    });
    let (status, body, extra) = match parsed {
        Some((a, b)) if !whole && a < doc.len() => {
            let end = (b + 1).min(doc.len());
            (
                "206 Partial Content",
                doc[a..end].to_vec(),
                format!("content-range: bytes {a}-{}/{}\r\n", end - 1, doc.len()),
            )
        }
        _ => ("200 OK", doc, String::new()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\naccept-ranges: bytes\r\n{extra}connection: close\r\n\r\n",
        body.len()
    );
    let _ = out.write_all(head.as_bytes());
    let _ = out.write_all(&body);
    done();
}
