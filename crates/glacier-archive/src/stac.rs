//! STAC Items (STAC 1.0) as a Landsat Collection 2 Level-2 item carries them, and which of their
//! assets are the bands a scene needs.
//!
//! Our own serde types, not the `stac` crate: a scene needs a dozen fields of an item, and these
//! types build for wasm32 with nothing beyond serde (the page carries them in its worker).

use std::collections::BTreeMap;

use glacier_landsat::Channel;
use serde::{Deserialize, Serialize};

use crate::error::ArchiveError;

/// A STAC Item: one scene.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Item {
    /// The item's id (the Landsat product id on the Planetary Computer).
    pub id: String,
    /// Its collection, when given.
    #[serde(default)]
    pub collection: Option<String>,
    /// Its footprint's bounds in lon/lat.
    #[serde(default)]
    pub bbox: Option<Vec<f64>>,
    /// Date, cloud cover, platform, projection.
    pub properties: Properties,
    /// Its files, by key.
    pub assets: BTreeMap<String, Asset>,
    /// Links (self, parent, …).
    #[serde(default)]
    pub links: Vec<Link>,
}

/// The properties a scene uses.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Properties {
    /// Acquisition time (RFC 3339).
    #[serde(default)]
    pub datetime: Option<String>,
    /// Cloud cover of the scene, percent.
    #[serde(rename = "eo:cloud_cover", default)]
    pub cloud_cover: Option<f64>,
    /// `landsat-8`, `landsat-9`, …
    #[serde(default)]
    pub platform: Option<String>,
    /// EPSG code of the assets' CRS.
    #[serde(rename = "proj:epsg", default)]
    pub epsg: Option<u32>,
    /// Landsat WRS-2 path (a string on the Planetary Computer, a number elsewhere).
    #[serde(rename = "landsat:wrs_path", default)]
    pub wrs_path: Option<serde_json::Value>,
    /// Landsat WRS-2 row.
    #[serde(rename = "landsat:wrs_row", default)]
    pub wrs_row: Option<serde_json::Value>,
}

/// One file of an item.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Asset {
    /// Its address (absolute, or relative to the item).
    pub href: String,
    /// Media type.
    #[serde(rename = "type", default)]
    pub media_type: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Roles (`data`, `thumbnail`, …).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Per-band scale, offset and nodata (the raster extension).
    #[serde(rename = "raster:bands", default)]
    pub raster_bands: Vec<RasterBand>,
}

/// The raster extension's description of one band.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct RasterBand {
    /// Multiply stored values by this…
    #[serde(default)]
    pub scale: Option<f64>,
    /// …then add this.
    #[serde(default)]
    pub offset: Option<f64>,
    /// The stored value meaning "no data" (a number, or "nan").
    #[serde(default)]
    pub nodata: Option<serde_json::Value>,
}

/// A link of an item, a page of results or a landing page.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Link {
    /// Relation: `self`, `next`, `search`, …
    pub rel: String,
    /// Address.
    pub href: String,
    /// HTTP method for `next` and `search` links (GET when absent).
    #[serde(default)]
    pub method: Option<String>,
    /// The body to POST for a `next` link.
    #[serde(default)]
    pub body: Option<serde_json::Value>,
    /// Whether `body` is merged into the previous request's body.
    #[serde(default)]
    pub merge: Option<bool>,
}

/// A page of search results (a GeoJSON FeatureCollection of items).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct ItemCollection {
    /// The items.
    pub features: Vec<Item>,
    /// Links, the `next` page among them.
    #[serde(default)]
    pub links: Vec<Link>,
}

/// What an asset holds for a scene.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A band the network or the baseline reads.
    Band(Channel),
    /// The Collection 2 QA_PIXEL band (cloud and fill).
    QaPixel,
}

/// Asset keys of Landsat Collection 2 items (the Planetary Computer's `landsat-c2-l2`) and what
/// each holds.
pub const LANDSAT_ASSETS: [(&str, Role); 8] = [
    ("blue", Role::Band(Channel::Blue)),
    ("green", Role::Band(Channel::Green)),
    ("red", Role::Band(Channel::Red)),
    ("nir08", Role::Band(Channel::Nir)),
    ("swir16", Role::Band(Channel::Swir1)),
    ("swir22", Role::Band(Channel::Swir2)),
    ("lwir11", Role::Band(Channel::Tir)),
    ("qa_pixel", Role::QaPixel),
];

/// One band asset of an item, ready to be read.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemBand {
    /// The asset key.
    pub key: String,
    /// What it holds.
    pub role: Role,
    /// Its absolute address.
    pub href: String,
    /// The file name at the end of the address (a USGS name on the Planetary Computer).
    pub file_name: String,
    /// Scale to physical units, from `raster:bands`.
    pub scale: Option<f64>,
    /// Offset to physical units, from `raster:bands`.
    pub offset: Option<f64>,
    /// The nodata value, from `raster:bands`.
    pub nodata: Option<f64>,
}

impl Item {
    /// Parses an item's JSON; `url` is where it came from, for messages.
    ///
    /// # Errors
    /// [`ArchiveError::Json`] naming what does not parse.
    pub fn from_json(url: &str, text: &str) -> Result<Item, ArchiveError> {
        serde_json::from_str(text).map_err(|e| ArchiveError::Json {
            what: "the item".into(),
            url: url.to_owned(),
            detail: e.to_string(),
        })
    }

    /// The item's Landsat band assets (see [`LANDSAT_ASSETS`]), hrefs resolved against
    /// `item_url`, in the table's order.
    ///
    /// # Errors
    /// [`ArchiveError::NoBands`] when it has none, [`ArchiveError::NotHttp`] when one is on
    /// `s3://` or another address HTTP cannot read.
    pub fn landsat_bands(&self, item_url: &str) -> Result<Vec<ItemBand>, ArchiveError> {
        let mut bands = Vec::new();
        for (key, role) in LANDSAT_ASSETS {
            let Some(asset) = self.assets.get(key) else {
                continue;
            };
            let href = resolve(item_url, &asset.href);
            if !(href.starts_with("http://") || href.starts_with("https://")) {
                return Err(ArchiveError::NotHttp {
                    item: self.id.clone(),
                    key: key.to_owned(),
                    href,
                    hint: "the same Landsat Collection 2 scenes are readable over HTTPS from the \
                           Planetary Computer (https://planetarycomputer.microsoft.com/api/stac/v1, \
                           collection landsat-c2-l2)"
                        .to_owned(),
                });
            }
            let band = asset.raster_bands.first().cloned().unwrap_or_default();
            let path = href.split(['?', '#']).next().unwrap_or(&href);
            bands.push(ItemBand {
                key: key.to_owned(),
                role,
                file_name: path.rsplit('/').next().unwrap_or(path).to_owned(),
                href,
                scale: band.scale,
                offset: band.offset,
                nodata: band.nodata.as_ref().and_then(nodata_value),
            });
        }
        if !bands.iter().any(|b| matches!(b.role, Role::Band(_))) {
            return Err(ArchiveError::NoBands {
                item: self.id.clone(),
                wanted: LANDSAT_ASSETS
                    .iter()
                    .map(|(k, _)| *k)
                    .collect::<Vec<_>>()
                    .join(", "),
                found: self.assets.keys().cloned().collect::<Vec<_>>().join(", "),
            });
        }
        Ok(bands)
    }

    /// The acquisition date (`YYYY-MM-DD`), when the item gives one.
    pub fn date(&self) -> Option<&str> {
        self.properties
            .datetime
            .as_deref()
            .and_then(|d| d.get(..10))
    }

    /// The address of a small picture of the scene: the asset with the `thumbnail` role (or
    /// key), else the Planetary Computer's `rendered_preview`, resolved against `item_url`;
    /// `None` when the item has neither or names an `s3://` one.
    pub fn thumbnail(&self, item_url: &str) -> Option<String> {
        let by_role = self
            .assets
            .values()
            .find(|a| a.roles.iter().any(|r| r == "thumbnail"));
        let asset = by_role
            .or_else(|| self.assets.get("thumbnail"))
            .or_else(|| self.assets.get("rendered_preview"))?;
        let href = resolve(item_url, &asset.href);
        href.starts_with("http").then_some(href)
    }
}

/// A nodata value as a number ("nan" as NaN).
fn nodata_value(v: &serde_json::Value) -> Option<f64> {
    match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) if s.eq_ignore_ascii_case("nan") => Some(f64::NAN),
        _ => None,
    }
}

/// `href` made absolute against `base` (the address of the document it appeared in).
pub fn resolve(base: &str, href: &str) -> String {
    if href.contains("://") {
        return href.to_owned();
    }
    let Some((scheme, rest)) = base.split_once("://") else {
        return href.to_owned();
    };
    let host_end = rest.find('/').unwrap_or(rest.len());
    if href.starts_with('?') {
        let path = rest.split(['?', '#']).next().unwrap_or(rest);
        return format!("{scheme}://{path}{href}");
    }
    if let Some(absolute) = href.strip_prefix('/') {
        return format!("{scheme}://{}/{absolute}", &rest[..host_end]);
    }
    let path = rest.split(['?', '#']).next().unwrap_or(rest);
    let dir = match path.rfind('/') {
        Some(i) if i >= host_end => &path[..=i],
        _ => return format!("{scheme}://{path}/{href}"),
    };
    let mut parts: Vec<&str> = dir[host_end..].split('/').collect();
    parts.pop(); // the empty piece after the trailing slash
    for piece in href.split('/') {
        match piece {
            "." => {}
            ".." => {
                if parts.len() > 1 {
                    parts.pop();
                }
            }
            p => parts.push(p),
        }
    }
    format!("{scheme}://{}{}", &rest[..host_end], parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An item in the shape of the Planetary Computer's `landsat-c2-l2` (trimmed).
    const ITEM: &str = r#"{
      "type": "Feature", "stac_version": "1.0.0", "id": "LC08_L2SP_204023_20200927_02_T1",
      "collection": "landsat-c2-l2", "bbox": [-4.5, 52.9, -1.9, 54.9],
      "properties": {"datetime": "2020-09-27T11:07:21.1Z", "eo:cloud_cover": 8.3,
                     "platform": "landsat-8", "proj:epsg": 32630},
      "assets": {
        "green": {"href": "https://example.org/c2/LC08_L2SP_204023_20200927_20201006_02_T1_SR_B3.TIF?st=1",
                  "type": "image/tiff; application=geotiff; profile=cloud-optimized",
                  "raster:bands": [{"scale": 2.75e-05, "offset": -0.2, "nodata": 0}]},
        "qa_pixel": {"href": "QA.TIF", "raster:bands": [{"nodata": 1}]},
        "rendered_preview": {"href": "https://example.org/preview.png"}
      },
      "links": []
    }"#;

    #[test]
    fn landsat_bands_of_an_item() {
        let item = Item::from_json("https://example.org/items/x.json", ITEM).expect("parses");
        assert_eq!(item.date(), Some("2020-09-27"));
        assert_eq!(item.properties.cloud_cover, Some(8.3));
        let bands = item
            .landsat_bands("https://example.org/items/x.json")
            .expect("has bands");
        assert_eq!(bands.len(), 2);
        assert_eq!(bands[0].role, Role::Band(Channel::Green));
        assert_eq!(
            bands[0].file_name,
            "LC08_L2SP_204023_20200927_20201006_02_T1_SR_B3.TIF"
        );
        assert_eq!(
            (bands[0].scale, bands[0].offset),
            (Some(2.75e-5), Some(-0.2))
        );
        assert_eq!(bands[0].nodata, Some(0.0));
        assert_eq!(bands[1].href, "https://example.org/items/QA.TIF");
        assert_eq!(bands[1].role, Role::QaPixel);
    }

    #[test]
    fn unusable_items_say_why() {
        let s3 = ITEM.replace("https://example.org/c2/", "s3://usgs-landsat/c2/");
        let item = Item::from_json("https://example.org/x.json", &s3).expect("parses");
        let e = item
            .landsat_bands("https://example.org/x.json")
            .expect_err("s3");
        assert!(e.to_string().contains("asset green"), "{e}");
        assert!(e.to_string().contains("Planetary Computer"), "{e}");
        let no_bands = ITEM.replace("\"green\"", "\"thumbnail\"");
        let item = Item::from_json("http://h/x.json", &no_bands).expect("parses");
        let e = item
            .landsat_bands("http://h/x.json")
            .expect_err("no bands")
            .to_string();
        assert!(
            e.contains("its assets are: qa_pixel, rendered_preview, thumbnail"),
            "{e}"
        );
        let e = Item::from_json("u", "{\"id\": 3}").expect_err("not an item");
        assert!(
            e.to_string()
                .starts_with("the item from u is not valid STAC JSON"),
            "{e}"
        );
    }

    #[test]
    fn relative_hrefs() {
        let base = "http://127.0.0.1:8000/cat/items/a.json?x=1";
        assert_eq!(
            resolve(base, "b.tif"),
            "http://127.0.0.1:8000/cat/items/b.tif"
        );
        assert_eq!(resolve(base, "../b.tif"), "http://127.0.0.1:8000/cat/b.tif");
        assert_eq!(resolve(base, "/b.tif"), "http://127.0.0.1:8000/b.tif");
        assert_eq!(resolve(base, "https://x.org/b.tif"), "https://x.org/b.tif");
        assert_eq!(resolve("http://h", "b.tif"), "http://h/b.tif");
        assert_eq!(
            resolve(base, "?page=2"),
            "http://127.0.0.1:8000/cat/items/a.json?page=2"
        );
    }

    #[test]
    fn a_thumbnail_by_role_then_by_key() {
        let item = |assets: &str| {
            Item::from_json(
                "https://x.org/items/a.json",
                &format!(
                    r#"{{"type": "Feature", "id": "a", "properties": {{}}, "assets": {{{assets}}}}}"#
                ),
            )
            .expect("an item")
        };
        let url = "https://x.org/items/a.json";
        let thumb = item(r#""small": {"href": "a.jpg", "roles": ["thumbnail"]}"#);
        assert_eq!(
            thumb.thumbnail(url).as_deref(),
            Some("https://x.org/items/a.jpg")
        );
        let preview = item(r#""rendered_preview": {"href": "https://t.org/p.png"}"#);
        assert_eq!(
            preview.thumbnail(url).as_deref(),
            Some("https://t.org/p.png")
        );
        assert_eq!(
            item(r#""thumbnail": {"href": "s3://b/a.jpg"}"#).thumbnail(url),
            None
        );
        assert_eq!(item(r#""red": {"href": "r.tif"}"#).thumbnail(url), None);
    }
}
