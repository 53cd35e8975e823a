#!/usr/bin/env bash
# The three-band model (green, red, NIR; each scene normalised with its own statistics), for
# scenes without SWIR such as the Everest Landsat 7 crop: the recipe of models/README.md as one
# script, so runs with other seeds or augmentation can be compared with the shipped one.
#
#   models/train_grn.sh WORK [flips|radiometric]
#
# `flips` trains with flips and rotations only (how the shipped unet-scse-grn was trained);
# `radiometric` relights each chip too (`glacier train --radiometric`). SEED (default 7),
# EPOCHS (130), PATIENCE (30) and WIDTH (8, the top level's channels) may be set; EVEREST=2 gives the Everest chips twice in every
# epoch (and in the validation IoU that picks the best epoch). WORK holds chips and runs (never commit it).
# Then: held-out Everest test blocks, Athabasca S30 and Pensacola test blocks with `glacier
# eval`. Times on 2 cores: chips ≈ 1 min, training ≈ 7 s an epoch.
set -euo pipefail
WORK=${1:?work directory}
AUG=${2:-flips}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
D=${GLACIER_DATA:-$ROOT/../shared/data}
G=${GLACIER:-$ROOT/target/release/glacier}
C=$WORK/chips_grn
# shellcheck source=models/grn_chips.sh
source "$ROOT/models/grn_chips.sh"

case $AUG in
    flips) FLAG="" ;;
    radiometric) FLAG="--radiometric" ;;
    *) echo "unknown augmentation $AUG (flips, radiometric)" >&2; exit 2 ;;
esac
OUT=$WORK/grn_${AUG}_seed${SEED:-7}${EVEREST:+_everest$EVEREST}${WIDTH:+_width$WIDTH}
EXTRA=""
for _ in $(seq 2 "${EVEREST:-1}"); do EXTRA="$EXTRA --chips $C/everest_l7"; done
TRAIN="--chips $C/everest_l7$EXTRA --chips $C/athabasca_l30_train --chips $C/pensacola_l8_no_ice \
    --channels green,red,nir --depth 3 --width ${WIDTH:-8} --batch-size 14 --lr 0.002 --seed ${SEED:-7} \
    --normalisation scene --tile 256 $FLAG --out $OUT"
# shellcheck disable=SC2086
[ -f "$OUT/state.json" ] || "$G" train $TRAIN --epochs "${EPOCHS:-130}" --patience "${PATIENCE:-30}"
for set in everest_l7 athabasca_s30_held_out pensacola_l8_no_ice; do
    "$G" eval --model "$OUT/best.glcm" --chips "$C/$set" --json "$OUT/eval_$set.json" | head -6
done
