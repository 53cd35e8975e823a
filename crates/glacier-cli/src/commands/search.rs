//! `glacier search`: scenes in a STAC API, one JSON line per item.

use anyhow::{Context, Result};
use glacier_archive::Search;

use crate::archive::{self, Found};

/// Search a STAC API for scenes over an area: one JSON line per item (id, date, cloud cover,
/// platform, the item's address for `--item`), least cloudy first within each page as the API
/// sends them.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  glacier search --stac https://planetarycomputer.microsoft.com/api/stac/v1 \\\n      --bbox 86.7,27.9,86.9,28.1 --datetime 2023-08-01/2023-10-31 --max-cloud 20\n  glacier predict --item <an item address from above> --bbox 86.7,27.9,86.9,28.1 --out mask.tif"
)]
pub struct Args {
    /// The STAC API's root address (its landing page).
    #[arg(long, value_name = "URL")]
    pub stac: String,
    /// Area: west,south,east,north in degrees.
    #[arg(long, value_name = "W,S,E,N", allow_hyphen_values = true)]
    pub bbox: String,
    /// Date or interval, RFC 3339: 2023-08-01/2023-10-31.
    #[arg(long)]
    pub datetime: Option<String>,
    /// Only items with less cloud than this (percent).
    #[arg(long, value_name = "PERCENT")]
    pub max_cloud: Option<f64>,
    /// The collection searched.
    #[arg(long, default_value = "landsat-c2-l2")]
    pub collection: String,
    /// Stop after this many items.
    #[arg(long, default_value_t = 100)]
    pub max_items: usize,
}

/// Runs the search and prints the items.
pub fn run(args: Args) -> Result<()> {
    let area = glacier_raster::parse_bbox(&args.bbox).context("--bbox")?;
    let search = Search {
        collections: vec![args.collection.clone()],
        bbox: [area.west, area.south, area.east, area.north],
        datetime: args.datetime.clone(),
        max_cloud: args.max_cloud,
        limit: args.max_items.clamp(1, 100),
    };
    let found = archive::search(&args.stac, &search, args.max_items)?;
    for Found { item, url } in &found {
        let line = serde_json::json!({
            "id": item.id,
            "date": item.date(),
            "cloud_cover": item.properties.cloud_cover,
            "platform": item.properties.platform,
            "item": url,
        });
        println!("{line}");
    }
    eprintln!("{} items", found.len());
    Ok(())
}
