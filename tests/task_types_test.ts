// Task<T> is covariant like Promise<T>: a handle of a narrower result type is a handle of a
// wider one. Checked by the type checker (`deno check` runs on this file); the test itself
// only shows the assignments are also fine at run time.
import { assertEquals } from "@std/assert";
import { type Task, TaskTracker } from "../mod.ts";

Deno.test("Task<T> is covariant: Task<never> is a Task<void>, Task<number> a Task<unknown>", async () => {
  await using tracker = new TaskTracker();
  const failing: Task<never> = tracker.spawn("fails", () => {
    throw new Error("never returns");
  });
  const asVoid: Task<void> = failing;
  const counting: Task<number> = tracker.spawn("counts", () => 1);
  const asUnknown: Task<unknown> = counting;
  const asUnion: Task<number | string> = counting;
  assertEquals(asVoid.status, "failed");
  await asVoid.finished();
  assertEquals([await asUnknown, await asUnion], [1, 1]);
  await asVoid.then(undefined, () => {}); // its failure is handled here
});
