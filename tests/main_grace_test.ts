// main()'s grace check: when the platform's kill deadline is known (`gracePeriod`, or Deno
// Deploy's 5 s), a `timeout` that with 500 ms for the exit does not fit gets one warning line
// at start-up. In-process through ./testing's runMain, and in real Deno, Bun and Node processes.
import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { main, type MainOptions } from "../src/main.ts";
import { runMain, type RunMainOptions } from "../src/testing.ts";
import { Child } from "./_child.ts";
import { commandFor } from "./_runtime.ts";
import { APP, BINARIES, RUNTIMES } from "./_main_app.ts";

/** The `quiesce:` lines of a run that returns at once under `options`. */
async function startUpLog(options: RunMainOptions): Promise<string[]> {
  const run = await runMain(() => {}, { onProgress: false, ...options });
  return run.log.filter((line) =>
    !line.includes("the program returned after") &&
    !line.startsWith("quiesce: exiting")
  );
}

Deno.test("grace: a timeout that fits with 500 ms to spare gets no warning; 100 ms more does", async () => {
  assertEquals(
    await startUpLog({ timeout: 9_500, gracePeriod: 10_000 }),
    [],
  );
  assertEquals(await startUpLog({ timeout: 9_600, gracePeriod: 10_000 }), [
    "quiesce: timeout 9.6 s plus 500 ms to exit does not fit the 10.0 s grace period (options.gracePeriod): the platform would kill the process mid-drain; set timeout to at most 9.5 s",
  ]);
});

Deno.test("grace: a grace period without a timeout sets the plan (30 s grace: 29.5 s timeout)", async () => {
  let timeout: number | undefined;
  const run = await runMain(({ shutdown }) => {
    timeout = shutdown.timeout;
  }, { gracePeriod: 30_000, onProgress: false });
  assertEquals(timeout, 29_500);
  assertEquals(run.log.filter((line) => line.includes("does not fit")), []);
  // An explicit timeout that does not fit still gets the check's one line.
  const log = await startUpLog({ gracePeriod: 30_000, timeout: 30_000 });
  assertEquals(log.length, 1);
  assertStringIncludes(log[0]!, "timeout 30.0 s plus 500 ms to exit");
  assertStringIncludes(log[0]!, "set timeout to at most 29.5 s");
});

Deno.test("grace: drainDelay is inside timeout, so it adds nothing to the check", async () => {
  assertEquals(
    await startUpLog({ timeout: 400, drainDelay: 300, gracePeriod: 900 }),
    [],
  );
});

Deno.test("grace: on Deno Deploy the default 4 s timeout fits its 5 s; 4.6 s does not", async () => {
  assertEquals(await startUpLog({ denoDeploy: true }), []);
  assertEquals(await startUpLog({ denoDeploy: true, timeout: 4_600 }), [
    "quiesce: timeout 4.6 s plus 500 ms to exit does not fit Deno Deploy's 5 s grace period: the platform would kill the process mid-drain; set timeout to at most 4.5 s",
  ]);
});

Deno.test("grace: an explicit gracePeriod replaces Deploy's; Infinity turns the check off", async () => {
  const log = await startUpLog({
    denoDeploy: true,
    timeout: 7_000,
    gracePeriod: 8_000,
  });
  assertEquals(log, []);
  assertEquals(
    await startUpLog({
      denoDeploy: true,
      timeout: 60_000,
      gracePeriod: Infinity,
    }),
    [],
  );
});

Deno.test("grace: without a known grace period nothing is checked, even timeout: Infinity", async () => {
  assertEquals(await startUpLog({ denoDeploy: false, timeout: Infinity }), []);
  const log = await startUpLog({ timeout: Infinity, gracePeriod: 30_000 });
  assertEquals(log.length, 1);
  assertStringIncludes(log[0]!, "timeout Infinity (no deadline) plus 500 ms");
});

Deno.test("grace: the warning is the first line, before the program's own shutdown lines", async () => {
  const run = await runMain(() => {}, {
    timeout: 2_000,
    gracePeriod: 1_000,
    onProgress: false,
  });
  assertEquals(run.code, 0);
  assertStringIncludes(run.log[0]!, "does not fit the 1.0 s grace period");
  assertEquals(
    run.log.filter((line) => line.includes("does not fit")).length,
    1,
  );
});

Deno.test("grace: main() itself prints the warning on stderr synchronously, before fn runs", async () => {
  const original = console.error;
  const printed: string[] = [];
  console.error = (...args: unknown[]) => void printed.push(args.join(" "));
  const exited = Promise.withResolvers<number>();
  let seenAtStart: string[] | undefined;
  try {
    main(() => {
      seenAtStart = [...printed];
    }, {
      timeout: 2_000,
      gracePeriod: 1_000,
      signals: false,
      exit: exited.resolve,
    });
    assertEquals(printed, [
      "quiesce: timeout 2.0 s plus 200 ms to exit does not fit the 1.0 s grace period (options.gracePeriod): the platform would kill the process mid-drain; set timeout to at most 0.8 s",
    ]);
    assertEquals(await exited.promise, 0);
  } finally {
    console.error = original;
  }
  assertEquals(seenAtStart, printed.slice(0, 1));
});

Deno.test("grace: a bad or misspelled gracePeriod is rejected, naming it", () => {
  const cases: [unknown, ErrorConstructor, string][] = [
    [{ gracePeriod: "30s" }, TypeError, "options.gracePeriod"],
    [{ gracePeriod: -1 }, RangeError, "options.gracePeriod"],
    [{ gracePeriod: NaN }, RangeError, "options.gracePeriod"],
    [{ gracePeriodMs: 5_000 }, TypeError, 'did you mean "gracePeriod"'],
    [{ graceperiod: 5_000 }, TypeError, 'did you mean "gracePeriod"'],
  ];
  for (const [options, type, message] of cases) {
    assertThrows(
      () => runMain(() => {}, options as MainOptions),
      type,
      message,
    );
  }
});

for (const runtime of RUNTIMES) {
  Deno.test({
    name:
      `grace on ${runtime}: one warning line on stderr at start-up when the timeout does not fit, none when it does`,
    ignore: BINARIES[runtime] === undefined,
    fn: async () => {
      const cases = [
        [{ TIMEOUT: "2000", GRACE: "1000" }, 1],
        [{ TIMEOUT: "2000", GRACE: "2500" }, 0],
        [{ TIMEOUT: "4600", DEPLOY: "true" }, 1],
        [{ TIMEOUT: "4000", DEPLOY: "true" }, 0],
      ] as const;
      for (const [env, warnings] of cases) {
        await using child = Child.start(
          [...commandFor(runtime, BINARIES[runtime]!, APP), "grace"],
          { env },
        );
        const exit = await child.exit(20_000);
        assertEquals(exit.code, 0, exit.stderr);
        assertEquals(exit.lines[0], `timeout ${env.TIMEOUT}`);
        const lines = exit.stderr.split("\n").filter((line) =>
          line.includes("does not fit")
        );
        assertEquals(lines.length, warnings, exit.stderr);
        if (warnings > 0) {
          assertStringIncludes(lines[0]!, "quiesce: timeout ");
          assertStringIncludes(
            lines[0]!,
            "DEPLOY" in env ? "Deno Deploy's 5 s grace period" : "1.0 s grace",
          );
        }
      }
    },
  });
}
