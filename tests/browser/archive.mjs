// Scenes from an archive link: `?item=<STAC item URL>&bbox=w,s,e,n` maps that area of the item,
// its bands read by range from another origin (a local server with CORS and a request log,
// serving the real Liverpool Level-2 bands of ../shared/data as a `landsat-c2-l2` item).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { resolve, join } from "node:path";
import { open, text, screenshot, ARTIFACTS } from "./harness.mjs";

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
export async function archiveHost(dir, cors = true, athabasca = null, token = null, slowMs = 0) {
  const log = [];
  // Band reads under way at once, and the most there were.
  const flight = { now: 0, most: 0 };
  const server = createServer(async (req, res) => {
    const address = new URL(req.url, "http://x");
    const path = address.pathname;
    let sent = "";
    for await (const chunk of req) sent += chunk;
    log.push({ method: req.method, path, query: address.search, range: req.headers.range, body: sent });
    if (req.method === "GET" && /^\/(files|hls)\//.test(path)) {
      flight.now += 1;
      flight.most = Math.max(flight.most, flight.now);
      res.on("close", () => { flight.now -= 1; });
    }
    const headers = cors
      ? { "access-control-allow-origin": "*", "access-control-allow-headers": "range, content-type", "access-control-expose-headers": "content-range" }
      : {};
    if (req.method === "OPTIONS") return res.writeHead(204, headers).end();
    // A slow host: band reads wait (to press Cancel in the middle of them).
    if (slowMs && path.startsWith("/files/")) await new Promise((done) => setTimeout(done, slowMs));
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
    } else if (path === "/items/missing.json") {
      // The same item with its NIR asset gone from the host.
      body = item("missing", "2020-09-27", Object.fromEntries(Object.entries(BANDS).map(([k, b]) => [k, `../files/${k === "nir08" ? "gone/" : ""}${SCENE}_${b}.TIF`])));
    } else if (path === "/items/athabasca.json" && athabasca) {
      // HLS files (names the reader does not take for Landsat ones, scale in the files).
      body = item("athabasca", "2020-08-16", Object.fromEntries(Object.entries(HLS_BANDS).map(([k, b]) => [k, `/hls/athabasca_2020229_${b}_L30.tif`])));
    } else if (path === "/items/athabasca-s30.json" && athabasca) {
      body = item("athabasca-s30", "2020-09-09", Object.fromEntries(Object.entries(S30_BANDS).map(([k, b]) => [k, `/hls/athabasca_2020253_${b}_S30.tif`])), "sentinel-2a");
    } else if (path === "/api/" && athabasca) {
      // A STAC API: its landing page links to the search, which finds both Athabasca dates.
      body = Buffer.from(JSON.stringify({ type: "Catalog", id: "test-api", stac_version: "1.0.0", description: "test",
        links: [{ rel: "self", href: `${base}/api/` }, { rel: "search", href: `${base}/api/search`, method: "POST" }] }));
    } else if (path === "/api/search" && athabasca) {
      const l30 = JSON.parse(item("athabasca", "2020-08-16", Object.fromEntries(Object.entries(HLS_BANDS).map(([k, b]) => [k, `/hls/athabasca_2020229_${b}_L30.tif`]))).toString());
      // The first result has a picture of itself.
      l30.assets.thumbnail = { href: "/thumbs/athabasca.png", type: "image/png", roles: ["thumbnail"] };
      body = Buffer.from(JSON.stringify({ type: "FeatureCollection", features: [
        l30,
        JSON.parse(item("athabasca-s30", "2020-09-09", Object.fromEntries(Object.entries(S30_BANDS).map(([k, b]) => [k, `/hls/athabasca_2020253_${b}_S30.tif`])), "sentinel-2a").toString()),
      ], links: [] }));
    } else if (path === "/thumbs/athabasca.png") {
      // A 2 × 2 PNG.
      body = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGM4cec/EDFAKABJBgqNra9pPAAAAABJRU5ErkJggg==", "base64");
    } else if (path.startsWith("/token/") && token) {
      body = Buffer.from(JSON.stringify({ token: `sig=${token}`, "msft:expiry": "2099-01-01T00:00:00Z" }));
    } else if (path.startsWith("/hls/") && token && address.searchParams.get("sig") !== token) {
      return res.writeHead(403, headers).end();
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
  return { server, log, flight, item: `${base}/items/liverpool.json`, athabasca: `${base}/items/athabasca.json`, athabascaS30: `${base}/items/athabasca-s30.json`, api: `${base}/api/`, tokens: `${base}/token` };
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
    const dir = unpacked();
    // Band reads take 100 ms, as over a network, so reads in flight together overlap.
    const host = await archiveHost(dir, true, null, null, 100);
    try {
      const link = `${url}?backend=cpu&item=${encodeURIComponent(host.item)}&bbox=${BBOX}`;
      const { page, problems } = await open(context, link);
      // A quick look at the area while it is mapped (these files have no overviews: the
      // area's own pixels), placed on the map, then the map.
      await page.waitForFunction(() => (document.querySelector('[data-testid="quick-look"]')?.textContent ?? "") !== "", null, { timeout: 120_000, polling: 50 });
      const look = await text(page, "quick-look");
      assert.equal(look, "A quick look at the area while it is mapped; the glacier map follows.");
      assert.ok(!/^mapping done/.test(await text(page, "status")), "the look comes before the map");
      const lookBounds = await page.getByTestId("overlay-bounds").evaluate((o) => Number(o.dataset.west));
      assert.ok(lookBounds > -3.08 && lookBounds < -3.05, `the look is placed at the area (west ${lookBounds})`);
      await screenshot(page, "archive-quick-look");
      await page.waitForFunction(() => /^mapping (done|stopped)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 240_000, polling: 250 });
      assert.equal(await text(page, "errors"), "");
      assert.equal(await text(page, "status"), "mapping done");
      assert.equal(await text(page, "quick-look"), "", "the look gives way to the map");
      assert.deepEqual(problems, []);
      const notes = await text(page, "notes");
      assert.match(notes, /Item liverpool \(2020-09-27, 8\.3 % cloud\): green, red, nir08, swir16, swir22 read over HTTP\./);
      const fetched = /Fetched ([0-9.]+) MB in (\d+) range requests from the archive: ([0-9.]+) % of the ([0-9.]+) MB its band files hold\./.exec(notes);
      assert.ok(fetched, notes);
      // The five Level-2 bands of the crop, as they are on disk.
      const held = Object.values(BANDS).reduce((n, b) => n + statSync(join(dir, `${SCENE}_${b}.TIF`)).size, 0);
      assert.equal(fetched[4], (held / 1e6).toFixed(2));
      assert.match(await text(page, "classifier-used"), /^network unet-scse-swir\S* on CPU$/);
      const pixels = Number(await text(page, "glacier-pixels"));
      const files = host.log.filter((r) => r.path.startsWith("/files/") && r.method === "GET");
      assert.ok(files.length > 0 && files.every((r) => r.range), JSON.stringify(files));
      // The area's tiles of the five bands were fetched together, several in flight.
      assert.ok(host.flight.most > 1, `at most ${host.flight.most} band read(s) in flight`);
      console.log(`    archive link: ${pixels} glacier px, ${await text(page, "scene-grid")}; fetched ${fetched[1]} MB in ${fetched[2]} requests (at most ${host.flight.most} in flight), ${fetched[3]} % of the ${fetched[4]} MB the band files hold`);
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

  test("From the archive (?stac=…&bbox=…&datetime=…): the search lists both Athabasca dates; Map this area maps the first, its assets read with the token endpoint's token, as glacier predict --item", async ({ context, url }) => {
    if (!data) return console.log("    SKIPPED: ../shared/data is missing");
    const host = await archiveHost(unpacked(), true, join(data, "athabasca_hls_satrbedo"), "t0ken");
    const area = "-117.30,52.16,-117.25,52.20";
    try {
      const link = `${url}?backend=cpu&stac=${encodeURIComponent(host.api)}&bbox=${area}&datetime=2020-08-01/2020-09-30&token-endpoint=${encodeURIComponent(host.tokens)}`;
      const { page, problems } = await open(context, link);
      await page.waitForFunction(() => /^the archive search (found|stopped)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 60_000, polling: 250 });
      assert.equal(await text(page, "errors"), "");
      assert.equal(await text(page, "status"), "the archive search found 2 scenes");
      const rows = await page.getByTestId("archive-result").allTextContents();
      assert.match(rows[0], /^athabasca \(2020-08-16, 8\.3 % cloud\)/);
      assert.match(rows[1], /^athabasca-s30 \(2020-09-09, 8\.3 % cloud\)/);
      // The first result's picture, loaded; the second has none.
      const thumbs = page.getByTestId("archive-thumbnail");
      assert.equal(await thumbs.count(), 1);
      assert.match(await thumbs.getAttribute("src"), /\/thumbs\/athabasca\.png$/);
      await page.waitForFunction(() => document.querySelector('[data-testid="archive-thumbnail"]')?.naturalWidth === 2, null, { timeout: 10_000 });
      // One POST to the search, with the area, the dates and the collection.
      const searches = host.log.filter((r) => r.path === "/api/search" && r.method === "POST");
      assert.equal(searches.length, 1, JSON.stringify(host.log.map((r) => `${r.method} ${r.path}`)));
      const asked = JSON.parse(searches[0].body);
      assert.deepEqual(asked.bbox, [-117.3, 52.16, -117.25, 52.2]);
      assert.equal(asked.datetime, "2020-08-01/2020-09-30");
      assert.deepEqual(asked.collections, ["landsat-c2-l2"]);
      await screenshot(page, "archive-search");
      assert.ok(await page.getByTestId("archive-use-view").isDisabled(), "no map view before a result");
      await page.getByTestId("archive-map").first().click();
      await page.waitForFunction(() => /^mapping (done|stopped)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 240_000, polling: 250 });
      assert.equal(await text(page, "errors"), "");
      assert.equal(await text(page, "status"), "mapping done");
      assert.deepEqual(problems, []);
      assert.match(await text(page, "notes"), new RegExp(`The assets were read with a token from ${host.tokens}/landsat-c2-l2\\.`));
      const bands = host.log.filter((r) => r.path.startsWith("/hls/") && r.method === "GET");
      assert.ok(bands.length > 0 && bands.every((r) => r.query === "?sig=t0ken"), JSON.stringify(bands.slice(0, 3)));
      const pixels = Number(await text(page, "glacier-pixels"));
      console.log(`    archive search → map: ${pixels} glacier px, ${await text(page, "scene-grid")}`);
      if (existsSync(GLACIER)) {
        const out = join(ARTIFACTS, "archive_search_native_mask.tif");
        await promisify(execFile)(GLACIER, ["predict", "--item", host.athabasca, "--bbox", area, "--token-endpoint", host.tokens, "--out", out]);
        const info = JSON.parse(execFileSync(GLACIER, ["inspect", out]).toString());
        assert.equal(pixels, Math.round(info.bands[0].mean * info.bands[0].valid_pixels), "page vs glacier predict --item --token-endpoint");
      } else if (process.env.CI === "true") {
        throw new Error(`${GLACIER} is missing: cargo test builds it before the browser tests`);
      }
      // The map's view as the next search's area: it holds the mapped scene, and a search
      // over it sends it.
      await page.getByTestId("archive-use-view").click();
      const view = (await page.getByTestId("archive-bbox").inputValue()).split(",").map(Number);
      const placed = await page.getByTestId("overlay-bounds").evaluate((o) => ["west", "south", "east", "north"].map((k) => Number(o.dataset[k])));
      console.log(`    the map's view ${view.join(",")} around the scene at ${placed.map((v) => v.toFixed(4)).join(",")}`);
      assert.ok(view[0] <= placed[0] + 1e-4 && view[1] <= placed[1] + 1e-4 && view[2] >= placed[2] - 1e-4 && view[3] >= placed[3] - 1e-4, "the view holds the scene");
      assert.ok(view[2] - view[0] < 20 * (placed[2] - placed[0]), "the view is near the scene");
      await page.getByTestId("archive-search").click();
      await page.waitForFunction(() => /^the archive search (found|stopped)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 60_000, polling: 250 });
      const again = host.log.filter((r) => r.path === "/api/search" && r.method === "POST");
      assert.equal(again.length, 2);
      assert.deepEqual(JSON.parse(again[1].body).bbox, view);
      await page.close();
    } finally {
      host.server.close();
    }
  });

  test("Cancel in the middle of an archive run's range reads stops them: no request after, the page usable", async ({ context, url }) => {
    if (!data) return console.log("    SKIPPED: ../shared/data is missing");
    const host = await archiveHost(unpacked(), true, null, null, 1500);
    try {
      const { page } = await open(context, `${url}?backend=cpu&item=${encodeURIComponent(host.item)}&bbox=${BBOX}`);
      const started = Date.now();
      while (!host.log.some((r) => r.path.startsWith("/files/")) && Date.now() - started < 60_000) {
        await new Promise((done) => setTimeout(done, 100));
      }
      assert.ok(host.log.some((r) => r.path.startsWith("/files/")), "the band reads began");
      await page.getByTestId("cancel").click();
      await page.waitForFunction(() => /^mapping cancelled/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 10_000 });
      const asked = host.log.length;
      await new Promise((done) => setTimeout(done, 4000));
      assert.equal(host.log.length, asked, `requests after Cancel: ${JSON.stringify(host.log.slice(asked))}`);
      assert.equal(await page.getByTestId("panic").count(), 0);
      assert.ok(await page.getByTestId("try-sample").isEnabled(), "the page stays usable");
      await page.close();
    } finally {
      host.server.close();
    }
  });

  test("an item whose NIR asset is not on the host: the page names the asset and its address (404), and stays usable", async ({ context, url }) => {
    if (!data) return console.log("    SKIPPED: ../shared/data is missing");
    const host = await archiveHost(unpacked());
    try {
      const item = host.item.replace("liverpool.json", "missing.json");
      const { page, problems } = await open(context, `${url}?backend=cpu&item=${encodeURIComponent(item)}&bbox=${BBOX}`);
      await page.waitForFunction(() => /^mapping (done|stopped)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 120_000, polling: 250 });
      const errors = await text(page, "errors");
      console.log(`    ${errors.slice(0, 220)}`);
      assert.match(errors, new RegExp(`asset nir08 at http://127\\.0\\.0\\.1:\\d+/files/gone/${SCENE}_SR_B5\\.TIF: 404 Not Found: the file is not at this address`), errors);
      assert.equal(await page.getByTestId("panic").count(), 0);
      assert.deepEqual(problems, []);
      assert.ok(await page.getByTestId("try-sample").isEnabled(), "the page stays usable");
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
