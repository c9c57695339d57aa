// `deno task demo` as a user runs it: in a terminal (a real pty), from the repository root,
// stopped with one Ctrl+C typed into it. Under `deno task` that Ctrl+C reaches the program
// twice (the terminal's SIGINT to the process group, and the runner's forwarded copy); the
// demo must still drain everything (server, job loop, worker) and exit 130, not be forced.
import {
  assert,
  assertEquals,
  assertFalse,
  assertStringIncludes,
} from "@std/assert";
import { Pty } from "./_pty.ts";
import { Child } from "./_child.ts";
import { findRuntime, requireRuntime, ROOT } from "./_runtime.ts";

Deno.test("demo: `deno task demo`, one Ctrl+C in a terminal, drains everything, exits 130", async () => {
  const deno = findRuntime("deno")!;
  await using pty = Pty.start([deno, "task", "demo", "--port", "0"], {
    cwd: ROOT,
    // `deno task` runs the `deno` it finds on PATH: the one under test.
    env: { PATH: `${deno.replace(/\/[^/]*$/, "")}:${Deno.env.get("PATH")}` },
  });
  const serving = await pty.waitFor(/serving http:\/\/127\.0\.0\.1:\d+/);
  const port = Number(serving.match(/:(\d+)\//)?.[1]);
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  await health.body?.cancel();
  assertEquals(health.status, 200);
  await pty.waitFor("press Ctrl+C to stop");
  await pty.waitFor(/job 1: started/); // a job in hand when the key is pressed
  await pty.ctrlC();
  const exit = await pty.exit();
  assertEquals(exit.code, 130, exit.output);
  assertFalse(exit.output.includes("forcing the exit"), exit.output);
  const lines = exit.output.split("\n").map((line) =>
    line.replace(/^(\^C)?\[\s*[\d.]+s\] /, "")
  );
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
    at("received SIGINT") < at(`job ${jobsDone}: done`),
    "a job was in hand at the signal",
  );
  assert(
    at(`job ${jobsDone}: done`) < at("asking the worker to stop"),
    "tasks drain before cleanup",
  );
  assert(at("worker stopped: graceful") < at("http server closed"));
  assertStringIncludes(
    exit.output,
    "drained after SIGINT (clean); exiting with 130",
  );
  assertStringIncludes(exit.output, "draining, 1 still running (job-loop");
});

Deno.test({
  name:
    "demo: `bun examples/demo.ts`, one SIGTERM, drains everything, exits 143",
  ignore: requireRuntime("bun") === undefined,
  async fn() {
    const bun = requireRuntime("bun")!;
    await using child = Child.start([
      bun,
      `${ROOT}examples/demo.ts`,
      "--port",
      "0",
    ]);
    await child.waitFor("press Ctrl+C to stop");
    await child.waitFor(/job 1: started/);
    child.kill("SIGTERM");
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stderr);
    const output = exit.stdout + exit.stderr;
    assertStringIncludes(output, "worker stopped: graceful");
    assertStringIncludes(output, "http server closed");
    assertStringIncludes(
      output,
      "drained after SIGTERM (clean); exiting with 143",
    );
    const started = output.match(/job \d+: started/g)?.length ?? 0;
    const done = output.match(/job \d+: done/g)?.length ?? 0;
    assertEquals(started, done, "every job in hand finished");
  },
});
