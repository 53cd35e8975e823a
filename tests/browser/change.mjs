// Glacier change in the page: two dates dropped (grouped by the dates in their names) or two
// archive items linked (`?item=…&compare=…`), against `glacier change` on the same inputs.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, copyFileSync } from "node:fs";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { resolve, join } from "node:path";
import { open, text, waitMapping, screenshot, ARTIFACTS } from "./harness.mjs";
import { archiveHost } from "./archive.mjs";

const GLACIER = resolve("../../target/debug/glacier");
const L30 = "HLS.L30.T11UNU.2020229T184919.v2.0";
const S30 = "HLS.S30.T11UNU.2020253T185919.v2.0";
// The S30 bands and what they hold (Sentinel-2 bandpass-adjusted to OLI).
const S30_CHANNELS = { B03: "green", B04: "red", B8A: "nir", B11: "swir1", B12: "swir2" };
const OUTLINE = ["shp", "shx", "dbf", "prj"].map((e) => `athabasca_outline.${e}`);

/** The Athabasca files as HLS names them, copied under ARTIFACTS (for the CLI) and read (for the page). */
function athabascaFiles(data) {
  const dir = join(ARTIFACTS, "athabasca-two-dates");
  mkdirSync(dir, { recursive: true });
  const files = [];
  const add = (from, name) => {
    copyFileSync(join(data, "athabasca_hls_satrbedo", from), join(dir, name));
    files.push({ name, path: join(dir, name) });
  };
  for (const b of ["B03", "B04", "B05", "B06", "B07"]) add(`athabasca_2020229_${b}_L30.tif`, `${L30}.${b}.tif`);
  for (const b of Object.keys(S30_CHANNELS)) add(`athabasca_2020253_${b}_S30.tif`, `${S30}.${b}.tif`);
  for (const f of OUTLINE) add(f, f);
  return { dir, files };
}

/** `glacier change` with `args`, writing under ARTIFACTS/`name`: its JSON, CSV and change GeoTIFF. */
async function nativeChange(name, args, outlines) {
  if (!existsSync(GLACIER)) {
    if (process.env.CI === "true") throw new Error(`${GLACIER} is missing: cargo test builds it before the browser tests`);
    console.log("    (no native glacier binary: the page's numbers are checked against fixed bounds)");
    return null;
  }
  const out = (ext) => join(ARTIFACTS, `${name}.${ext}`);
  const extra = outlines ? ["--outlines", outlines, "--csv", out("csv")] : [];
  // Not execFileSync: an archive host may run in this process and must keep answering.
  const { stdout } = await promisify(execFile)(GLACIER, ["change", ...args, "--out", out("tif"), ...extra], { maxBuffer: 1 << 24 });
  return {
    summary: JSON.parse(stdout),
    tif: readFileSync(out("tif")),
    csv: outlines ? readFileSync(out("csv"), "utf8") : null,
  };
}

/** The page's change numbers. */
async function pageChange(page) {
  const km2 = async (id) => Number(await text(page, id));
  return { lost: await km2("change-lost-km2"), gained: await km2("change-gained-km2"), stable: await km2("change-stable-km2") };
}

/** The bytes behind a download link in the page. */
async function download(page, testid) {
  const href = await page.getByTestId(testid).getAttribute("href");
  assert.ok(href?.startsWith("blob:"), `${testid}: ${href}`);
  return Buffer.from(await page.evaluate(async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer())), href));
}

/** The page's numbers equal `glacier change`'s (km² to the page's 3 decimals), and its files the CLI's. */
async function assertAsNative(page, native) {
  const shown = await pageChange(page);
  console.log(`    page: lost ${shown.lost}, gained ${shown.gained}, stable ${shown.stable} km²; ${await text(page, "change-net")}`);
  if (!native) {
    assert.ok(shown.stable > 15 && shown.lost > 0, JSON.stringify(shown));
    return;
  }
  const k = native.summary.km2;
  console.log(`    glacier change: lost ${k.lost}, gained ${k.gained}, stable ${k.stable} km², net ${k.net_change} ± ${native.summary.uncertainty_km2.change}`);
  assert.deepEqual(shown, { lost: Number(k.lost.toFixed(3)), gained: Number(k.gained.toFixed(3)), stable: Number(k.stable.toFixed(3)) });
  assert.match(await text(page, "change-net"), new RegExp(`^${k.net_change >= 0 ? "\\+" : "-"}${Math.abs(k.net_change).toFixed(3)} ± ${native.summary.uncertainty_km2.change.toFixed(3)} km²`));
  assert.ok((await download(page, "change-geotiff")).equals(native.tif), "the change GeoTIFF differs from glacier change's");
  const json = JSON.parse((await download(page, "change-json")).toString());
  assert.deepEqual(json.pixels, native.summary.pixels);
  if (native.csv) assert.equal((await download(page, "change-csv")).toString(), native.csv);
}

/** Registers the tests with the runner's `test`; `data` is ../shared/data (or null). */
export function changeTests(test, data) {
  test("two dates dropped (Athabasca HLS L30 2020-08-16, S30 2020-09-09, the outline): the change, its table and downloads as glacier change gives them", async ({ context, url }) => {
    if (!data) return console.log("    SKIPPED: ../shared/data is missing");
    const { files } = athabascaFiles(data);
    const { page, problems } = await open(context, `${url}?backend=cpu`);
    await page.getByTestId("scene-files").setInputFiles(files.map((f) => f.path));
    // The S30 files have no Landsat 8/9 name: the page groups them as the second date and asks.
    await waitMapping(page);
    assert.match(await text(page, "status"), /^mapping stopped: two dates \(2020-08-16 \(5 files\), 2020-09-09 \(5 files\)\)/);
    assert.equal(await page.locator('select[data-testid="assign"]').count(), 5, "only the S30 files are asked about");
    for (const [band, channel] of Object.entries(S30_CHANNELS)) {
      await page.locator(`select[data-testid="assign"][data-file="${S30}.${band}.tif"]`).selectOption(channel);
    }
    await page.getByTestId("map-scene").click();
    await page.waitForFunction(() => /^mapping (done|stopped)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 240_000, polling: 250 });
    assert.equal(await text(page, "errors"), "");
    assert.equal(await text(page, "status"), "mapping done");
    assert.deepEqual(problems, []);
    await screenshot(page, "change-athabasca");
    // The README's picture: the result, from the dates to the downloads.
    await page.locator(".result").screenshot({ path: join(ARTIFACTS, "readme-change.png") });
    assert.match(await text(page, "change-dates"), /^2020-08-16 → 2020-09-09, compared: network unet-scse-swir\S* on CPU( \(both dates\)| on both dates)$/);
    assert.match(await text(page, "change-alignment"), /215 × 205 px, EPSG:32611\): same grid$/);
    assert.match(await text(page, "change-notes"), /^The dates come from different sensors \(HLS\.L30 on 2020-08-16, HLS\.S30 on 2020-09-09\)/);
    // The table: the one outline (ID 1, NAME 1984), and the columns sort.
    const rows = await page.getByTestId("glacier-row").allTextContents();
    assert.equal(rows.length, 1, rows.join(" | "));
    assert.match(rows[0], /^11984/);
    await page.getByTestId("sort-lost").click();
    assert.match(await text(page, "glacier-table"), /lost km² ▼/);
    // Either date's glacier, and back.
    const bounds = async () => JSON.stringify(await page.getByTestId("overlay-bounds").evaluate((e) => ({ ...e.dataset })));
    const onChange = await bounds();
    await page.getByTestId("show-before").check();
    await screenshot(page, "change-athabasca-before");
    await page.getByTestId("show-after").check();
    await screenshot(page, "change-athabasca-after");
    assert.equal(await bounds(), onChange, "both dates are on the same grid");
    await page.getByTestId("show-change").check();
    // The PNG: the map with its legend below.
    const [png] = await Promise.all([page.waitForEvent("download"), page.getByTestId("change-png").click()]);
    const pngPath = join(ARTIFACTS, "change-athabasca-download.png");
    await png.saveAs(pngPath);
    const picture = readFileSync(pngPath);
    assert.equal(picture.subarray(1, 4).toString(), "PNG");
    assert.ok(picture.readUInt32BE(20) > 96, "the legend is below the map");
    const dir = join(ARTIFACTS, "athabasca-two-dates");
    const native = await nativeChange("athabasca_change", [
      "--before-bands", ...["B03", "B04", "B05", "B06", "B07"].map((b) => join(dir, `${L30}.${b}.tif`)),
      "--after-bands", ...Object.entries(S30_CHANNELS).map(([b, c]) => `${c}=${join(dir, `${S30}.${b}.tif`)}`),
    ], join(dir, "athabasca_outline.shp"));
    await assertAsNative(page, native);
    await page.close();
  });

  test("two scenes that do not overlap (Liverpool 2020 and Manaus 2023 archives): a clear message, and the page stays usable", async ({ context, url }) => {
    if (!data) return console.log("    SKIPPED: ../shared/data is missing");
    const dir = join(data, "xlandsat_c2_ice_free");
    const { page } = await open(context, `${url}?backend=cpu`);
    await page.getByTestId("scene-files").setInputFiles([
      join(dir, "LC08_L2SP_204023_20200927_20201006_02_T1-cropped.tar.gz"),
      join(dir, "LC09_L2SP_231062_20230723_20230802_02_T1-cropped.tar.gz"),
    ]);
    await waitMapping(page);
    const errors = await text(page, "errors");
    console.log(`    ${errors}`);
    assert.match(errors, /^The two dates do not overlap: no pixel has data on both \(the scene of 2020-09-27 covers -3\.196, 53\.447, -3\.000, 53\.519, the scene of 2023-07-23 /);
    assert.match(errors, /Drop two scenes of the same place\.$/);
    assert.match(await text(page, "status"), /^mapping stopped/);
    assert.equal(await page.getByTestId("panic").count(), 0);
    assert.ok(await page.getByTestId("try-sample").isEnabled(), "the page stays usable");
    await page.close();
  });

  test("two archive items (?item=…&compare=…): the change of their dates, as glacier change --before-item --after-item", async ({ context, url }) => {
    if (!data) return console.log("    SKIPPED: ../shared/data is missing");
    const host = await archiveHost(join(ARTIFACTS, "athabasca-two-dates"), true, join(data, "athabasca_hls_satrbedo"));
    try {
      // The later item first: the page orders them by date.
      const link = `${url}?backend=cpu&item=${encodeURIComponent(host.athabascaS30)}&compare=${encodeURIComponent(host.athabasca)}`;
      const { page, problems } = await open(context, link);
      await page.waitForFunction(() => /^mapping (done|stopped)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 240_000, polling: 250 });
      assert.equal(await text(page, "errors"), "");
      assert.equal(await text(page, "status"), "mapping done");
      assert.deepEqual(problems, []);
      assert.match(await text(page, "change-dates"), /^2020-08-16 → 2020-09-09/);
      const notes = await text(page, "change-notes");
      assert.match(notes, /^The dates come from different sensors \(landsat-8 on 2020-08-16, sentinel-2a on 2020-09-09\)/);
      assert.match(notes, /2020-09-09: Item athabasca-s30 \(2020-09-09/);
      await screenshot(page, "change-items");
      const native = await nativeChange("items_change", ["--before-item", host.athabasca, "--after-item", host.athabascaS30], null);
      await assertAsNative(page, native);
      await page.close();
    } finally {
      host.server.close();
    }
  });
}
