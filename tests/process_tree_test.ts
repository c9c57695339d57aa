// examples/process_tree.ts on Deno, Bun and Node: a few dozen measured SIGTERM shutdowns
// (tests/load/process_trees.ts runs hundreds), a second SIGTERM that forces the exit, and
// a crash under main(): every process of every tree is gone afterwards.
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { Child, type ChildExit } from "./_child.ts";
import { gone } from "./_pids.ts";
import {
  commandFor,
  requireRuntime,
  ROOT,
  type RuntimeName,
} from "./_runtime.ts";
import { measure, summary } from "./load/process_trees.ts";

/**
 * How late an exit may be here. The load script holds runs to 0.5 s; on a machine shared
 * with other suites a Node exit came up to 1.8 s late, and a hang would be much later.
 */
const TEST_SLACK_MS = 3_000;

/**
 * The program's exit. Its trees share its stderr, so if any outlived it the pipe would stay
 * open: after `ms`, every tree's group (each shell leads one) is SIGKILLed, and `outlived`
 * says so, which fails the test instead of leaving it hanging.
 */
async function exitOf(
  child: Child,
  shells: number[],
  ms: number,
): Promise<{ exit: ChildExit; outlived: boolean }> {
  let outlived = false;
  const timer = setTimeout(() => {
    outlived = true;
    for (const shell of shells) {
      try {
        Deno.kill(-shell, "SIGKILL");
      } catch {
        // That group is gone.
      }
    }
  }, ms);
  try {
    return { exit: await child.exit(ms + 10_000), outlived };
  } finally {
    clearTimeout(timer);
  }
}

const RUNTIMES: RuntimeName[] = ["deno", "bun", "node"];
const RUNS = 8;

for (const runtime of RUNTIMES) {
  const binary = requireRuntime(runtime);
  Deno.test({
    name:
      `process_tree on ${runtime}: ${RUNS} shutdowns leave no orphan, reap every shell, name every straggler`,
    ignore: binary === undefined,
    async fn() {
      const runs = await measure(runtime, binary!, RUNS, 4);
      const line = summary(runs);
      for (const run of runs) {
        const detail = `${line}\n${JSON.stringify(run)}`;
        assertEquals(run.orphans, [], detail);
        assertEquals(run.unreaped, [], detail);
        assertEquals(run.unnamed, [], detail);
        assert(run.exitMs < run.timeoutMs + TEST_SLACK_MS, detail);
        // 143: SIGTERM's code after a clean drain; 1 when the deadline named stragglers.
        assertEquals(run.code, run.named > 0 ? 1 : 143, detail);
        // Below the 2 s grace the stubborn tree always straggles, and is named.
        if (run.timeoutMs < 2_000) assertEquals(run.named, 1, detail);
      }
    },
  });

  Deno.test({
    name:
      `process_tree on ${runtime}: a second SIGTERM forces the exit and still kills every tree`,
    ignore: binary === undefined,
    async fn() {
      const script = `${ROOT}examples/process_tree.ts`;
      const cmd = runtime === "deno"
        ? [binary!, "run", "-A", script]
        : [binary!, script];
      await using child = Child.start(cmd, { env: { TIMEOUT_MS: "10000" } });
      const ready = await child.waitFor(/^ready /);
      const pids = ready.slice(6).split(" ").map(Number);
      child.kill("SIGTERM");
      await child.waitFor("SIGTERM again forces", { stream: "stderr" });
      // Past main()'s repeat window (a copy within 100 ms is the same signal).
      await new Promise((resolve) => setTimeout(resolve, 400));
      const second = performance.now();
      child.kill("SIGTERM");
      const { exit, outlived } = await exitOf(
        child,
        pids.filter((_, i) => i % 3 === 0),
        8_000,
      );
      const ms = performance.now() - second;
      assert(!outlived, `trees outlived the program: ${exit.stderr}`);
      // main() forced the exit (the drain would have ended after the stubborn tree's SIGKILL,
      // 2 s after the first signal); the exit hook then killed what was left.
      assertStringIncludes(
        exit.stderr,
        "SIGTERM received again, forcing the exit",
      );
      assert(!exit.stderr.includes("shut down cleanly"), exit.stderr);
      assert(ms < 3_000, `forced exit took ${ms} ms`);
      assertEquals(await gone(pids), [], exit.stderr);
    },
  });

  Deno.test({
    name:
      `process_tree on ${runtime}: a crash under main() drains the trees; at a short deadline main's exit kills them`,
    ignore: binary === undefined,
    async fn() {
      const fixture = `${ROOT}tests/fixtures/children/crash.ts`;
      const envs: Record<string, string>[] = [{}, {
        TIMEOUT_MS: "200",
        KILL_AFTER_MS: "60000",
      }];
      for (const env of envs) {
        await using child = Child.start(
          commandFor(runtime, binary!, fixture),
          { env },
        );
        const ready = await child.waitFor(/^ready /);
        const pids = ready.slice(6).split(" ").map(Number);
        const { exit, outlived } = await exitOf(child, [pids[0]!], 8_000);
        assert(!outlived, `the tree outlived the program: ${exit.stderr}`);
        assertStringIncludes(exit.stderr, "uncaught exception, shutting down");
        assertEquals(exit.code, 1, exit.stderr);
        if ("TIMEOUT_MS" in env) {
          assertStringIncludes(exit.stderr, `stubborn tree (pid ${pids[0]}:`);
        }
        assertEquals(await gone(pids), [], exit.stderr);
      }
    },
  });
}

for (const runtime of RUNTIMES) {
  const binary = requireRuntime(runtime);
  Deno.test({
    name:
      `spawnChild's ${runtime} adapter: missing program, env, piped stdin/stdout, exit statuses, exit hook removed`,
    ignore: binary === undefined,
    async fn() {
      const fixture = `${ROOT}tests/fixtures/children/adapters.ts`;
      await using child = Child.start(commandFor(runtime, binary!, fixture));
      const exit = await child.exit(20_000);
      assertEquals(exit.lines.at(-1), "done", exit.stdout + exit.stderr);
      assertEquals(exit.lines.filter((l) => l.startsWith("ok ")).length, 8);
    },
  });
}
