// Four failure rules that only the seeded interleaving checker used to pin, each named.
import {
  assert,
  assertEquals,
  assertRejects,
  assertStrictEquals,
} from "@std/assert";
import { type Failure, GracefulShutdown, sleep, TaskGroup } from "../mod.ts";

Deno.test("a late failure (work failing after its task was cancelled) never trips fail-fast", async () => {
  const group = new TaskGroup({ failure: "fail-fast" });
  const release = Promise.withResolvers<void>();
  const late = group.spawn("late", async () => {
    await release.promise;
    throw new Error("failed after cancel");
  });
  const sibling = group.spawn("sibling", (signal) => sleep(60_000, { signal }));
  late.cancel();
  release.resolve();
  await late.finished();
  assertEquals(sibling.status, "running", "the sibling was not cancelled");
  sibling.cancel();
  await assertRejects(
    () => group[Symbol.asyncDispose](),
    Error,
    "failed after cancel",
  );
});

Deno.test("a late failure is recorded as such: onError hears it, a join sees the cancellation, dispose throws it", async () => {
  const failures: Failure[] = [];
  const group = new TaskGroup({
    failure: "collect",
    onError: (failure) => failures.push(failure),
  });
  const release = Promise.withResolvers<void>();
  const error = new Error("failed after cancel");
  const task = group.spawn("late", async () => {
    await release.promise;
    throw error;
  });
  task.cancel("stop");
  assertEquals((await group.joinNext())?.status, "cancelled");
  release.resolve();
  await task.finished();
  assertEquals(failures.map((f) => [f.name, f.error]), [["late", error]]);
  const thrown = await assertRejects(
    () => group[Symbol.asyncDispose](),
    AggregateError,
  );
  assertEquals(thrown.errors, [error]);
});

Deno.test("failures from before the shutdown are reported when they happen, and not in its report", async () => {
  const failures: Failure[] = [];
  const shutdown = new GracefulShutdown({
    signals: false,
    onError: (failure) => failures.push(failure),
  });
  const early = shutdown.spawn(
    "early",
    () => Promise.reject(new Error("early")),
  );
  await early.finished();
  assertEquals(failures.map((f) => f.name), ["early"]);
  shutdown.spawn("during", async (signal) => {
    await new Promise((resolve) => signal.addEventListener("abort", resolve));
    throw new Error("during");
  });
  const report = await shutdown.shutdown();
  assertEquals(failures.map((f) => f.name), ["early", "during"]);
  assertEquals(report.errors.map((f) => f.name), ["during"]);
});

Deno.test("an AbortError from cancelled work is the echo of the cancellation, not a failure", async () => {
  const failures: Failure[] = [];
  const group = new TaskGroup({
    failure: "collect",
    onError: (failure) => failures.push(failure),
  });
  const task = group.spawn("fetching", async (signal) => {
    await new Promise((resolve) => signal.addEventListener("abort", resolve));
    // What fetch and most APIs reject with: their own AbortError, not the reason given.
    throw new DOMException("The operation was aborted.", "AbortError");
  });
  task.cancel(new Error("deploy"));
  await task.finished();
  assertEquals(task.status, "cancelled");
  assertStrictEquals(
    (task.result as { reason: unknown }).reason instanceof Error,
    true,
  );
  assertEquals(failures, []);
  await group[Symbol.asyncDispose](); // nothing to throw
  assert(!task.isRunning);
});
