//! Mapping glaciers in the dropped scene (NDSI baseline for now) and drawing the result.

use glacier_inputs::baseline::{NdsiRules, classify};
use glacier_inputs::{BytesSource, ChannelName, ChannelReader, SceneBuilder};
use glacier_landsat::{Channel, LandsatFileName};
use glacier_raster::{RasterSpec, Window, write_geotiff};

/// Rows read per step; each step yields to the browser so the page stays responsive.
const ROWS_PER_STEP: u32 = 256;
/// Longest side of the preview image.
const PREVIEW_MAX: u32 = 1024;

/// The outcome of a run.
pub struct MapResult {
    /// Glacier area, km².
    pub glacier_km2: f64,
    /// Glacier share of the valid pixels.
    pub glacier_share: f64,
    /// Share of pixels without data (fill, cloud, missing bands).
    pub nodata_share: f64,
    /// Scene size.
    pub size: (u32, u32),
    /// CRS and pixel size in words.
    pub grid: String,
    /// Preview RGBA pixels (false colour with the mask over it) and their size.
    pub preview: (Vec<u8>, u32, u32),
    /// The mask as a GeoTIFF (1 glacier, 0 not, 255 no data).
    pub geotiff: Vec<u8>,
    /// Which bands the false-colour preview uses.
    pub composite: String,
}

fn stretch(v: f32) -> u8 {
    if v.is_nan() {
        return 0;
    }
    (v.clamp(0.0, 1.0).powf(0.8) * 255.0) as u8
}

/// Runs the NDSI baseline over the scene in `sources`, calling `progress(done, total)` between
/// steps (and awaiting `yield_now` so the browser can paint).
///
/// # Errors
/// A message naming the file and the fix.
pub async fn run<F, Fut>(sources: Vec<BytesSource>, mut progress: F) -> Result<MapResult, String>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut builder = SceneBuilder::new();
    // Files without a Landsat name are listed as unused; the NDSI baseline needs no DEM.
    for s in sources {
        if LandsatFileName::parse(&s.name).is_some() {
            builder.add_file(Box::new(s));
        }
    }
    let scene = builder.build().map_err(|e| e.to_string())?;
    for needed in [Channel::Green, Channel::Swir1] {
        scene
            .channel(needed)
            .map_err(|e| format!("{e} (the NDSI needs green and swir1)"))?;
    }
    let grid = scene.grid.clone();
    let (w, h) = (grid.width, grid.height);
    let has = |c| scene.channels.contains_key(&c);
    let composite = if has(Channel::Nir) {
        [
            ChannelName::Band(Channel::Swir1),
            ChannelName::Band(Channel::Nir),
            ChannelName::Band(Channel::Green),
        ]
    } else {
        [
            ChannelName::Band(Channel::Swir1),
            ChannelName::Band(Channel::Green),
            ChannelName::Band(Channel::Green),
        ]
    };
    let mut names = vec![ChannelName::Ndsi];
    names.extend(composite);
    let with_nir = has(Channel::Nir);
    let rules = if with_nir {
        NdsiRules::default()
    } else {
        NdsiRules {
            nir_min: None,
            ..NdsiRules::default()
        }
    };
    let mut reader = ChannelReader::new(&scene, None);

    let step = w.max(h).div_ceil(PREVIEW_MAX).max(1);
    let (pw, ph) = (w.div_ceil(step), h.div_ceil(step));
    let mut preview = vec![0u8; (pw * ph * 4) as usize];
    let mut mask = vec![255u8; (w as usize) * (h as usize)];
    let (mut glacier, mut valid) = (0u64, 0u64);
    let mut row = 0;
    while row < h {
        let rows = ROWS_PER_STEP.min(h - row);
        let window = Window::new(0, row, w, rows);
        let v = reader.read(&names, window).map_err(|e| e.to_string())?;
        let masked = reader.qa_mask(window).map_err(|e| e.to_string())?;
        let nir = if with_nir { Some(&v[2][..]) } else { None };
        let classes = classify(&rules, &v[0], nir, None);
        for (i, class) in classes.iter().enumerate() {
            let (r, c) = (row + i as u32 / w, i as u32 % w);
            let value = match class {
                Some(_) if masked[i] => 255,
                Some(true) => 1,
                Some(false) => 0,
                None => 255,
            };
            mask[(r * w + c) as usize] = value;
            if value != 255 {
                valid += 1;
                glacier += u64::from(value);
            }
            if r % step == 0 && c % step == 0 {
                let p = (((r / step) * pw + c / step) * 4) as usize;
                let rgb = [stretch(v[1][i]), stretch(v[2][i]), stretch(v[3][i])];
                let px = if value == 1 {
                    [rgb[0] / 3, 160 + rgb[1] / 3, 255, 255]
                } else {
                    [rgb[0], rgb[1], rgb[2], 255]
                };
                preview[p..p + 4].copy_from_slice(&px);
            }
        }
        row += rows;
        progress(row, h).await;
    }
    let pixel_km2 = (grid.transform.dx * grid.transform.dy).abs() / 1e6;
    let spec = RasterSpec {
        width: w,
        height: h,
        bands: 1,
        transform: grid.transform,
        crs: Some(grid.crs.clone()),
        nodata: Some(255.0),
        descriptions: vec!["glacier (NDSI baseline)".into()],
    };
    let mut tiff = std::io::Cursor::new(Vec::new());
    write_geotiff(
        "glacier_mask.tif",
        &mut tiff,
        &spec,
        |first, rows, bands: &mut [Vec<u8>]| {
            let start = (first * w) as usize;
            bands[0].copy_from_slice(&mask[start..start + (rows * w) as usize]);
            Ok(())
        },
    )
    .map_err(|e| e.to_string())?;
    let total = u64::from(w) * u64::from(h);
    Ok(MapResult {
        glacier_km2: glacier as f64 * pixel_km2,
        glacier_share: if valid > 0 {
            glacier as f64 / valid as f64
        } else {
            0.0
        },
        nodata_share: (total - valid) as f64 / total as f64,
        size: (w, h),
        grid: format!("{}, {} m pixels", grid.crs, grid.transform.dx),
        preview: (preview, pw, ph),
        geotiff: tiff.into_inner(),
        composite: composite.map(|c| c.name()).join(" / "),
    })
}
