// spawnChild in real processes: the whole group goes (grandchildren too), SIGKILL follows
// the grace period, a leader's leftovers are killed, failures and stragglers are named.
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { GracefulShutdown, TaskTracker } from "../mod.ts";
import { ChildExitError, spawnChild } from "../src/children.ts";
import { liveGroupCount } from "../src/children/_live_groups.ts";
import { alive, gone } from "./_pids.ts";

async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    if (text.includes("\n")) break;
  }
  return text.split("\n")[0]!;
}

Deno.test("spawnChild: cancelling stops the whole group, grandchildren too", async () => {
  const tracker = new TaskTracker();
  const child = spawnChild(tracker, "sh", [
    "-c",
    "sleep 30 & echo $!; wait",
  ], { stdout: "piped" });
  const grandchild = Number(await firstLine(child.stdout!));
  assert(alive(grandchild));
  tracker.cancel();
  assertEquals(await child.exited, { code: null, signal: "SIGTERM" });
  await tracker.wait();
  assertEquals(await gone([grandchild]), []);
  assertEquals(liveGroupCount(), 0);
});

Deno.test("spawnChild: a group that ignores the stop signal gets SIGKILL after killAfter", async () => {
  const tracker = new TaskTracker();
  const child = spawnChild(tracker, "sh", [
    "-c",
    "trap '' TERM; sleep 30 & echo $!; wait",
  ], { stdout: "piped", killAfter: 300 });
  const grandchild = Number(await firstLine(child.stdout!));
  const cancelled = performance.now();
  tracker.cancel();
  assertEquals(await child.exited, { code: null, signal: "SIGKILL" });
  const ms = performance.now() - cancelled;
  assert(ms >= 290 && ms < 5_000, `SIGKILL after ${ms} ms`);
  await tracker.wait();
  assertEquals(await gone([grandchild]), []);
});

Deno.test("spawnChild: what a leader leaves running when it exits is killed with it", async () => {
  await using tracker = new TaskTracker();
  const child = spawnChild(tracker, "sh", ["-c", "sleep 30 & echo $!"], {
    stdout: "piped",
  });
  const grandchild = Number(await firstLine(child.stdout!));
  assertEquals(await child.exited, { code: 0, signal: null });
  assertEquals(await child.task, { code: 0, signal: null });
  assertEquals(await gone([grandchild]), []);
});

Deno.test("spawnChild: a child that fails on its own fails its task, named in the report", async () => {
  const shutdown = new GracefulShutdown({ signals: false, onError: () => {} });
  const child = spawnChild(shutdown, "sh", ["-c", "exit 3"], { name: "job" });
  const error = await assertRejects(() => child.task, ChildExitError);
  assertEquals(error.exit, { code: 3, signal: null });
  assertStringIncludes(
    error.message,
    `Child process ${child.pid} (sh -c 'exit 3') exited with code 3`,
  );
  const late = spawnChild(shutdown, "sh", [
    "-c",
    "trap 'exit 4' TERM; echo up; sleep 30 & wait",
  ], { name: "late", stdout: "piped" });
  await firstLine(late.stdout!);
  const report = await shutdown.shutdown(); // its exit 4 answers the SIGTERM: no failure
  assertEquals(await late.exited, { code: 4, signal: null });
  assertEquals(report.ok, true, JSON.stringify(report.errors));
});

Deno.test("spawnChild: a child still running at the deadline is a straggler named with pid and command", async () => {
  const shutdown = new GracefulShutdown({ signals: false, timeout: 300 });
  const child = spawnChild(shutdown, "sh", [
    "-c",
    "trap '' TERM; echo up; sleep 30 & wait",
  ], { name: "stubborn", stdout: "piped", killAfter: Infinity });
  await firstLine(child.stdout!);
  const report = await shutdown.shutdown();
  assertEquals(report.timedOut, true);
  assertEquals(
    report.stragglers.map((s) => s.name),
    [`stubborn (pid ${child.pid}: sh -c 'trap '\\'''\\'' TERM; echo up; sleep 30 & wait')`],
  );
  Deno.kill(-child.pid, "SIGKILL");
  assertEquals(await child.exited, { code: null, signal: "SIGKILL" });
  assertEquals(liveGroupCount(), 0);
});

Deno.test("spawnChild: bad input is refused before anything starts", () => {
  const tracker = new TaskTracker();
  assertThrows(() => spawnChild(null as never, "true"), TypeError, "owner");
  assertThrows(() => spawnChild(tracker, ""), TypeError, "command");
  assertThrows(
    () => spawnChild(tracker, "true", "x" as never),
    TypeError,
    "args",
  );
  assertThrows(
    () => spawnChild(tracker, "true", [], { stopSignal: "SIGTREM" as never }),
    TypeError,
    'options.stopSignal: expected one of "SIGTERM"',
  );
  assertThrows(
    () => spawnChild(tracker, "true", [], { killAfter: -1 }),
    RangeError,
    "options.killAfter",
  );
  assertThrows(
    () => spawnChild(tracker, "true", [], { stdout: "pipe" as never }),
    TypeError,
    "options.stdout",
  );
  assertThrows(
    () => spawnChild(tracker, "true", [], { killafter: 1 } as never),
    TypeError,
    "killafter",
  );
  assertThrows(() => spawnChild(tracker, "/nonexistent/program"), Error);
  assertEquals(tracker.running, 0);
  assertEquals(liveGroupCount(), 0);
});
