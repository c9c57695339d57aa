/**
 * The README's quick start, verbatim between the markers, so it is type-checked and run
 * (tests/quick_start_test.ts sends it a real SIGTERM, on Deno and on Bun).
 *
 *     deno run --allow-net examples/quick_start.ts   # or: bun examples/quick_start.ts
 *
 * @module
 */
const handler = (_request: Request) => new Response("hello\n");
let syncs = 0;
const syncOnce = () => Promise.resolve(syncs++);
const host = globalThis as {
  Deno?: { args: string[] };
  process?: { argv: string[] };
};
const port = Number(host.Deno?.args[0] ?? host.process?.argv[2] ?? 8000);

// -- quick start --
import { GracefulShutdown, sleep } from "../mod.ts";
import { serve } from "../src/http.ts";

const shutdown = new GracefulShutdown({ drainDelay: 1_000, timeout: 10_000 });

// Tasks get an AbortSignal that aborts on shutdown; the drain waits for them.
shutdown.spawn("billing-sync", async (signal) => {
  while (!signal.aborted) {
    await syncOnce(); // finish the unit in hand...
    await sleep(5_000, { signal }).catch(() => {}); // ...but stop waiting at once
  }
});

// From the first signal /healthz answers 503 and responses say `Connection: close`; after
// `drainDelay` the listener stops and in-flight requests are awaited by the drain.
serve({
  shutdown,
  port,
  readiness: "/healthz",
  fetch: handler,
  onListen: ({ port }) => console.log(`listening on ${port}`),
});
shutdown.defer(() => console.log("closing the database")); // cleanup, in reverse order

console.log("stopping on", await shutdown.wait()); // "SIGINT", "SIGTERM" or "manual"
const report = await shutdown.done();
if (!report.ok) console.error(report.errors, report.stragglers);
// -- end --
console.log(`report ok=${report.ok}, syncs=${syncs}`);
