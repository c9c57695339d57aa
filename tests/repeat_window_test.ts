// The repeat window of a plain GracefulShutdown with real signals on Deno, Bun and Node 22:
// the same signal twice, 1 ms apart (a task runner's forwarded copy), is one signal and the
// drain finishes; a different signal inside the window is a second signal and ends the
// process with the runtime's default action, as it would without our listeners.
import { assertEquals, assertFalse } from "@std/assert";
import { Child } from "./_child.ts";
import { commandFor, requireRuntime, type RuntimeName } from "./_runtime.ts";

const FIXTURE = new URL("./fixtures/pty/plain.ts", import.meta.url).pathname;

for (const runtime of ["deno", "bun", "node"] as RuntimeName[]) {
  const binary = requireRuntime(runtime);
  Deno.test({
    name:
      `${runtime}: SIGTERM twice 1 ms apart is one signal; the drain finishes`,
    ignore: binary === undefined,
    async fn() {
      await using child = Child.start(commandFor(runtime, binary!, FIXTURE));
      await child.waitFor(/^ready$/);
      child.kill("SIGTERM");
      await new Promise((resolve) => setTimeout(resolve, 1));
      child.kill("SIGTERM");
      const exit = await child.exit();
      assertEquals(exit.lines.slice(-2), ["slow stopped", "drained ok=true"]);
      assertEquals(exit.code, 0, exit.stderr);
    },
  });
  Deno.test({
    name:
      `${runtime}: SIGINT then SIGTERM inside the window: the second signal ends the process (143)`,
    ignore: binary === undefined,
    async fn() {
      await using child = Child.start(
        commandFor(runtime, binary!, FIXTURE),
        { env: { PTY_DRAIN_MS: "10000" } },
      );
      await child.waitFor(/^ready$/);
      child.kill("SIGINT");
      await child.waitFor(/^slow saw abort$/);
      child.kill("SIGTERM");
      const exit = await child.exit();
      assertEquals(exit.code, 143, exit.stderr);
      assertFalse(exit.lines.includes("slow stopped"));
    },
  });
}
