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
