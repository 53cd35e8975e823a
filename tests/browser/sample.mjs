// The first minute: "Try a sample" on a fresh profile, and the page offline after one visit.
// The sample ships in dist/sample/ (`cargo xtask sample`), so these need no ../shared/data.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { resolve, join } from "node:path";
import { serve, launch, open, text, waitDone, waitMapping, screenshot, ARTIFACTS } from "./harness.mjs";

const GLACIER = resolve("../../target/debug/glacier");
const READY = /^Saved in this browser for offline use/;

/** Clicks "Try a sample" and waits for the map; returns the glacier pixels and the IoU shown. */
async function mapSample(page) {
  await page.getByTestId("try-sample").click();
  await page.waitForFunction(() => (document.querySelector('[data-testid="status"]')?.textContent ?? "") === "mapping done", null, { timeout: 240_000, polling: 250 });
  const scores = await text(page, "scores");
  return { pixels: Number(await text(page, "glacier-pixels")), iou: Number(/IoU ([0-9.]+)/.exec(scores)?.[1]), scores };
}

/** The sample mapped by `glacier predict` (ndarray) and scored by `glacier eval`: the oracle. */
function nativeSample(dist) {
  if (!existsSync(GLACIER)) {
    if (process.env.CI === "true") throw new Error(`${GLACIER} is missing: cargo test builds it before the browser tests`);
    console.log("    (no native glacier binary: the page's numbers are checked against fixed bounds)");
    return null;
  }
  const file = (name) => join(resolve(dist), "sample", name);
  const rgb = file("LE71400412000304SGS00_RGB.tif");
  const out = join(ARTIFACTS, "sample_native_mask.tif");
  execFileSync(GLACIER, ["predict", "--band", `red=${rgb}:1`, "--band", `green=${rgb}:2`,
    "--band", `nir=${file("LE71400412000304SGS00_B4.tif")}`, "--out", out], { stdio: ["ignore", "pipe", "pipe"] });
  const info = JSON.parse(execFileSync(GLACIER, ["inspect", out]).toString());
  const said = execFileSync(GLACIER, ["eval", "--pred", out, "--truth", file("RGI60-15_everest_outlines.geojson")]).toString();
  return {
    pixels: Math.round(info.bands[0].mean * info.bands[0].valid_pixels),
    iou: Number(/IoU ([0-9.]+)/.exec(said)?.[1]),
  };
}

/** Registers the tests with the runner's `test`; `dist` is the built page. */
export function sampleTests(test, dist) {
  let online = null;

  test("Try a sample: the Everest crop maps from the first screen in one click, as natively, and says where it comes from", async ({ context, url }) => {
    const { page, problems } = await open(context, `${url}?backend=cpu`);
    assert.match(await text(page, "sample-provenance"), /LE71400412000304SGS00.*public domain.*Randolph Glacier Inventory 6\.0.*CC BY 4\.0.*geoutils 0\.0\.8/s);
    // One click, straight away: the button waits for the model and the backend itself.
    online = await mapSample(page);
    await screenshot(page, "sample-everest");
    console.log(`    sample: ${online.pixels} glacier px; ${online.scores}`);
    assert.equal(await page.getByTestId("panic").count(), 0);
    assert.equal(await text(page, "errors"), "");
    assert.deepEqual(problems, []);
    assert.match(await text(page, "scene-grid"), /^800 × 655 px, EPSG:32645, 30 m pixels$/);
    assert.match(await text(page, "classifier-used"), /^network unet-scse-grn\S* on CPU$/);
    const rows = await page.getByTestId("recognised").locator("tr").allTextContents();
    assert.equal(rows.length, 3, rows.join(" | "));
    assert.match(rows[0], /LE71400412000304SGS00_RGB\.tif.*band 1 red.*band 2 green.*2000-10-30/);
    assert.match(await text(page, "legend"), /your outlines \(RGI60-15_everest_outlines\.geojson\)/);
    const native = nativeSample(dist);
    if (native) {
      console.log(`    native: ${native.pixels} px, IoU ${native.iou}`);
      assert.equal(online.pixels, native.pixels, "page (CPU) vs glacier predict");
      assert.ok(Math.abs(online.iou - native.iou) < 0.001, `page IoU ${online.iou} vs glacier eval ${native.iou}`);
    } else {
      assert.ok(online.iou > 0.4 && online.iou < 0.8, `IoU ${online.iou}`);
    }
    // A second click maps it again, the same.
    assert.deepEqual(await mapSample(page), online);
    await page.close();
  });

  test("a panic in the mapping worker is reported as a bug with its message; the map shown before stays and the page maps again", async ({ context, url }) => {
    // The second run panics in the worker (web/src/test_hooks.rs).
    const { page } = await open(context, `${url}?backend=cpu&test-worker-panic=2`);
    const first = await mapSample(page);
    await page.getByTestId("try-sample").click();
    await page.waitForFunction(() => /^mapping (done|stopped)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? "")
      && !/^mapping done/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""), null, { timeout: 240_000, polling: 250 });
    assert.equal(await text(page, "status"), "mapping stopped: the mapping worker hit an internal error (reported above)");
    const report = await text(page, "panic");
    console.log(`    ${report}`);
    assert.match(report, /^The page hit an internal error and stopped: in the mapping worker: panicked at web\/src\/worker.rs:\d+:\d+:\s+a panic forced by the page's test-worker-panic switch\. Please reload/);
    await screenshot(page, "worker-panic");
    // What was shown before is still shown, and the next run maps as the first did.
    assert.equal(Number(await text(page, "glacier-pixels")), first.pixels);
    assert.ok(await page.getByTestId("try-sample").isEnabled(), "the page stays usable");
    assert.deepEqual(await mapSample(page), first);
    await page.close();
  });

  test("offline: after one visit the page reloads and maps the sample with the server gone and the network cut", async () => {
    // Its own server and a fresh profile that allows the page's service worker.
    const site = await serve(dist);
    const context = await launch({ serviceWorkers: "allow" });
    try {
      const { page, problems } = await open(context, `${site.url}?backend=cpu`);
      await page.waitForFunction((ready) => new RegExp(ready).test(document.querySelector('[data-testid="offline"]')?.textContent ?? ""),
        READY.source, { timeout: 60_000, polling: 250 });
      const kept = await page.evaluate(async () => {
        const names = await caches.keys();
        const cache = await caches.open(names.find((n) => n.startsWith("glacier-mapper-")));
        return (await cache.keys()).map((r) => new URL(r.url).pathname.split("/").pop());
      });
      for (const name of ["index.html", "unet-scse-grn.glcm", "unet-scse-swir.glcm", "LE71400412000304SGS00_RGB.tif", "manifest.webmanifest"]) {
        assert.ok(kept.includes(name), `${name} is not kept: ${kept.join(", ")}`);
      }
      assert.ok(kept.some((n) => /_bg\.wasm$/.test(n)), "the wasm is not kept");
      const manifest = await page.evaluate(async () => (await fetch(document.querySelector('link[rel="manifest"]').href)).json());
      assert.equal(manifest.name, "Glacier mapper");
      // Online, through the service worker, as a first visitor sees it: the README's picture.
      const first = await mapSample(page);
      if (online) assert.deepEqual(first, online, "maps differ with the service worker");
      await screenshot(page, "sample-everest-with-offline");
      await page.screenshot({ path: join(ARTIFACTS, "readme-sample.png"), fullPage: true, clip: { x: 170, y: 0, width: 860, height: 1330 } });
      // The network goes: the server stops and the browser is offline.
      site.server.closeAllConnections();
      await new Promise((done) => site.server.close(done));
      await context.setOffline(true);
      await page.reload();
      await waitDone(page);
      // The models are checked after the page is up: wait for that line rather than race it.
      await page
        .waitForFunction(
          () => /^2 models, each SHA-256 verified/.test((document.querySelector('[data-testid="model"]')?.textContent ?? "").trim()),
          null,
          { timeout: 60_000, polling: 250 },
        )
        .catch(() => {});
      assert.match(await text(page, "model"), /^2 models, each SHA-256 verified/);
      const offline = await mapSample(page);
      console.log(`    offline: ${offline.pixels} glacier px; ${offline.scores}`);
      assert.equal(await page.getByTestId("panic").count(), 0);
      assert.equal(await text(page, "errors"), "");
      if (online) assert.deepEqual(offline, online, "offline and online maps differ");
      assert.deepEqual(problems.filter((p) => !/tile\.openstreetmap|ERR_INTERNET_DISCONNECTED/.test(p)), []);
      await page.close();
    } finally {
      await context.close();
      site.server.close();
    }
  });
}
