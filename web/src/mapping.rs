//! Mapping the dropped scene: the page's side of [`glacier_map::map_scene`] (which files are the
//! scene, the outlines and the model; timing each stage; the result as the page holds it).

use glacier_inputs::FileSource;
use glacier_inputs::recognise::{is_archive, is_landsat89};
use glacier_map::{
    BandMapping, Classifier, Keep, MapError, MapRequest, NetworkRequest, SceneFiles, Stage, Step,
    outlines_among, scene_from_files,
};
use glacier_raster::Grid;

use crate::assign::Choice;
use crate::map_result::{MapResult, PREVIEW_MAX, Placement};
use crate::model::LoadedModel;
use crate::protocol::ItemJob;
use crate::timing::{StageClock, now_ms};

pub use glacier_map::Compute;

/// Memory a run may count on in a browser's worker: wasm32 allows 4 GiB, but 32-bit and mobile
/// browsers give a tab about 2 GiB, so a run is planned within that.
pub const RUN_MEMORY_BYTES: u64 = 2 << 30;

/// The worker's memory per scene pixel while mapping: measured 548 MiB at the peak for a whole
/// Landsat scene (7551 × 7351 px, six bands and a DEM, `cargo xtask bench-page --full`,
/// 2026-12-02), rounded up; a change also keeps each date's mask and probabilities (5 bytes).
const BYTES_PER_PIXEL: u64 = 11;
/// What a date of a change keeps besides: its mask (1 byte) and probabilities (4 bytes).
const KEPT_PER_PIXEL: u64 = 5;

/// Refuses a scene whose run would need more than the page can count on, before any pixel is
/// read: a message instead of a worker that dies (or a tab that freezes) half-way.
///
/// # Errors
/// [`Stopped::Failed`] naming the size, the need and what to do.
fn within_memory(grid: &Grid, keep: Keep) -> Result<(), Stopped> {
    let pixels = u64::from(grid.width) * u64::from(grid.height);
    // A change maps two dates, the first one's kept while the second is mapped.
    let (per_pixel, budget) = if keep.masks {
        (BYTES_PER_PIXEL + KEPT_PER_PIXEL, RUN_MEMORY_BYTES / 2)
    } else {
        (BYTES_PER_PIXEL, RUN_MEMORY_BYTES)
    };
    let need = pixels.saturating_mul(per_pixel);
    if need <= budget {
        return Ok(());
    }
    Err(Stopped::Failed(format!(
        "This scene is {} × {} px ({:.0} million pixels); mapping it{} needs about {:.1} GB, \
         more than the {:.1} GB a browser tab can count on. Map a part of it (an archive link's \
         bbox, or gdal_translate -srcwin), or use the glacier command, which has no such limit.",
        grid.width,
        grid.height,
        pixels as f64 / 1e6,
        if keep.masks {
            " beside the other date"
        } else {
            ""
        },
        need as f64 / 1e9,
        budget as f64 / 1e9
    )))
}

/// What a run keeps to show one scene: the exports and the preview, not the scene-sized masks.
pub const TO_SHOW: Keep = Keep {
    masks: false,
    probabilities: false,
    exports: true,
    preview: Some(PREVIEW_MAX),
};

/// What a run keeps for a change between two dates: the masks and the network's
/// probabilities (taken by [`crate::change`], never sent to the page) and the preview.
pub const TO_COMPARE: Keep = Keep {
    masks: true,
    probabilities: true,
    exports: false,
    preview: Some(PREVIEW_MAX),
};

/// Why [`run`] made no map.
#[derive(Debug)]
pub enum Stopped {
    /// The visitor cancelled: the progress callback answered `false`.
    Cancelled,
    /// A message for the visitor, naming the file and the fix.
    Failed(String),
}

impl From<String> for Stopped {
    fn from(message: String) -> Stopped {
        Stopped::Failed(message)
    }
}

/// A stage's row in the page's timings (`cargo xtask bench-page` matches rows by their first
/// words).
fn timing_row(stage: &Stage, grid: &Grid) -> String {
    match stage {
        Stage::ReadingBands { .. } => format!(
            "decode + preprocess ({stage}), {} × {} px",
            grid.width, grid.height
        ),
        Stage::Exports {
            of: Classifier::Ndsi,
        } => "NDSI mask exports (GeoTIFF, GeoJSON)".into(),
        Stage::Exports {
            of: Classifier::Network,
        } => "network mask exports (GeoTIFF, GeoJSON)".into(),
        Stage::Network { device } => format!("network inference on {device}"),
        Stage::Headers | Stage::ModelOntoDevice => stage.to_string(),
    }
}

/// Maps the scene in `sources` (Landsat-named bands, archives, files whose bands the visitor
/// assigned in `choices`, outlines) with the NDSI baseline and the network on the first of
/// `computes` that works, keeping what `keep` asks ([`TO_SHOW`], [`TO_COMPARE`]).
/// `progress(stage, done, total)` is awaited between steps so the browser can paint; when it
/// answers `false` the run stops with [`Stopped::Cancelled`].
///
/// # Errors
/// [`Stopped::Failed`] with a message naming the file and the fix, when no classifier can run;
/// [`Stopped::Cancelled`] when `progress` said to stop.
pub async fn run<S, F, Fut>(
    sources: Vec<S>,
    choices: Vec<Choice>,
    models: Vec<LoadedModel>,
    computes: Vec<Compute>,
    keep: Keep,
    progress: F,
) -> Result<MapResult, Stopped>
where
    S: FileSource + Clone + 'static,
    F: FnMut(String, usize, usize) -> Fut,
    Fut: Future<Output = bool>,
{
    let clock = StageClock::start(Stage::Headers.to_string(), now_ms());
    let mut notes = Vec::new();
    // Outlines that cannot be read only cost the comparison, never the map.
    let outlines = outlines_among(&sources).unwrap_or_else(|e| {
        notes.push(format!("The outlines were not compared: {e}"));
        None
    });
    // Landsat 8/9 files by their names, others by the visitor's choices; the rest (a DEM) is
    // not used: neither classifier takes elevation.
    let mut files = SceneFiles::default();
    for (file, band, channel) in &choices {
        if let Some(s) = sources.iter().find(|s| s.name() == file) {
            files.bands.push(BandMapping {
                channel: *channel,
                file: Box::new(s.clone()),
                band: *band,
            });
        }
    }
    files.named = sources
        .into_iter()
        .filter(|s| is_landsat89(s.name()) || is_archive(s.name()))
        .map(|s| Box::new(s) as Box<dyn FileSource>)
        .collect();
    let (scene, mut archive_notes) = scene_from_files(files).map_err(|e| e.to_string())?;
    notes.append(&mut archive_notes);
    let run = Run {
        outlines,
        notes,
        clock,
        keep,
    };
    map(scene, run, models, computes, progress).await
}

/// Maps the job's area (`west,south,east,north`, or the whole scene) of its STAC item, the
/// bands read over HTTP by range (in the mapping worker: the reads are synchronous), signed
/// where they need a read token, as [`run`] maps dropped files; `on_look` gets a quick look
/// from the files' overviews before the mapping begins.
///
/// # Errors
/// As [`run`]; the messages name the item, the asset or the host.
pub async fn run_item<F, Fut>(
    job: &ItemJob,
    models: Vec<LoadedModel>,
    computes: Vec<Compute>,
    keep: Keep,
    progress: F,
    on_look: impl FnOnce(crate::map_result::Look),
) -> Result<MapResult, Stopped>
where
    F: FnMut(String, usize, usize) -> Fut,
    Fut: Future<Output = bool>,
{
    let clock = StageClock::start(Stage::Headers.to_string(), now_ms());
    let item_url = job.url.as_str();
    let item = glacier_archive::Item::from_json(item_url, &crate::remote::text(item_url)?)
        .map_err(|e| e.to_string())?;
    let area = job
        .bbox
        .as_deref()
        .map(glacier_raster::parse_bbox)
        .transpose()
        .map_err(|e| e.to_string())?;
    let signing = crate::remote::Signing::of(&item, job.token_endpoint.as_deref())?;
    let traffic = glacier_archive::Traffic::default();
    let remotes = std::cell::RefCell::new(Vec::new());
    let (scene, mut notes) = glacier_map::item_scene(&item, item_url, area.as_ref(), |band| {
        let remote = crate::remote::RemoteFile::new(
            &band.key,
            band.file_name.clone(),
            signing.href(&band.href),
            traffic.clone(),
        );
        remotes.borrow_mut().push(remote.clone());
        Box::new(remote)
    })
    .map_err(|e| e.to_string())?;
    notes.extend(signing.note());
    // The area's tiles of every band at once, several requests in flight; the reads then find
    // them kept.
    let remotes = remotes.into_inner();
    // A quick look from the files' overviews first (a whole scene's takes a few small tiles).
    if let Some(look) = crate::map_result::Look::of(&scene) {
        on_look(look);
    }
    crate::remote::prefetch(&scene, &remotes).await;
    let run = Run {
        outlines: None,
        notes: Vec::new(),
        clock,
        keep,
    };
    let mut result = map(scene, run, models, computes, progress).await?;
    result.acquired = item
        .properties
        .datetime
        .as_deref()
        .map(|t| t.get(..10).unwrap_or(t).to_owned());
    result.sensor.clone_from(&item.properties.platform);
    let of = match traffic.file_bytes() {
        0 => String::new(),
        all => format!(
            ": {:.1} % of the {:.2} MB its band files hold",
            100.0 * traffic.bytes() as f64 / all as f64,
            all as f64 / 1e6
        ),
    };
    notes.push(format!(
        "Fetched {:.2} MB in {} range requests from the archive{of}.",
        traffic.bytes() as f64 / 1e6,
        traffic.requests()
    ));
    notes.append(&mut result.notes);
    result.notes = notes;
    Ok(result)
}

/// What [`map`] starts from besides the scene: the outlines, the notes so far, the clock
/// running since the run began, and what to keep.
struct Run {
    outlines: Option<glacier_labels::Outlines>,
    notes: Vec<String>,
    clock: StageClock,
    keep: Keep,
}

/// Maps a scene made from files or an item: the rest of [`run`].
async fn map<F, Fut>(
    scene: glacier_inputs::Scene,
    run: Run,
    models: Vec<LoadedModel>,
    computes: Vec<Compute>,
    mut progress: F,
) -> Result<MapResult, Stopped>
where
    F: FnMut(String, usize, usize) -> Fut,
    Fut: Future<Output = bool>,
{
    let Run {
        outlines,
        mut notes,
        mut clock,
        keep,
    } = run;
    if models.is_empty() {
        notes.push("The network was not run: the models did not load (see above).".into());
    } else if computes.is_empty() {
        notes.push("The network was not run: no device to run it on.".into());
    }
    let request = MapRequest {
        scene: &scene,
        dem: None,
        outlines,
        network: (!models.is_empty() && !computes.is_empty()).then(|| NetworkRequest {
            models: models.iter().map(|m| &m.bundle).collect(),
            computes,
            plausibility_rule: true,
        }),
        ndsi: true,
        keep,
    };
    let grid = &scene.grid;
    let on_step = |step: Step| {
        clock.enter(timing_row(&step.stage, grid), now_ms());
        progress(step.stage.to_string(), step.done, step.total)
    };
    within_memory(&scene.grid, keep)?;
    let map = glacier_map::map_scene(request, on_step)
        .await
        .map_err(|e| match e {
            MapError::Cancelled => Stopped::Cancelled,
            MapError::NothingToMap(_) | MapError::NetworkFailed(_) if !notes.is_empty() => {
                Stopped::Failed(format!("{} {e}", notes.join(" ")))
            }
            e => Stopped::Failed(e.to_string()),
        })?;
    notes.extend(map.notes);
    clock.enter("map placement (UTM → Web Mercator)".into(), now_ms());
    let preview = map.preview.ok_or_else(|| notes.join(" "))?;
    let placement = match Placement::new(&map.grid, &preview.sampling) {
        Ok(p) => Some(p),
        Err(e) => {
            notes.push(format!("The scene cannot be placed on the map: {e}"));
            None
        }
    };
    let timings = clock.finish(now_ms());
    let (grid, sampling) = (map.grid, preview.sampling);
    Ok(MapResult {
        size: (grid.width, grid.height),
        grid: format!("{}, {} m pixels", grid.crs, grid.transform.dx),
        pixel_km2: (grid.transform.dx * grid.transform.dy).abs() / 1e6,
        sampling,
        composite: preview
            .bands
            .map(|c| glacier_inputs::ChannelName::Band(c).name())
            .join(" / "),
        base: (preview.rgba, sampling.width, sampling.height),
        network: map.network,
        ndsi: map.ndsi,
        notes,
        model_choice: map.model_choice,
        outlines: map.outlines_file,
        outlines_preview: map.outlines_preview,
        placement,
        timings,
        memory_mb: crate::timing::wasm_memory_bytes() / 1_048_576.0,
        acquired: None,
        sensor: None,
        scene_grid: Some(grid),
    })
}
