// The ./deno and ./bun signal adapters: listeners really added and really removed (in real
// processes, with real signals), the inherited "ignore SIGINT" handling, no-op sources where
// the host has no signals, and bad input.
import { assert, assertEquals, assertFalse, assertThrows } from "@std/assert";
import { denoSignals } from "../src/deno.ts";
import { processSignals } from "../src/process.ts";
import type { ShutdownTrigger, SignalSource } from "../mod.ts";
import { Child, type ChildOptions, signalCode } from "./_child.ts";
import { commandFor, requireRuntime, type RuntimeName } from "./_runtime.ts";

const ADAPTER = new URL("./fixtures/signals/adapter.ts", import.meta.url)
  .pathname;
const IDLE = new URL("./fixtures/signals/idle.ts", import.meta.url).pathname;
// At top level: in CI a missing runtime throws here and fails the suite.
const BINARIES: Record<RuntimeName, string | undefined> = {
  deno: requireRuntime("deno"),
  bun: requireRuntime("bun"),
  node: requireRuntime("node"),
};

type OsName = "SIGINT" | "SIGTERM" | "SIGHUP";

function start(
  runtime: RuntimeName,
  script: string,
  args: string[],
  options?: ChildOptions,
): Child {
  return Child.start(
    [...commandFor(runtime, BINARIES[runtime]!, script), ...args],
    options,
  );
}

function counts(runtime: RuntimeName, n: number, hup = 0): string {
  return runtime === "deno" ? "n/a" : `SIGINT=${n} SIGTERM=${n} SIGHUP=${hup}`;
}

// Which adapter runs where: denoSignals on Deno; processSignals on Bun, Node, and Deno's
// `process` shim.
const CELLS: Array<[adapter: "deno" | "process", RuntimeName, OsName]> = [
  ["deno", "deno", "SIGINT"],
  ["deno", "deno", "SIGTERM"],
  ["deno", "deno", "SIGHUP"],
  ["process", "bun", "SIGINT"],
  ["process", "bun", "SIGTERM"],
  ["process", "bun", "SIGHUP"],
  ["process", "node", "SIGINT"],
  ["process", "node", "SIGTERM"],
  ["process", "deno", "SIGINT"],
];

for (const [adapter, runtime, signal] of CELLS) {
  const name = adapter === "deno" ? "denoSignals" : "processSignals";
  Deno.test({
    name:
      `${name} on ${runtime}: ${signal} is reported, the remover restores the default (${
        signalCode(signal)
      })`,
    ignore: BINARIES[runtime] === undefined,
    async fn() {
      await using child = start(runtime, ADAPTER, [
        adapter,
        "remove",
        "hangup",
      ]);
      assertEquals(await child.waitFor(/^ready /), `ready ${child.pid}`);
      const exit = await child.signalTwice(signal);
      assertEquals(exit.lines.slice(1), [
        `listeners before: ${counts(runtime, 0)}`,
        `listeners installed: ${counts(runtime, 1, 1)}`,
        `ready ${child.pid}`,
        `got ${signal} #1`,
        `listeners after: ${counts(runtime, 0)}`,
        "waiting for another signal",
      ]);
      assertEquals(exit.signal, signal);
      assertEquals(exit.code, signalCode(signal));
    },
  });
}

for (
  const [adapter, runtime] of [["deno", "deno"], ["process", "bun"]] as const
) {
  Deno.test({
    name:
      `${adapter} adapter on ${runtime} (control): without the remover a second SIGINT is swallowed`,
    ignore: BINARIES[runtime] === undefined,
    async fn() {
      // Proves that dying of the second signal above really measures removal.
      await using child = start(runtime, ADAPTER, [adapter, "keep"]);
      await child.waitFor(/^ready /);
      child.kill("SIGINT");
      await child.waitFor("got SIGINT #1");
      child.kill("SIGINT");
      await child.waitFor("got SIGINT #2");
    },
  });
}

for (
  const [adapter, runtime] of [["deno", "deno"], ["process", "bun"], [
    "process",
    "node",
  ]] as const
) {
  Deno.test({
    name:
      `runtime fact: ${adapter} adapter listeners alone do not keep ${runtime} alive`,
    ignore: BINARIES[runtime] === undefined,
    async fn() {
      // Why main() holds the event loop open itself while it waits and drains.
      await using child = start(runtime, ADAPTER, [adapter, "alone"]);
      const exit = await child.exit(15_000);
      assertEquals([exit.code, exit.signal], [0, null]);
      assertEquals(exit.lines.at(-1), `ready ${child.pid}`);
    },
  });
}

// What each runtime does, with no listener at all, with an inherited "ignore SIGINT"
// (`env --ignore-signal=INT`, as a script without job control starts a background job).
Deno.test({
  name: 'runtime fact: bun keeps an inherited "ignore SIGINT"',
  ignore: BINARIES.bun === undefined,
  async fn() {
    await using child = start("bun", IDLE, [], { ignore: ["INT"] });
    await child.waitFor(/^ready /);
    assert(child.ignores("SIGINT"), "the inherited ignore is gone");
    child.kill("SIGINT");
    // The kernel discards an ignored signal when it is sent, so a process that was going to
    // die would be gone long before five more ticks.
    const ticks = child.stdout.split("\n").filter((l) => l === "tick").length;
    await child.waitFor(/^tick$/, { count: ticks + 5, timeout: 15_000 });
    assert(child.ignores("SIGINT"));
  },
});

Deno.test({
  name: 'runtime fact: node resets an inherited "ignore SIGINT" at startup',
  ignore: BINARIES.node === undefined,
  async fn() {
    await using child = start("node", IDLE, [], { ignore: ["INT"] });
    await child.waitFor(/^ready /);
    assertFalse(child.ignores("SIGINT"));
    child.kill("SIGINT");
    const exit = await child.exit(15_000);
    assertEquals([exit.signal, exit.code], ["SIGINT", 130]);
  },
});

Deno.test({
  name:
    'runtime fact: deno keeps an inherited "ignore SIGINT" only until its own handler is in (~0.5 s)',
  ignore: BINARIES.deno === undefined,
  async fn() {
    // Measured on Deno 2.9.6: about half a second after start Deno installs handlers for
    // SIGHUP, SIGINT, SIGTERM and SIGUSR1 by itself; an unhandled SIGINT then ends it as if by
    // the default action. Before that, SIGINT is ignored as inherited.
    await using child = start("deno", IDLE, [], { ignore: ["INT"] });
    await child.waitFor(/^ready /);
    for (let i = 0; i < 100 && child.ignores("SIGINT"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assertFalse(child.ignores("SIGINT"), "still ignored after 10 s");
    assert(child.catches("SIGINT"));
    child.kill("SIGINT");
    const exit = await child.exit(15_000);
    assertEquals([exit.signal, exit.code], ["SIGINT", 130]);
  },
});

// The handling: while an adapter's listener is installed it replaces the inherited ignore
// (the program shuts down gracefully on SIGINT, as under Node), and after the remover ran
// the default action is back, not the ignore. Without the listener, the runtime fact above
// holds: the same SIGINT would do nothing at all.
for (
  const [adapter, runtime] of [["deno", "deno"], ["process", "bun"]] as const
) {
  Deno.test({
    name:
      `${adapter} adapter on ${runtime} overrides an inherited "ignore SIGINT", then restores the default`,
    ignore: BINARIES[runtime] === undefined,
    async fn() {
      await using child = start(runtime, ADAPTER, [adapter, "remove"], {
        ignore: ["INT"],
      });
      // Precondition, read by the process itself before any listener existed.
      const mask = BigInt(
        `0x${(await child.waitFor(/^sigign at start /)).split(" ").pop()}`,
      );
      assert((mask & 2n) !== 0n, `SIGINT was not ignored at start (${mask})`);
      await child.waitFor(/^ready /);
      const exit = await child.signalTwice("SIGINT");
      assertEquals(exit.lines.slice(-3, -1), [
        "got SIGINT #1",
        `listeners after: ${counts(runtime, 0)}`,
      ]);
      assertEquals([exit.signal, exit.code], ["SIGINT", 130]);
    },
  });
}

const ADAPTERS: Array<[string, (options?: never) => SignalSource]> = [
  ["denoSignals", denoSignals as (options?: never) => SignalSource],
  ["processSignals", processSignals as (options?: never) => SignalSource],
];

for (const [name, make] of ADAPTERS) {
  Deno.test(`${name} refuses bad input with a TypeError naming the argument`, () => {
    const bad: Array<[unknown, string]> = [
      [5, "Cannot use options: expected an options object"],
      [null, "Cannot use options: expected an options object"],
      [{ signals: "SIGINT" }, "Cannot use options.signals: expected an array"],
      [{ signals: ["SIGKILL"] }, 'the string "SIGKILL" is not one of'],
      [{ signals: ["SIGUSR1"] }, "Cannot use options.signals"],
      [{ signals: [2] }, "Cannot use options.signals: number 2"],
      [{ hangup: true }, 'unknown option "hangup"'],
    ];
    for (const [options, message] of bad) {
      assertThrows(() => make(options as never), TypeError, message);
    }
    const source = make();
    assertThrows(
      () => source("SIGINT" as never),
      TypeError,
      "Cannot use onSignal: expected a function",
    );
  });
}

/** Runs `fn` with `globalThis[key]` hidden, as on a host without it. */
function without(key: "Deno" | "process", fn: () => void): void {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, key)!;
  Object.defineProperty(globalThis, key, {
    value: undefined,
    configurable: true,
  });
  try {
    fn();
  } finally {
    Object.defineProperty(globalThis, key, descriptor);
  }
}

Deno.test("adapters are no-op sources where their host API is missing", () => {
  const seen: ShutdownTrigger[] = [];
  without("Deno", () => {
    const remove = denoSignals({ signals: ["SIGINT", "SIGHUP"] })((s) =>
      seen.push(s)
    );
    remove();
    remove();
  });
  without("process", () => {
    const remove = processSignals({ signals: ["SIGINT", "SIGHUP"] })((s) =>
      seen.push(s)
    );
    remove();
    remove();
  });
  assertEquals(seen, []);
  assertEquals(typeof Deno.addSignalListener, "function"); // restored
});

Deno.test("processSignals adds and removes exactly its own process listeners", () => {
  // Deno's `process` shim has listenerCount: count directly, in this process.
  const process = (globalThis as unknown as {
    process: { listenerCount(name: string): number };
  }).process;
  const count = () =>
    ["SIGINT", "SIGTERM", "SIGHUP"].map((s) => process.listenerCount(s));
  const before = count();
  const first = processSignals()(() => {});
  const second = processSignals({ signals: ["SIGTERM", "SIGHUP"] })(
    () => {},
  );
  assertEquals(count(), [before[0]! + 1, before[1]! + 2, before[2]! + 1]);
  first();
  assertEquals(count(), [before[0]!, before[1]! + 1, before[2]! + 1]);
  first(); // idempotent: must not remove the other source's listener
  assertEquals(count(), [before[0]!, before[1]! + 1, before[2]! + 1]);
  second();
  assertEquals(count(), before);
});
