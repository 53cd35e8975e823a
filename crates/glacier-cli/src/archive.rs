//! Scenes from a STAC archive: searches (every page, up to a cap), and an item's band assets as remote files read over HTTP
//! (`glacier_map::item_scene` makes the scene, as in the page), signed where they need it.

use std::sync::Arc;

use anyhow::Result;
use glacier_archive::search::{next_request, parse_page, search_endpoint};
use glacier_archive::{Item, Request, Search, sign};
use glacier_inputs::Scene;

use crate::http::{self, HttpFile, Signer};

/// The scene of the STAC Item at `url`. Assets on Azure Blob Storage (the Planetary
/// Computer's) are read with tokens from `token_endpoint` (the Planetary Computer's by
/// default); with an endpoint given, every asset is.
pub fn item_scene(url: &str, token_endpoint: Option<&str>) -> Result<Scene> {
    let (scene, notes) = item_scene_quietly(url, token_endpoint)?;
    for note in notes {
        eprintln!("{note}");
    }
    Ok(scene)
}

/// [`item_scene`], with what it would say returned instead of printed.
pub fn item_scene_quietly(url: &str, token_endpoint: Option<&str>) -> Result<(Scene, Vec<String>)> {
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
    Ok((scene, notes))
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

/// Pages of search results asked for at most, whatever the API's `next` links say.
const MAX_PAGES: usize = 50;

/// An item a search found, and its own address (its `self` link), where it gives one.
pub struct Found {
    /// The item.
    pub item: Item,
    /// Its address, for `--item` and plans.
    pub url: Option<String>,
}

/// The items the STAC API at `api` (its landing page) finds for `search`, in the API's order,
/// at most `max_items` of them and [`MAX_PAGES`] pages; items over the cloud limit are left
/// out even where the API did not filter them.
pub fn search(api: &str, search: &Search, max_items: usize) -> Result<Vec<Found>> {
    let landing = http::text(&Request::Get(api.to_owned()))?;
    let (endpoint, post) = search_endpoint(api, &landing)?;
    let mut request = search.first_request(&endpoint, post);
    let mut found = Vec::new();
    for _ in 0..MAX_PAGES {
        let page = parse_page(request.url(), &http::text(&request)?)?;
        for item in page.features.iter().filter(|i| search.keeps(i)) {
            if found.len() == max_items {
                return Ok(found);
            }
            let url = item
                .links
                .iter()
                .find(|l| l.rel == "self")
                .map(|l| glacier_archive::stac::resolve(request.url(), &l.href));
            found.push(Found {
                item: item.clone(),
                url,
            });
        }
        match next_request(&page, &request) {
            Some(next) => request = next,
            None => break,
        }
    }
    Ok(found)
}
