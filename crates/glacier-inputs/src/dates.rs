//! A drop's files grouped by acquisition date: one date is a scene to map, two are a change
//! to measure (the page's "drop two scenes of the same place").

use crate::recognise::FileType;
use glacier_landsat::date_in_name;

/// The files of a drop by acquisition date.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ByDate {
    /// Each date (`YYYY-MM-DD`, earliest first) with the names of its scene files (bands,
    /// QA, MTL, archives, GeoTIFFs whose name tells the date).
    pub dates: Vec<(String, Vec<String>)>,
    /// Files that belong to every date: outlines and their parts, and scene files whose name
    /// tells no date (a DEM).
    pub shared: Vec<String>,
}

/// Whether `name` is a file of one acquisition (not outlines, which serve every date).
fn is_scene_file(name: &str) -> bool {
    matches!(
        FileType::of(name),
        FileType::Landsat89
            | FileType::OtherLandsat
            | FileType::Archive(_)
            | FileType::OtherGeoTiff
    )
}

/// Groups `names` by the acquisition date their names tell ([`date_in_name`]).
pub fn by_date<'a>(names: impl IntoIterator<Item = &'a str>) -> ByDate {
    let mut grouped = ByDate::default();
    for name in names {
        let date = is_scene_file(name).then(|| date_in_name(name)).flatten();
        let Some(date) = date else {
            grouped.shared.push(name.to_owned());
            continue;
        };
        match grouped.dates.iter_mut().find(|(d, _)| *d == date) {
            Some((_, files)) => files.push(name.to_owned()),
            None => grouped.dates.push((date, vec![name.to_owned()])),
        }
    }
    grouped.dates.sort_by(|a, b| a.0.cmp(&b.0));
    grouped
}

impl ByDate {
    /// The dates, in words: `2020-08-16 (6 files), 2020-09-09 (5 files)`.
    pub fn describe(&self) -> String {
        self.dates
            .iter()
            .map(|(d, f)| {
                let s = if f.len() == 1 { "" } else { "s" };
                format!("{d} ({} file{s})", f.len())
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_dates_and_what_they_share() {
        let names = [
            "HLS.S30.T11UNU.2020253T185919.v2.0.B03.tif",
            "HLS.L30.T11UNU.2020229T184919.v2.0.B03.tif",
            "HLS.L30.T11UNU.2020229T184919.v2.0.B05.tif",
            "athabasca_dem.tif",
            "athabasca_outline.shp",
            "athabasca_outline.prj",
            "rgi_20230101.geojson",
        ];
        let g = by_date(names);
        assert_eq!(g.dates.len(), 2);
        assert_eq!(g.dates[0].0, "2020-08-16");
        assert_eq!(g.dates[0].1.len(), 2);
        assert_eq!(g.dates[1].0, "2020-09-09");
        assert_eq!(
            g.shared,
            [
                "athabasca_dem.tif",
                "athabasca_outline.shp",
                "athabasca_outline.prj",
                "rgi_20230101.geojson"
            ]
        );
        assert_eq!(g.describe(), "2020-08-16 (2 files), 2020-09-09 (1 file)");
    }

    #[test]
    fn one_scene_is_one_date() {
        let g = by_date([
            "LC08_L2SP_204023_20200927_20201006_02_T1_SR_B3.TIF",
            "LC08_L2SP_204023_20200927_20201006_02_T1_MTL.txt",
            "LC08_L2SP_204023_20200927_20201006_02_T1-cropped.tar.gz",
        ]);
        assert_eq!(g.dates.len(), 1);
        assert_eq!(g.dates[0].1.len(), 3);
    }
}
