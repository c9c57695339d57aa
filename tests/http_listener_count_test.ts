// How the listener stopper asks a listener's counter of closed connections
// (src/http/_listener_stop.ts): just before the stop, waiting for an asynchronous count
// (a /proc read) at most COUNT_WAIT_MS; a counter that throws or rejects is reported and
// never holds the stop.
import { assert, assertEquals } from "@std/assert";
import {
  COUNT_WAIT_MS,
  ListenerStop,
  type ListenerStopHooks,
} from "../src/http/_listener_stop.ts";
import {
  type ClosedConnections,
  type ClosedCounter,
  noneClosed,
} from "../src/http/_closed_connections.ts";

function stopper(counter: ClosedCounter) {
  const seen = { closed: [] as ClosedConnections[], failed: [] as unknown[] };
  const hooks: ListenerStopHooks = {
    linger: 0,
    idleGrace: 60_000,
    readingBodies: () => false,
    whenIdle: () => new Promise(() => {}), // never idle: no idle-grace close here
    stalled: () => false,
    fail: (error) => void seen.failed.push(error),
    accounted: () => 0,
    busyPorts: () => new Set(),
    closed: (counts) => void seen.closed.push(counts),
  };
  const stops = new ListenerStop(hooks);
  let stoppedAt: number | undefined;
  stops.add({ stop: () => void (stoppedAt = performance.now()) }, counter);
  const began = performance.now();
  stops.stopAll(began);
  return {
    seen,
    stopped: async () => {
      await stops.settled();
      return stoppedAt! - began;
    },
  };
}

const one = (): ClosedConnections => ({ ...noneClosed(), unsorted: 1 });

Deno.test("listener count: an asynchronous count is in before the stop, and reaches the closed hook", async () => {
  const moments: string[] = [];
  const { seen, stopped } = stopper(async (_busy, moment) => {
    moments.push(moment);
    await new Promise((resolve) => setTimeout(resolve, 50));
    return one();
  });
  const ms = await stopped();
  assert(ms >= 45, `stopped after ${ms} ms, before the count`);
  assertEquals(moments, ["stop"]);
  assertEquals(seen.closed, [one()]);
  assertEquals(seen.failed, []);
});

Deno.test("listener count: a count that never answers holds the stop only COUNT_WAIT_MS", async () => {
  const { seen, stopped } = stopper(() => new Promise(() => {}));
  const ms = await stopped();
  assert(
    ms >= COUNT_WAIT_MS - 50 && ms < COUNT_WAIT_MS + 2_000,
    `stopped after ${ms} ms`,
  );
  assertEquals(seen.closed, []);
});

Deno.test("listener count: a counter that throws or rejects is reported, and the stop goes on at once", async () => {
  for (
    const counter of [
      () => {
        throw new Error("boom");
      },
      () => Promise.reject(new Error("boom")),
    ] as ClosedCounter[]
  ) {
    const { seen, stopped } = stopper(counter);
    const ms = await stopped();
    assert(ms < 500, `stopped after ${ms} ms`);
    assertEquals(seen.failed.map((e) => (e as Error).message), ["boom"]);
    assertEquals(seen.closed, []);
  }
});
