//! Scenes from a STAC archive: an item's band assets as remote files read over HTTP
//! (`glacier_map::item_scene` makes the scene, as in the page), signed where they need it.

use std::sync::Arc;

use anyhow::Result;
use glacier_archive::{Item, Request, sign};
use glacier_inputs::Scene;

use crate::http::{self, HttpFile, Signer};

/// The scene of the STAC Item at `url`. Assets on Azure Blob Storage (the Planetary
/// Computer's) are read with tokens from `token_endpoint` (the Planetary Computer's by
/// default); with an endpoint given, every asset is.
pub fn item_scene(url: &str, token_endpoint: Option<&str>) -> Result<Scene> {
    let item = Item::from_json(url, &http::text(&Request::Get(url.to_owned()))?)?;
    let collection = item.collection.as_deref().unwrap_or("landsat-c2-l2");
    let signer = Arc::new(Signer::new(sign::token_url(
        token_endpoint.unwrap_or(sign::PLANETARY_COMPUTER),
        collection,
    )));
    // The area is cut by the caller, as for local files.
    let (scene, notes) = glacier_map::item_scene(&item, url, None, |band| {
        let signed = token_endpoint.is_some() || sign::needs_token(&band.href);
        Box::new(HttpFile::new(
            band.file_name.clone(),
            band.href.clone(),
            signed.then(|| signer.clone()),
        ))
    })?;
    for note in notes {
        eprintln!("{note}");
    }
    Ok(scene)
}

/// What the archive reads cost, for the end of a command: nothing when nothing was fetched.
pub fn traffic_line() -> Option<String> {
    let t = http::traffic();
    (t.requests() > 0).then(|| {
        format!(
            "fetched {:.2} MB in {} range requests",
            t.bytes() as f64 / 1e6,
            t.requests()
        )
    })
}
