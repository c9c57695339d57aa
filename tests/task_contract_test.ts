// What a task's signal means, work handed over during a drain, the order fail-fast results
// come out in, and costs that must stay linear however many tasks, failures or children.
import {
  assert,
  assertEquals,
  assertFalse,
  assertLess,
  assertThrows,
} from "@std/assert";
import {
  ClosedError,
  GracefulShutdown,
  sleep,
  TaskGroup,
  TokenSource,
} from "../mod.ts";
import { countedSignal } from "./_counted_signal.ts";

Deno.test("a task's signal does not abort when its work succeeds: a fetch body is still readable after await", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("the body"),
  );
  await using group = new TaskGroup();
  let taskSignal: AbortSignal | undefined;
  const response = await group.spawn("get", (signal) => {
    taskSignal = signal;
    return fetch(`http://127.0.0.1:${server.addr.port}/`, { signal });
  });
  assertFalse(taskSignal!.aborted);
  assertEquals(await response!.text(), "the body");
});

Deno.test("a finished task's token is unlinked: a later group cancel does not abort its signal", async () => {
  const root = new TokenSource();
  await using group = new TaskGroup({ parent: root.token });
  let taskSignal: AbortSignal | undefined;
  await group.spawn("quick", (signal) => {
    taskSignal = signal;
    return 1;
  });
  assertEquals(root.childCount, 1, "only the group's own token is left");
  group.cancel("later");
  assertFalse(taskSignal!.aborted);
  root.cancel();
});

Deno.test("a task's signal aborts when the task is cancelled", async () => {
  await using group = new TaskGroup();
  let taskSignal: AbortSignal | undefined;
  const task = group.spawn("nap", (signal) => {
    taskSignal = signal;
    return sleep(60_000, { signal });
  });
  task.cancel("stop");
  assert(taskSignal!.aborted);
  assertEquals(taskSignal!.reason, "stop");
});

Deno.test("drain: a task spawned during the task phase runs with an aborted signal and the drain waits for it; after that spawn throws", async () => {
  const shutdown = new GracefulShutdown({ signals: false, onProgress: false });
  const events: string[] = [];
  shutdown.spawn("server", async (signal) => {
    await new Promise((resolve) => signal.addEventListener("abort", resolve));
    // The classic "flush on shutdown": handed over by a task as it stops.
    shutdown.spawn("flush", async (flushSignal) => {
      events.push(`flush sees aborted=${flushSignal.aborted}`);
      await new Promise((resolve) => setTimeout(resolve, 30));
      events.push("flush done");
    });
  });
  shutdown.defer(() => {
    events.push("cleanup");
    assertThrows(
      () => shutdown.spawn("too late", () => {}),
      ClosedError,
    );
  });
  const report = await shutdown.shutdown();
  assertEquals(events, ["flush sees aborted=true", "flush done", "cleanup"]);
  assert(report.ok);
});

Deno.test("drain: a task spawned during drainDelay runs normally and is cancelled with the rest", async () => {
  const shutdown = new GracefulShutdown({
    signals: false,
    onProgress: false,
    drainDelay: 30,
  });
  const done = shutdown.shutdown();
  let abortedAtStart: boolean | undefined;
  const late = shutdown.spawn("late", (signal) => {
    abortedAtStart = signal.aborted;
    return sleep(60_000, { signal });
  });
  await done;
  assertEquals(abortedAtStart, false);
  assertEquals(late.status, "cancelled");
});

Deno.test("fail-fast: joinNext yields the failure before the siblings it cancelled", async () => {
  await using group = new TaskGroup();
  const gate = Promise.withResolvers<void>();
  group.spawn("a", (signal) => sleep(60_000, { signal }));
  group.spawn("b", (signal) => sleep(60_000, { signal }));
  group.spawn("broken", async () => {
    await gate.promise;
    throw new Error("boom");
  });
  gate.resolve();
  const order: string[] = [];
  for await (const result of group) {
    order.push(`${result.name} ${result.status}`);
  }
  assertEquals(order, ["broken failed", "a cancelled", "b cancelled"]);
});

Deno.test("fail-fast: a join already waiting gets the failure first too", async () => {
  await using group = new TaskGroup();
  const gate = Promise.withResolvers<void>();
  group.spawn("sibling", (signal) => sleep(60_000, { signal }));
  group.spawn("broken", async () => {
    await gate.promise;
    throw new Error("boom");
  });
  const first = group.joinNext();
  gate.resolve();
  assertEquals((await first)?.name, "broken");
  assertEquals((await group.joinNext())?.name, "sibling");
});

Deno.test("joining 40k failures with failure: collect stays linear (well under the quadratic 25 s)", async () => {
  const group = new TaskGroup({ failure: "collect" });
  const n = 40_000;
  const error = new Error("fail");
  for (let i = 0; i < n; i++) group.spawn(`t${i}`, () => Promise.reject(error));
  const started = performance.now();
  const thrown = await group.joinAll().catch((e) => e);
  const ms = performance.now() - started;
  assert(thrown instanceof AggregateError);
  assertEquals(thrown.errors.length, n);
  // Linear is ~0.1 s here; quadratic was 25 s. The bound is generous on purpose.
  assertLess(ms, 5_000);
  await group[Symbol.asyncDispose]();
});

Deno.test("many children sharing one outside signal add exactly one abort listener to it", () => {
  const outside = countedSignal();
  const root = new TokenSource();
  const children = Array.from(
    { length: 1_000 },
    () => root.child({ signal: outside.controller.signal }),
  );
  const groups = Array.from(
    { length: 100 },
    () => new TaskGroup({ signal: outside.controller.signal }),
  );
  assertEquals(outside.live(), 1);
  for (const child of children.slice(0, 999)) child[Symbol.dispose]();
  assertEquals(outside.live(), 1, "the remaining members keep the link");
  outside.controller.abort("gone");
  assertEquals(outside.live(), 0);
  assertEquals(children[999]!.reason, "gone");
  assert(groups.every((group) => group.token.reason === "gone"));
});

Deno.test("the shared outside link goes when its last member is disposed", () => {
  const outside = countedSignal();
  const a = new TokenSource({ signal: outside.controller.signal });
  const b = new TokenSource({ signal: outside.controller.signal });
  assertEquals(outside.live(), 1);
  a[Symbol.dispose]();
  assertEquals(outside.live(), 1);
  b[Symbol.dispose]();
  assertEquals(outside.live(), 0);
  outside.controller.abort();
  assertFalse(a.reason === outside.controller.signal.reason);
});

Deno.test("40k children sharing one outside signal are created and disposed in linear time", () => {
  const outside = new AbortController();
  const root = new TokenSource();
  const started = performance.now();
  const children = Array.from(
    { length: 40_000 },
    () => root.child({ signal: outside.signal }),
  );
  for (const child of children) child[Symbol.dispose]();
  // Linear is a few ms; one listener per child took 4 s. Generous bound on purpose.
  assertLess(performance.now() - started, 1_500);
  assertEquals(root.childCount, 0);
});
