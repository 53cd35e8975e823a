# Times full reads with GDAL (ReadAsArray, block cache off): one line per file, name, pixels,
# best of 5 in ms. Run by `cargo xtask bench-decode`; needs Debian python3-gdal.
import sys, time
from osgeo import gdal
gdal.UseExceptions()
gdal.SetCacheMax(0)
for path in sys.argv[1:]:
    best = 1e9
    for _ in range(5):
        t = time.perf_counter()
        ds = gdal.Open(path)
        arr = ds.ReadAsArray()
        best = min(best, (time.perf_counter() - t) * 1e3)
        ds = None
    print(f"{path}\t{arr.size}\t{best:.2f}")
