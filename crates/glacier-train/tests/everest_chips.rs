//! Chips from the real Everest Landsat 7 scene and its RGI 6.0 outlines.

mod common;

use glacier_train::ChipSet;

#[test]
fn everest_chips_with_a_spatial_split() {
    let dir = std::env::temp_dir().join(format!("glacier_chips_{}", std::process::id()));
    let Some(set) = common::everest_chips(&dir, 64, 32) else {
        return;
    };
    eprintln!(
        "chips: {:?}, glacier share {:?}",
        set.counts, set.glacier_share
    );
    let n = |s: &str| set.counts.get(s).copied().unwrap_or(0);
    assert!(
        n("train") >= 40 && n("validation") >= 5 && n("test") >= 5,
        "{:?}",
        set.counts
    );
    // 800×655 px, 64-px chips every 32 px: 24 × 19 = 456 positions, less those straddling a
    // split or its buffer.
    assert!(n("train") + n("validation") + n("test") < 456);
    for (split, count) in &set.counts {
        let x = std::fs::metadata(dir.join(format!("{split}_x.f32")))
            .expect("x file")
            .len();
        let y = std::fs::metadata(dir.join(format!("{split}_y.u8")))
            .expect("y file")
            .len();
        assert_eq!(x, (*count * 3 * 64 * 64 * 4) as u64, "{split}");
        assert_eq!(y, (*count * 64 * 64) as u64, "{split}");
    }
    // SOURCES.md: outlines cover 54 % of the image; each split sees a similar mix.
    let train_share = set.glacier_share["train"];
    assert!((0.35..0.75).contains(&train_share), "{train_share}");
    let back: ChipSet =
        serde_json::from_str(&std::fs::read_to_string(dir.join("chips.json")).expect("json"))
            .expect("parses");
    assert_eq!(back, set);
    assert_eq!(back.stats.len(), 3);
    // 8-bit DNs: means between 0 and 255, spread present.
    assert!(
        back.stats
            .iter()
            .all(|s| s.mean > 20.0 && s.mean < 255.0 && s.std > 5.0),
        "{:?}",
        back.stats
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn dilation_marks_the_neighbourhood() {
    let mut mask = vec![0u8; 7 * 5];
    mask[2 * 7 + 3] = 1;
    let d = glacier_train::chips::dilate(&mask, 7, 5, 1);
    assert_eq!(d.iter().filter(|v| **v).count(), 9);
    assert!(d[7 + 2] && d[3 * 7 + 4] && !d[0]);
}
