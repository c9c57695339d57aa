// The ready moment: ready() says the program is ready (READY=1 under systemd, see
// tests/systemd_notify_test.ts); once a stop signal came first it returns false, and the
// program stops starting.
import { assertEquals } from "@std/assert";
import { manualSignals, runMain } from "../src/testing.ts";
import { sleep } from "../mod.ts";

Deno.test("ready() is true once the program is ready, before any stop", async () => {
  const signals = manualSignals();
  const seen: boolean[] = [];
  const run = runMain(async ({ ready, shutdown }) => {
    seen.push(ready(), ready()); // idempotent
    await shutdown.wait();
  }, { signals: signals.source, onProgress: false });
  await sleep(10);
  signals.send("SIGTERM");
  assertEquals((await run).code, 143);
  assertEquals(seen, [true, true]);
});

Deno.test("a stop signal before ready() means stop starting: ready() is false", async () => {
  const signals = manualSignals();
  const started: string[] = [];
  const run = runMain(async ({ ready, signal }) => {
    await sleep(50); // connecting...
    if (!ready()) return; // the stop came first: start nothing more
    started.push("listener");
    await sleep(60_000, { signal }).catch(() => {});
  }, { signals: signals.source, onProgress: false });
  await sleep(10);
  signals.send("SIGTERM");
  const { code } = await run;
  assertEquals(code, 143);
  assertEquals(started, []);
});
