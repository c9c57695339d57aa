// Issue 16 item 9, the Deno.serve `signal` trap (tests/fixtures/http/serve_signal.ts): with
// `shutdown.token.signal` passed to Deno.serve, Deno 2.9.6 aborts the server when the drain
// begins and drops the request in flight (no crash). quiesce cannot prevent it: the report
// must not say clean; it names the request and the exit is 1.
import { assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { Child } from "./_child.ts";
import { commandFor, findRuntime, ROOT } from "./_runtime.ts";

Deno.test("Deno.serve given shutdown.token.signal: the dropped request fails the report (ok=false, named GET /slow, exit 1)", async () => {
  const fixture = `${ROOT}tests/fixtures/http/serve_signal.ts`;
  await using child = Child.start(
    commandFor("deno", findRuntime("deno")!, fixture),
  );
  const port = (await child.waitFor(/^listening on \d+/)).split(" ").at(-1);
  const slow = fetch(`http://127.0.0.1:${port}/slow`).then(
    async (response) => `${response.status} ${await response.text()}`,
    (error) => `failed: ${error}`,
  );
  await child.waitFor("started /slow");
  child.kill("SIGTERM");
  assertStringIncludes(await slow, "failed"); // what Deno does with the signal aborted
  const exit = await child.exit();
  assertEquals(exit.code, 1, exit.stdout + exit.stderr);
  assertMatch(exit.stdout, /^failure: GET \/slow: /m);
  assertMatch(exit.stdout, /^report: ok=false$/m);
});
