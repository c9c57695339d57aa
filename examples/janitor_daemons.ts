/**
 * A program under `main()` whose daemons are started from deep code with `spawnDaemon`
 * and drained on SIGTERM/SIGINT: the janitor is linked to main's signal, so the signal
 * stops every daemon, the janitor waits for them to finish the unit in hand, and only
 * then does `main()` finish its drain and exit (143 after SIGTERM).
 *
 *     deno run examples/janitor_daemons.ts    # then kill -TERM <pid> or Ctrl+C
 *     bun examples/janitor_daemons.ts
 *     node --experimental-strip-types examples/janitor_daemons.ts
 *
 * @module
 */
import { enterJanitor, spawnDaemon } from "../src/janitor.ts";
import { main } from "../src/main.ts";
import { sleep } from "../mod.ts";

// Deep code: each subsystem starts its own background loop; nothing is passed down.
function startMetricsFlusher(): void {
  spawnDaemon(async (signal) => {
    while (!signal.aborted) {
      await sleep(50, { signal }).catch(() => {}); // collect for a while
    }
    await sleep(10); // the final flush, so nothing buffered is lost
    console.log("metrics flusher stopped");
  });
}

function startQueueConsumer(): void {
  spawnDaemon(async (signal) => {
    while (!signal.aborted) {
      await sleep(20, { signal }).catch(() => {}); // wait for a message
    }
    await sleep(30); // finish the message in hand
    console.log("queue consumer stopped");
  });
}

main(async ({ signal, shutdown }) => {
  await enterJanitor(async () => {
    startMetricsFlusher();
    startQueueConsumer();
    console.log("ready");
    console.log(`stopping on ${await shutdown.wait()}`);
  }, { signal });
  console.log("daemons drained");
}, { timeout: 5_000 });
