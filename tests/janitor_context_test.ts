// Context propagation: a job registered from await, setTimeout,
// queueMicrotask, .then, a MessageChannel handler, an abort listener, an EventTarget
// listener or an AbortSignal.timeout listener must reach the janitor that registered the
// callback. Checked in this Deno process and in real Bun and Node 22 processes.
//
// The native outcomes are pinned too: they are the runtime facts that make bindToJanitor
// necessary (a listener triggered from janitor B lands in B; AbortSignal.timeout and Bun's
// MessagePort lose the context). If a runtime changes, this test says which fact moved.
import { assertEquals } from "@std/assert";
import { Child } from "./_child.ts";
import { commandFor, requireRuntime, type RuntimeName } from "./_runtime.ts";
import {
  type CaseOutcome,
  CASES,
  type Reached,
  runContextCases,
} from "./fixtures/janitor/context_cases.ts";

const FIXTURE =
  new URL("./fixtures/janitor/context.ts", import.meta.url).pathname;
// At top level: in CI a missing runtime throws here and fails the suite.
const BINARIES: Record<"bun" | "node", string | undefined> = {
  bun: requireRuntime("bun"),
  node: requireRuntime("node"),
};

const KEEPS_CONTEXT = ["await", "setTimeout", "queueMicrotask", ".then"];

/** Where an unbound callback's job lands, per runtime (the channel is created in A). */
const NATIVE: Record<RuntimeName, Record<string, Reached>> = {
  deno: {
    "MessageChannel handler": "A", // the handler's registration context
    "abort listener": "B", // the aborter's context
    "EventTarget listener": "B", // the dispatcher's context
    "AbortSignal.timeout listener": "none",
  },
  bun: {
    "MessageChannel handler": "none",
    "abort listener": "B",
    "EventTarget listener": "B",
    "AbortSignal.timeout listener": "none",
  },
  node: {
    "MessageChannel handler": "A", // the port's creation context
    "abort listener": "B",
    "EventTarget listener": "B",
    "AbortSignal.timeout listener": "A", // the timer's creation context
  },
};

function expected(runtime: RuntimeName): Record<string, CaseOutcome> {
  const outcomes: Record<string, CaseOutcome> = {};
  for (const { name } of CASES) {
    outcomes[name] = {
      native: KEEPS_CONTEXT.includes(name) ? "A" : NATIVE[runtime][name]!,
      bound: "A",
      boundAwaitedByA: true,
    };
  }
  return outcomes;
}

Deno.test("janitor context on Deno: await, timers, microtasks and .then keep it; bound listeners reach the registering janitor and are awaited", async () => {
  assertEquals(await runContextCases(), expected("deno"));
});

for (const runtime of ["bun", "node"] as const) {
  Deno.test({
    name:
      `janitor context on ${runtime} (real process): await, timers, microtasks and .then keep it; bound listeners reach the registering janitor and are awaited`,
    ignore: BINARIES[runtime] === undefined,
    async fn() {
      await using child = Child.start(
        commandFor(runtime, BINARIES[runtime]!, FIXTURE),
      );
      const exit = await child.exit(30_000);
      assertEquals(exit.code, 0, exit.stderr);
      assertEquals(JSON.parse(exit.lines.at(-1)!), expected(runtime));
    },
  });
}
