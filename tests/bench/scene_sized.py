"""Scene-sized band files from a real crop, with GDAL: `python3 scene_sized.py OUT_DIR BAND...`.

Each BAND (a GeoTIFF crop, e.g. the Athabasca HLS L30 bands in ../shared/data) is repeated
over a 7551 × 7351 px grid (the size of a full Landsat scene) on the crop's own origin and
pixel size, and written as OUT_DIR/<HLS name>.<band>.tif: DEFLATE strips of 64 rows. The
repetition makes the files small (≈ 3.4 MB a band instead of 111 MB raw), so they can travel
to a machine without GDAL; what they cost to decode and classify is that of a real scene.
The browser benchmark (tests/browser/bench_page.mjs) builds the same mosaic its own way.
"""

import json
import os
import re
import subprocess
import sys

WIDTH, HEIGHT = 7551, 7351
HLS = "HLS.L30.T11UNU.2020229T184919.v2.0"


def mosaic(source: str, out: str) -> None:
    info = json.loads(subprocess.check_output(["gdalinfo", "-json", source]))
    w, h = info["size"]
    band = info["bands"][0]
    sources = "".join(
        f'<SimpleSource><SourceFilename relativeToVRT="0">{os.path.abspath(source)}</SourceFilename>'
        f'<SourceBand>1</SourceBand><SrcRect xOff="0" yOff="0" xSize="{w}" ySize="{h}"/>'
        f'<DstRect xOff="{x}" yOff="{y}" xSize="{w}" ySize="{h}"/></SimpleSource>'
        for y in range(0, HEIGHT, h)
        for x in range(0, WIDTH, w)
    )
    wkt = info["coordinateSystem"]["wkt"].replace("&", "&amp;").replace("<", "&lt;")
    nodata = f"<NoDataValue>{band['noDataValue']}</NoDataValue>" if "noDataValue" in band else ""
    vrt = out + ".vrt"
    with open(vrt, "w") as f:
        f.write(
            f'<VRTDataset rasterXSize="{WIDTH}" rasterYSize="{HEIGHT}"><SRS>{wkt}</SRS>'
            f'<GeoTransform>{", ".join(map(str, info["geoTransform"]))}</GeoTransform>'
            f'<VRTRasterBand dataType="{band["type"]}" band="1">{nodata}{sources}</VRTRasterBand>'
            "</VRTDataset>"
        )
    subprocess.check_call(
        ["gdal_translate", "-q", "-co", "COMPRESS=DEFLATE", "-co", "ZLEVEL=9", "-co", "BLOCKYSIZE=64", vrt, out]
    )
    os.remove(vrt)


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for source in sys.argv[2:]:
        found = re.search(r"_(B\d\w)_L30\.tif$", source)
        if not found:
            sys.exit(f"{source}: expected an HLS L30 crop named like athabasca_2020229_B03_L30.tif")
        out = os.path.join(out_dir, f"{HLS}.{found.group(1)}.tif")
        if not os.path.exists(out):
            mosaic(source, out)
        print(out)


if __name__ == "__main__":
    main()
