//! Choosing scenes for a time series: per footprint (Landsat WRS-2 path/row, HLS tile) the
//! items ranked by cloud, the same ranking whatever order a search returned them in.

use std::collections::BTreeMap;

use crate::stac::Item;

/// The footprint an item's scene covers, as a short stable key: `landsat:wrs_path` and
/// `landsat:wrs_row` as `PPPRRR` ("140041"), else the path/row field of a Landsat product id
/// (`LC09_L2SP_140041_…`), else the tile of an HLS id (`HLS.L30.T45RVL.…` → "T45RVL"), else
/// the id itself.
pub fn footprint(item: &Item) -> String {
    let number = |v: &Option<serde_json::Value>| -> Option<u32> {
        match v.as_ref()? {
            serde_json::Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    };
    let p = &item.properties;
    if let (Some(path), Some(row)) = (number(&p.wrs_path), number(&p.wrs_row)) {
        return format!("{path:03}{row:03}");
    }
    let fields: Vec<&str> = item.id.split('_').collect();
    if fields.len() >= 3
        && fields[0].starts_with('L')
        && fields[2].len() == 6
        && fields[2].bytes().all(|b| b.is_ascii_digit())
    {
        return fields[2].to_owned();
    }
    let dotted: Vec<&str> = item.id.split('.').collect();
    if dotted.len() >= 3 && dotted[0] == "HLS" && dotted[2].starts_with('T') {
        return dotted[2].to_owned();
    }
    item.id.clone()
}

/// The year of an item's acquisition, from its `datetime`.
pub fn year(item: &Item) -> Option<i32> {
    item.properties.datetime.as_deref()?.get(..4)?.parse().ok()
}

/// Each footprint with its items, least cloudy first (unknown cloud counts as 100 %; ties go
/// to the earlier date, then to the smaller id), in footprint order: the candidates a closer
/// look (the cloud over the area itself) chooses from. `items` is borrowed in whatever order a
/// search gave it: the ranking does not depend on that order.
pub fn by_footprint(items: &[Item]) -> Vec<(String, Vec<&Item>)> {
    let mut groups: BTreeMap<String, Vec<&Item>> = BTreeMap::new();
    for item in items {
        groups.entry(footprint(item)).or_default().push(item);
    }
    let key = |i: &Item| {
        (
            i.properties.cloud_cover.unwrap_or(100.0),
            i.properties.datetime.clone().unwrap_or_default(),
            i.id.clone(),
        )
    };
    groups
        .into_iter()
        .map(|(fp, mut ranked)| {
            ranked.sort_by(|a, b| {
                let (a, b) = (key(a), key(b));
                a.0.total_cmp(&b.0)
                    .then_with(|| (&a.1, &a.2).cmp(&(&b.1, &b.2)))
            });
            (fp, ranked)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, cloud: Option<f64>, date: &str, wrs: Option<(&str, u32)>) -> Item {
        let mut properties = serde_json::json!({"datetime": date});
        if let Some(c) = cloud {
            properties["eo:cloud_cover"] = c.into();
        }
        if let Some((path, row)) = wrs {
            properties["landsat:wrs_path"] = path.into();
            properties["landsat:wrs_row"] = row.into();
        }
        serde_json::from_value(serde_json::json!({
            "id": id, "properties": properties, "assets": {}
        }))
        .expect("an item")
    }

    #[test]
    fn footprints_come_from_wrs_fields_then_product_ids_then_hls_tiles() {
        let wrs = item("x", None, "2020-01-01", Some(("140", 41)));
        assert_eq!(footprint(&wrs), "140041");
        let id = item("LC09_L2SP_140041_20231015_20231017_02_T1", None, "", None);
        assert_eq!(footprint(&id), "140041");
        let hls = item("HLS.L30.T11UNP.2021245T184101.v2.0", None, "", None);
        assert_eq!(footprint(&hls), "T11UNP");
        assert_eq!(footprint(&item("odd-one", None, "", None)), "odd-one");
    }

    #[test]
    fn items_ranked_by_cloud_per_footprint_whatever_the_order() {
        let items = vec![
            item("LC08_L2SP_140041_a", Some(30.0), "2020-08-02", None),
            item("LC08_L2SP_140041_b", Some(4.5), "2020-09-19", None),
            item("LC08_L2SP_141040_c", None, "2020-08-10", None),
            item("LC08_L2SP_141040_d", Some(99.0), "2020-08-26", None),
            item("LC08_L2SP_140041_e", Some(4.5), "2020-10-05", None),
        ];
        let ranked = |items: &[Item]| -> Vec<(String, Vec<String>)> {
            by_footprint(items)
                .into_iter()
                .map(|(fp, v)| (fp, v.iter().map(|i| i.id.clone()).collect()))
                .collect()
        };
        let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        // Equal cloud goes to the earlier date; unknown cloud counts as 100 %.
        let want = vec![
            (
                "140041".to_owned(),
                strings(&[
                    "LC08_L2SP_140041_b",
                    "LC08_L2SP_140041_e",
                    "LC08_L2SP_140041_a",
                ]),
            ),
            (
                "141040".to_owned(),
                strings(&["LC08_L2SP_141040_d", "LC08_L2SP_141040_c"]),
            ),
        ];
        assert_eq!(ranked(&items), want);
        let mut reversed = items.clone();
        reversed.reverse();
        assert_eq!(ranked(&reversed), want, "the same ranking in another order");
        assert_eq!(year(&items[0]), Some(2020));
    }
}
