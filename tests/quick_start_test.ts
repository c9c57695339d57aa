// The README's quick start (examples/quick_start.ts) as a real program on Deno and Bun: it
// serves; a real SIGTERM makes /healthz answer 503 while the listener still serves (the
// drain delay), then it drains, runs its cleanup and exits 0 after reporting.
import { assertEquals, assertStringIncludes } from "@std/assert";
import { Child } from "./_child.ts";
import {
  commandFor,
  requireRuntime,
  ROOT,
  type RuntimeName,
} from "./_runtime.ts";

for (const runtime of ["deno", "bun"] as RuntimeName[]) {
  const binary = requireRuntime(runtime);
  Deno.test({
    name:
      `quick start on ${runtime}: serves, fails readiness, then drains on a real SIGTERM`,
    ignore: binary === undefined,
    async fn() {
      await using child = Child.start(
        commandFor(runtime, binary!, `${ROOT}examples/quick_start.ts`).concat(
          "0",
        ),
      );
      const port = Number(
        (await child.waitFor(/^listening on \d+/)).split(" ")[2],
      );
      const url = `http://127.0.0.1:${port}`;
      assertEquals(await (await fetch(`${url}/`)).text(), "hello\n");
      assertEquals(
        (await fetch(`${url}/healthz`).then(async (r) => {
          await r.body?.cancel();
          return r;
        })).status,
        200,
      );
      child.kill("SIGTERM");
      await child.waitFor(/^stopping on SIGTERM/);
      const draining = await fetch(`${url}/healthz`);
      await draining.body?.cancel();
      assertEquals(draining.status, 503);
      assertEquals(draining.headers.get("connection"), "close");
      const exit = await child.exit();
      assertEquals(exit.code, 0, exit.stderr);
      assertStringIncludes(exit.stdout, "closing the database");
      assertStringIncludes(exit.stdout, "report ok=true, syncs=1");
    },
  });
}
