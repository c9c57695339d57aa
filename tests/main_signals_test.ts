// Every signal quiesce accepts behaves the same under main(), in real Deno, Bun and Node 22
// processes (issue 15 items 1, 2, 6, 10 and 18):
//   - SIGQUIT and SIGUSR2 drain and exit 128 + n (131, 140);
//   - `signals` may be a list of names (what `hostSignals({ signals })` takes);
//   - a second one during the drain forces the exit with 128 + n, as SIGINT/SIGTERM do;
//   - a second main() in the process is refused, the first one runs on;
//   - a `log` function gets every `quiesce:` line (a JSON logger here), stderr stays empty.
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import type { ChildExit } from "./_child.ts";
import { cell, RUNTIMES, start } from "./_main_app.ts";

const LISTED = "SIGINT,SIGTERM,SIGQUIT,SIGUSR2";

function assertExit(exit: ChildExit, code: number): void {
  assertEquals(
    { code: exit.code, signal: exit.signal },
    { code, signal: null },
    `stdout:\n${exit.stdout}\nstderr:\n${exit.stderr}`,
  );
}

for (const runtime of RUNTIMES) {
  for (const [signal, code] of [["SIGQUIT", 131], ["SIGUSR2", 140]] as const) {
    cell(
      `${signal} (listed by name), clean drain → ${code}`,
      runtime,
      async () => {
        await using child = start(runtime, "clean", { SIGNALS: LISTED });
        await child.waitFor(/^ready /);
        child.kill(signal);
        const exit = await child.exit(20_000);
        assertExit(exit, code);
        assert(exit.lines.includes("cleanup db"), exit.stdout);
        assertStringIncludes(
          exit.stderr,
          `quiesce: ${signal} received, shutting down (2.0 s; ${signal} again forces the exit)`,
        );
        assertStringIncludes(exit.stderr, `quiesce: exiting with code ${code}`);
      },
    );

    cell(
      `second ${signal} during the drain → forced ${code}`,
      runtime,
      async () => {
        await using child = start(runtime, "second", { SIGNALS: LISTED });
        await child.waitFor(/^ready /);
        child.kill(signal);
        await child.waitFor("slow saw abort");
        // Past the 100 ms in which a repeat is a task runner's copy of the first.
        await new Promise((resolve) => setTimeout(resolve, 300));
        child.kill(signal);
        const exit = await child.exit(20_000);
        assertExit(exit, code);
        assertStringIncludes(
          exit.stderr,
          `quiesce: ${signal} received again, forcing the exit`,
        );
        assert(!exit.lines.includes("cleanup db"), exit.stdout);
      },
    );
  }

  cell(
    "signals as a list of names listens to those names",
    runtime,
    async () => {
      await using child = start(runtime, "clean", {
        SIGNALS: "SIGINT,SIGUSR2",
        SIGNALS_FORM: "list",
      });
      await child.waitFor(/^ready /);
      child.kill("SIGUSR2");
      const exit = await child.exit(20_000);
      assertExit(exit, 140);
      assert(exit.lines.includes("cleanup db"), exit.stdout);
    },
  );

  cell("a second main() is refused; the first runs on", runtime, async () => {
    await using child = start(runtime, "twice");
    await child.waitFor(/^ready /);
    child.kill("SIGTERM");
    const exit = await child.exit(20_000);
    assertExit(exit, 143);
    assertMatch(
      exit.stdout,
      /^second main\(\) refused: Cannot run main\(\): another main\(\) is still running in this process/m,
    );
    assertEquals(exit.stderr.match(/exiting with code/g)?.length, 1);
  });

  cell(
    "log: every quiesce line goes to a JSON logger, none to stderr",
    runtime,
    async () => {
      await using child = start(runtime, "json-log");
      await child.waitFor(/^ready /);
      child.kill("SIGTERM");
      const exit = await child.exit(20_000);
      assertExit(exit, 143);
      assertEquals(exit.stderr, "");
      const logged = exit.lines.filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line));
      assertEquals(logged.map((entry) => entry.msg.replace(/\d+ ms/, "N ms")), [
        "quiesce: SIGTERM received, shutting down (2.0 s; SIGTERM again forces the exit)",
        "quiesce: shut down cleanly in N ms",
        "quiesce: exiting with code 143",
      ]);
      assert(logged.every((entry) => entry.level === "info"));
    },
  );
}
