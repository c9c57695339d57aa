// A pending wait() or done() keeps the process alive on Deno, Bun and Node 22 until the
// signal comes (Node would exit 13, "unsettled top-level await", with only a listener
// pending); a coordinator that nobody waits on holds nothing.
import { assertEquals } from "@std/assert";
import { Child } from "./_child.ts";
import { commandFor, requireRuntime, type RuntimeName } from "./_runtime.ts";

const fixture = (name: string) =>
  new URL(`./fixtures/keep_alive/${name}`, import.meta.url).pathname;
const RUNTIMES: RuntimeName[] = ["deno", "bun", "node"];

for (const runtime of RUNTIMES) {
  const binary = requireRuntime(runtime);
  Deno.test({
    name:
      `${runtime}: a wait({ timeout }) that timed out no longer holds the process: it exits by itself`,
    ignore: binary === undefined,
    async fn() {
      await using child = Child.start(
        commandFor(runtime, binary!, fixture("wait_timeout.ts")),
      );
      // Before the fix the loop stayed held until a shutdown began: the process never ended.
      const exit = await child.exit(10_000);
      assertEquals(exit.lines, ["waited: undefined"], exit.stderr);
      assertEquals(exit.code, 0, exit.stderr);
    },
  });
  for (const call of ["wait", "done"] as const) {
    Deno.test({
      name:
        `${runtime}: a pending ${call}() keeps the process alive until SIGTERM`,
      ignore: binary === undefined,
      async fn() {
        const cmd = [
          ...commandFor(runtime, binary!, fixture("waits.ts")),
          call,
        ];
        await using child = Child.start(cmd);
        await child.waitFor(/^ready /);
        // Long enough for a runtime with nothing holding its loop to have exited.
        await new Promise((resolve) => setTimeout(resolve, 500));
        child.kill("SIGTERM");
        const exit = await child.exit();
        const expected = call === "wait"
          ? "stopped by SIGTERM"
          : "drained after SIGTERM";
        assertEquals(exit.lines.at(-1), expected, exit.stderr);
        assertEquals(exit.code, 0, exit.stderr);
      },
    });
  }
  Deno.test({
    name:
      `${runtime}: the default source installs no listener until someone waits: SIGINT gets the runtime's default (130)`,
    ignore: binary === undefined,
    async fn() {
      await using child = Child.start(
        commandFor(runtime, binary!, fixture("not_waiting.ts")),
      );
      await child.waitFor(/^ready /);
      const counts = runtime === "deno" ? "n/a" : "SIGINT=0 SIGTERM=0 SIGHUP=0";
      assertEquals(child.stdout.split("\n")[0], `listeners: ${counts}`);
      child.kill("SIGINT");
      const exit = await child.exit();
      assertEquals(exit.code, 130, exit.stderr);
    },
  });
  Deno.test({
    name:
      `${runtime}: the default source listens once the program waits: SIGINT drains`,
    ignore: binary === undefined,
    async fn() {
      await using child = Child.start(
        [...commandFor(runtime, binary!, fixture("not_waiting.ts")), "wait"],
      );
      await child.waitFor(/^ready /);
      const counts = runtime === "deno" ? "n/a" : "SIGINT=1 SIGTERM=1 SIGHUP=0";
      assertEquals(child.stdout.split("\n")[0], `listeners: ${counts}`);
      child.kill("SIGINT");
      const exit = await child.exit();
      assertEquals(exit.lines.slice(-2), [
        "stopped by SIGINT",
        "drained ok=true",
      ]);
      assertEquals(exit.code, 0, exit.stderr);
    },
  });
  Deno.test({
    name:
      `${runtime}: a coordinator nobody waits on holds nothing, the program ends`,
    ignore: binary === undefined,
    async fn() {
      await using child = Child.start(
        commandFor(runtime, binary!, fixture("no_wait.ts")),
      );
      const exit = await child.exit(10_000);
      assertEquals(exit.lines, ["listening, shutdown begun: false"]);
      assertEquals(exit.code, 0, exit.stderr);
    },
  });
}
