// Janitor scopes: nested janitors,
// ensureJanitor reuse, concurrent janitors that never see each other's jobs, and the link
// to an outside signal, including that its listener is removed when the janitor ends.
import {
  assert,
  assertEquals,
  assertFalse,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import {
  bindToJanitor,
  ensureJanitor,
  enterJanitor,
  hasActiveJanitor,
  spawnDaemon,
  tryEnsureJanitor,
} from "@quiesce/quiesce/janitor";
import { countedSignal } from "./_counted_signal.ts";
import { pause, unhandledDuring } from "./fixtures/janitor/_helpers.ts";

// Nesting.

Deno.test("nested enterJanitor: jobs inside belong to the inner janitor, which the outer waits for as part of its callee", async () => {
  const log: string[] = [];
  let outerSignal: AbortSignal | undefined;
  let innerJobSignal: AbortSignal | undefined;
  await enterJanitor(async (signal) => {
    outerSignal = signal;
    spawnDaemon(async () => {
      await pause(20);
      log.push("outer job done");
    });
    await enterJanitor((inner) => {
      spawnDaemon(async (signal) => {
        innerJobSignal = signal;
        assertStrictEquals(signal, inner);
        await pause(5);
        log.push("inner job done");
      });
    });
    log.push("inner janitor resolved");
  });
  log.push("outer janitor resolved");
  assert(
    innerJobSignal !== outerSignal,
    "the inner janitor has its own signal",
  );
  assertEquals(log, [
    "inner job done",
    "inner janitor resolved",
    "outer job done",
    "outer janitor resolved",
  ]);
});

Deno.test("nested: an inner job failure rejects the inner enterJanitor only; the outer and its jobs carry on", async () => {
  const failure = new Error("inner job");
  let outerJobAborted: boolean | undefined;
  const result = await enterJanitor(async () => {
    spawnDaemon(async (signal) => {
      await pause(10);
      outerJobAborted = signal.aborted;
    });
    const error = await assertRejects(() =>
      enterJanitor(() => spawnDaemon(() => Promise.reject(failure)))
    );
    assertStrictEquals(error, failure);
    assert(hasActiveJanitor(), "the outer janitor still accepts jobs");
    return "outer ok";
  });
  assertEquals(result, "outer ok");
  assertEquals(outerJobAborted, false);
});

Deno.test("nested: when the outer janitor aborts, the inner janitor's jobs see it", async () => {
  const outside = new AbortController();
  let innerReason: unknown;
  await enterJanitor(async () => {
    await enterJanitor(() => {
      spawnDaemon(async (signal) => {
        await new Promise((resolve) =>
          signal.addEventListener("abort", resolve)
        );
        innerReason = signal.reason;
      });
      outside.abort("stop everything");
    });
  }, { signal: outside.signal });
  assertEquals(innerReason, "stop everything");
});

Deno.test("nested: an inner janitor that ended is unlinked, so a later outer abort leaves its signal alone", async () => {
  const outside = new AbortController();
  let innerSignal: AbortSignal | undefined;
  let outerSignal: AbortSignal | undefined;
  await enterJanitor(async (signal) => {
    outerSignal = signal;
    await enterJanitor((inner) => void (innerSignal = inner));
    outside.abort("late");
  }, { signal: outside.signal });
  assertEquals(outerSignal?.aborted, true);
  assertEquals(innerSignal?.aborted, false);
});

Deno.test("ensureJanitor inside a janitor reuses it: same signal, resolves before the jobs, which the outer waits for", async () => {
  const log: string[] = [];
  await enterJanitor(async (outer) => {
    const value = await ensureJanitor((signal) => {
      assertStrictEquals(signal, outer);
      spawnDaemon(async () => {
        await pause(5);
        log.push("job done");
      });
      return "inner value";
    });
    log.push(`ensureJanitor resolved with ${value}`);
  });
  assertEquals(log, ["ensureJanitor resolved with inner value", "job done"]);
});

Deno.test("ensureJanitor inside a janitor that no longer accepts jobs enters a new one that waits for its jobs", async () => {
  const log: string[] = [];
  const lateWork = Promise.withResolvers<void>();
  await enterJanitor(() => {
    spawnDaemon(async () => {
      await pause(1); // the callee has settled by now
      assertFalse(hasActiveJanitor());
      await ensureJanitor(() => {
        spawnDaemon(async () => {
          await pause(5);
          log.push("late job done");
        });
      });
      log.push("ensureJanitor resolved");
      lateWork.resolve();
    });
  });
  await lateWork.promise;
  assertEquals(log, ["late job done", "ensureJanitor resolved"]);
});

Deno.test("ensureJanitor reuse still checks its arguments and passes fn's rejection through", async () => {
  await enterJanitor(async () => {
    assertThrows(
      () => ensureJanitor(42 as never),
      TypeError,
      "Cannot use fn: expected a function, got number 42",
    );
    assertThrows(
      () => tryEnsureJanitor(() => {}, { timeout: 1 } as never),
      TypeError,
      'unknown option "timeout"',
    );
    const failure = new Error("callee");
    const error = await assertRejects(() =>
      ensureJanitor(() => {
        throw failure;
      })
    );
    assertStrictEquals(error, failure);
  });
});

// Concurrency.

Deno.test("two concurrent janitors never see each other's jobs, failures or waits", async () => {
  const log: string[] = [];
  const failure = new Error("request b failed");
  const signals: Record<string, AbortSignal> = {};
  const request = (name: string, fail: boolean, ms: number) =>
    enterJanitor(async (own) => {
      signals[name] = own;
      await pause(1);
      spawnDaemon(async (signal) => {
        assertStrictEquals(signal, own);
        await pause(ms);
        log.push(`${name} job done, aborted=${signal.aborted}`);
        if (fail) throw failure;
      });
      await pause(1);
      log.push(`${name} callee done`);
      return name;
    });
  const [a, b] = await Promise.allSettled([
    request("a", false, 30),
    request("b", true, 5),
  ]);
  assertEquals(a, { status: "fulfilled", value: "a" });
  assertEquals(b, { status: "rejected", reason: failure });
  assertEquals(signals.a?.aborted, false, "b's failure did not abort a");
  assertEquals(log, [
    "a callee done",
    "b callee done",
    "b job done, aborted=false",
    "a job done, aborted=false",
  ]);
});

Deno.test("1,000 concurrent janitors each wait for exactly their own jobs", async () => {
  const counts = new Map<number, number>();
  await Promise.all(
    Array.from({ length: 1_000 }, (_, id) =>
      enterJanitor(async () => {
        for (let i = 0; i < 3; i++) {
          await pause(0);
          spawnDaemon(async () => {
            await pause(0);
            counts.set(id, (counts.get(id) ?? 0) + 1);
          });
        }
      }).then(() => assertEquals(counts.get(id), 3, `janitor ${id}`))),
  );
});

// options.signal.

Deno.test("options.signal: its abort reaches every job's signal, and the janitor still waits for them", async () => {
  const outside = new AbortController();
  const stopped: string[] = [];
  const result = await enterJanitor(() => {
    for (const name of ["a", "b"]) {
      spawnDaemon(async (signal) => {
        await new Promise((resolve) =>
          signal.addEventListener("abort", resolve)
        );
        await pause(name === "a" ? 10 : 1); // finish the unit in hand
        stopped.push(`${name}: ${signal.reason}`);
      });
    }
    setTimeout(() => outside.abort("shutting down"), 1);
    return "callee";
  }, { signal: outside.signal });
  assertEquals(result, "callee");
  assertEquals(stopped, ["b: shutting down", "a: shutting down"]);
});

Deno.test("options.signal: jobs that reject with the abort reason count as cancelled, so the others are still awaited", async () => {
  const outside = new AbortController();
  let slowFinished = false;
  const unhandled = await unhandledDuring(async () => {
    await enterJanitor(() => {
      spawnDaemon((signal) =>
        new Promise((_, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason))
        )
      );
      spawnDaemon(async (signal) => {
        await new Promise((resolve) =>
          signal.addEventListener("abort", resolve)
        );
        await pause(10);
        slowFinished = true;
      });
      outside.abort();
    }, { signal: outside.signal });
  });
  assert(slowFinished, "the janitor waited for the slow job");
  assertEquals(unhandled, []);
});

Deno.test("options.signal already aborted: the callee and jobs start with an aborted signal carrying its reason", async () => {
  const reasons: unknown[] = [];
  await enterJanitor((signal) => {
    reasons.push(signal.reason);
    spawnDaemon((signal) => void reasons.push(signal.reason));
  }, { signal: AbortSignal.abort("gone") });
  assertEquals(reasons, ["gone", "gone"]);
});

Deno.test("options.signal: the janitor's abort listener is removed when it ends, cleanly or failed, and a later abort reaches nothing", async () => {
  for (const fails of [false, true]) {
    const { controller, live } = countedSignal();
    let jobSignal: AbortSignal | undefined;
    const run = enterJanitor(async () => {
      assertEquals(live(), 1, "linked while running");
      spawnDaemon(async (signal) => {
        jobSignal = signal;
        await pause(1);
        if (fails) throw new Error("job");
      });
      await pause(5);
    }, { signal: controller.signal });
    if (fails) await assertRejects(() => run);
    else await run;
    assertEquals(live(), 0, `listener left behind (fails=${fails})`);
    const abortedBefore = jobSignal!.aborted;
    controller.abort("after the end");
    assertEquals(jobSignal!.aborted, abortedBefore);
    assert(jobSignal!.reason !== "after the end");
  }
});

Deno.test("bad options add no listener to the outside signal", () => {
  const { controller, live } = countedSignal();
  assertThrows(
    () =>
      enterJanitor(() => {}, {
        signal: controller.signal,
        signals: [],
      } as never),
    TypeError,
    'unknown option "signals"; did you mean "signal"?',
  );
  assertEquals(live(), 0);
});

Deno.test("bindToJanitor checks its argument, keeps this and arguments, and binds 'no janitor' outside one", async () => {
  assertThrows(
    () => bindToJanitor(null as never),
    TypeError,
    "Cannot use fn: expected a function, got null",
  );
  const outsideBound = bindToJanitor(() => hasActiveJanitor());
  const target = { factor: 3 };
  let insideBound:
    | ((this: { factor: number }, n: number) => [number, boolean])
    | undefined;
  let fromInside: boolean | undefined;
  await enterJanitor(() => {
    insideBound = bindToJanitor(function (this: { factor: number }, n: number) {
      return [this.factor * n, hasActiveJanitor()] as [number, boolean];
    });
    fromInside = outsideBound();
    assertEquals(insideBound.call(target, 2), [6, true]);
  });
  assertEquals(fromInside, false, "bound outside: no janitor, even inside one");
});
