// When a janitor's signal aborts (issue 15, items 13 and 14), on Deno in this process and on
// Bun and Node 22 as real processes (tests/fixtures/janitor/abort_cases.ts):
// - the janitor's own signals fire in the janitor's async context, so a job's plain abort
//   listener registers cleanup in that janitor, whoever aborted the outside signal (top level,
//   another janitor, an AbortSignal.timeout that has no context), and the janitor waits for it;
// - a job that stops with an AbortError after its signal aborted (node:timers/promises,
//   events.once, fetch) is the echo of the cancellation: the janitor resolves. An AbortError
//   before any abort, or another error after one, still fails it. A callee that stops with
//   such an echo after a job failed rejects with the job's failure alone, as a callee that
//   rethrows its signal's reason does.
import { assertEquals } from "@std/assert";
import { Child, signalCode } from "./_child.ts";
import { commandFor, requireRuntime, type RuntimeName } from "./_runtime.ts";
import {
  type ContextOutcome,
  runContextCases,
  runEchoCases,
} from "./fixtures/janitor/abort_cases.ts";

const FIXTURE =
  new URL("./fixtures/janitor/abort.ts", import.meta.url).pathname;
const DAEMONS =
  new URL("./fixtures/janitor/ordinary_daemons.ts", import.meta.url).pathname;
// At top level: in CI a missing runtime throws here and fails the suite.
const BINARIES: Record<RuntimeName, string | undefined> = {
  deno: requireRuntime("deno"),
  bun: requireRuntime("bun"),
  node: requireRuntime("node"),
};

const CONTEXT: Record<string, ContextOutcome> = {
  "outside signal aborted at top level": { reached: "A", awaitedByA: true },
  "outside signal aborted inside another janitor": {
    reached: "A",
    awaitedByA: true,
  },
  "AbortSignal.timeout as the outside signal": {
    reached: "A",
    awaitedByA: true,
  },
  "nested janitor, outer's outside signal aborted inside another janitor": {
    reached: "inner",
    awaitedByA: true,
  },
};

const ECHO: Record<string, string> = {
  "node:timers/promises setTimeout": "resolved",
  "events.once": "resolved",
  "fetch to a server that never answers": "resolved",
  "a callee's AbortError after a job failed": "rejected: RangeError",
  "a callee's AbortError before a job failed":
    "rejected: CalleeAndJanitorFailedError",
  "an AbortError before the signal aborted": "rejected: AbortError",
  "a TypeError after the signal aborted": "rejected: TypeError",
};

Deno.test("janitor abort on Deno: a job's abort listener reaches its own janitor, whoever aborted", async () => {
  assertEquals(await runContextCases(), CONTEXT);
});

Deno.test("janitor abort on Deno: an AbortError after the abort is its echo, not a failure", async () => {
  assertEquals(await runEchoCases(), ECHO);
});

for (const runtime of ["bun", "node"] as const) {
  Deno.test({
    name:
      `janitor abort on ${runtime} (real process): listeners reach their own janitor; an AbortError after the abort is its echo`,
    ignore: BINARIES[runtime] === undefined,
    async fn() {
      await using child = Child.start(
        commandFor(runtime, BINARIES[runtime]!, FIXTURE),
      );
      const exit = await child.exit(30_000);
      assertEquals(exit.code, 0, exit.stderr);
      assertEquals(JSON.parse(exit.lines.at(-1)!), {
        context: CONTEXT,
        echo: ECHO,
      });
    },
  });
}

for (const runtime of ["deno", "bun", "node"] as const) {
  Deno.test({
    name:
      `ordinary daemons under main() on ${runtime} (real process): SIGTERM ends their AbortError loops cleanly, the abort listener's cleanup is awaited, exit 143`,
    ignore: BINARIES[runtime] === undefined,
    async fn() {
      await using child = Child.start(
        commandFor(runtime, BINARIES[runtime]!, DAEMONS),
      );
      await child.waitFor("ready");
      assertEquals(child.ignores("SIGTERM"), false);
      child.kill("SIGTERM");
      const exit = await child.exit(15_000);
      assertEquals(exit.lines, ["ready", "consumer closed", "daemons drained"]);
      assertEquals(exit.code, signalCode("SIGTERM"), exit.stderr);
    },
  });
}
