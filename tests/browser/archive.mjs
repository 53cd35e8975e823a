// Scenes from an archive link: `?item=<STAC item URL>&bbox=w,s,e,n` maps that area of the item,
// its bands read by range from another origin (a local server with CORS and a request log,
// serving the real Liverpool Level-2 bands of ../shared/data as a `landsat-c2-l2` item).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { resolve, join } from "node:path";
import { open, text, ARTIFACTS } from "./harness.mjs";

const SCENE = "LC08_L2SP_204023_20200927_20201006_02_T1";
const BANDS = { green: "SR_B3", red: "SR_B4", nir08: "SR_B5", swir16: "SR_B6", swir22: "SR_B7" };
const HLS_BANDS = { green: "B03", red: "B04", nir08: "B05", swir16: "B06", swir22: "B07" };
// HLS S30 (Sentinel-2, bandpass-adjusted to OLI) under the same keys: B8A is its narrow NIR.
const S30_BANDS = { green: "B03", red: "B04", nir08: "B8A", swir16: "B11", swir22: "B12" };
// Columns 280–420, rows 20–200 of the crop (the Wirral and the Mersey), as in the CLI's test.
const BBOX = "-3.0690,53.4652,-3.0062,53.5132";
const GLACIER = resolve("../../target/debug/glacier");

/**
 * An archive host: the items and the bands, with `Range` (and CORS unless `cors` is false):
 * Liverpool's Level-2 bands from `dir`, and with `athabasca` (its HLS folder) the L30 item of
 * 2020-08-16 and the S30 item of 2020-09-09.
 */
export async function archiveHost(dir, cors = true, athabasca = null) {
  const log = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    log.push({ method: req.method, path, range: req.headers.range });
    const headers = cors
      ? { "access-control-allow-origin": "*", "access-control-allow-headers": "range", "access-control-expose-headers": "content-range" }
      : {};
    if (req.method === "OPTIONS") return res.writeHead(204, headers).end();
    let body;
    const base = `http://127.0.0.1:${server.address().port}`;
    const item = (id, date, assets, platform = "landsat-8") => Buffer.from(JSON.stringify({
      type: "Feature", stac_version: "1.0.0", id, collection: "landsat-c2-l2",
      properties: { datetime: `${date}T11:07:21Z`, "eo:cloud_cover": 8.3, platform },
      assets: Object.fromEntries(Object.entries(assets).map(([key, href]) => [key, {
        href, type: "image/tiff; application=geotiff; profile=cloud-optimized",
        "raster:bands": [{ scale: 2.75e-5, offset: -0.2, nodata: 0 }],
      }])),
      links: [{ rel: "self", href: `${base}/items/${id}.json` }],
    }));
    if (path === "/items/liverpool.json") {
      body = item("liverpool", "2020-09-27", Object.fromEntries(Object.entries(BANDS).map(([k, b]) => [k, `../files/${SCENE}_${b}.TIF`])));
    } else if (path === "/items/athabasca.json" && athabasca) {
      // HLS files (names the reader does not take for Landsat ones, scale in the files).
      body = item("athabasca", "2020-08-16", Object.fromEntries(Object.entries(HLS_BANDS).map(([k, b]) => [k, `/hls/athabasca_2020229_${b}_L30.tif`])));
    } else if (path === "/items/athabasca-s30.json" && athabasca) {
      body = item("athabasca-s30", "2020-09-09", Object.fromEntries(Object.entries(S30_BANDS).map(([k, b]) => [k, `/hls/athabasca_2020253_${b}_S30.tif`])), "sentinel-2a");
    } else if (path.startsWith("/hls/") && athabasca && existsSync(join(athabasca, path.slice(5)))) {
      body = readFileSync(join(athabasca, path.slice(5)));
    } else if (path.startsWith("/files/") && existsSync(join(dir, path.slice(7)))) {
      body = readFileSync(join(dir, path.slice(7)));
    } else {
      return res.writeHead(404, headers).end();
    }
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? "");
    if (m && Number(m[1]) < body.length) {
      const end = Math.min(Number(m[2]), body.length - 1);
      res.writeHead(206, { ...headers, "content-range": `bytes ${m[1]}-${end}/${body.length}`, "content-length": end - Number(m[1]) + 1 });
      return res.end(body.subarray(Number(m[1]), end + 1));
    }
    res.writeHead(200, { ...headers, "content-length": body.length }).end(body);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const base = `http://127.0.0.1:${server.address().port}`;
  return { server, log, item: `${base}/items/liverpool.json`, athabasca: `${base}/items/athabasca.json`, athabascaS30: `${base}/items/athabasca-s30.json` };
}

/** Registers the tests with the runner's `test`; `data` is ../shared/data (or null). */
export function archiveTests(test, data) {
  const unpacked = () => {
    const dir = join(ARTIFACTS, "liverpool-archive");
    mkdirSync(dir, { recursive: true });
    execFileSync("tar", ["xzf", join(data, `xlandsat_c2_ice_free/${SCENE}-cropped.tar.gz`), "-C", dir]);
    return dir;
  };

  test("an archive link (?item=…&bbox=…) maps that area of the item from another origin by range, as glacier predict --item does", async ({ context, url }) => {
    if (!data) return console.log("    SKIPPED: ../shared/data is missing");
    const host = await archiveHost(unpacked());
    try {
      const link = `${url}?backend=cpu&item=${encodeURIComponent(host.item)}&bbox=${BBOX}`;
      const { page, problems } = await open(context, link);
      await page.waitForFunction(() => /^mapping (done|stopped)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 240_000, polling: 250 });
      assert.equal(await text(page, "errors"), "");
      assert.equal(await text(page, "status"), "mapping done");
      assert.deepEqual(problems, []);
      const notes = await text(page, "notes");
      assert.match(notes, /Item liverpool \(2020-09-27, 8\.3 % cloud\): green, red, nir08, swir16, swir22 read over HTTP\./);
      const fetched = /Fetched ([0-9.]+) MB in (\d+) range requests/.exec(notes);
      assert.ok(fetched, notes);
      assert.match(await text(page, "classifier-used"), /^network unet-scse-swir\S* on CPU$/);
      const pixels = Number(await text(page, "glacier-pixels"));
      const files = host.log.filter((r) => r.path.startsWith("/files/") && r.method === "GET");
      assert.ok(files.length > 0 && files.every((r) => r.range), JSON.stringify(files));
      console.log(`    archive link: ${pixels} glacier px, ${await text(page, "scene-grid")}; fetched ${fetched[1]} MB in ${fetched[2]} requests`);
      if (existsSync(GLACIER)) {
        const out = join(ARTIFACTS, "archive_native_mask.tif");
        // Not execFileSync: the archive host runs in this process and must keep answering.
        await promisify(execFile)(GLACIER, ["predict", "--item", host.item, "--bbox", BBOX, "--out", out]);
        const info = JSON.parse(execFileSync(GLACIER, ["inspect", out]).toString());
        const native = Math.round(info.bands[0].mean * info.bands[0].valid_pixels);
        assert.equal(pixels, native, `page ${pixels} px vs glacier predict --item ${native} px`);
        assert.match(await text(page, "scene-grid"), new RegExp(`^${info.width} × ${info.height} px`));
      } else if (process.env.CI === "true") {
        throw new Error(`${GLACIER} is missing: cargo test builds it before the browser tests`);
      }
      await page.close();
    } finally {
      host.server.close();
    }
  });

  test("an archive link to a glacier (Athabasca HLS bands as an item): the page's glacier equals glacier predict --item's", async ({ context, url }) => {
    if (!data) return console.log("    SKIPPED: ../shared/data is missing");
    const host = await archiveHost(unpacked(), true, join(data, "athabasca_hls_satrbedo"));
    try {
      const { page, problems } = await open(context, `${url}?backend=cpu&item=${encodeURIComponent(host.athabasca)}`);
      await page.waitForFunction(() => /^mapping (done|stopped)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 240_000, polling: 250 });
      assert.equal(await text(page, "errors"), "");
      assert.deepEqual(problems, []);
      const pixels = Number(await text(page, "glacier-pixels"));
      console.log(`    Athabasca item: ${pixels} glacier px, ${await text(page, "glacier-area-km2")} km²`);
      assert.ok(Number(await text(page, "glacier-area-km2")) > 15);
      if (existsSync(GLACIER)) {
        const out = join(ARTIFACTS, "archive_athabasca_native_mask.tif");
        await promisify(execFile)(GLACIER, ["predict", "--item", host.athabasca, "--out", out]);
        const info = JSON.parse(execFileSync(GLACIER, ["inspect", out]).toString());
        assert.equal(pixels, Math.round(info.bands[0].mean * info.bands[0].valid_pixels));
      }
      await page.close();
    } finally {
      host.server.close();
    }
  });

  test("an archive host without CORS: the page names the host and the likely cause, and stays usable", async ({ context, url }) => {
    if (!data) return console.log("    SKIPPED: ../shared/data is missing");
    const host = await archiveHost(unpacked(), false);
    try {
      const { page } = await open(context, `${url}?backend=cpu&item=${encodeURIComponent(host.item)}&bbox=${BBOX}`);
      await page.waitForFunction(() => /^mapping (done|stopped)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 120_000, polling: 250 });
      const errors = await text(page, "errors");
      assert.match(errors, /127\.0\.0\.1:\d+ may not allow cross-origin reads from this page \(CORS\)/, errors);
      assert.equal(await page.getByTestId("panic").count(), 0);
      assert.ok(await page.getByTestId("try-sample").isEnabled(), "the page stays usable");
      await page.close();
    } finally {
      host.server.close();
    }
  });
}
