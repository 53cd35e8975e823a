//! A few epochs of training on real Everest chips reduce the loss (skill over trivial predictors is not claimed yet).

mod common;

use glacier_inputs::{ChannelName, ChannelReader};
use glacier_train::train::{TrainConfig, train};
use glacier_train::{ChipOptions, Labels, SpatialSplit, write_chips};

#[test]
fn training_reduces_the_loss_on_everest_chips() {
    let Some((scene, outlines)) = common::everest() else {
        return;
    };
    let names = ChannelName::parse_list("green,red,nir").expect("names");
    let mut reader = ChannelReader::new(&scene, None);
    let dir = std::env::temp_dir().join(format!("glacier_train_{}", std::process::id()));
    let options = ChipOptions {
        size: 32,
        stride: 32,
        max_ignored: 0.2,
        split: SpatialSplit {
            block: 256,
            buffer: 8,
            validation: 2,
            test: 2,
        },
    };
    let labels = Labels {
        outlines: &outlines,
        trusted_within: None,
    };
    write_chips(
        &mut reader,
        &scene.grid,
        &names,
        &labels,
        &options,
        vec![],
        &dir,
    )
    .expect("chips");
    let config = TrainConfig {
        epochs: 3,
        batch_size: 16,
        learning_rate: 3e-3,
        depth: 2,
        base_width: 8,
        seed: 3,
    };
    let device = glacier_model::devices::cpu();
    let (_, history, spec) = train(&dir, &config, &device, |e, log| {
        eprintln!(
            "epoch {e}: loss {:.4}, validation IoU {:.3}",
            log.train_loss, log.val_iou
        );
    })
    .expect("trains");
    assert_eq!(spec.channels.len(), 3);
    assert!(history.iter().all(|h| h.train_loss.is_finite()));
    assert!(history[2].train_loss < history[0].train_loss, "{history:?}");
    assert!(history[2].val_iou > 0.3, "{history:?}");
    std::fs::remove_dir_all(&dir).ok();
}
