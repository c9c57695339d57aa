// The ready moment seen by a balancer, on a real serve() in a real process on Deno
// (Deno.serve), Bun (Bun.serve) and Node (node:http) with real fetch and SIGTERM: under
// `awaitReady` the readiness route answers 503 `starting` while the server already serves,
// 200 once the program calls ready(), and 503 `draining` from the first signal; liveness
// stays 200 throughout; a ready() after the signal is false.
import { assertEquals } from "@std/assert";
import { Child } from "./_child.ts";
import { BINARIES, RUNTIMES } from "./_main_app.ts";
import { commandFor, ROOT } from "./_runtime.ts";

const APP = `${ROOT}tests/fixtures/http/ready_app.ts`;

for (const runtime of RUNTIMES) {
  Deno.test({
    name:
      `ready moment over HTTP on ${runtime}: /healthz 503 starting, 200 after ready(), 503 draining from SIGTERM`,
    ignore: BINARIES[runtime] === undefined,
    async fn() {
      await using child = Child.start(
        commandFor(runtime, BINARIES[runtime]!, APP),
      );
      const line = await child.waitFor(/^listening on \d+/);
      const base = `http://127.0.0.1:${line.split(" ").at(-1)}`;
      const get = async (path: string, method = "GET") => {
        const response = await fetch(`${base}${path}`, { method });
        return [response.status, await response.text()];
      };
      assertEquals(await get("/healthz"), [503, "starting\n"]);
      assertEquals(await get("/livez"), [200, "ok\n"]);
      assertEquals(await get("/"), [200, "hello\n"]); // it serves; checks fail
      assertEquals(await get("/ready", "POST"), [200, "true\n"]);
      assertEquals(await get("/healthz"), [200, "ok\n"]);
      child.kill("SIGTERM");
      await child.waitFor(/SIGTERM received/, { stream: "stderr" });
      assertEquals(await get("/healthz"), [503, "draining\n"]);
      assertEquals(await get("/livez"), [200, "ok\n"]);
      assertEquals(await get("/ready", "POST"), [200, "false\n"]);
      const exit = await child.exit();
      assertEquals(exit.code, 143, exit.stderr);
      assertEquals(exit.lines.filter((l) => l.startsWith("ready()")), [
        "ready() -> true",
        "ready() -> false",
      ]);
    },
  });
}
