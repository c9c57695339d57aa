// What `./http` reads from Linux's /proc to count the connections a Deno or Bun drain closes
// (src/http/_proc_connections.ts), checked in real processes: the server side of each
// connection this process accepted on the port, keyed by the client's port; nothing for
// another port; and, on Deno without --allow-all, nothing at all and no permission prompt.
import { assertEquals } from "@std/assert";
import { Child } from "./_child.ts";
import { Pty } from "./_pty.ts";
import { commandFor, requireRuntime, ROOT } from "./_runtime.ts";

const FIXTURE = `${ROOT}tests/fixtures/http/proc_connections.ts`;

interface Seen {
  clientPorts: number[];
  found: { port: number; unacked: number }[] | null;
  otherPort: number | null;
  known: number;
  again: number[] | null;
}

async function run(cmd: string[]): Promise<Seen> {
  await using child = Child.start(cmd);
  const exit = await child.exit();
  assertEquals(exit.code, 0, exit.stdout + exit.stderr);
  return JSON.parse(exit.lines.at(-1)!);
}

const deno = requireRuntime("deno");
const bun = requireRuntime("bun");
const node = requireRuntime("node");
const CASES: [string, string[] | undefined][] = (
  [["deno", deno], ["bun", bun], ["node", node]] as const
).map(([runtime, binary]) => [
  runtime === "deno" ? "deno --allow-all" : runtime,
  binary === undefined ? undefined : commandFor(runtime, binary, FIXTURE),
]);

for (const [name, cmd] of CASES) {
  Deno.test({
    name:
      `procConnections on ${name}: the two connections accepted on the port, by client port, none on another port`,
    ignore: cmd === undefined,
    fn: async () => {
      const seen = await run(cmd!);
      assertEquals(
        seen.found,
        seen.clientPorts.map((port) => ({ port, unacked: 0 })),
      );
      assertEquals(seen.otherPort, 0);
      // The second call answers from the inodes the first found to be this process's.
      assertEquals(seen.known, 2);
      assertEquals(seen.again, seen.clientPorts);
    },
  });
}

Deno.test({
  name: "procConnections on deno without --allow-all: undefined, and no prompt",
  ignore: deno === undefined,
  fn: async () => {
    for (const flags of [["--allow-net", "--allow-read"], ["--allow-net"]]) {
      const seen = await run([deno!, "run", ...flags, FIXTURE]);
      assertEquals(seen.found, null, flags.join(" "));
      assertEquals(seen.otherPort, null);
    }
  },
});

Deno.test({
  name:
    "procConnections on deno in a terminal without --allow-all: no permission prompt, undefined",
  ignore: deno === undefined,
  fn: async () => {
    // Reading /proc unasked would prompt here (a real pty) and wait for an answer.
    await using pty = Pty.start([deno!, "run", "--allow-net", FIXTURE], {});
    const exit = await pty.exit(20_000);
    assertEquals(exit.code, 0, exit.output);
    assertEquals(exit.output.includes("Deno requests"), false, exit.output);
    assertEquals(
      JSON.parse(exit.output.trim().split("\n").at(-1)!).found,
      null,
    );
  },
});
