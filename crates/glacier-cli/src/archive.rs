//! Scenes from a STAC archive: searches (every page, up to a cap), and an item's band assets as remote files read over HTTP
//! (`glacier_map::item_scene` makes the scene, as in the page), signed where they need it.

use std::sync::Arc;

use anyhow::{Context, Result};
use glacier_archive::stac::{ItemBand, Role};
use glacier_archive::{Item, Request, Search, sign};
use glacier_inputs::{FileSource, Scene};
use glacier_landsat::{QaMaskRules, QaPixel};
use glacier_raster::{GeoTiffReader, LonLatBounds};

use crate::http::{self, HttpFile, Signer};

/// The scene of the STAC Item at `url`, and its remote files (for [`http::prefetch`]). Assets
/// on Azure Blob Storage (the Planetary Computer's) are read with tokens from
/// `token_endpoint` (the Planetary Computer's by default); with an endpoint given, every asset
/// is.
pub fn item_scene(url: &str, token_endpoint: Option<&str>) -> Result<(Scene, Vec<HttpFile>)> {
    let item = Item::from_json(url, &http::text(&Request::Get(url.to_owned()))?)?;
    let signer = signer(&item, token_endpoint);
    let files = std::cell::RefCell::new(Vec::new());
    // The area is cut by the caller, as for local files.
    let (scene, notes) = glacier_map::item_scene(&item, url, None, |band| {
        let file = remote_file(band, &signer, token_endpoint.is_some());
        files.borrow_mut().push(file.clone());
        Box::new(file)
    })?;
    for note in notes {
        eprintln!("{note}");
    }
    Ok((scene, files.into_inner()))
}

/// The share of `area` (percent) that the QA_PIXEL asset of `item` (read from `url`) marks as
/// fill or cloud, by the rules the scene's masking uses; only that asset is read (its header
/// and the area's tiles). `None` when the item has no QA_PIXEL asset.
pub fn area_cloud(
    item: &Item,
    url: &str,
    token_endpoint: Option<&str>,
    area: &LonLatBounds,
) -> Result<Option<f64>> {
    let Some(qa) = item
        .landsat_bands(url)?
        .into_iter()
        .find(|b| b.role == Role::QaPixel)
    else {
        return Ok(None);
    };
    let file = remote_file(&qa, &signer(item, token_endpoint), token_endpoint.is_some());
    let reader = GeoTiffReader::new(qa.file_name.clone(), file.open()?)?;
    Ok(Some(cloud_share(reader, area)?.0))
}

/// Least pixels across the area in the overview [`cloud_share`] reads.
const AREA_PIXELS_ACROSS: u32 = 128;

/// The share of `area` (percent) that a QA_PIXEL raster marks as fill or cloud, and the image
/// level it was read at: the coarsest overview that still gives the area
/// [`AREA_PIXELS_ACROSS`] pixels across (USGS samples QA overviews, nearest, so their bits are
/// real pixels' and the share a sample of the full one), else the full resolution.
fn cloud_share<R: std::io::Read + std::io::Seek>(
    mut reader: GeoTiffReader<R>,
    area: &LonLatBounds,
) -> Result<(f64, usize)> {
    let grid = reader.info().grid().with_context(|| {
        format!(
            "{}: not georeferenced, so the area cannot be placed on it",
            reader.name()
        )
    })?;
    let full = glacier_raster::window_covering(&grid, area)?;
    let (level, window) =
        reader.select_coarsest(full, |w| w.width.min(w.height) >= AREA_PIXELS_ACROSS)?;
    let samples = reader.read_window(0, window)?;
    let rules = QaMaskRules::default();
    let masked = (0..samples.len())
        .filter(|&i| rules.masks(QaPixel(samples.get_f64(i).unwrap_or(1.0) as u16)))
        .count();
    Ok((100.0 * masked as f64 / samples.len().max(1) as f64, level))
}

/// Where `item`'s asset read tokens come from: `token_endpoint`, else the Planetary Computer's.
fn signer(item: &Item, token_endpoint: Option<&str>) -> Arc<Signer> {
    let collection = item.collection.as_deref().unwrap_or("landsat-c2-l2");
    Arc::new(Signer::new(sign::token_url(
        token_endpoint.unwrap_or(sign::PLANETARY_COMPUTER),
        collection,
    )))
}

/// A band asset as a remote file, signed where its host needs a token (every asset when
/// `sign_all`: a token endpoint was given).
fn remote_file(band: &ItemBand, signer: &Arc<Signer>, sign_all: bool) -> HttpFile {
    let signed = sign_all || sign::needs_token(&band.href);
    HttpFile::new(
        band.file_name.clone(),
        band.href.clone(),
        signed.then(|| signer.clone()),
    )
    .asset(&band.key)
}

/// What the archive reads cost, for the end of a command: nothing when nothing was fetched.
pub fn traffic_line() -> Option<String> {
    let t = http::traffic();
    (t.requests() > 0).then(|| {
        let of = match t.file_bytes() {
            0 => String::new(),
            all => format!(" (of {:.2} MB in the files read)", all as f64 / 1e6),
        };
        format!(
            "fetched {:.2} MB in {} range requests{of}",
            t.bytes() as f64 / 1e6,
            t.requests()
        )
    })
}

pub use glacier_archive::Found;

/// The items the STAC API at `api` (its landing page) finds for `search`, at most `max_items`
/// ([`glacier_archive::find`] through the blocking HTTP client).
pub fn search(api: &str, search: &Search, max_items: usize) -> Result<Vec<Found>> {
    pollster::block_on(glacier_archive::find(api, search, max_items, |request| {
        std::future::ready(http::text(&request))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cloud_over_an_area_from_an_overview_is_near_the_full_resolution_one() {
        let Some(file) = glacier_testdata::path(
            "everest_landsat8_qa_unpackqa/LC08_L2SP_140041_20130503_20200912_02_T1_QA_PIXEL.TIF",
        ) else {
            return;
        };
        // Areas of about 1/81 of the scene (0.3° × 0.3°) and the Everest crop's.
        for (west, south) in [(86.7, 27.9), (86.0, 27.0), (87.2, 26.8)] {
            let area = LonLatBounds {
                west,
                south,
                east: west + 0.3,
                north: south + 0.3,
            };
            let open = || GeoTiffReader::open(&file).expect("opens");
            let (share, level) = cloud_share(open(), &area).expect("reads");
            let mut full = open();
            let grid = full.info().grid().expect("georeferenced");
            let window = glacier_raster::window_covering(&grid, &area).expect("inside");
            let samples = full.read_window(0, window).expect("reads");
            let rules = QaMaskRules::default();
            let masked = (0..samples.len())
                .filter(|&i| rules.masks(QaPixel(samples.get_f64(i).unwrap_or(1.0) as u16)))
                .count();
            let exact = 100.0 * masked as f64 / samples.len() as f64;
            println!(
                "{area:?}: {share:.2} % from overview {level}, {exact:.2} % at full resolution"
            );
            assert!(
                level >= 2,
                "a 1/81 area is read from a coarse overview (level {level})"
            );
            assert!((share - exact).abs() < 2.0, "{share} vs {exact}");
        }
    }
}
