/**
 * The README's quick start, verbatim between the markers, so it is type-checked and run
 * (tests/quick_start_test.ts sends it a real SIGTERM).
 *
 *     deno run --allow-net examples/quick_start.ts   # then Ctrl+C
 *
 * @module
 */
const handler = (_request: Request) => new Response("hello\n");
let syncs = 0;
const syncOnce = () => Promise.resolve(syncs++);
const port = Number(Deno.args[0] ?? 8000);

// -- quick start --
import { GracefulShutdown, sleep } from "../mod.ts";

const shutdown = new GracefulShutdown({ timeout: 10_000 }); // SIGINT and SIGTERM

// Tasks get an AbortSignal that aborts on shutdown; the drain waits for them.
shutdown.spawn("billing-sync", async (signal) => {
  while (!signal.aborted) {
    await syncOnce(); // finish the unit in hand...
    await sleep(5_000, { signal }).catch(() => {}); // ...but stop waiting at once
  }
});

// On the first signal stop accepting connections and let in-flight requests finish
// (aborting Deno.serve's own `signal` would cut them off), then wait for it in cleanup.
const server = Deno.serve({ port }, handler);
shutdown.subscribe(() => server.shutdown());
shutdown.defer(() => server.finished, "http server"); // cleanup runs in reverse order

console.log("stopping on", await shutdown.wait()); // "SIGINT", "SIGTERM" or "manual"
const report = await shutdown.done();
if (!report.ok) console.error(report.errors, report.stragglers);
// -- end --
console.log(`report ok=${report.ok}, syncs=${syncs}`);
