//! Each outline's attributes (the RGI id the per-glacier table is keyed by), read alike from
//! the same 86 RGI 6.0 outlines as GeoPackage, shapefile (`.dbf`) and GeoJSON, and the feature
//! each pixel lies in.

use glacier_labels::{Outlines, rasterize, rasterize_features};
use glacier_raster::GeoTiffReader;
use glacier_testdata::path;

/// Each feature's RGIId, in file order.
fn ids(o: &Outlines) -> Vec<String> {
    o.attributes
        .iter()
        .map(|a| {
            a.iter()
                .find(|(k, _)| k == "RGIId")
                .map(|(_, v)| v.clone())
                .expect("every RGI 6.0 outline has its RGIId")
        })
        .collect()
}

#[test]
fn rgi_ids_from_geopackage_shapefile_and_geojson() {
    let Some(gpkg) = path("everest_landsat7_rgi60_geoutils/15_rgi60_glacier_outlines.gpkg") else {
        return;
    };
    let from_gpkg = Outlines::from_geopackage(&gpkg).expect("reads");
    let stem = path("derived_here/everest_15_rgi60_glacier_outlines.shp").expect("exists");
    let shp = std::fs::read(&stem).expect("shp");
    let prj = std::fs::read_to_string(stem.with_extension("prj")).expect("prj");
    let dbf = std::fs::read(stem.with_extension("dbf")).expect("dbf");
    let from_shp = Outlines::from_shapefile("rgi.shp", &shp, Some(&prj))
        .expect("parses")
        .with_dbf(&dbf)
        .expect("its .dbf");
    let text = std::fs::read_to_string(stem.with_extension("geojson")).expect("geojson");
    let from_json = Outlines::from_geojson("rgi.geojson", &text).expect("parses");
    for o in [&from_gpkg, &from_shp, &from_json] {
        assert_eq!(o.features(), 86, "{}", o.file);
        assert_eq!(o.attributes.len(), 86, "{}", o.file);
    }
    let mut a = ids(&from_gpkg);
    assert!(a.contains(&"RGI60-15.03733".to_owned()), "Khumbu");
    a.sort();
    a.dedup();
    assert_eq!(a.len(), 86, "ids are unique");
    // ogr2ogr kept the order and the attributes.
    assert_eq!(ids(&from_gpkg), ids(&from_shp));
    assert_eq!(ids(&from_gpkg), ids(&from_json));
    // Names where RGI has one (Rongbuk), numbers as text.
    let rongbuk = from_shp
        .attributes
        .iter()
        .find(|a| a.iter().any(|(k, v)| k == "RGIId" && v == "RGI60-15.09991"))
        .expect("Rongbuk");
    assert!(
        rongbuk
            .iter()
            .any(|(k, v)| k == "Name" && v.contains("Rongbuk")),
        "{rongbuk:?}"
    );

    // Burnt by feature: every glacier pixel of the union lies in exactly one outline.
    let r = GeoTiffReader::open(
        path("derived_here/everest_rgi60_mask_on_LE7_B4_grid.tif").expect("exists"),
    )
    .expect("opens");
    let grid = r.info().grid().expect("georeferenced");
    let union = rasterize(&from_gpkg, &grid).expect("burns");
    let features = rasterize_features(&from_gpkg, &grid).expect("burns");
    assert!(
        union
            .iter()
            .zip(&features)
            .all(|(u, f)| (*u == 1) == (*f > 0))
    );
    let mut seen = [false; 87];
    for f in &features {
        seen[*f as usize] = true;
    }
    assert_eq!(
        seen.iter().skip(1).filter(|s| **s).count(),
        86,
        "all 86 on the grid"
    );
}

#[test]
fn a_dbf_shorter_than_its_shapes_is_refused() {
    let Some(stem) = path("derived_here/everest_15_rgi60_glacier_outlines.shp") else {
        return;
    };
    let shp = std::fs::read(&stem).expect("shp");
    let prj = std::fs::read_to_string(stem.with_extension("prj")).expect("prj");
    let other =
        std::fs::read(path("athabasca_hls_satrbedo/athabasca_outline.dbf").expect("exists"))
            .expect("dbf");
    let e = Outlines::from_shapefile("rgi.shp", &shp, Some(&prj))
        .expect("parses")
        .with_dbf(&other)
        .expect_err("1 record for 86 shapes");
    assert!(
        e.to_string()
            .starts_with("rgi.dbf: cannot read the outlines (1 records for 86 shapes"),
        "{e}"
    );
}
