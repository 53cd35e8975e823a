//! The models committed in `models/` load and compute, on a fixed real tile, the probabilities
//! recorded when they were exported — on the CPU (ndarray) and on wgpu (lavapipe here, a GPU
//! elsewhere), which must give the same mask.

use glacier_infer::{ModelBundle, Predictor};
use glacier_inputs::{BytesSource, ChannelReader, SceneBuilder};
use glacier_landsat::Channel;
use glacier_raster::Window;
use glacier_testdata::{max_abs_diff, path};
use std::sync::OnceLock;

fn read_model(model: &std::path::Path) -> ModelBundle {
    let bytes = std::fs::read(model).expect("the shipped model is committed");
    ModelBundle::from_bytes(&model.display().to_string(), &bytes).expect("parses")
}

fn shipped() -> ModelBundle {
    read_model(&glacier_testdata::shipped_model())
}

fn read(p: &std::path::Path) -> Box<BytesSource> {
    Box::new(BytesSource::new(
        p.display().to_string(),
        std::fs::read(p).expect("readable"),
    ))
}

fn gpu() -> Option<burn::tensor::Device> {
    static GPU: OnceLock<Result<burn::tensor::Device, String>> = OnceLock::new();
    match GPU.get_or_init(|| {
        pollster::block_on(glacier_model::devices::gpu()).map_err(|e| e.to_string())
    }) {
        Ok(device) => Some(device.clone()),
        Err(err) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("SKIPPED wgpu half: no wgpu adapter ({err})");
            None
        }
        Err(err) => panic!("CI=true but no wgpu adapter: {err}"),
    }
}

#[test]
fn shipped_model_is_small_int8_and_describes_its_inputs() {
    let bundle = shipped();
    let h = &bundle.header;
    assert_eq!(h.precision, "int8");
    let names: Vec<&str> = h.input.channels.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["green", "red", "nir"]);
    assert_eq!(h.input.normalisation, glacier_inputs::Normalisation::Scene);
    assert_eq!(h.architecture, "unet-scse");
    let unet = h.unet.as_ref().expect("the shipped model is a U-Net");
    assert_eq!(h.input.tile % (1 << unet.depth), 0);
    let size = std::fs::metadata(glacier_testdata::shipped_model())
        .expect("file")
        .len();
    assert!(size <= 2 * 1024 * 1024, "{size} bytes > 2 MiB");
    assert!(h.check.is_some(), "a reference tile is recorded");
    // The page shows this to visitors: it must say what the model saw.
    assert!(
        h.summary.contains("trained on") && h.summary.contains("NDSI"),
        "{}",
        h.summary
    );
    // Metrics per scene's chip set, each with its held-out test split in f32 and int8.
    let sets = h.metrics.as_object().expect("metrics by chip set");
    assert!(!sets.is_empty(), "test metrics are recorded");
    for (set, m) in sets {
        for precision in ["f32", "int8"] {
            assert!(m["test"][precision]["methods"].is_array(), "{set}: {m}");
        }
    }
}

#[test]
fn shipped_model_reproduces_its_reference_tile_on_cpu_and_wgpu() {
    let Some(rgb) = path("everest_landsat7_rgi60_geoutils/LE71400412000304SGS00_RGB.tif") else {
        return;
    };
    let b4 = path("everest_landsat7_rgi60_geoutils/LE71400412000304SGS00_B4.tif").expect("B4");
    let bundle = shipped();
    let check = bundle.header.check.clone().expect("recorded");
    // As recorded: red = RGB band 1, green = RGB band 2, NIR = B4 (SOURCES.md).
    assert!(
        check.scene.contains("red=LE71400412000304SGS00_RGB.tif:1"),
        "{}",
        check.scene
    );
    let mut b = SceneBuilder::new();
    b.map_band(Channel::Red, read(&rgb), 0);
    b.map_band(Channel::Green, read(&rgb), 1);
    b.map_band(Channel::Nir, read(&b4), 0);
    let scene = b.build().expect("one grid");
    reproduces_reference_tile(&bundle, &scene);
}

#[test]
fn shipped_swir_model_takes_reflectance_and_reproduces_its_reference_tile() {
    let bundle = read_model(&glacier_testdata::shipped_swir_model());
    let h = &bundle.header;
    let names: Vec<&str> = h.input.channels.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["green", "red", "nir", "swir1", "swir2"]);
    assert_eq!(h.precision, "int8");
    assert_eq!(
        h.input.normalisation,
        glacier_inputs::Normalisation::Training
    );
    assert_eq!(h.input.units, Some(glacier_inputs::Units::Physical));
    assert!(
        h.summary.contains("trained on") && h.summary.contains("NDSI"),
        "{}",
        h.summary
    );
    // Reflectance statistics: green's mean over the training pixels is a reflectance.
    assert!(
        (0.0..1.0).contains(&h.input.channels[0].mean),
        "{:?}",
        h.input.channels
    );
    let check = h.check.clone().expect("recorded");
    let bands = ["B03", "B04", "B05", "B06", "B07"];
    let channels = [
        Channel::Green,
        Channel::Red,
        Channel::Nir,
        Channel::Swir1,
        Channel::Swir2,
    ];
    let mut b = SceneBuilder::new();
    for (band, channel) in bands.iter().zip(channels) {
        let file = format!("athabasca_2020229_{band}_L30.tif");
        assert!(check.scene.contains(&file), "{}", check.scene);
        let Some(p) = path(&format!("athabasca_hls_satrbedo/{file}")) else {
            return;
        };
        b.map_band(channel, read(&p), 0);
    }
    let scene = b.build().expect("one grid");
    reproduces_reference_tile(&bundle, &scene);
}

/// The model's probabilities on its recorded window of `scene` equal those recorded at export
/// (ndarray), and wgpu gives the same mask.
fn reproduces_reference_tile(bundle: &ModelBundle, scene: &glacier_inputs::Scene) {
    let check = bundle.header.check.clone().expect("recorded");
    let [col, row, w, h] = check.window;
    let window = Window::new(col, row, w, h);
    let run = |device: &burn::tensor::Device| {
        let predictor = Predictor::new(bundle, device).expect("loads");
        let mut reader = ChannelReader::new(scene, None);
        let stats = predictor
            .statistics_for(&mut reader, scene.grid.width, scene.grid.height)
            .expect("stats");
        let channels = reader.read(predictor.names(), window).expect("reads");
        predictor
            .probabilities(&stats, channels, w, h)
            .expect("computes")
    };
    let cpu = run(&glacier_model::devices::cpu());
    // Recorded with NaN (no data) as -1, so NaN where a probability was recorded fails below.
    let sampled: Vec<f32> = cpu
        .iter()
        .step_by(check.step)
        .map(|p| if p.is_nan() { -1.0 } else { *p })
        .collect();
    assert_eq!(sampled.len(), check.probabilities.len());
    let max = max_abs_diff(&sampled, &check.probabilities);
    assert!(max < 1e-4, "max |Δp| vs export {max}");
    let threshold = bundle.header.threshold;
    let glacier = cpu.iter().filter(|p| **p >= threshold).count() as u64;
    assert_eq!(glacier, check.glacier_pixels);
    eprintln!("reference tile: {glacier} glacier px, max |Δp| {max:e} on ndarray");
    let Some(gpu) = gpu() else { return };
    let on_gpu = run(&gpu);
    // No data (NaN) at the same pixels on both; elsewhere a NaN on either side panics in
    // max_abs_diff: an all-NaN backend must not pass as "no difference".
    let nodata = |p: &[f32]| p.iter().map(|v| v.is_nan()).collect::<Vec<_>>();
    assert_eq!(nodata(&cpu), nodata(&on_gpu), "no-data pixels differ");
    let data = |p: &[f32]| {
        p.iter()
            .copied()
            .filter(|v| !v.is_nan())
            .collect::<Vec<_>>()
    };
    let max = max_abs_diff(&data(&cpu), &data(&on_gpu));
    let differ = cpu
        .iter()
        .zip(&on_gpu)
        .filter(|(a, b)| (**a >= threshold) != (**b >= threshold))
        .count();
    eprintln!("wgpu vs ndarray: max |Δp| {max:e}, {differ} mask pixels differ");
    assert!(max < 1e-3, "{max}");
    // f32 summation order differs between backends; a pixel within 1e-3 of the threshold may
    // flip, nothing else.
    let near = cpu
        .iter()
        .filter(|p| (**p - threshold).abs() < 1e-3)
        .count();
    assert!(
        differ <= near,
        "{differ} pixels differ, {near} near the threshold"
    );
}
