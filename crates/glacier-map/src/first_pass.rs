//! The first pass over the scene, strip by strip: the preview's samples, the NDSI baseline,
//! and where the plausibility rule holds, from one read of the bands they share.

use glacier_inputs::baseline::{BaselinePlan, classify};
use glacier_inputs::plausibility::PlausibleMap;
use glacier_inputs::{ChannelName, ChannelReader};
use glacier_landsat::Channel;
use glacier_raster::Window;

use crate::progress::{Reporter, Stage, Step};
use crate::{MapError, Sampling};

/// Rows read per step; each step is reported (a page paints between them).
const ROWS_PER_STEP: u32 = 256;

/// What the first pass is asked to make.
pub(crate) struct Wanted<'a> {
    /// The preview's sampling and bands.
    pub preview: Option<(Sampling, [Channel; 3])>,
    /// The baseline to run.
    pub baseline: Option<&'a BaselinePlan>,
    /// Whether to record where the plausibility rule holds.
    pub plausible: bool,
}

/// What the first pass made.
pub(crate) struct FirstPass {
    /// Raw preview samples, three per preview pixel (NaN where no data).
    pub preview_raw: Option<Vec<f32>>,
    /// The baseline's mask (1 glacier, 0 not, 255 no data or QA-masked).
    pub ndsi_mask: Option<Vec<u8>>,
    /// Where the plausibility rule holds.
    pub plausible: Option<PlausibleMap>,
}

/// Reads the bands `wanted` needs once, strip by strip over the `w × h` scene of `pixels`
/// pixels.
pub(crate) async fn run<F, Fut>(
    reader: &mut ChannelReader<'_>,
    (w, h, pixels): (u32, u32, usize),
    wanted: &Wanted<'_>,
    report: &mut Reporter<F>,
) -> Result<FirstPass, MapError>
where
    F: FnMut(Step) -> Fut,
    Fut: Future<Output = bool>,
{
    let mut names: Vec<ChannelName> = Vec::new();
    let at = |name: ChannelName, names: &mut Vec<ChannelName>| match names
        .iter()
        .position(|n| *n == name)
    {
        Some(i) => i,
        None => {
            names.push(name);
            names.len() - 1
        }
    };
    let preview_at = wanted
        .preview
        .map(|(_, bands)| bands.map(|b| at(ChannelName::Band(b), &mut names)));
    let with_nir = wanted.baseline.is_some_and(|b| b.rules.nir_min.is_some());
    let ndsi_at =
        (wanted.baseline.is_some() || wanted.plausible).then(|| at(ChannelName::Ndsi, &mut names));
    let nir_at =
        (with_nir || wanted.plausible).then(|| at(ChannelName::Band(Channel::Nir), &mut names));
    let mut out = FirstPass {
        preview_raw: wanted.preview.map(|(s, _)| vec![f32::NAN; s.pixels() * 3]),
        ndsi_mask: wanted.baseline.map(|_| vec![255u8; pixels]),
        plausible: wanted.plausible.then(|| PlausibleMap::new(pixels)),
    };
    if names.is_empty() {
        return Ok(out);
    }
    let stage = Stage::ReadingBands {
        ndsi: wanted.baseline.is_some(),
    };
    report.step(&stage, 0, h as usize).await?;
    let mut row = 0;
    while row < h {
        let rows = ROWS_PER_STEP.min(h - row);
        let window = Window::new(0, row, w, rows);
        let v = reader.read(&names, window)?;
        let start = row as usize * w as usize;
        if let (Some(plan), Some(mask), Some(n)) =
            (wanted.baseline, out.ndsi_mask.as_mut(), ndsi_at)
        {
            let masked = reader.qa_mask(window)?;
            let nir = nir_at.filter(|_| with_nir).map(|i| &v[i][..]);
            for (i, class) in classify(&plan.rules, &v[n], nir, None).iter().enumerate() {
                mask[start + i] = match class {
                    Some(_) if masked[i] => 255,
                    Some(true) => 1,
                    Some(false) => 0,
                    None => 255,
                };
            }
        }
        if let (Some(map), Some(n), Some(r)) = (out.plausible.as_mut(), ndsi_at, nir_at) {
            map.record(start, &v[n], &v[r]);
        }
        if let (Some((s, _)), Some(idx), Some(raw)) =
            (wanted.preview, preview_at, out.preview_raw.as_mut())
        {
            for r in (row..row + rows).filter(|r| r.is_multiple_of(s.step)) {
                for c in (0..w).step_by(s.step as usize) {
                    if let Some(p) = s.index(r, c) {
                        let i = (r - row) as usize * w as usize + c as usize;
                        raw[p * 3..p * 3 + 3].copy_from_slice(&idx.map(|k| v[k][i]));
                    }
                }
            }
        }
        row += rows;
        report.step(&stage, row as usize, h as usize).await?;
    }
    Ok(out)
}
