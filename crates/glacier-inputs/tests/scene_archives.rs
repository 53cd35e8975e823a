//! Scene archives as USGS delivers them, on the real Collection 2 Level-2 tars in
//! ../shared/data/xlandsat_c2_ice_free (Liverpool, Landsat 8; Manaus, Landsat 9; no ice).

use glacier_inputs::baseline::{NdsiRules, classify};
use glacier_inputs::{
    ArchiveFormat, BytesSource, ChannelName, ChannelReader, FileSource, Scene, SceneBuilder, unpack,
};
use glacier_landsat::Channel;
use glacier_raster::Window;
use glacier_testdata::{path, require_tool};
use std::io::Read;
use std::sync::Arc;

const DIR: &str = "xlandsat_c2_ice_free";
const LIVERPOOL: &str = "LC08_L2SP_204023_20200927_20201006_02_T1";
const MANAUS: &str = "LC09_L2SP_231062_20230723_20230802_02_T1";

fn archive(id: &str) -> Option<std::path::PathBuf> {
    path(&format!("{DIR}/{id}-cropped.tar.gz"))
}

fn scene_of(source: Arc<dyn FileSource>) -> (Scene, Vec<String>) {
    let format = ArchiveFormat::of(source.name()).expect("an archive name");
    let unpacked = unpack(source, format).expect("unpacks");
    let mut b = SceneBuilder::new();
    for f in unpacked.files {
        b.add_file(f);
    }
    (b.build().expect("one scene"), unpacked.skipped)
}

fn read_all(scene: &Scene, names: &str) -> Vec<Vec<f32>> {
    let names = ChannelName::parse_list(names).expect("names");
    let (w, h) = (scene.grid.width, scene.grid.height);
    ChannelReader::new(scene, None)
        .read(&names, Window::new(0, 0, w, h))
        .expect("channels")
}

/// The same archive inflated here into a plain `.tar`, as USGS delivers it.
fn as_plain_tar(gz: &std::path::Path, name: &str) -> Arc<dyn FileSource> {
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(gz).expect("opens"))
        .read_to_end(&mut tar)
        .expect("inflates");
    Arc::new(BytesSource::new(name, tar))
}

#[test]
fn a_usgs_level2_archive_is_a_calibrated_scene_read_in_place() {
    let Some(gz) = archive(LIVERPOOL) else {
        return;
    };
    let (scene, skipped) = scene_of(Arc::new(glacier_inputs::source::PathSource::new(&gz)));
    assert_eq!((scene.grid.width, scene.grid.height), (433, 267));
    assert_eq!(
        skipped,
        [format!("{LIVERPOOL}_SR_B1.TIF")],
        "coastal band unused"
    );
    let channels: Vec<Channel> = scene.channels.keys().copied().collect();
    for c in [
        Channel::Green,
        Channel::Red,
        Channel::Nir,
        Channel::Swir1,
        Channel::Swir2,
        Channel::Tir,
    ] {
        assert!(channels.contains(&c), "{c} in {channels:?}");
    }
    assert!(scene.calibrated(&[Channel::Green, Channel::Swir1, Channel::Nir, Channel::Tir]));

    let from_gz = read_all(&scene, "green,swir1,tir");
    // The plain tar's members are windows onto it: the same values.
    let (plain, _) = scene_of(as_plain_tar(&gz, "liverpool.tar"));
    assert_eq!(read_all(&plain, "green,swir1,tir"), from_gz);

    // Level-2 scale factors from the MTL, against the digital numbers GDAL reads from the
    // archive itself (/vsitar/).
    if !require_tool("gdallocationinfo") {
        return;
    }
    let w = scene.grid.width as usize;
    for (band, values, scale, offset) in [
        ("SR_B3", &from_gz[0], 2.75e-5, -0.2),
        ("SR_B6", &from_gz[1], 2.75e-5, -0.2),
        ("ST_B10", &from_gz[2], 0.003_418_02, 149.0),
    ] {
        for (x, y) in [(10usize, 20usize), (300, 200), (432, 266)] {
            let out = std::process::Command::new("gdallocationinfo")
                .args(["-valonly", "-b", "1"])
                .arg(format!("/vsitar/{}/{LIVERPOOL}_{band}.TIF", gz.display()))
                .args([x.to_string(), y.to_string()])
                .output()
                .expect("gdallocationinfo runs");
            let dn: f64 = String::from_utf8_lossy(&out.stdout)
                .trim()
                .parse()
                .expect("a number");
            let ours = f64::from(values[y * w + x]);
            let expected = dn * scale + offset;
            assert!(
                (ours - expected).abs() < 1e-4 * expected.abs().max(1.0),
                "{band} ({x}, {y}): ours {ours}, DN {dn} → {expected}"
            );
        }
    }
}

#[test]
fn the_ndsi_baseline_finds_no_glacier_on_either_ice_free_archive() {
    for (id, size, landsat9) in [(LIVERPOOL, (433, 267), false), (MANAUS, (851, 468), true)] {
        let Some(gz) = archive(id) else {
            return;
        };
        let (scene, _) = scene_of(Arc::new(glacier_inputs::source::PathSource::new(&gz)));
        assert_eq!((scene.grid.width, scene.grid.height), size, "{id}");
        assert_eq!(id.starts_with("LC09"), landsat9);
        let all = read_all(&scene, "ndsi,nir");
        let calls = classify(&NdsiRules::default(), &all[0], Some(&all[1]), None);
        let valid = calls.iter().flatten().count();
        let glacier = calls.iter().flatten().filter(|g| **g).count();
        let share = glacier as f64 / valid as f64;
        eprintln!("{id}: NDSI calls {glacier} of {valid} valid pixels glacier ({share:.5})");
        assert!(
            valid as f64 > 0.9 * (size.0 * size.1) as f64,
            "{id}: {valid}"
        );
        assert!(share < 0.001, "{id}: NDSI baseline calls {share} glacier");
    }
}

#[test]
fn a_cut_archive_names_itself_and_the_fix() {
    let Some(gz) = archive(MANAUS) else {
        return;
    };
    let mut bytes = std::fs::read(&gz).expect("reads");
    bytes.truncate(bytes.len() / 2);
    let source: Arc<dyn FileSource> = Arc::new(BytesSource::new("manaus.tar.gz", bytes));
    let e = unpack(source, ArchiveFormat::TarGz).expect_err("cut short");
    let text = e.to_string();
    assert!(
        text.contains("manaus.tar.gz") && text.contains("download it again"),
        "{text}"
    );
}
