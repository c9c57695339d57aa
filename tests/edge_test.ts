// BackgroundWork in-process: handed to waitUntil or run as a task, named while running,
// cut and named at its limit, failures logged, refused after the drain, bad input refused.
import {
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertThrows,
} from "@std/assert";
import { ClosedError, GracefulShutdown, sleep, TaskTracker } from "../mod.ts";
import { BackgroundWork } from "../src/edge.ts";

Deno.test("BackgroundWork: a job that reaches its limit is named in a log line and its signal aborts", async () => {
  const lines: string[] = [];
  const handed: Promise<unknown>[] = [];
  const background = new BackgroundWork({
    limit: 50,
    log: (line) => lines.push(line),
  });
  let reason: unknown;
  background.run(
    { waitUntil: (promise: Promise<unknown>) => handed.push(promise) },
    "slow export",
    async (signal) => {
      await sleep(10_000, { signal }).catch(() => (reason = signal.reason));
    },
  );
  assertEquals(handed.length, 1);
  assertEquals(background.running.map((job) => job.name), ["slow export"]);
  await Promise.all(handed);
  assertEquals(lines, [
    'background work "slow export" cut at the 50 ms limit of waitUntil',
  ]);
  assertInstanceOf(reason, DOMException);
  assertEquals((reason as DOMException).name, "TimeoutError");
  assertEquals(background.running, []);
});

Deno.test("BackgroundWork: a failing job is logged with its name; the promise handed over never rejects", async () => {
  const lines: string[] = [];
  const handed: Promise<unknown>[] = [];
  const background = new BackgroundWork({ log: (line) => lines.push(line) });
  background.run(
    { waitUntil: (p: Promise<unknown>) => handed.push(p) },
    "report 7",
    () => Promise.reject(new Error("collector down")),
  );
  await Promise.all(handed);
  assertEquals(lines, [
    'background work "report 7" failed: Error: collector down',
  ]);
});

Deno.test("BackgroundWork: self-hosted jobs are tasks the shutdown drains, not cancelled by it", async () => {
  const shutdown = new GracefulShutdown({ signals: false, timeout: 5_000 });
  const lines: string[] = [];
  const background = new BackgroundWork({
    owner: shutdown,
    log: (l) => lines.push(l),
  });
  const done: string[] = [];
  background.run(undefined, "report 1", async (signal) => {
    await sleep(100, { signal });
    done.push("report 1");
  });
  const report = await shutdown.shutdown();
  assertEquals(done, ["report 1"]); // the drain waited; SIGTERM did not abort the job
  assertEquals(report.ok, true);
  // After the drain, a new job is refused: the request fails instead of losing the work.
  assertThrows(() => background.run(undefined, "late", () => {}), ClosedError);
  assertEquals(lines, [
    'background work "late" refused: the shutdown\'s drain is over',
  ]);
});

Deno.test("BackgroundWork: a self-hosted job past the deadline is a named straggler", async () => {
  const tracker = new TaskTracker();
  const background = new BackgroundWork({ owner: tracker, limit: 10_000 });
  const release = Promise.withResolvers<void>();
  background.run(undefined, "stuck upload", () => release.promise);
  const error = await assertRejects(() => tracker.wait({ timeout: 20 }));
  assertEquals(
    (error as { stragglers: { name: string }[] }).stragglers.map((s) => s.name),
    ["stuck upload"],
  );
  release.resolve();
  await tracker.wait();
});

Deno.test("BackgroundWork: bad input is refused with the argument's name", () => {
  assertThrows(
    () => new BackgroundWork({ limit: -1 }),
    RangeError,
    "options.limit",
  );
  assertThrows(
    () => new BackgroundWork({ log: "x" as never }),
    TypeError,
    "options.log",
  );
  assertThrows(
    () => new BackgroundWork({ owner: {} as never }),
    TypeError,
    "options.owner.spawn",
  );
  assertThrows(
    () => new BackgroundWork({ limt: 1 } as never),
    TypeError,
    "limt",
  );
  const background = new BackgroundWork({ owner: new TaskTracker() });
  assertThrows(
    () => background.run(undefined, "", () => {}),
    TypeError,
    "name",
  );
  assertThrows(
    () => background.run(undefined, "x", null as never),
    TypeError,
    "fn",
  );
});
