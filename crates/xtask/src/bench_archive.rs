//! `cargo xtask bench-archive`: what reading an area of 1/81 of a real scene from the archive
//! costs in bytes and requests. The real USGS Collection 2 QA_PIXEL COG of a whole Landsat 8
//! scene (7551 × 7351 px, 256-px DEFLATE tiles), and a scene-sized reflectance COG made by
//! GDAL from a real band, are cut into 9 × 9 areas; each is read through `glacier_archive`'s
//! range reader from a server in memory, block by block as the reader goes, and the way the
//! page and the CLI read it (the area's tiles fetched at once, then read). Each is compared with the compressed bytes of the tiles the area touches, the least
//! any reader must fetch; the bound is 2×.

use anyhow::{Context, Result, bail};
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex};

use glacier_archive::{Answer, Blocks, Fetch, RangeReader, Traffic};
use glacier_raster::{GeoTiffReader, Window};

/// A file answering range requests from memory, as a host honouring `Range` does.
#[derive(Clone)]
struct Served(Arc<Vec<u8>>);

impl Fetch for Served {
    fn fetch(&self, start: u64, end: u64) -> io::Result<Answer> {
        let len = self.0.len() as u64;
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
            body: self.0[start as usize..end as usize].to_vec(),
        })
    }
    fn url(&self) -> &str {
        "http://bench/band.tif"
    }
}

/// What one area cost: bytes and requests, read as the reader goes and prefetched, and the
/// bytes of the header read before (the same for both).
struct Cost {
    tiles: u64,
    header: u64,
    cli: (u64, u64),
    page: (u64, u64),
}

/// Reads `window` of the served file as the reader goes, then prefetched.
fn cost(file: &Served, window: Window) -> Result<Cost> {
    let open = |traffic: &Traffic, blocks: &Arc<Mutex<Blocks>>| {
        GeoTiffReader::new(
            "band.tif",
            RangeReader::new(file.clone(), traffic.clone(), blocks.clone()),
        )
    };
    // As the reader goes: header, then the window, block runs fetched as the reader asks.
    let traffic = Traffic::default();
    let blocks = Arc::default();
    let mut reader = open(&traffic, &blocks)?;
    let header = traffic.bytes();
    let tiles: u64 = reader
        .byte_ranges(&[0], window)
        .iter()
        .map(|(a, b)| b - a)
        .sum();
    reader.read_window(0, window)?;
    let cli = (traffic.bytes(), traffic.requests());
    // Prefetched (page and CLI): header, the area's tiles fetched at once
    // ([`Blocks::missing`]), then the read.
    let traffic = Traffic::default();
    let blocks: Arc<Mutex<Blocks>> = Arc::default();
    let mut reader = open(&traffic, &blocks)?;
    let spans = reader.byte_ranges(&[0], window);
    let runs = blocks.lock().map(|b| b.missing(&spans)).unwrap_or_default();
    for (start, end) in runs {
        let answer = file.fetch(start, end)?;
        if let Ok(mut b) = blocks.lock() {
            b.store(file.url(), start, end, answer, &traffic)?;
        }
    }
    let before = traffic.requests();
    reader.read_window(0, window)?;
    if traffic.requests() != before {
        bail!("the page's read of {window:?} asked for more after the prefetch");
    }
    Ok(Cost {
        tiles,
        header,
        cli,
        page: (traffic.bytes(), traffic.requests()),
    })
}

/// A scene-sized (7551 × 7351 px) reflectance COG: the real Athabasca L30 NIR band (215 × 205
/// px) repeated side by side through a GDAL VRT, written as a USGS-like COG (DEFLATE, 256-px
/// tiles, overviews) under `target/bench-archive/`. Real texture and values at a scene's size
/// and tile layout, though a crop's repeats compress a little better than a whole scene.
fn scene_sized_band(data: &Path) -> Result<std::path::PathBuf> {
    let source = data.join("athabasca_hls_satrbedo/athabasca_2020229_B05_L30.tif");
    let dir = Path::new("target/bench-archive");
    std::fs::create_dir_all(dir)?;
    let out = dir.join("athabasca_B05_scene_sized_cog.tif");
    if out.is_file() {
        return Ok(out);
    }
    let reader = GeoTiffReader::open(&source)?;
    let info = reader.info();
    let (w, h) = (info.width, info.height);
    let t = info.transform.context("the band is georeferenced")?;
    let (scene_w, scene_h) = (7551u32, 7351u32);
    let mut sources = String::new();
    for y in (0..scene_h).step_by(h as usize) {
        for x in (0..scene_w).step_by(w as usize) {
            sources.push_str(&format!(
                "<SimpleSource><SourceFilename relativeToVRT=\"0\">{}</SourceFilename>\
                 <SourceBand>1</SourceBand><SrcRect xOff=\"0\" yOff=\"0\" xSize=\"{w}\" ySize=\"{h}\"/>\
                 <DstRect xOff=\"{x}\" yOff=\"{y}\" xSize=\"{w}\" ySize=\"{h}\"/></SimpleSource>",
                std::fs::canonicalize(&source)?.display()
            ));
        }
    }
    let vrt = dir.join("scene_sized.vrt");
    std::fs::write(
        &vrt,
        format!(
            "<VRTDataset rasterXSize=\"{scene_w}\" rasterYSize=\"{scene_h}\">\
             <GeoTransform>{}, {}, 0, {}, 0, {}</GeoTransform>\
             <VRTRasterBand dataType=\"Int16\" band=\"1\">{sources}</VRTRasterBand></VRTDataset>",
            t.x0, t.dx, t.y0, t.dy
        ),
    )?;
    let made = crate::cmd::command(
        "gdal_translate",
        &[
            "-q",
            "-of",
            "COG",
            "-co",
            "COMPRESS=DEFLATE",
            "-co",
            "PREDICTOR=2",
            "-co",
            "BLOCKSIZE=256",
            "-co",
            "OVERVIEWS=AUTO",
        ],
    )
    .arg(&vrt)
    .arg(&out)
    .status()
    .context("gdal_translate (GDAL) makes the scene-sized band")?;
    if !made.success() {
        bail!("gdal_translate could not write {}", out.display());
    }
    Ok(out)
}

/// Runs the benchmark and prints its tables: the real QA_PIXEL COG, then a scene-sized
/// reflectance band.
pub fn run() -> Result<()> {
    let data = Path::new("../shared/data");
    let qa = data
        .join("everest_landsat8_qa_unpackqa/LC08_L2SP_140041_20130503_20200912_02_T1_QA_PIXEL.TIF");
    if !qa.is_file() {
        bail!(
            "{} is missing: the benchmark reads the real scene-sized COG kept in ../shared/data",
            qa.display()
        );
    }
    let mut worst = Vec::new();
    for path in [qa.clone(), scene_sized_band(data)?] {
        worst.push(table(&path)?);
    }
    println!(
        "\nA QA_PIXEL tile compresses to a few kB, so the 16 KiB blocks fetched (as GDAL's \
         /vsicurl/ fetches them) and the header weigh more there than on a reflectance band. \
         The issue's bound is 2× the tiles; the worst area: {:.2}× (QA_PIXEL), {:.2}× (reflectance).",
        worst[0], worst[1]
    );
    Ok(())
}

/// The table of one file; the worst ratio of bytes fetched to the tiles' bytes.
fn table(path: &Path) -> Result<f64> {
    let bytes = std::fs::read(path)?;
    let file_len = bytes.len() as u64;
    let file = Served(Arc::new(bytes));
    let (width, height) = {
        let reader = GeoTiffReader::new("band.tif", io::Cursor::new(file.0.as_slice()))?;
        (reader.info().width, reader.info().height)
    };
    let (cell_w, cell_h) = (width / 9, height / 9);
    let mut costs = Vec::new();
    for row in 0..9 {
        for col in 0..9 {
            let window = Window::new(col * cell_w, row * cell_h, cell_w, cell_h);
            costs.push(cost(&file, window)?);
        }
    }
    let tiles_mb = costs.iter().map(|c| c.tiles as f64).sum::<f64>() / costs.len() as f64 / 1e6;
    let header_kb = costs.iter().map(|c| c.header as f64).sum::<f64>() / costs.len() as f64 / 1e3;
    println!(
        "\n{} ({width} × {height} px, {:.2} MB) in 9 × 9 areas of {cell_w} × {cell_h} px \
         (1/81 of the scene): the tiles an area touches hold {tiles_mb:.3} MB on average; the \
         header (IFDs and tile tables of every level) takes {header_kb:.1} kB",
        path.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        file_len as f64 / 1e6
    );
    println!(
        "\n| read | MB fetched (mean) | fetched / tiles, header included: min / median / max | \
         tiles' part only | requests: min / median / max |"
    );
    println!("|---|---:|---|---|---|");
    let spread = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        format!(
            "{:.2} / {:.2} / {:.2}",
            v[0],
            v[v.len() / 2],
            v[v.len() - 1]
        )
    };
    let mut worst = 0.0f64;
    for (name, pick) in [
        (
            "as the reader goes (block runs as it asks)",
            (|c: &Cost| c.cli) as fn(&Cost) -> (u64, u64),
        ),
        (
            "prefetched, as the page and the CLI read (the area's tiles at once)",
            |c: &Cost| c.page,
        ),
    ] {
        let all: Vec<f64> = costs
            .iter()
            .map(|c| pick(c).0 as f64 / c.tiles as f64)
            .collect();
        let tiles_only: Vec<f64> = costs
            .iter()
            .map(|c| (pick(c).0 - c.header) as f64 / c.tiles as f64)
            .collect();
        worst = all.iter().copied().fold(worst, f64::max);
        let mb = costs.iter().map(|c| pick(c).0 as f64).sum::<f64>() / costs.len() as f64 / 1e6;
        let requests = spread(costs.iter().map(|c| pick(c).1 as f64).collect());
        println!(
            "| {name} | {mb:.3} | {} | {} | {} |",
            spread(all),
            spread(tiles_only),
            requests.replace(".00", "")
        );
    }
    Ok(worst)
}
