//! A few epochs of training on real Everest chips reduce the loss (skill over trivial predictors is not claimed yet).

mod common;

use glacier_train::train::{TrainConfig, train};

#[test]
fn training_reduces_the_loss_on_everest_chips() {
    let dir = std::env::temp_dir().join(format!("glacier_train_{}", std::process::id()));
    let Some(_) = common::everest_chips(&dir, 32, 32) else {
        return;
    };
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
