//! The chips of one or more scenes pooled for one training run ([`load_training_set`]): each
//! scene normalised with its own statistics, channels picked by name.

use std::path::PathBuf;

use glacier_inputs::{ChannelName, InputSpec, Normalisation, StatsAccumulator, Units};

use crate::data::{ChipData, channel_positions, input_spec, read_chip_set, select_spec};
use crate::error::TrainError;
use crate::split::Split;

/// The chips of one or more scenes, normalised and pooled for one training run.
pub struct TrainingSet {
    /// Training chips, normalised.
    pub train: ChipData,
    /// Validation chips, normalised.
    pub validation: ChipData,
    /// The channels trained on.
    pub channels: Vec<String>,
    /// The input spec the model records (the first scene's statistics; with
    /// [`Normalisation::Scene`] prediction computes each scene's own).
    pub spec: InputSpec,
    /// Per chip set: directory, channels, options, counts, glacier share, sources.
    pub provenance: Vec<serde_json::Value>,
}

/// Loads the training and validation chips of `dirs` (one directory per scene), keeping
/// `channels` (default: the first set's). With [`Normalisation::Scene`] each scene is
/// normalised with its own statistics; with [`Normalisation::Training`] all are normalised with
/// the statistics of every training chip pooled, which needs every set in the same physical
/// units (reflectance), recorded in the spec.
///
/// # Errors
/// [`TrainError::Mixed`] when the sets' chip sizes differ or, with
/// [`Normalisation::Training`], their units differ, are unrecorded, or are values as stored in
/// several scenes; [`TrainError::Chips`] when a set cannot be read or lacks a channel.
pub fn load_training_set(
    dirs: &[PathBuf],
    channels: Option<&[String]>,
    normalisation: Normalisation,
    tile: u32,
) -> Result<TrainingSet, TrainError> {
    let joined = || {
        dirs.iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mixed = |detail: String| TrainError::Mixed {
        dirs: joined(),
        detail,
    };
    let Some(first_dir) = dirs.first() else {
        return Err(mixed("no chip directory given; pass --chips DIR".into()));
    };
    let first = read_chip_set(first_dir)?;
    let names: Vec<String> = channels.map_or_else(|| first.channels.clone(), <[String]>::to_vec);
    // Each set's chips as read (physical values), with the spec that would normalise it alone.
    let mut sets = Vec::new();
    let mut provenance = Vec::new();
    for dir in dirs {
        let set = read_chip_set(dir)?;
        if set.options.size != first.options.size {
            return Err(mixed(format!(
                "chips of {} px and of {} px cannot share a batch; make them with the same --size",
                first.options.size, set.options.size
            )));
        }
        let positions = channel_positions(dir, &set, &names)?;
        let spec = select_spec(&input_spec(dir, &set, normalisation, tile)?, &positions);
        let train = ChipData::load(dir, &set, Split::Train)?.select(&positions);
        let validation = ChipData::load(dir, &set, Split::Validation)?.select(&positions);
        provenance.push(serde_json::json!({
            "dir": dir.display().to_string(),
            "channels": set.channels,
            "chip_options": set.options,
            "chip_counts": set.counts,
            "glacier_share": set.glacier_share,
            "sources": set.sources,
            "units": set.units,
        }));
        sets.push((dir, set.units, spec, train, validation));
    }
    let pooled = match normalisation {
        Normalisation::Scene => None,
        Normalisation::Training if sets.len() == 1 => None,
        Normalisation::Training => Some(pooled_spec(&sets, &names, &mixed)?),
    };
    let mut parts: Option<(ChipData, ChipData, InputSpec)> = None;
    for (_, _, spec, train, validation) in sets {
        let spec = pooled.clone().unwrap_or(spec);
        let (train, validation) = (train.normalised(&spec), validation.normalised(&spec));
        match &mut parts {
            None => parts = Some((train, validation, spec)),
            Some((t, v, _)) => {
                t.append(train);
                v.append(validation);
            }
        }
    }
    let (train, validation, spec) = parts.ok_or_else(|| mixed("no chips".into()))?;
    if train.n == 0 {
        return Err(TrainError::NoChips { dir: joined() });
    }
    Ok(TrainingSet {
        train,
        validation,
        channels: names,
        spec,
        provenance,
    })
}

/// One spec for several scenes: the statistics of all their training chips together, in the
/// physical units every set must share.
fn pooled_spec(
    sets: &[(&PathBuf, Option<Units>, InputSpec, ChipData, ChipData)],
    names: &[String],
    mixed: &dyn Fn(String) -> TrainError,
) -> Result<InputSpec, TrainError> {
    for (dir, units, ..) in sets {
        match units {
            Some(Units::Physical) => {}
            Some(Units::Stored) => {
                return Err(mixed(format!(
                    "{} holds values as stored (uncalibrated): one set of training statistics \
                     cannot describe several scenes' raw numbers; train with --normalisation \
                     scene, or remake the chips from calibrated bands (the scene's MTL, Level-2 \
                     or HLS)",
                    dir.display()
                )));
            }
            None => {
                return Err(mixed(format!(
                    "{} does not record its units (made before chips did); remake it with \
                     `glacier chips`, or train with --normalisation scene",
                    dir.display()
                )));
            }
        }
    }
    let channel_names = names
        .iter()
        .map(|n| ChannelName::parse(n).ok_or_else(|| mixed(format!("unknown channel {n:?}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let mut acc = StatsAccumulator::default();
    for (_, _, _, train, _) in sets {
        for i in 0..train.n {
            acc.add(&train.chip(i));
        }
    }
    let first = &sets[0].2;
    Ok(InputSpec {
        channels: acc.finish(&channel_names),
        units: Some(Units::Physical),
        ..first.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chips::{ChipError, ChipSet};
    use std::path::Path;

    /// Writes a chip set of `n` training chips of `size`² px, channels `names`, where chip `i`,
    /// channel `k`, pixel `p` holds `100·i + 10·k + p`.
    fn tiny_set(dir: &Path, names: &[&str], n: usize, size: u32) -> ChipSet {
        std::fs::create_dir_all(dir).expect("dir");
        let plane = (size * size) as usize;
        let mut x = Vec::new();
        for i in 0..n {
            for k in 0..names.len() {
                for p in 0..plane {
                    x.extend(((100 * i + 10 * k + p) as f32).to_le_bytes());
                }
            }
        }
        std::fs::write(dir.join("train_x.f32"), x).expect("x");
        std::fs::write(dir.join("train_y.u8"), vec![0u8; n * plane]).expect("y");
        let set = ChipSet {
            channels: names.iter().map(|s| (*s).to_owned()).collect(),
            options: crate::ChipOptions {
                size,
                ..crate::ChipOptions::default()
            },
            counts: [("train".to_owned(), n)].into_iter().collect(),
            glacier_share: Default::default(),
            stats: Vec::new(),
            sources: vec!["tiny".into()],
            units: None,
        };
        let json = serde_json::to_string(&set).expect("json");
        std::fs::write(dir.join("chips.json"), json).expect("chips.json");
        set
    }

    #[test]
    fn channels_are_picked_by_name_and_scenes_pooled_each_with_its_own_statistics() {
        let root = std::env::temp_dir().join(format!("glacier_pool_{}", std::process::id()));
        let (a, b) = (root.join("a"), root.join("b"));
        let set_a = tiny_set(&a, &["green", "red", "nir"], 2, 2);
        tiny_set(&b, &["nir", "green"], 1, 2);
        let data = ChipData::load(&a, &set_a, Split::Train).expect("loads");
        // nir then green of chip 1: 110+20.., 100+0..
        let picked = data.select(&[2, 0]);
        assert_eq!((picked.n, picked.c), (2, 2));
        assert_eq!(picked.chip(1)[0], vec![120.0, 121.0, 122.0, 123.0]);
        assert_eq!(picked.chip(1)[1], vec![100.0, 101.0, 102.0, 103.0]);

        let names = ["green".to_owned(), "nir".to_owned()];
        let pooled = load_training_set(
            &[a.clone(), b.clone()],
            Some(&names),
            Normalisation::Scene,
            64,
        )
        .expect("pools");
        assert_eq!((pooled.train.n, pooled.train.c), (3, 2));
        assert_eq!(pooled.channels, names);
        // Set b's one chip is normalised with b's own statistics: each channel's four values
        // 0..3 (+ offset) have mean 1.5 and population std √1.25.
        let z = |v: f32| (v - 1.5) / 1.25f32.sqrt();
        let b_green = &pooled.train.chip(2)[0];
        for (p, v) in b_green.iter().enumerate() {
            assert!((v - z(p as f32)).abs() < 1e-5, "{b_green:?}");
        }
        assert_eq!(pooled.provenance.len(), 2);

        // What cannot be pooled is refused with the fix.
        let in_reflectance = || {
            load_training_set(
                &[a.clone(), b.clone()],
                Some(&names),
                Normalisation::Training,
                64,
            )
        };
        let err = in_reflectance().err().expect("refused");
        assert!(err.to_string().contains("--normalisation scene"), "{err}");
        // Sets in reflectance pool their training statistics into one spec.
        let mark = |dir: &Path, units: Units| {
            let mut set = read_chip_set(dir).expect("set");
            set.units = Some(units);
            let json = serde_json::to_string(&set).expect("json");
            std::fs::write(dir.join("chips.json"), json).expect("chips.json");
        };
        mark(&a, Units::Physical);
        mark(&b, Units::Physical);
        let pooled = in_reflectance().expect("pools in reflectance");
        assert_eq!(pooled.spec.units, Some(Units::Physical));
        // green: chips 0..3, 100..103 (set a) and 10..13 (set b).
        let green = &pooled.spec.channels[0];
        assert!(
            (green.mean - (1.5 + 101.5 + 11.5) / 3.0).abs() < 1e-4,
            "{green:?}"
        );
        mark(&b, Units::Stored);
        let err = in_reflectance().err().expect("raw numbers refused");
        assert!(err.to_string().contains("values as stored"), "{err}");
        let err = load_training_set(
            &[b.clone(), a.clone()],
            Some(&["swir1".to_owned()]),
            Normalisation::Scene,
            64,
        )
        .err()
        .expect("refused");
        assert!(
            matches!(&err, TrainError::Chips(ChipError::MissingChannel { missing, .. }) if missing == "swir1"),
            "{err}"
        );
        assert!(err.to_string().contains("--channels swir1"), "{err}");
        let c = root.join("c");
        tiny_set(&c, &["green", "nir"], 1, 4);
        let err = load_training_set(&[a, c], Some(&names), Normalisation::Scene, 64)
            .err()
            .expect("refused");
        assert!(err.to_string().contains("same --size"), "{err}");
        std::fs::remove_dir_all(&root).ok();
    }
}
