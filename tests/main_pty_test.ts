// As users start programs: in a real terminal (a pty), one Ctrl+C typed
// into `deno task …` or `bun run …` reaches the program twice (the terminal's SIGINT to the
// process group plus the runner's forwarded copy), and systemd's default stop sends SIGTERM
// to the whole group, which the runner forwards again. main() must take each as ONE signal:
// a clean drain, never "forcing the exit". A person's real second Ctrl+C, 500 ms later,
// still forces it. The fixture is tiny (tests/fixtures/pty/app.ts) so 20 runs stay cheap.
import {
  assert,
  assertEquals,
  assertFalse,
  assertStringIncludes,
} from "@std/assert";
import { ctrlCTwice, many, type PtyExit, RUNNERS, session } from "./_pty.ts";

// Without the repeat filter a run is forced 1 time in 5 to 1 in 2: 20 runs make a pass by
// chance unlikely (about 1 % at 1 in 5).
const RUNS = 20;

function assertOneSignal(
  exits: PtyExit[],
  signal: string,
  code: number,
): void {
  const forced = exits.filter((exit) =>
    exit.output.includes("forcing the exit")
  );
  assertEquals(
    forced.length,
    0,
    `${forced.length} of ${exits.length} runs were forced:\n${
      forced[0]?.output
    }`,
  );
  for (const exit of exits) {
    assertEquals(exit.code, code, exit.output);
    assertStringIncludes(exit.output, `fn saw ${signal}`);
    assertStringIncludes(exit.output, "slow stopped");
    assertStringIncludes(exit.output, "quiesce: shut down cleanly");
  }
}

for (const [runner, cmd] of Object.entries(RUNNERS("app"))) {
  Deno.test({
    name:
      `pty: one Ctrl+C under ${runner} is one SIGINT (${RUNS} runs, none forced)`,
    ignore: !cmd,
    fn: async () => {
      const exits = await many(RUNS, () => session(cmd!, (pty) => pty.ctrlC()));
      assertOneSignal(exits, "SIGINT", 130);
    },
  });

  Deno.test({
    name:
      `pty: SIGTERM to the process group under ${runner} is one SIGTERM (${RUNS} runs, none forced)`,
    ignore: !cmd,
    fn: async () => {
      const exits = await many(
        RUNS,
        () => session(cmd!, (pty) => pty.terminateGroup()),
      );
      assertOneSignal(exits, "SIGTERM", 143);
    },
  });

  Deno.test({
    name:
      `pty: a second Ctrl+C 500 ms later under ${runner} still forces the exit`,
    ignore: !cmd,
    fn: async () => {
      const exit = await ctrlCTwice(cmd!);
      assertEquals(exit.code, 130, exit.output);
      assertStringIncludes(
        exit.output,
        "quiesce: SIGINT received again, forcing the exit",
      );
      assertFalse(exit.output.includes("slow stopped"), exit.output);
      assert(!exit.output.includes("shut down cleanly"), exit.output);
    },
  });
}
