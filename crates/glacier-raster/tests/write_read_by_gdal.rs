//! GeoTIFFs we write are read back by our reader and by GDAL (`gdalinfo`; without it the GDAL
//! part is skipped outside CI and fails under `CI=true`).

use glacier_raster::{Crs, GeoTiffReader, RasterSpec, Samples, Window, write_geotiff};
use glacier_testdata::path;
use std::process::Command;

#[test]
fn real_band_written_as_float32_reads_back_in_gdal() {
    let Some(src) = path("everest_landsat7_rgi60_geoutils/LE71400412000304SGS00_B4.tif") else {
        return;
    };
    let mut reader = GeoTiffReader::open(&src).expect("opens");
    let info = reader.info().clone();
    let Samples::U8(dn) = reader.read_band(0).expect("decodes") else {
        panic!("B4 is uint8")
    };
    let spec = RasterSpec {
        width: info.width,
        height: info.height,
        bands: 2,
        transform: info.transform.expect("georeferenced"),
        crs: info.crs.clone(),
        nodata: Some(-1.0),
        descriptions: vec!["nir".into(), "nir_squared".into()],
        colours: Vec::new(),
    };
    let out = std::env::temp_dir().join(format!("glacier_write_test_{}.tif", std::process::id()));
    let file = std::fs::File::create(&out).expect("temp file");
    let width = info.width as usize;
    write_geotiff(
        "out.tif",
        file,
        &spec,
        |first, rows, bands: &mut [Vec<f32>]| {
            for r in 0..rows as usize {
                for c in 0..width {
                    let v = f32::from(dn[(first as usize + r) * width + c]);
                    bands[0][r * width + c] = v;
                    bands[1][r * width + c] = v * v;
                }
            }
            Ok(())
        },
    )
    .expect("writes");

    let mut back = GeoTiffReader::open(&out).expect("reads back");
    assert_eq!(back.info().crs, Some(Crs::Epsg(32645)));
    assert_eq!(back.info().transform, info.transform);
    let Samples::F32(nir) = back.read_band(0).expect("decodes") else {
        panic!("float32")
    };
    assert!(nir.iter().zip(&dn).all(|(a, b)| *a == f32::from(*b)));
    let sq = back
        .read_window(1, Window::new(10, 20, 1, 1))
        .expect("decodes");
    let v = f32::from(dn[20 * width + 10]);
    assert_eq!(sq, Samples::F32(vec![v * v]));

    // The GDAL part: skipped with a message outside CI without gdalinfo, a failure under CI.
    if glacier_testdata::require_tool("gdalinfo") {
        let o = Command::new("gdalinfo")
            .arg("-json")
            .arg("-mm")
            .arg(&out)
            .output()
            .expect("gdalinfo starts");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        assert_eq!(json["size"], serde_json::json!([800, 655]));
        assert_eq!(
            json["geoTransform"],
            serde_json::json!([478000.0, 30.0, 0.0, 3108140.0, 0.0, -30.0])
        );
        assert!(
            json["coordinateSystem"]["wkt"]
                .as_str()
                .is_some_and(|w| w.contains("ID[\"EPSG\",32645]"))
        );
        let bands = &json["bands"];
        assert_eq!(bands[0]["type"], "Float32");
        assert_eq!(bands[1]["description"], "nir_squared");
        assert_eq!(bands[0]["noDataValue"], -1.0);
        assert_eq!(bands[0]["computedMin"], 13.0);
        assert_eq!(bands[0]["computedMax"], 255.0);
        assert!(
            json["metadata"]["IMAGE_STRUCTURE"]["COMPRESSION"] == "DEFLATE",
            "{}",
            json["metadata"]
        );
    }
    std::fs::remove_file(&out).ok();
}
