// Page benchmark: node bench_page.mjs <dist-dir> [--full | --full-gpu]. Drives the built page in headless
// Chromium, drops real bands through its file input and prints, per stage, the times the page
// measured itself (data-testid="timings"), on WebGPU and on the CPU, plus the wasm memory: the
// Athabasca crop without SWIR2 (the three-band model) and with it (the SWIR model).
//
// The CPU runs use this project's kernels (glacier-kernels, wasm SIMD128, one thread), what the
// page runs on the CPU (`glacier bench-model` compares them with burn's backends natively).
//
// Per tile, in the same Chromium and page: the network on the page's CPU path (the kernels, and
// burn's flex as the page ran before) against onnxruntime-web's wasm backend (npm
// `onnxruntime-web`, pinned in package.json, loaded from node_modules; the page does not ship it)
// on the same ONNX file and the same normalised real Everest tiles, one thread each. `cargo xtask
// bench-page` writes them first with `glacier bench-model --onnx-dir` (GLACIER_ONNX_DIR); the
// probabilities of both are compared on the first tile.
//
// Each run also samples, once a second, the memory of every process of the browser (PSS from
// /proc: page, workers, GPU process) and reports the peaks.
//
// --full adds a scene-sized input (7551 × 7351 px, the size of the real QA_PIXEL grid in
// ../shared/data): the six real Athabasca HLS bands (B02–B07) and the DEM, each repeated side by
// side with GDAL (gdal_translate of a VRT), for timing and memory only. It runs on the CPU (flex);
// --full-gpu runs it on WebGPU as well (on SwiftShader's software WebGPU that takes over an hour).
//
// --archive adds the time from an archive link to the map: the five scene-sized bands (B03–B07)
// written as cloud-optimised GeoTIFFs with overviews by GDAL, served by range from a local host
// as a STAC item, and `?item=…&bbox=…` for the middle 1/81 of the scene opened on the CPU path:
// link → quick look, link → map, and what the notes say was fetched.
//
// It also times, in the same Chromium, the page's GeoTIFF decoder (our Rust reader in wasm,
// `window.wasmBindings.decodeGeoTiff`) beside geotiff.js (npm `geotiff`, its browser bundle loaded
// from node_modules) on the real full-size QA_PIXEL COG: `readRasters()` of the full image, without
// and with a `Pool(2)` of workers, and checks that both decoders give the same pixel sum.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { resolve, join } from "node:path";
import { serve, launch, open, waitDone, sampleBrowserMemory } from "./harness.mjs";
import { archiveHost } from "./archive.mjs";

const DATA = resolve(process.env.GLACIER_SHARED_DATA ?? "../../../shared/data");
if (!existsSync(DATA)) {
  console.error(`${DATA} is missing: the page benchmark drops real bands from it`);
  process.exit(1);
}
const dist = process.argv[2] ?? "../../dist";
const fullGpu = process.argv.includes("--full-gpu");
const full = fullGpu || process.argv.includes("--full");
const archive = process.argv.includes("--archive");
const HLS = "HLS.L30.T11UNU.2020229T184919.v2.0";
const BANDS = ["B03", "B04", "B05", "B06"];
const SCENE_BANDS = ["B02", "B03", "B04", "B05", "B06", "B07"];
const band = (b) => join(DATA, `athabasca_hls_satrbedo/athabasca_2020229_${b}_L30.tif`);
const DEM = join(DATA, "athabasca_hls_satrbedo/athabasca_dem.tif");
const SCENE = { width: 7551, height: 7351 };

/** Scene-sized copies of the six Athabasca bands (215 × 205 px tiled) under HLS names and of the
 * DEM, DEFLATE. */
function sceneSized() {
  const dir = resolve("artifacts/bench-scene");
  mkdirSync(dir, { recursive: true });
  const inputs = SCENE_BANDS.map((b) => [band(b), `${HLS}.${b}.tif`, b]);
  inputs.push([DEM, "athabasca_dem_scene_sized.tif", "dem"]);
  return inputs.map(([source, name, b]) => {
    const out = join(dir, name);
    if (existsSync(out)) return out;
    const info = JSON.parse(execFileSync("gdalinfo", ["-json", source]).toString());
    const [w, h] = info.size;
    const gt = info.geoTransform;
    const sources = [];
    for (let y = 0; y < SCENE.height; y += h) {
      for (let x = 0; x < SCENE.width; x += w) {
        sources.push(`<SimpleSource><SourceFilename relativeToVRT="0">${source}</SourceFilename>` +
          `<SourceBand>1</SourceBand><SrcRect xOff="0" yOff="0" xSize="${w}" ySize="${h}"/>` +
          `<DstRect xOff="${x}" yOff="${y}" xSize="${w}" ySize="${h}"/></SimpleSource>`);
      }
    }
    const vrt = join(dir, `${b}.vrt`);
    writeFileSync(vrt, `<VRTDataset rasterXSize="${SCENE.width}" rasterYSize="${SCENE.height}">` +
      `<SRS>${info.coordinateSystem.wkt.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</SRS>` +
      `<GeoTransform>${gt.join(", ")}</GeoTransform>` +
      `<VRTRasterBand dataType="${info.bands[0].type}" band="1">` +
      (info.bands[0].noDataValue !== undefined ? `<NoDataValue>${info.bands[0].noDataValue}</NoDataValue>` : "") +
      `${sources.join("")}</VRTRasterBand></VRTDataset>`);
    execFileSync("gdal_translate", ["-q", "-co", "COMPRESS=DEFLATE", "-co", "TILED=YES", vrt, out]);
    return out;
  });
}

async function run(context, url, files, label, timeoutMs) {
  const { page, problems } = await open(context, url);
  await waitDone(page);
  const memory = sampleBrowserMemory(context);
  const started = Date.now();
  // Long runs say where they are once a minute.
  const progress = setInterval(async () => {
    const status = await page.getByTestId("status").textContent().catch(() => "?");
    console.log(`  ${label}: ${((Date.now() - started) / 60_000).toFixed(0)} min, ${status.trim()}`);
  }, 60_000);
  await page.getByTestId("scene-files").setInputFiles(files);
  await page.waitForFunction(
    () => /mapping (done|stopped)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""),
    null,
    { timeout: timeoutMs, polling: 1000 },
  ).finally(() => clearInterval(progress));
  const wall = Date.now() - started;
  const browser = memory.stop();
  const status = (await page.getByTestId("status").textContent()).trim();
  if (status !== "mapping done") throw new Error(`${label}: ${status}; ${await page.getByTestId("errors").textContent()}`);
  await page.waitForTimeout(500); // the map layers are drawn by an effect after "done"
  const timings = JSON.parse(await page.getByTestId("timings").textContent());
  await page.close();
  if (problems.length) console.log(`  ${label}: ${problems.join("; ")}`);
  return { label, wall, browser, ...timings };
}

/** The scene-sized bands B03–B07 as COGs with overviews, named as the archive host serves
 * Athabasca's; their directory and the lon/lat box of the middle 1/81 of the scene. */
function sceneCogs() {
  const dir = resolve("artifacts/bench-archive");
  mkdirSync(dir, { recursive: true });
  const sized = sceneSized();
  for (const b of ["B03", "B04", "B05", "B06", "B07"]) {
    const out = join(dir, `athabasca_2020229_${b}_L30.tif`);
    const source = sized.find((p) => p.endsWith(`.${b}.tif`));
    if (!existsSync(out)) {
      execFileSync("gdal_translate", ["-q", "-of", "COG", "-co", "COMPRESS=DEFLATE", "-co", "BLOCKSIZE=256", "-co", "OVERVIEWS=AUTO", source, out]);
    }
  }
  const info = JSON.parse(execFileSync("gdalinfo", ["-json", join(dir, "athabasca_2020229_B03_L30.tif")]).toString());
  const ring = info.wgs84Extent.coordinates[0];
  const lons = ring.map((p) => p[0]);
  const lats = ring.map((p) => p[1]);
  const [w, e, s, n] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const dx = (e - w) / 9;
  const dy = (n - s) / 9;
  const bbox = [w + 4 * dx, s + 4 * dy, w + 5 * dx, s + 5 * dy].map((v) => v.toFixed(5)).join(",");
  return { dir, bbox };
}

/** Link → quick look → map for the middle 1/81 of the scene-sized COGs from a local host. */
async function archiveRun(context, url) {
  const { dir, bbox } = sceneCogs();
  const host = await archiveHost(dir, true, dir);
  try {
    const started = Date.now();
    const { page, problems } = await open(context, `${url}?backend=cpu&item=${encodeURIComponent(host.athabasca)}&bbox=${bbox}`);
    await page.waitForFunction(() => (document.querySelector('[data-testid="quick-look"]')?.textContent ?? "") !== ""
      || /^mapping (done|stopped)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 600_000, polling: 50 });
    const look = Date.now() - started;
    const lookNote = (await page.getByTestId("quick-look").textContent()).trim();
    await page.waitForFunction(() => /^mapping (done|stopped)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 600_000, polling: 100 });
    const wall = Date.now() - started;
    const status = (await page.getByTestId("status").textContent()).trim();
    if (status !== "mapping done") throw new Error(`archive run: ${status}; ${await page.getByTestId("errors").textContent()}`);
    const notes = (await page.getByTestId("notes").textContent()).replace(/\s+/g, " ");
    const fetched = /Fetched .*?(hold|archive)\./.exec(notes)?.[0] ?? "(not said)";
    const grid = (await page.getByTestId("scene-grid").textContent()).trim();
    await page.close();
    if (problems.length) console.log(`  archive run: ${problems.join("; ")}`);
    return { bbox, look, lookNote, wall, fetched, grid, requests: host.log.filter((r) => r.method === "GET").length };
  } finally {
    host.server.close();
  }
}

const QA = join(DATA, "everest_landsat8_qa_unpackqa/LC08_L2SP_140041_20130503_20200912_02_T1_QA_PIXEL.TIF");
const RUNS = 7;

/** Our decoder vs geotiff.js on the QA_PIXEL COG, in one page: best and median of RUNS each. */
async function decodeComparison(context, url) {
  const { page, problems } = await open(context, url);
  await waitDone(page);
  await page.addScriptTag({ path: resolve("node_modules/geotiff/dist-browser/geotiff.js") });
  await page.route("**/bench-input/qa.tif", (route) =>
    route.fulfill({ body: readFileSync(QA), contentType: "image/tiff" }));
  const result = await page.evaluate(async (runs) => {
    const buffer = await (await fetch("bench-input/qa.tif")).arrayBuffer();
    const bytes = new Uint8Array(buffer);
    const time = async (decode) => {
      const ms = [];
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        await decode();
        ms.push(performance.now() - start);
      }
      ms.sort((a, b) => a - b);
      return { best: ms[0], median: ms[Math.floor(runs / 2)] };
    };
    const ours = await time(async () => window.wasmBindings.decodeGeoTiff(bytes, false));
    const geotiffRead = async (pool) => {
      const tiff = await GeoTIFF.fromArrayBuffer(buffer);
      const image = await tiff.getImage();
      return image.readRasters(pool ? { pool } : {});
    };
    const plain = await time(() => geotiffRead(null));
    const pool = new GeoTIFF.Pool(2);
    const pooled = await time(() => geotiffRead(pool));
    const raster = (await geotiffRead(pool))[0];
    let sum = 0;
    for (let i = 0; i < raster.length; i++) sum += raster[i];
    pool.destroy();
    return {
      ours, plain, pooled, pixels: raster.length,
      sumOurs: window.wasmBindings.decodeGeoTiff(bytes, true), sumGeotiff: sum,
    };
  }, RUNS);
  await page.close();
  if (problems.length) console.log(`  decode comparison: ${problems.join("; ")}`);
  if (result.sumOurs !== result.sumGeotiff) {
    throw new Error(`the decoders disagree: pixel sum ${result.sumOurs} (ours) vs ${result.sumGeotiff} (geotiff.js)`);
  }
  return result;
}

const ONNX_DIR = resolve(process.env.GLACIER_ONNX_DIR ?? "../../target/bench-page-onnx");
const ORT_DIST = resolve("node_modules/onnxruntime-web/dist");
const TILE_RUNS = Number(process.env.GLACIER_TILE_RUNS ?? 10);

/** The network per tile on the page's CPU path and on onnxruntime-web (wasm, one thread). */
async function networkComparison(context, url) {
  const meta = JSON.parse(readFileSync(join(ONNX_DIR, "meta.json"), "utf8"));
  const { page, problems } = await open(context, url);
  await waitDone(page);
  await page.route("**/bench-input/**", (route) => {
    const name = route.request().url().split("/bench-input/")[1];
    route.fulfill({ body: readFileSync(join(ONNX_DIR, name)), contentType: "application/octet-stream" });
  });
  await page.route("**/ort-dist/**", (route) => {
    const name = route.request().url().split("/ort-dist/")[1];
    const type = name.endsWith(".wasm") ? "application/wasm" : "text/javascript";
    route.fulfill({ body: readFileSync(join(ORT_DIST, name)), contentType: type });
  });
  await page.addScriptTag({ path: join(ORT_DIST, "ort.min.js") });
  const result = await page.evaluate(async ({ meta, runs }) => {
    const get = async (name) => new Uint8Array(await (await fetch(name)).arrayBuffer());
    const tiles = new Float32Array((await get("bench-input/tiles.f32")).buffer);
    const side = meta.tile, channels = meta.channels, perTile = channels * side * side;
    const model = await get("unet-scse-grn.glcm");
    const ours = {};
    for (const engine of ["kernels", "flex"]) {
      const out = window.wasmBindings.timeNetwork(model, engine, tiles, channels, side, runs);
      const times = Array.from(out.slice(0, runs + 1));
      ours[engine] = { times, probabilities: Array.from(out.slice(runs + 1)) };
    }
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmPaths = new URL("ort-dist/", location.href).href;
    const session = await ort.InferenceSession.create(await get("bench-input/model.onnx"), { executionProviders: ["wasm"] });
    const times = [];
    let first = null;
    for (let i = 0; i <= runs; i++) {
      const t = i % meta.tiles;
      const input = new ort.Tensor("float32", tiles.slice(t * perTile, (t + 1) * perTile), [1, channels, side, side]);
      const start = performance.now();
      const out = await session.run({ input });
      times.push(performance.now() - start);
      if (i === 0) first = Array.from(out.probability.data);
    }
    return { ours, ort: { times, probabilities: first, version: ort.env.versions?.web ?? "?" } };
  }, { meta, runs: TILE_RUNS });
  await page.close();
  if (problems.length) console.log(`  network comparison: ${problems.join("; ")}`);
  for (const [name, r] of [["kernels", result.ours.kernels], ["flex", result.ours.flex], ["onnxruntime-web", result.ort]]) {
    console.log(`  ${name}, ms per tile in order: ${r.times.map((t) => t.toFixed(0)).join(" ")}`);
  }
  // WebGPU: the page's GPU path (burn wgpu) against onnxruntime-web's WebGPU backend, in a
  // page of its own (on SwiftShader a tile takes seconds: few runs).
  const gpu = await gpuComparison(context, url, meta);
  return {
    meta,
    gpu,
    version: result.ort.version,
    kernels: summary(result.ours.kernels.times),
    flex: summary(result.ours.flex.times),
    ort: summary(result.ort.times),
    kernelsVsOrt: differ(result.ours.kernels.probabilities, result.ort.probabilities),
    flexVsOrt: differ(result.ours.flex.probabilities, result.ort.probabilities),
  };
}

const GPU_RUNS = 3;
const summary = (times) => {
  const warm = times.slice(1).sort((a, b) => a - b);
  return { cold: times[0], median: warm[Math.floor(warm.length / 2)], best: warm[0] };
};
const differ = (a, b) => {
  let max = 0, flips = 0;
  for (let i = 0; i < a.length; i++) {
    max = Math.max(max, Math.abs(a[i] - b[i]));
    if ((a[i] >= 0.5) !== (b[i] >= 0.5)) flips++;
  }
  return { max, flips, pixels: a.length };
};

/** The page's WebGPU path per tile (burn wgpu) against onnxruntime-web's WebGPU backend. */
async function gpuComparison(context, url, meta) {
  const { page, problems } = await open(context, url);
  await waitDone(page);
  await page.route("**/bench-input/**", (route) => {
    const name = route.request().url().split("/bench-input/")[1];
    route.fulfill({ body: readFileSync(join(ONNX_DIR, name)), contentType: "application/octet-stream" });
  });
  await page.route("**/ort-dist/**", (route) => {
    const name = route.request().url().split("/ort-dist/")[1];
    const type = name.endsWith(".wasm") ? "application/wasm" : "text/javascript";
    route.fulfill({ body: readFileSync(join(ORT_DIST, name)), contentType: type });
  });
  await page.addScriptTag({ path: join(ORT_DIST, "ort.webgpu.min.js") });
  const result = await page.evaluate(async ({ meta, runs }) => {
    const get = async (name) => new Uint8Array(await (await fetch(name)).arrayBuffer());
    const tiles = new Float32Array((await get("bench-input/tiles.f32")).buffer);
    const side = meta.tile, channels = meta.channels, perTile = channels * side * side;
    const model = await get("unet-scse-grn.glcm");
    let ours;
    try {
      const out = await window.wasmBindings.timeNetworkGpu(model, tiles, channels, side, runs);
      ours = { times: Array.from(out.slice(0, runs + 1)), probabilities: Array.from(out.slice(runs + 1)) };
    } catch (e) {
      ours = { error: String(e) };
    }
    let theirs;
    try {
      ort.env.wasm.numThreads = 1;
      ort.env.wasm.wasmPaths = new URL("ort-dist/", location.href).href;
      const session = await ort.InferenceSession.create(await get("bench-input/model.onnx"), { executionProviders: ["webgpu"] });
      const times = [];
      let first = null;
      for (let i = 0; i <= runs; i++) {
        const t = i % meta.tiles;
        const input = new ort.Tensor("float32", tiles.slice(t * perTile, (t + 1) * perTile), [1, channels, side, side]);
        const start = performance.now();
        const out = await session.run({ input });
        const values = await out.probability.getData();
        times.push(performance.now() - start);
        if (i === 0) first = Array.from(values);
      }
      theirs = { times, probabilities: first };
    } catch (e) {
      theirs = { error: String(e) };
    }
    return { ours, theirs };
  }, { meta, runs: GPU_RUNS });
  await page.close();
  if (problems.length) console.log(`  WebGPU network comparison: ${problems.join("; ")}`);
  return result;
}

const crop = BANDS.map((b) => ({ name: `${HLS}.${b}.tif`, path: band(b) }));
const { server, url } = await serve(dist);
const context = await launch();
const decode = await decodeComparison(context, url);
const network = existsSync(join(ONNX_DIR, "meta.json")) ? await networkComparison(context, url) : null;
const runs = [];
const files = crop.map((f) => ({ name: f.name, mimeType: "image/tiff", buffer: readFileSync(f.path) }));
runs.push(await run(context, url, files, "Athabasca 215×205, WebGPU", 240_000));
runs.push(await run(context, `${url}?backend=cpu`, files, "Athabasca 215×205, CPU (kernels)", 240_000));
// With SWIR2 (B07) as well the scene gets the SWIR model (unet-scse-swir) instead of the
// three-band one: the same network with five input channels and no plausibility rule.
const swir = [...files, { name: `${HLS}.B07.tif`, mimeType: "image/tiff", buffer: readFileSync(band("B07")) }];
runs.push(await run(context, url, swir, "Athabasca + B07 (SWIR model), WebGPU", 240_000));
runs.push(await run(context, `${url}?backend=cpu`, swir, "Athabasca + B07 (SWIR model), CPU (kernels)", 240_000));
if (full) {
  const paths = sceneSized();
  runs.push(await run(context, `${url}?backend=cpu`, paths, `scene-sized ${SCENE.width}×${SCENE.height}, 6 bands + DEM, CPU (kernels)`, 3_600_000));
  if (fullGpu) {
    runs.push(await run(context, url, paths, `scene-sized ${SCENE.width}×${SCENE.height}, 6 bands + DEM, WebGPU`, 3 * 3_600_000));
  }
}
const archived = archive ? await archiveRun(context, url) : null;
await context.close();
server.close();

// One table: a row per stage (matched by its first words), a column per run.
const key = (name) => name.replace(/ on (GPU|CPU).*$/, "").replace(/, \d+ × \d+ px$/, "");
const stages = [];
for (const r of runs) for (const [name] of r.stages) if (!stages.includes(key(name))) stages.push(key(name));
const cell = (r, stage) => {
  const hit = r.stages.find(([name]) => key(name) === stage);
  return hit ? `${hit[1].toFixed(0)} ms` : "—";
};
console.log(`\n| stage | ${runs.map((r) => r.label).join(" | ")} |`);
console.log(`|---|${runs.map(() => "---:").join("|")}|`);
for (const s of stages) console.log(`| ${s} | ${runs.map((r) => cell(r, s)).join(" | ")} |`);
console.log(`| drop → done (wall clock) | ${runs.map((r) => `${(r.wall / 1000).toFixed(1)} s`).join(" | ")} |`);
console.log(`| wasm memory of the mapping worker (its peak) | ${runs.map((r) => r.mapping_memory_mb == null ? "—" : `${r.mapping_memory_mb.toFixed(0)} MiB`).join(" | ")} |`);
console.log(`| all browser processes (PSS), peak during the run | ${runs.map((r) => `${r.browser.totalMiB.toFixed(0)} MiB`).join(" | ")} |`);
console.log(`| its GPU process (WebGPU buffers), peak | ${runs.map((r) => `${r.browser.gpuMiB.toFixed(0)} MiB`).join(" | ")} |`);
console.log(`| wasm memory of the page after the run | ${runs.map((r) => `${r.wasm_memory_mb.toFixed(0)} MiB`).join(" | ")} |`);

// Where the mapping module's memory went: its wasm memory at the end of each stage (it only
// grows, so the stage where it jumps is the one that needed it).
console.log(`\n| wasm memory at the end of the stage | ${runs.map((r) => r.label).join(" | ")} |`);
console.log(`|---|${runs.map(() => "---:").join("|")}|`);
for (const s of stages) {
  console.log(`| ${s} | ${runs.map((r) => {
    const hit = r.stages.find(([name]) => key(name) === s);
    return hit && hit[2] != null ? `${hit[2].toFixed(0)} MiB` : "—";
  }).join(" | ")} |`);
}

const ms = (t) => `${t.best.toFixed(0)} ms (median ${t.median.toFixed(0)})`;
console.log(`\nDecoding the full QA_PIXEL COG (7551 × 7351 uint16, DEFLATE tiles; ${decode.pixels} px, equal pixel sums ${decode.sumOurs}), best of ${RUNS} in one Chromium:`);
console.log("\n| decoder | time | geotiff.js Pool(2) ÷ this |");
console.log("|---|---:|---:|");
console.log(`| glacier-raster in wasm (the page's reader) | ${ms(decode.ours)} | ${(decode.pooled.best / decode.ours.best).toFixed(2)}× |`);
console.log(`| geotiff.js readRasters(), no pool | ${ms(decode.plain)} | ${(decode.pooled.best / decode.plain.best).toFixed(2)}× |`);
console.log(`| geotiff.js readRasters({ pool: Pool(2) }) | ${ms(decode.pooled)} | 1.00× |`);
if (archived) {
  console.log(`\nAn archive link to the middle 1/81 of a scene (${archived.bbox}: ${archived.grid}), five scene-sized COG bands with overviews from a local host, CPU path:`);
  console.log("\n| link → quick look | link → map | GET requests (item and bands) | what the page says it fetched |");
  console.log("|---:|---:|---:|---|");
  console.log(`| ${(archived.look / 1000).toFixed(1)} s | ${(archived.wall / 1000).toFixed(1)} s | ${archived.requests} | ${archived.fetched} |`);
  console.log(`\nThe quick look: ${archived.lookNote || "(none shown before the map)"}`);
}
if (network) {
  const n = network;
  const row = (name, t) => `| ${name} | ${t.cold.toFixed(0)} | ${t.median.toFixed(1)} | ${t.best.toFixed(1)} | ${(t.median / n.ort.median).toFixed(2)} |`;
  console.log(`\nThe network per ${n.meta.tile}-px tile in one page, one thread each, the same ${n.meta.tiles} normalised real Everest tiles and weights (${TILE_RUNS} timed after a cold one):`);
  console.log("\n| runtime | cold tile (ms) | median tile (ms) | fastest (ms) | ÷ onnxruntime-web (≤ 1: as fast or faster) |");
  console.log("|---|---:|---:|---:|---:|");
  console.log(row("the page's CPU path: glacier-kernels (wasm SIMD128)", n.kernels));
  console.log(row("burn flex (wasm SIMD128), the page's CPU path before", n.flex));
  console.log(row(`onnxruntime-web ${n.version}, wasm backend, 1 thread`, n.ort));
  const d = (x) => `max abs(Δp) ${x.max.toExponential(1)}, ${x.flips} of ${x.pixels} mask pixels differ`;
  console.log(`\nFirst tile against onnxruntime-web: kernels ${d(n.kernelsVsOrt)}; flex ${d(n.flexVsOrt)}.`);
  const g = n.gpu;
  console.log(`\nWebGPU (this machine's adapter; in headless Chromium without a GPU that is SwiftShader), ${GPU_RUNS} timed after a cold one:`);
  console.log("\n| runtime | cold tile (ms) | median tile (ms) | fastest (ms) | ÷ onnxruntime-web WebGPU |");
  console.log("|---|---:|---:|---:|---:|");
  const theirs = g.theirs.error ? null : summary(g.theirs.times);
  const gpuRow = (name, r) => {
    if (r.error) return `| ${name} | failed: ${r.error} | | | |`;
    const t = summary(r.times);
    return `| ${name} | ${t.cold.toFixed(0)} | ${t.median.toFixed(0)} | ${t.best.toFixed(0)} | ${theirs ? (t.median / theirs.median).toFixed(2) : "—"} |`;
  };
  console.log(gpuRow("the page's WebGPU path: burn wgpu", g.ours));
  console.log(gpuRow(`onnxruntime-web ${n.version}, WebGPU backend`, g.theirs));
  if (!g.ours.error && !g.theirs.error) {
    console.log(`\nFirst tile, burn wgpu against onnxruntime-web WebGPU: ${d(differ(g.ours.probabilities, g.theirs.probabilities))}.`);
  }
}
