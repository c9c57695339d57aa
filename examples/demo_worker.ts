/**
 * The demo's web worker: renders "thumbnails" one at a time. On the parent's shutdown
 * message it finishes the thumbnail in hand, drains, and acknowledges, so the parent's
 * `stopWorker` resolves "graceful".
 *
 * @module
 */
import { GracefulShutdown, sleep } from "../mod.ts";
import { acknowledgeStop, workerSignals } from "../src/worker.ts";

// Typed by hand: this file is also checked with main-thread types.
const scope = globalThis as unknown as { postMessage(data: unknown): void };
const say = (text: string) => scope.postMessage({ log: text });

// Listen before any await: a shutdown message that arrives earlier would be lost.
const shutdown = new GracefulShutdown({
  signals: workerSignals(),
  timeout: 3_000,
  onProgress: false,
});
let rendered = 0;
shutdown.spawn("thumbnailer", async (signal) => {
  while (!signal.aborted) {
    await sleep(700); // one thumbnail: never abandoned half-way
    rendered++;
    if (rendered % 5 === 0) say(`rendered ${rendered} thumbnails`);
  }
});
shutdown.defer(() => say(`flushed ${rendered} thumbnails to disk`), "flush");
scope.postMessage("ready");

await shutdown.wait();
say("asked to stop; finishing the thumbnail in hand");
const report = await shutdown.done();
acknowledgeStop(report.ok ? 0 : 1);
