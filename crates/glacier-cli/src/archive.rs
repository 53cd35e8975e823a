//! Scenes from a STAC archive: an item's band assets as remote files, named as USGS names
//! them (so they are recognised as local copies would be), with the item's scale, offset and
//! nodata where the files carry none.

use anyhow::Result;
use glacier_archive::stac::Role;
use glacier_archive::{Item, Request};
use glacier_inputs::Scene;
use glacier_inputs::scene::Scaling;
use glacier_map::{BandMapping, scene_from_files};

use std::sync::Arc;

use glacier_archive::sign;

use crate::http::{self, HttpFile, Signer};

/// The scene of the STAC Item at `url`. Assets on Azure Blob Storage (the Planetary
/// Computer's) are read with tokens from `token_endpoint` (the Planetary Computer's by
/// default); with an endpoint given, every asset is.
pub fn item_scene(url: &str, token_endpoint: Option<&str>) -> Result<Scene> {
    let item = Item::from_json(url, &http::text(&Request::Get(url.to_owned()))?)?;
    let bands = item.landsat_bands(url)?;
    let collection = item.collection.as_deref().unwrap_or("landsat-c2-l2");
    let signer = Arc::new(Signer::new(sign::token_url(
        token_endpoint.unwrap_or(sign::PLANETARY_COMPUTER),
        collection,
    )));
    let mut files = glacier_map::SceneFiles::default();
    let mut mapped = Vec::new();
    for band in &bands {
        let signed = token_endpoint.is_some() || sign::needs_token(&band.href);
        let file = Box::new(HttpFile::new(
            band.file_name.clone(),
            band.href.clone(),
            signed.then(|| signer.clone()),
        ));
        let named = glacier_landsat::LandsatFileName::parse(&band.file_name).is_some();
        match band.role {
            _ if named => files.named.push(file),
            Role::Band(channel) => {
                files.bands.push(BandMapping {
                    channel,
                    file,
                    band: 0,
                });
                mapped.push((channel, band));
            }
            Role::QaPixel => eprintln!(
                "note: asset {} ({}) has no USGS QA_PIXEL name; clouds are not masked",
                band.key, band.file_name
            ),
        }
    }
    let (mut scene, notes) = scene_from_files(files)?;
    for note in notes {
        eprintln!("{note}");
    }
    for (channel, band) in mapped {
        if let Some(source) = scene.channels.get_mut(&channel) {
            if source.scaling == Scaling::AsStored
                && (band.scale.is_some() || band.offset.is_some())
            {
                source.scaling = Scaling::Linear {
                    scale: band.scale.unwrap_or(1.0),
                    offset: band.offset.unwrap_or(0.0),
                };
            }
            source.nodata = source.nodata.or(band.nodata);
        }
    }
    let keys: Vec<&str> = bands.iter().map(|b| b.key.as_str()).collect();
    eprintln!(
        "item {} ({}{}): {} read over HTTP",
        item.id,
        item.date().unwrap_or("no date"),
        item.properties
            .cloud_cover
            .map(|c| format!(", {c:.1} % cloud"))
            .unwrap_or_default(),
        keys.join(", ")
    );
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
