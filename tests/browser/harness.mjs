// Shared harness: a static server for dist/ under a sub-path, and Debian's Chromium with WebGPU.
import { createServer } from "node:http";
import { readFile, mkdtemp, mkdir } from "node:fs/promises";
import { readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, extname, normalize, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";

// Always-on flags: no network chatter on a closed machine, no sandbox as root, WebGPU on a
// software Vulkan device (SwiftShader bundled with Chromium) when there is no GPU.
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--enable-unsafe-webgpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  "--disable-default-apps",
  "--disable-extensions",
];

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".json": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".webmanifest": "application/manifest+json",
  ".geojson": "application/geo+json",
  ".tif": "image/tiff",
};

/** Serves `dist` under `prefix` (a sub-path, as GitHub Pages does) on 127.0.0.1; resolves to the base URL. */
export async function serve(dist, prefix = "/glacier-mapper/") {
  const root = resolve(dist);
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (!path.startsWith(prefix)) {
      res.writeHead(404).end("outside the site's sub-path");
      return;
    }
    let file = normalize(join(root, path.slice(prefix.length) || "index.html"));
    if (file.endsWith("/")) file += "index.html";
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { server, url: `http://127.0.0.1:${port}${prefix}` };
}

/** OpenStreetMap tile requests the pages made (answered locally: this machine is offline). */
export const tileRequests = [];
// A 1×1 light grey PNG: stands in for every basemap tile, so no test depends on the network.
const TILE = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGN48uodAAVyAr2Ix7a8AAAAAElFTkSuQmCC",
  "base64",
);

/** Starts headless Chromium with a fresh profile directory. The page's service worker is
 * blocked unless `serviceWorkers` is "allow" (the offline tests): the other tests see every
 * request the page makes, and each starts from the network. */
export async function launch({ serviceWorkers = "block" } = {}) {
  const profile = await mkdtemp(join(tmpdir(), "glacier-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1200, height: 900 },
    serviceWorkers,
  });
  // Every process of this browser carries the profile directory on its command line.
  context.profileDir = profile;
  await context.route("https://tile.openstreetmap.org/**", (route) => {
    tileRequests.push(route.request().url());
    return route.fulfill({ status: 200, contentType: "image/png", body: TILE });
  });
  return context;
}

/** Samples, every `everyMs`, the proportional set size (PSS, so shared pages count once) of
 * every process of `context`'s browser (from /proc); `stop()` resolves to the peaks in MiB:
 * the sum over the processes and the GPU process alone (where WebGPU buffers live). */
export function sampleBrowserMemory(context, everyMs = 1000) {
  const kb = (pid) => {
    try {
      const m = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").match(/^Pss:\s+(\d+) kB/m);
      return m ? Number(m[1]) : 0;
    } catch {
      return 0; // the process ended between listing and reading
    }
  };
  const peaks = { totalMiB: 0, gpuMiB: 0, samples: 0 };
  const sample = () => {
    let total = 0;
    let gpu = 0;
    for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      let cmdline;
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch {
        continue;
      }
      if (!cmdline.includes(context.profileDir)) continue;
      const pss = kb(pid);
      total += pss;
      if (cmdline.includes("--type=gpu-process")) gpu += pss;
    }
    peaks.totalMiB = Math.max(peaks.totalMiB, total / 1024);
    peaks.gpuMiB = Math.max(peaks.gpuMiB, gpu / 1024);
    peaks.samples += 1;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peaks;
    },
  };
}

/** Opens a page and records console errors and uncaught exceptions. */
export async function open(context, url) {
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()} (${m.location()?.url ?? "?"})`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  await page.goto(url);
  return { page, problems };
}

export async function text(page, testid) {
  return (await page.getByTestId(testid).textContent())?.trim() ?? "";
}

/** Waits until the status line ends with "done" (or a panic report appears). */
export async function waitDone(page, timeoutMs = 240_000) {
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="panic"]') ||
      (document.querySelector('[data-testid="status"]')?.textContent ?? "").trim().endsWith("done"),
    null,
    { timeout: timeoutMs, polling: 250 },
  );
}

/** Waits until the status line says the mapping is done or stopped. */
export async function waitMapping(page, timeoutMs = 240_000) {
  await page.waitForFunction(
    () => /mapping (done|stopped)/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""),
    null,
    { timeout: timeoutMs, polling: 250 },
  );
}

/**
 * glacier-testdata's rule for programs a check needs (GDAL's, from Debian's gdal-bin, which
 * `cargo xtask setup` installs): true when `name` starts; otherwise false with a SKIPPED message
 * naming `what` is skipped, or an error under CI=true, where nothing may pass by skipping.
 */
export function requireTool(name, what) {
  const run = spawnSync(name, ["--version"], { stdio: "ignore" });
  if (!run.error) return true;
  const why = `${name} cannot be started (${run.error.code}); cargo xtask setup installs it (Debian: gdal-bin)`;
  if (process.env.CI === "true") throw new Error(`CI=true but ${why}: ${what} cannot run`);
  console.log(`    SKIPPED (${what}): ${why}`);
  return false;
}

export const ARTIFACTS = resolve("artifacts");
export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  // The map's overlays are PNG data URLs: let them decode and paint first.
  await page.waitForFunction(
    () => [...document.querySelectorAll(".leaflet-image-layer")].every((i) => i.complete && i.naturalWidth > 0),
    null,
    { timeout: 10_000 },
  );
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
