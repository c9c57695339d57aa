// Hostile callers: hooks that call back into the coordinator, hooks that throw or reject,
// and signal sources that fire while being installed or throw. Everything runs exactly
// once, nothing wedges, nothing leaks (no unhandled rejection, no listener left behind).
import {
  assert,
  assertEquals,
  assertFalse,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import {
  GracefulShutdown,
  type GracefulShutdownOptions,
  type ShutdownTrigger,
  TaskGroup,
} from "../mod.ts";
import { countedSignal } from "./_counted_signal.ts";
import { collectUncaught, collectUnhandled } from "./_uncaught.ts";

const quiet = { signals: false, onProgress: false } as const;

/** A coordinator that counts its onSignal calls and cleanup runs. */
function counted(options: GracefulShutdownOptions = {}) {
  const counts = { onSignal: 0, cleanup: 0, subscriber: 0 };
  const onSignal = options.onSignal;
  const shutdown: GracefulShutdown = new GracefulShutdown({
    ...quiet,
    ...options,
    onSignal: (signal: ShutdownTrigger) => {
      counts.onSignal++;
      onSignal?.(signal);
    },
  });
  shutdown.defer(() => counts.cleanup++, "count cleanup");
  shutdown.subscribe(() => counts.subscriber++);
  return { shutdown, counts };
}

async function assertRanOnce(
  shutdown: GracefulShutdown,
  counts: { onSignal: number; cleanup: number; subscriber: number },
): Promise<void> {
  const report = await shutdown.done();
  assertStrictEquals(await shutdown.shutdown(), report);
  assertEquals(counts, { onSignal: 1, cleanup: 1, subscriber: 1 });
  assert(report.ok);
}

Deno.test("re-entrant shutdown: shutdown() from onSignal runs every step once", async () => {
  let inner: Promise<unknown> | undefined;
  const { shutdown, counts } = counted({
    onSignal: () => inner = shutdown.shutdown(),
  });
  const outer = shutdown.shutdown();
  assertStrictEquals(inner, outer);
  await assertRanOnce(shutdown, counts);
});

Deno.test("re-entrant shutdown: shutdown() from a subscriber runs every step once", async () => {
  const { shutdown, counts } = counted();
  shutdown.subscribe(() => void shutdown.shutdown());
  await shutdown.shutdown();
  await assertRanOnce(shutdown, counts);
});

Deno.test("re-entrant shutdown: shutdown() from a task's abort listener runs every step once", async () => {
  const { shutdown, counts } = counted();
  shutdown.spawn("listener", (signal) =>
    new Promise<void>((resolve) => {
      signal.addEventListener("abort", () => {
        void shutdown.shutdown();
        resolve();
      });
    }));
  await shutdown.shutdown();
  await assertRanOnce(shutdown, counts);
});

Deno.test("re-entrant shutdown: shutdown() from token().onCancel runs every step once", async () => {
  const { shutdown, counts } = counted();
  shutdown.token.onCancel(() => void shutdown.shutdown());
  await shutdown.shutdown();
  await assertRanOnce(shutdown, counts);
});

Deno.test("re-entrant shutdown: a guard disposed in an abort listener runs every step once", async () => {
  const { shutdown, counts } = counted();
  const guard = shutdown.guard();
  shutdown.token.signal.addEventListener("abort", () => {
    guard[Symbol.dispose]();
  });
  await shutdown.shutdown();
  await assertRanOnce(shutdown, counts);
});

Deno.test("re-entrant shutdown: a signal source firing from onSignal runs every step once", async () => {
  let fire: ((signal: ShutdownTrigger) => void) | undefined;
  const { shutdown, counts } = counted({
    signals: (onSignal) => {
      fire = onSignal;
      return () => {};
    },
    onSignal: () => fire?.("SIGTERM"),
  });
  fire!("SIGINT");
  await assertRanOnce(shutdown, counts);
  assertEquals((await shutdown.done()).trigger, "SIGINT");
});

Deno.test("a TaskGroup onError that throws is reported as uncaught; the task still finishes and wait resolves", async () => {
  using uncaught = collectUncaught();
  using unhandled = collectUnhandled();
  const hookError = new Error("onError is broken");
  const group = new TaskGroup({
    failure: "collect",
    onError: () => {
      throw hookError;
    },
  });
  const task = group.spawn("fails", () => Promise.reject(new Error("task")));
  await task.finished();
  assertFalse(task.isRunning);
  assertEquals(task.status, "failed");
  await group.wait({ timeout: 1_000 });
  const results = await Array.fromAsync(group);
  assertEquals(results.map((r) => r.status), ["failed"]);
  await group[Symbol.asyncDispose]();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals(uncaught.errors, [hookError]);
  assertEquals(unhandled.reasons, []);
});

Deno.test("a GracefulShutdown onError that rejects or throws is reported as uncaught; the shutdown goes on", async () => {
  using uncaught = collectUncaught();
  using unhandled = collectUnhandled();
  let calls = 0;
  const shutdown = new GracefulShutdown({
    ...quiet,
    onError: (failure) => {
      calls++;
      if (failure.name === "first") {
        return Promise.reject(new Error("async reporter failed"));
      }
      throw new Error("sync reporter failed");
    },
  });
  shutdown.defer(() => {
    throw new Error("step 2");
  }, "second");
  shutdown.defer(() => {
    throw new Error("step 1");
  }, "first");
  const report = await shutdown.shutdown();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals(calls, 2);
  assertEquals(report.errors.map((f) => f.name), ["first", "second"]);
  assertEquals(
    uncaught.errors.map((e) => (e as Error).message).sort(),
    ["async reporter failed", "sync reporter failed"],
  );
  assertEquals(unhandled.reasons, []);
});

Deno.test("hooks that throw (onSignal, a subscriber, onProgress) become report failures, and the drain goes on", async () => {
  const shutdown = new GracefulShutdown({
    signals: false,
    onError: () => {},
    onSignal: () => {
      throw new Error("onSignal");
    },
  });
  shutdown.subscribe(() => {
    throw new Error("subscriber");
  });
  let cleaned = false;
  shutdown.defer(() => cleaned = true);
  const report = await shutdown.shutdown();
  assert(cleaned);
  assertEquals(report.errors.map((f) => `${f.source} ${f.name}`), [
    "callback onSignal",
    "callback subscriber",
  ]);
});

Deno.test("a signal source that fires while it is installed has its listeners removed", async () => {
  let removed = 0;
  const shutdown = new GracefulShutdown({
    ...quiet,
    signals: (onSignal) => {
      onSignal("SIGTERM");
      return () => removed++;
    },
  });
  const report = await shutdown.done();
  assertEquals(report.trigger, "SIGTERM");
  assertEquals(removed, 1);
});

Deno.test("a signal source that throws leaves no listener on options.signal", () => {
  const outside = countedSignal();
  const broken = new Error("cannot listen");
  const thrown = assertThrows(() =>
    new GracefulShutdown({
      onProgress: false,
      signal: outside.controller.signal,
      signals: () => {
        throw broken;
      },
    })
  );
  assertStrictEquals(thrown, broken);
  assertEquals(outside.live(), 0);
});

Deno.test("a signal source that returns no remover is refused, with nothing left listening", () => {
  const outside = countedSignal();
  assertThrows(
    () =>
      new GracefulShutdown({
        onProgress: false,
        signal: outside.controller.signal,
        signals: (() => undefined) as unknown as () => () => void,
      }),
    TypeError,
    "options.signals",
  );
  assertEquals(outside.live(), 0);
});
