// `deno task demo` as a user runs it: real server, job loop and worker, stopped by its own
// real SIGTERM (--stop-after), drained with progress, exit 143.
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { Child } from "./_child.ts";
import { findRuntime, ROOT } from "./_runtime.ts";

Deno.test("demo: serves, stops itself with SIGTERM, drains everything, exits 143", async () => {
  const deno = findRuntime("deno")!;
  await using child = Child.start([
    deno,
    "run",
    "--allow-net=127.0.0.1",
    "--allow-env",
    "--allow-read",
    "--allow-run",
    `${ROOT}examples/demo.ts`,
    "--port",
    "0",
    "--stop-after",
    "1.7",
  ]);
  const serving = await child.waitFor(/serving http:\/\/127\.0\.0\.1:\d+/);
  const port = Number(serving.match(/:(\d+)\//)?.[1]);
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  assertEquals([health.status, await health.text()], [200, "ok\n"]);
  const exit = await child.exit();
  assertEquals(exit.code, 143, exit.stderr);
  const lines = exit.lines.map((line) => line.replace(/^\[\s*[\d.]+s\] /, ""));
  const at = (text: string) => {
    const index = lines.findIndex((line) => line.startsWith(text));
    assert(index >= 0, `missing "${text}" in:\n${lines.join("\n")}`);
    return index;
  };
  const jobsStarted =
    lines.filter((line) => /^job \d+: started/.test(line)).length;
  const jobsDone = lines.filter((line) => /^job \d+: done/.test(line)).length;
  assertEquals(jobsStarted, jobsDone, "every job in hand finished");
  assert(
    at("received SIGTERM") < at(`job ${jobsDone}: done`),
    "a job was in hand at the signal",
  );
  assert(
    at(`job ${jobsDone}: done`) < at("asking the worker to stop"),
    "tasks drain before cleanup",
  );
  assert(at("worker: flushed") < at("worker stopped: graceful"));
  assert(
    at("worker stopped: graceful") < at("http server closed"),
    "cleanup in reverse order",
  );
  assertStringIncludes(
    lines.at(-1)!,
    "drained after SIGTERM (clean); exiting with 143",
  );
  assertStringIncludes(exit.stderr, "draining, 1 still running (job-loop");
});
