//! The quick look from a COG's overviews: real Athabasca HLS bands written by GDAL as COGs with
//! overviews, assembled as a scene and cropped to an area, as an archive item's are.

use glacier_inputs::{BytesSource, SceneBuilder};
use glacier_landsat::Channel;
use glacier_raster::{GeoTiffReader, Window};
use glacier_testdata::{path, require_tool};

#[test]
fn a_quick_look_reads_the_coarsest_overview_that_gives_the_area_enough_pixels() {
    let Some(b3) = path("athabasca_hls_satrbedo/athabasca_2020229_B03_L30.tif") else {
        return;
    };
    if !require_tool("gdal_translate") {
        return;
    }
    let mut cogs = Vec::new();
    for (channel, band) in [
        (Channel::Green, "B03"),
        (Channel::Nir, "B05"),
        (Channel::Swir1, "B06"),
    ] {
        let src = b3.with_file_name(format!("athabasca_2020229_{band}_L30.tif"));
        let cog =
            std::env::temp_dir().join(format!("glacier_look_{}_{band}.tif", std::process::id()));
        // 32-px tiles: overviews of 107 × 102, 53 × 51 and 26 × 25 px over the 215 × 205 band.
        let status = std::process::Command::new("gdal_translate")
            .args([
                "-q",
                "-of",
                "COG",
                "-co",
                "BLOCKSIZE=32",
                "-co",
                "OVERVIEWS=AUTO",
            ])
            .arg(&src)
            .arg(&cog)
            .status()
            .expect("gdal_translate runs");
        assert!(status.success());
        cogs.push((channel, band, std::fs::read(&cog).expect("written")));
    }
    let build = || {
        let mut builder = SceneBuilder::new();
        for (channel, band, bytes) in &cogs {
            let file = BytesSource::new(format!("{band}.tif"), bytes.clone());
            builder.map_band(*channel, Box::new(file), 0);
        }
        builder.build().expect("one grid")
    };
    let scene = build();
    let overviews = {
        let file = &scene.files[0];
        GeoTiffReader::new(file.name(), file.open().expect("opens"))
            .expect("reads")
            .info()
            .overviews
    };
    assert!(overviews >= 2, "GDAL made {overviews} overviews");
    // The whole scene, then an area of it (as an archive item's bbox crops it).
    let whole = glacier_map::quick_look(&scene, 50).expect("a quick look");
    assert_eq!(
        whole.level, 2,
        "53 × 51 px is the coarsest with 50 px across"
    );
    assert_eq!((whole.grid.width, whole.grid.height), (53, 51));
    assert_eq!(whole.preview.rgba.len(), 53 * 51 * 4);
    // The same extent as the scene's grid, in pixels four times as large.
    let t = whole.grid.transform;
    let s = scene.grid.transform;
    assert!((t.x0 - s.x0).abs() < 1e-6 && (t.y0 - s.y0).abs() < 1e-6);
    assert!(
        (t.dx - s.dx * 215.0 / 53.0).abs() < 1e-6,
        "{} vs {}",
        t.dx,
        s.dx
    );
    let lit = whole
        .preview
        .rgba
        .chunks(4)
        .filter(|p| p[..3] != [0, 0, 0])
        .count();
    assert!(lit > 53 * 51 / 2, "{lit} pixels have colour");
    let area = build().crop(Window::new(100, 80, 100, 100));
    let part = glacier_map::quick_look(&area, 40).expect("a quick look of the area");
    assert_eq!(part.level, 1);
    assert_eq!((part.grid.width, part.grid.height), (50, 50));
    let (x, y) = part.grid.transform.apply(0.0, 0.0);
    let (sx, sy) = s.apply(100.0, 80.0);
    assert!(
        (x - sx).abs() < 61.0 && (y - sy).abs() < 61.0,
        "the area's corner, within a pixel"
    );
    // An area with no overview that gives it enough pixels: read at full resolution.
    let small = build().crop(Window::new(0, 0, 60, 60));
    assert_eq!(
        glacier_map::quick_look(&small, 50)
            .expect("full resolution")
            .level,
        0
    );
}
