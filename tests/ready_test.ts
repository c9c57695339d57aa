// The ready moment, one concept owned by the coordinator: `shutdown.ready()` says the
// program is ready (main()'s context `ready()` is the same call; READY=1 under systemd, see
// tests/ready_notify_test.ts); `isReady` is what readiness checks answer (by default true
// from construction; with `awaitReady` only from `ready()` on; never once draining); once a
// stop signal came first, `ready()` returns false and the program stops starting.
import { assertEquals, assertThrows } from "@std/assert";
import { GracefulShutdown } from "@quiesce/quiesce";
import { serve } from "@quiesce/quiesce/http";
import { main } from "@quiesce/quiesce/main";
import { manualSignals, runMain } from "@quiesce/quiesce/testing";
import { sleep } from "@quiesce/quiesce";
import type { Failure } from "../src/report.ts";

const quiet = { onProgress: false as const };

Deno.test("coordinator: ready from construction by default; ready() is heard once", async () => {
  const heard: string[] = [];
  const shutdown = new GracefulShutdown({
    ...quiet,
    signals: false,
    onReady: () => heard.push("ready"),
  });
  assertEquals(shutdown.isReady, true); // a program that never calls ready() stays ready
  assertEquals(heard, []); // ...but the moment is the program's own call
  assertEquals([shutdown.ready(), shutdown.ready()], [true, true]);
  assertEquals(heard, ["ready"]);
  await shutdown.shutdown();
  assertEquals(shutdown.isReady, false);
  assertEquals(shutdown.ready(), false);
  assertEquals(heard, ["ready"]);
});

Deno.test("coordinator: with awaitReady, not ready until ready(), then until the first signal", async () => {
  const signals = manualSignals();
  const heard: number[] = [];
  const shutdown = new GracefulShutdown({
    ...quiet,
    signals: signals.source,
    awaitReady: true,
    onReady: () => heard.push(heard.length),
  });
  assertEquals(shutdown.isReady, false);
  await sleep(5);
  assertEquals(shutdown.isReady, false); // time alone does not make it ready
  assertEquals(shutdown.ready(), true);
  assertEquals(shutdown.isReady, true);
  assertEquals(shutdown.ready(), true);
  signals.send("SIGTERM");
  assertEquals([shutdown.draining, shutdown.isReady], [true, false]);
  assertEquals(shutdown.ready(), false);
  assertEquals(heard, [0]);
  await shutdown.done();
});

Deno.test("coordinator: ready() after the first signal returns false, stays not ready, is never heard", async () => {
  const signals = manualSignals();
  let heard = 0;
  const shutdown = new GracefulShutdown({
    ...quiet,
    signals: signals.source,
    awaitReady: true,
    drainDelay: 50,
    onReady: () => heard++,
  });
  signals.send("SIGTERM");
  assertEquals(shutdown.ready(), false); // during drainDelay: stop starting
  assertEquals(shutdown.isReady, false);
  await shutdown.done();
  assertEquals([shutdown.ready(), shutdown.isReady, heard], [false, false, 0]);
});

Deno.test("coordinator: an onReady that throws is a reported failure; the program is still ready", async () => {
  const failures: Failure[] = [];
  const broken = new Error("status page down");
  const shutdown = new GracefulShutdown({
    ...quiet,
    signals: false,
    awaitReady: true,
    onReady: () => {
      throw broken;
    },
    onError: (failure) => failures.push(failure),
  });
  assertEquals(shutdown.ready(), true);
  assertEquals(shutdown.isReady, true);
  assertEquals(failures, [
    { source: "callback", name: "onReady", error: broken },
  ]);
  await shutdown.shutdown();
});

Deno.test("coordinator and main(): a bad awaitReady or onReady is a TypeError naming it", () => {
  for (const options of [{ awaitReady: "yes" }, { awaitReady: 1 }]) {
    assertThrows(
      () => new GracefulShutdown({ signals: false, ...options } as never),
      TypeError,
      "options.awaitReady",
    );
    assertThrows(
      () => main(() => {}, { signals: false, ...options } as never),
      TypeError,
      "options.awaitReady",
    );
  }
  assertThrows(
    () => new GracefulShutdown({ signals: false, onReady: true } as never),
    TypeError,
    "options.onReady",
  );
});

Deno.test("main(): ready() is true once the program is ready, before any stop", async () => {
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

Deno.test("main(): a stop signal before ready() means stop starting: ready() is false", async () => {
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

Deno.test("main(): one moment: the context's ready() and shutdown.ready() are the same; awaitReady and onReady pass through", async () => {
  const signals = manualSignals();
  let heard = 0;
  const states: boolean[] = [];
  const run = runMain(async ({ ready, shutdown }) => {
    states.push(shutdown.isReady);
    states.push(shutdown.ready());
    states.push(shutdown.isReady, ready());
    await shutdown.wait();
    states.push(ready(), shutdown.ready(), shutdown.isReady);
  }, {
    signals: signals.source,
    awaitReady: true,
    onReady: () => heard++,
    onProgress: false,
  });
  await sleep(10);
  signals.send("SIGTERM");
  assertEquals((await run).code, 143);
  assertEquals(states, [false, true, true, true, false, false, false]);
  assertEquals(heard, 1);
});

Deno.test("serve(): the readiness route answers 503 starting, then 200 from ready(), then 503 draining from the first signal", async () => {
  const signals = manualSignals();
  const shutdown = new GracefulShutdown({
    ...quiet,
    signals: signals.source,
    awaitReady: true,
    drainDelay: 300,
    timeout: 5_000,
  });
  const server = serve({
    shutdown,
    hostname: "127.0.0.1",
    port: 0,
    readiness: "/healthz",
    liveness: "/livez",
    onListen: () => {},
    fetch: () => new Response("hello"),
  });
  const get = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
    return [response.status, await response.text()];
  };
  assertEquals(await get("/healthz"), [503, "starting\n"]);
  assertEquals(await get("/livez"), [200, "ok\n"]);
  assertEquals(await get("/"), [200, "hello"]); // starting is no refusal: it only fails checks
  shutdown.ready();
  assertEquals(await get("/healthz"), [200, "ok\n"]);
  signals.send("SIGTERM");
  assertEquals(await get("/healthz"), [503, "draining\n"]); // during drainDelay
  assertEquals(await get("/livez"), [200, "ok\n"]);
  assertEquals((await shutdown.done()).ok, true);
});

Deno.test("serve(): by default the readiness route answers 200 from the start, with or without ready()", async () => {
  const shutdown = new GracefulShutdown({ ...quiet, signals: false });
  const server = serve({
    shutdown,
    hostname: "127.0.0.1",
    port: 0,
    readiness: "/healthz",
    onListen: () => {},
    fetch: () => new Response("hello"),
  });
  const health = () => fetch(`http://127.0.0.1:${server.port}/healthz`);
  const before = await health();
  assertEquals([before.status, await before.text()], [200, "ok\n"]);
  shutdown.ready();
  const after = await health();
  assertEquals([after.status, await after.text()], [200, "ok\n"]);
  await shutdown.shutdown();
});
