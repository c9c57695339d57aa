import {
  assert,
  assertEquals,
  assertFalse,
  assertGreaterOrEqual,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import {
  ClosedError,
  sleep,
  type Task,
  TaskGroup,
  type TaskResult,
  TaskTracker,
  TokenSource,
  WaitTimeoutError,
} from "../mod.ts";

/** Records unhandled rejections for the duration of `fn` (and one macrotask after). */
async function unhandledDuring(fn: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    seen.push(event.reason);
  };
  globalThis.addEventListener("unhandledrejection", listener);
  try {
    await fn();
    await sleep(10);
  } finally {
    globalThis.removeEventListener("unhandledrejection", listener);
  }
  return seen;
}

Deno.test("an empty group resolves at once", async () => {
  const group = new TaskGroup();
  assertEquals(await group.joinNext(), undefined);
  assertEquals(await group.joinAll(), []);
  await group.wait({ timeout: 0 });
  for await (const _ of group) throw new Error("nothing to yield");
  assertEquals(group.size, 0);
  await group[Symbol.asyncDispose]();
});

Deno.test("tasks return results; joinNext yields them in the order they settle", async () => {
  await using group = new TaskGroup<string>();
  const slow = Promise.withResolvers<string>();
  group.spawn("slow", () => slow.promise);
  const fast = group.spawn("fast", () => "fast value");
  assertEquals(
    fast.status,
    "completed",
    "synchronous work settles during spawn",
  );
  assertEquals(await fast, "fast value");
  assertEquals(group.size, 2);
  assertEquals(await group.joinNext(), {
    name: "fast",
    status: "completed",
    value: "fast value",
  });
  slow.resolve("slow value");
  assertEquals(await group.joinNext(), {
    name: "slow",
    status: "completed",
    value: "slow value",
  });
  assertEquals(await group.joinNext(), undefined);
  assertEquals(group.size, 0);
});

Deno.test("for await yields every result, then ends", async () => {
  await using group = new TaskGroup<number>();
  for (const n of [30, 10, 20]) {
    group.spawn(`t${n}`, () => sleep(n).then(() => n));
  }
  const names: string[] = [];
  for await (const result of group) names.push(result.name);
  assertEquals(names, ["t10", "t20", "t30"]);
});

Deno.test("joinAll returns values in spawn order, undefined for cancelled tasks", async () => {
  await using group = new TaskGroup<number>();
  group.spawn("a", () => sleep(20).then(() => 1));
  const b = group.spawn(
    "b",
    (signal) => sleep(60_000, { signal }).then(() => 2),
  );
  group.spawn("c", () => 3);
  b.cancel();
  assertEquals(await group.joinAll(), [1, undefined, 3]);
});

Deno.test("abort settles the handle at once; the group tracks the work until it settles", async () => {
  await using group = new TaskGroup();
  const release = Promise.withResolvers<void>();
  let sawAbort = false;
  const task = group.spawn("stubborn", async (signal) => {
    signal.addEventListener("abort", () => sawAbort = true);
    await release.promise; // ignores the abort until released
  });
  task.cancel();
  assertEquals(task.status, "cancelled");
  assert(sawAbort);
  assertEquals(await task, undefined);
  assert(task.isRunning);
  assertEquals(group.running, 1);
  let drained = false;
  const waiting = group.wait().then(() => drained = true);
  await sleep(10);
  assertFalse(drained);
  release.resolve();
  await waiting;
  assertEquals(group.running, 0);
  assertFalse(task.isRunning);
});

Deno.test("fail-fast: the first failure aborts the siblings and is thrown", async () => {
  const group = new TaskGroup();
  let siblingReason: unknown;
  const sibling = group.spawn("sibling", async (signal) => {
    await sleep(60_000, { signal }).catch((reason) => siblingReason = reason);
  });
  group.spawn("broken", async () => {
    await sleep(5);
    throw new Error("broken task");
  });
  await assertRejects(() => group.joinAll(), Error, "broken task");
  assertEquals(sibling.status, "cancelled");
  await group.wait();
  assertInstanceOf(siblingReason, DOMException);
  assertEquals((siblingReason as DOMException).name, "AbortError");
  await group[Symbol.asyncDispose](); // the failure was delivered by joinAll: nothing left to throw
});

Deno.test("collect: every failure comes back in one AggregateError", async () => {
  await using group = new TaskGroup({ failure: "collect" });
  group.spawn("ok", () => "fine");
  group.spawn("one", () => Promise.reject(new Error("one")));
  group.spawn("two", () => {
    throw new Error("two");
  });
  const error = await assertRejects(() => group.joinAll(), AggregateError);
  assertEquals(error.errors.map((e) => (e as Error).message).sort(), [
    "one",
    "two",
  ]);
});

Deno.test("wait names the stragglers at its deadline", async () => {
  const group = new TaskGroup();
  const stuck = Promise.withResolvers<void>();
  group.spawn("blind", () => stuck.promise);
  group.spawn("attentive", async (signal) => {
    signal.throwIfAborted();
    await stuck.promise;
  });
  group.spawn("done", () => 1);
  const error = await assertRejects(
    () => group.wait({ timeout: 30 }),
    WaitTimeoutError,
  );
  assertEquals(error.timeout, 30);
  assertEquals(
    error.stragglers.map((s) => [s.name, s.kind, s.observedSignal]),
    [
      ["blind", "task", false],
      ["attentive", "task", true],
    ],
  );
  for (const straggler of error.stragglers) {
    assertGreaterOrEqual(straggler.ageMs, 25);
  }
  assert(
    error.message.includes("blind") &&
      error.message.includes("never looked at its signal"),
  );
  stuck.resolve();
  await group.wait();
});

Deno.test("a failure nobody awaited is not an unhandled rejection, and dispose throws it", async () => {
  const seen = await unhandledDuring(async () => {
    const group = new TaskGroup();
    group.spawn("orphan", () => Promise.reject(new Error("orphan failed")));
    await group.wait();
    await assertRejects(
      () => group[Symbol.asyncDispose](),
      Error,
      "orphan failed",
    );
  });
  assertEquals(seen, []);
});

Deno.test("work that throws after it was cancelled is recorded, never unhandled", async () => {
  const errors: unknown[] = [];
  const seen = await unhandledDuring(async () => {
    const group = new TaskGroup({ onError: ({ error }) => errors.push(error) });
    const release = Promise.withResolvers<void>();
    const echo = group.spawn("echo", async (signal) => {
      await release.promise;
      signal.throwIfAborted(); // rethrowing its own abort reason is not a failure
    });
    const late = group.spawn("late", async () => {
      await release.promise;
      throw new Error("failed after cancel");
    });
    group.cancel();
    assertEquals([echo.status, late.status], ["cancelled", "cancelled"]);
    release.resolve();
    await group.wait();
    assertEquals(errors.map((e) => (e as Error).message), [
      "failed after cancel",
    ]);
    await assertRejects(
      () => group[Symbol.asyncDispose](),
      Error,
      "failed after cancel",
    );
  });
  assertEquals(seen, []);
});

Deno.test("an awaited failure reaches the awaiter and is not thrown again by dispose", async () => {
  const group = new TaskGroup();
  const task = group.spawn(
    "awaited",
    () => Promise.reject(new RangeError("mine")),
  );
  await assertRejects(() => Promise.resolve(task), RangeError, "mine");
  assertEquals(task.status, "failed");
  await group[Symbol.asyncDispose]();
});

Deno.test("on a cancelled group a new task still runs, with an aborted signal, and the group waits for it", async () => {
  await using group = new TaskGroup();
  group.cancel("closed for the night");
  const flushed = Promise.withResolvers<void>();
  let seen: AbortSignal | undefined;
  const task = group.spawn("flush", async (signal) => {
    seen = signal;
    await flushed.promise;
    return "flushed";
  });
  assert(seen?.aborted);
  assertEquals(seen?.reason, "closed for the night");
  assertEquals(task.status, "running");
  assertEquals(group.running, 1);
  let waited = false;
  const drained = group.wait().then(() => waited = true);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assertFalse(waited);
  flushed.resolve();
  await drained;
  assertEquals(task.result, {
    name: "flush",
    status: "completed",
    value: "flushed",
  });
});

Deno.test("on a cancelled group, work that rejects with the abort reason settles as cancelled", async () => {
  await using group = new TaskGroup();
  group.cancel("closed");
  const task = group.spawn("nap", (signal) => sleep(60_000, { signal }));
  await task.finished();
  assertEquals(task.result, {
    name: "nap",
    status: "cancelled",
    reason: "closed",
  });
});

Deno.test("abort() on a task born into a cancelled group settles it at once with the group's reason", async () => {
  await using group = new TaskGroup();
  group.cancel("closed");
  const gate = Promise.withResolvers<void>();
  const task = group.spawn("stuck", () => gate.promise);
  task.cancel("ignored: the signal already aborted");
  assertEquals(task.result, {
    name: "stuck",
    status: "cancelled",
    reason: "closed",
  });
  assert(task.isRunning);
  gate.resolve();
  await task.finished();
});

Deno.test("a parent token or a signal cancels every task", async () => {
  const root = new TokenSource();
  await using byParent = new TaskGroup({ parent: root.token });
  const a = byParent.spawn("a", (signal) => sleep(60_000, { signal }));
  const controller = new AbortController();
  await using bySignal = new TaskGroup({ signal: controller.signal });
  const b = bySignal.spawn("b", (signal) => sleep(60_000, { signal }));
  root.cancel("parent");
  controller.abort("signal");
  assertEquals([a.status, b.status], ["cancelled", "cancelled"]);
  assertEquals(
    [a.result, b.result].map((r) => (r as { reason: unknown }).reason),
    ["parent", "signal"],
  );
});

Deno.test("each task's token is a child of the group's and is released when it ends", async () => {
  const root = new TokenSource();
  await using group = new TaskGroup({ parent: root.token });
  const tasks: Task<void>[] = [];
  for (let i = 0; i < 100; i++) {
    tasks.push(group.spawn(`t${i}`, () => sleep(1)));
  }
  await group.wait();
  assertEquals(root.childCount, 1, "only the group's own token");
});

Deno.test("close refuses new tasks; running ones go on", async () => {
  const group = new TaskGroup();
  const running = group.spawn("running", () => sleep(5).then(() => "done"));
  group.close();
  assert(group.closed);
  const error = assertThrows(
    () => group.spawn("refused", () => {}),
    ClosedError,
  );
  assert(error.message.includes("refused"));
  assertEquals(await running, "done");
  await group[Symbol.asyncDispose]();
});

Deno.test("await using aborts every task and waits for their work", async () => {
  const order: string[] = [];
  {
    await using group = new TaskGroup();
    group.spawn("worker", async (signal) => {
      await sleep(60_000, { signal }).catch(() => {});
      await sleep(5);
      order.push("worker cleaned up");
    });
  }
  order.push("after scope");
  assertEquals(order, ["worker cleaned up", "after scope"]);
});

Deno.test("Task: await using aborts and waits for the work", async () => {
  await using group = new TaskGroup();
  let finished = false;
  {
    await using _task = group.spawn("scoped", async (signal) => {
      await sleep(60_000, { signal }).catch(() => {});
      finished = true;
    });
  }
  assert(finished);
});

Deno.test("a TaskTracker forgets tasks as they finish and hands failures to onError", async () => {
  const failures: string[] = [];
  await using tracker = new TaskTracker({
    onError: ({ name }) => failures.push(name),
  });
  for (let i = 0; i < 50; i++) {
    tracker.spawn(
      `t${i}`,
      () => i === 7 ? Promise.reject(new Error("x")) : sleep(1),
    );
  }
  assertEquals(tracker.running, 50); // even t7: a rejected promise settles a turn later
  await tracker.wait();
  assertEquals(tracker.running, 0);
  assertEquals(failures, ["t7"]);
});

Deno.test("a TaskTracker without onError throws the failures nobody awaited on dispose", async () => {
  const tracker = new TaskTracker();
  const awaited = tracker.spawn(
    "awaited",
    () => Promise.reject(new Error("seen")),
  );
  await assertRejects(() => awaited, Error, "seen");
  tracker.spawn("forgotten", () => Promise.reject(new Error("unseen")));
  const error = await assertRejects(
    () => tracker[Symbol.asyncDispose](),
    AggregateError,
    "forgotten",
  );
  assertEquals(error.errors.map((e) => (e as Error).message), ["unseen"]);
});

Deno.test("results carry the task name and outcome", async () => {
  await using group = new TaskGroup({ failure: "collect" });
  const error = new Error("e");
  group.spawn("bad", () => Promise.reject(error));
  const result = await group.joinNext() as TaskResult<unknown> & {
    error: unknown;
  };
  assertEquals(result.status, "failed");
  assertStrictEquals(result.error, error);
});

Deno.test("bad input gets a clear error naming the argument", async () => {
  await using group = new TaskGroup();
  assertThrows(() => group.spawn("", () => {}), TypeError, "name");
  assertThrows(() => group.spawn(5 as never, () => {}), TypeError, "name");
  assertThrows(() => group.spawn("x", "nope" as never), TypeError, "fn");
  assertThrows(
    () => new TaskGroup({ failure: "panic" as never }),
    TypeError,
    "options.failure",
  );
  assertThrows(
    () => new TaskGroup({ parent: {} as never }),
    TypeError,
    "options.parent",
  );
  assertThrows(
    () => new TaskGroup({ signal: 1 as never }),
    TypeError,
    "options.signal",
  );
  assertThrows(
    () => group.wait({ timeout: -1 }),
    RangeError,
    "options.timeout",
  );
  assertThrows(
    () => group.wait({ timeout: "1" as never }),
    TypeError,
    "options.timeout",
  );
});
