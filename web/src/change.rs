//! Glacier change in the page: both dates mapped as one scene is ([`mapping::run`],
//! [`mapping::run_item`]), their masks compared on the earlier date's grid through
//! `glacier-change` (what `glacier change --before-bands … --after-bands …` does natively), and
//! the outcome as the page holds it ([`ChangeResult`]).

use glacier_change::{
    ChangeError, Comparison, GlacierChange, Mask, Probabilities, Summary, per_glacier,
    write_change_geotiff, write_csv,
};
use glacier_inputs::FileSource;
use glacier_map::{Classification, outlines_among};

use crate::assign::Choice;
use crate::change_result::{ChangeFiles, ChangeResult};
use crate::map_result::MapResult;
use crate::mapping::{self, Compute, Stopped, TO_COMPARE};
use crate::model::LoadedModel;
use crate::protocol::DateJob;

/// A mapped date: its result with the masks kept, its date in words, and its sensor where
/// known.
struct Mapped {
    date: String,
    sensor: Option<String>,
    result: MapResult,
}

/// Maps both `dates` (files among `sources` with the visitor's `choices`, or archive items),
/// then compares them. `progress(stage, done, total)` is awaited between steps, each stage named
/// with its date; when it answers `false` the run stops with [`Stopped::Cancelled`].
///
/// # Errors
/// [`Stopped::Failed`] naming the date and the fix when a date cannot be mapped, when the
/// two scenes do not overlap, or when their grids cannot be brought together.
pub async fn run<S, F, Fut>(
    dates: [DateJob; 2],
    sources: Vec<S>,
    choices: Vec<Choice>,
    models: Vec<LoadedModel>,
    computes: Vec<Compute>,
    mut progress: F,
) -> Result<ChangeResult, Stopped>
where
    S: FileSource + Clone + 'static,
    F: FnMut(String, usize, usize) -> Fut,
    Fut: Future<Output = bool>,
{
    let mut mapped = Vec::with_capacity(2);
    for (which, date) in ["first", "second"].into_iter().zip(dates) {
        let label = date.label();
        let mut step =
            |stage: String, done, total| progress(format!("{label}: {stage}"), done, total);
        let outcome = match &date {
            DateJob::Files { names, .. } => {
                let of_date = |name: &str| names.iter().any(|n| n == name);
                let files = sources
                    .iter()
                    .filter(|s| of_date(s.name()))
                    .cloned()
                    .collect();
                let chosen = choices.iter().filter(|c| of_date(&c.0)).cloned().collect();
                mapping::run(
                    files,
                    chosen,
                    models.clone(),
                    computes.clone(),
                    TO_COMPARE,
                    &mut step,
                )
                .await
            }
            DateJob::Item(item) => {
                mapping::run_item(
                    item,
                    models.clone(),
                    computes.clone(),
                    TO_COMPARE,
                    &mut step,
                    // Two dates show their change at the end, not a quick look of one.
                    |_| {},
                )
                .await
            }
        };
        let result = outcome.map_err(|e| match e {
            Stopped::Failed(why) => Stopped::Failed(format!("The {which} date ({label}): {why}")),
            cancelled => cancelled,
        })?;
        let sensor = match &date {
            DateJob::Files { names, .. } => names
                .iter()
                .find_map(|n| glacier_landsat::LandsatFileName::parse(n))
                .map(|n| n.mission),
            DateJob::Item(_) => result.sensor.clone(),
        };
        let date = match (&date, &result.acquired) {
            (DateJob::Item(_), Some(acquired)) => acquired.clone(),
            _ => label,
        };
        mapped.push(Mapped {
            date,
            sensor,
            result,
        });
    }
    // Archive items come in the link's order: the earlier date is BEFORE whichever came first.
    mapped.sort_by(|a, b| a.date.cmp(&b.date));
    let (Some(after), Some(before)) = (mapped.pop(), mapped.pop()) else {
        return Err(Stopped::Failed("internal: two dates were mapped".into()));
    };
    if !progress("comparing the two dates".into(), 0, 1).await {
        return Err(Stopped::Cancelled);
    }
    let outlines = outlines_among(&sources).ok().flatten();
    compare(before, after, outlines.as_ref())
}

/// Which classification both dates have: the network's where both ran it, else the NDSI
/// baseline's; the words for it.
fn common_classifier(before: &MapResult, after: &MapResult) -> Result<(bool, String), Stopped> {
    let has = |c: &Option<Classification>| c.as_ref().is_some_and(|c| c.mask.is_some());
    if has(&before.network) && has(&after.network) {
        let label = |r: &MapResult| r.network.as_ref().map(|c| c.label.clone());
        let (b, a) = (label(before), label(after));
        let words = if b == a {
            format!("{} (both dates)", b.unwrap_or_default())
        } else {
            format!(
                "{} (earlier) and {} (later)",
                b.unwrap_or_default(),
                a.unwrap_or_default()
            )
        };
        return Ok((true, words));
    }
    if has(&before.ndsi) && has(&after.ndsi) {
        return Ok((
            false,
            "the NDSI baseline on both dates (the network could not map both)".into(),
        ));
    }
    Err(Stopped::Failed(
        "The two dates have no classification in common: each needs green, red and NIR for the \
         network, or green and SWIR1 for the NDSI baseline. Add the missing bands of the date \
         the notes name."
            .into(),
    ))
}

/// A date's mask (and probabilities) taken out of its result, labelled with its date.
fn take_mask(m: &mut Mapped, network: bool) -> Result<(Mask, Option<Probabilities>), Stopped> {
    let file = format!("the scene of {}", m.date);
    let grid = m
        .result
        .scene_grid
        .clone()
        .ok_or_else(|| Stopped::Failed("internal: the scene grid was not kept".into()))?;
    let c = if network {
        m.result.network.as_mut()
    } else {
        m.result.ndsi.as_mut()
    };
    let c = c.ok_or_else(|| Stopped::Failed("internal: the classification went".into()))?;
    let values = c
        .mask
        .take()
        .ok_or_else(|| Stopped::Failed("internal: the mask was not kept".into()))?;
    let probabilities = c.probabilities.take().map(|values| Probabilities {
        file: file.clone(),
        grid: grid.clone(),
        values,
    });
    Ok((Mask { file, grid, values }, probabilities))
}

/// Drops what is not sent to the page: the masks and probabilities left in `r`.
fn lighten(r: &mut MapResult) {
    for c in [r.network.as_mut(), r.ndsi.as_mut()].into_iter().flatten() {
        c.mask = None;
        c.probabilities = None;
    }
}

/// Compares the two mapped dates on `before`'s grid: the change raster, the summary, the
/// rows per outline.
fn compare(
    mut before: Mapped,
    mut after: Mapped,
    outlines: Option<&glacier_labels::Outlines>,
) -> Result<ChangeResult, Stopped> {
    if before.date == after.date {
        return Err(Stopped::Failed(format!(
            "Both scenes were taken on {}: a change needs two dates. Drop the files of one \
             date to map it, or of two dates to see the change.",
            before.date
        )));
    }
    let (network, compared) = common_classifier(&before.result, &after.result)?;
    let (mask_b, prob_b) = take_mask(&mut before, network)?;
    let (mask_a, prob_a) = take_mask(&mut after, network)?;
    lighten(&mut before.result);
    lighten(&mut after.result);
    let comparison =
        glacier_change::compare(mask_b, mask_a, prob_b.zip(prob_a)).map_err(|e| match e {
            ChangeError::NoOverlap {
                before_bounds,
                after_bounds,
                ..
            } => Stopped::Failed(format!(
                "The two dates do not overlap: no pixel has data on both (the scene of {} \
                 covers {before_bounds}, the scene of {} {after_bounds}; lon/lat W, S, E, N). \
                 Drop two scenes of the same place.",
                before.date, after.date
            )),
            e => Stopped::Failed(e.to_string()),
        })?;
    let mut notes = Vec::new();
    if let (Some(b), Some(a)) = (&before.sensor, &after.sensor)
        && b != a
    {
        notes.push(format!(
            "The dates come from different sensors ({b} on {}, {a} on {}): their bands differ \
             a little in wavelength and footprint, so part of a small change may be the \
             sensors', not the glacier's.",
            before.date, after.date
        ));
    }
    let glaciers = match outlines.map(|o| per_glacier(&comparison, o, None)) {
        Some(Ok(rows)) => rows,
        Some(Err(ChangeError::NoIdColumn { file, columns })) => {
            notes.push(format!(
                "No table per glacier: {file} has no id column (its columns: {columns}); drop \
                 outlines with an RGIId, rgi_id, GLIMSId, glims_id or id column, such as the \
                 Randolph Glacier Inventory's."
            ));
            Vec::new()
        }
        Some(Err(e)) => {
            notes.push(format!("No table per glacier: {e}"));
            Vec::new()
        }
        None => Vec::new(),
    };
    // One tally of the scene-sized classes, for the numbers and the JSON alike.
    let summary = Summary::of(&comparison);
    let files = files(&comparison, &summary, &glaciers, outlines.is_some())?;
    let classes_preview = before.result.sampling.sample(
        &comparison.classes,
        comparison.grid.width,
        comparison.grid.height,
    );
    Ok(ChangeResult {
        dates: [before.date, after.date],
        compared,
        network,
        summary,
        glaciers,
        outlines: before.result.outlines.clone(),
        classes_preview,
        notes,
        files,
        before: before.result,
        after: after.result,
    })
}

/// The downloads: the change GeoTIFF, the table (when outlines were given), the summary JSON.
fn files(
    comparison: &Comparison,
    summary: &Summary,
    glaciers: &[GlacierChange],
    with_table: bool,
) -> Result<ChangeFiles, Stopped> {
    let failed = |e: glacier_change::ChangeError| Stopped::Failed(e.to_string());
    let mut geotiff = std::io::Cursor::new(Vec::new());
    write_change_geotiff("glacier_change.tif", &mut geotiff, comparison).map_err(failed)?;
    let csv = if with_table {
        let mut bytes = Vec::new();
        write_csv("glacier_change.csv", &mut bytes, glaciers).map_err(failed)?;
        Some(bytes)
    } else {
        None
    };
    let json = serde_json::to_string_pretty(summary)
        .map_err(|e| Stopped::Failed(format!("the change summary: {e}")))?;
    Ok(ChangeFiles {
        geotiff: geotiff.into_inner(),
        csv,
        json,
    })
}
