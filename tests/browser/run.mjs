// Browser end-to-end tests: node run.mjs <dist-dir>. Prints "N passed, N failed".
import assert from "node:assert/strict";
import { serve, launch, open, text, waitDone, screenshot } from "./harness.mjs";

const dist = process.argv[2] ?? "../../dist";
const tests = [];
const test = (name, fn) => tests.push({ name, fn });

function numbers(json) {
  assert.ok(json.startsWith("["), `expected a JSON array, got ${json.slice(0, 40)}…`);
  return JSON.parse(json);
}

async function noPanicNoErrors(page, problems) {
  assert.equal(await page.getByTestId("panic").count(), 0, "the page reported a panic");
  assert.equal(await text(page, "errors"), "", "the page listed errors");
  assert.deepEqual(problems, [], "console errors or uncaught exceptions");
}

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

const { server, url } = await serve(dist);
const context = await launch();
let passed = 0;
let failed = 0;
for (const { name, fn } of tests) {
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
