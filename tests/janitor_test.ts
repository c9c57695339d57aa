// The janitor's contract: waiting for the callee and every job, fail-fast on the
// first job failure, refusing jobs after the callee settled, hasActiveJanitor, both-failed
// errors, the never-rejecting `try` variants and bad input. Nesting, concurrency and the
// outside signal are in janitor_scopes_test.ts; context propagation in
// janitor_context_test.ts.
import {
  assert,
  assertEquals,
  assertFalse,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import {
  CalleeAndJanitorFailedError,
  enterJanitor,
  hasActiveJanitor,
  JanitorTerminatingError,
  NoActiveJanitorError,
  spawnCleanupJob,
  spawnDaemon,
  tryEnsureJanitor,
  tryEnterJanitor,
  trySpawnCleanupJob,
  trySpawnDaemon,
} from "@quiesce/quiesce/janitor";
import { pause, settle, unhandledDuring } from "./fixtures/janitor/_helpers.ts";

Deno.test("enterJanitor resolves with fn's result only after every job registered while fn ran", async () => {
  const finished: string[] = [];
  // The slow job outlasts the other by waiting for it: an order that no timer delay on a
  // loaded machine can swap.
  const lateJobDone = Promise.withResolvers<void>();
  const result = await enterJanitor(async () => {
    spawnDaemon(async () => {
      await lateJobDone.promise;
      await pause(5);
      finished.push("slow job");
    });
    await pause(1);
    spawnCleanupJob(async () => {
      await pause(5);
      finished.push("late-registered job");
      lateJobDone.resolve();
    });
    finished.push("callee");
    return 42;
  });
  assertEquals(result, 42);
  assertEquals(finished, ["callee", "late-registered job", "slow job"]);
});

Deno.test("deep code registers jobs without being handed anything (no function colouring)", async () => {
  const audit: string[] = [];
  const level3 = (n: number) =>
    spawnCleanupJob(async () => {
      await pause(1);
      audit.push(`wrote ${n}`);
    });
  const level2 = async (n: number) => {
    await pause(1);
    level3(n);
  };
  const level1 = (n: number) => Promise.all([level2(n), level2(n + 1)]);
  await enterJanitor(() => level1(1));
  assertEquals(audit.sort(), ["wrote 1", "wrote 2"]);
});

Deno.test("jobs start synchronously when registered and get the janitor's signal, the same the callee gets", async () => {
  const steps: string[] = [];
  let jobSignal = undefined as AbortSignal | undefined;
  let calleeSignal = undefined as AbortSignal | undefined;
  await enterJanitor((signal) => {
    calleeSignal = signal;
    spawnDaemon((signal) => {
      jobSignal = signal;
      steps.push("job started");
    });
    steps.push("after spawnDaemon");
  });
  assertEquals(steps, ["job started", "after spawnDaemon"]);
  assert(jobSignal instanceof AbortSignal);
  assertFalse(jobSignal.aborted, "a janitor that ended cleanly aborts nothing");
  assertStrictEquals(jobSignal, calleeSignal);
});

Deno.test("a job registered from another job while the callee runs is awaited", async () => {
  const done: string[] = [];
  const calleeMayEnd = Promise.withResolvers<void>();
  await enterJanitor(async () => {
    spawnDaemon(async () => {
      await pause(1);
      spawnDaemon(async () => {
        await pause(10);
        done.push("grandchild job");
      });
      calleeMayEnd.resolve();
    });
    await calleeMayEnd.promise;
  });
  assertEquals(done, ["grandchild job"]);
});

Deno.test("spawnCleanupJob is spawnDaemon and trySpawnCleanupJob is trySpawnDaemon (one function, two names)", () => {
  assertStrictEquals(spawnCleanupJob, spawnDaemon);
  assertStrictEquals(trySpawnCleanupJob, trySpawnDaemon);
});

Deno.test("without a janitor: spawnDaemon throws NoActiveJanitorError, trySpawnDaemon returns it, the job never runs", () => {
  let ran = false;
  assertThrows(() => spawnDaemon(() => (ran = true)), NoActiveJanitorError);
  assertInstanceOf(trySpawnDaemon(() => (ran = true)), NoActiveJanitorError);
  assertFalse(ran);
  assertFalse(hasActiveJanitor());
});

Deno.test("trySpawnDaemon returns undefined when the job was registered", async () => {
  let outcome: unknown = "not called";
  let ran = false;
  await enterJanitor(() => {
    outcome = trySpawnDaemon(() => void (ran = true));
  });
  assertStrictEquals(outcome, undefined);
  assert(ran);
});

// Semantics 1: fail fast.

Deno.test("the first failing job ends the janitor at once: enterJanitor rejects with it while another job still runs", async () => {
  const failure = new Error("job failed");
  const other = Promise.withResolvers<void>();
  let otherSettled = false;
  const reasons = await unhandledDuring(async () => {
    const error = await assertRejects(() =>
      enterJanitor(() => {
        spawnDaemon(() => other.promise.finally(() => (otherSettled = true)));
        spawnDaemon(async () => {
          await pause(1);
          throw failure;
        });
      })
    );
    assertStrictEquals(error, failure);
    assertFalse(otherSettled, "did not wait for the other job");
    // Its later failure is observed, not an unhandled rejection.
    other.reject(new Error("the other job failed later"));
  });
  assertEquals(reasons, []);
  assert(otherSettled);
});

Deno.test("a job failure aborts every other job's signal and the callee's with that failure as the reason", async () => {
  const failure = new Error("boom");
  const reasons: unknown[] = [];
  const unhandled = await unhandledDuring(async () => {
    await assertRejects(() =>
      enterJanitor(async (calleeSignal) => {
        for (let i = 0; i < 3; i++) {
          spawnDaemon((signal) =>
            new Promise((_, reject) =>
              signal.addEventListener("abort", () => {
                reasons.push(signal.reason);
                reject(new Error(`job ${i} gave up`)); // observed, not unhandled
              })
            )
          );
        }
        spawnDaemon(() => Promise.reject(failure));
        await new Promise((resolve) =>
          calleeSignal.addEventListener("abort", resolve)
        );
        reasons.push(calleeSignal.reason);
      })
    );
  });
  assertEquals(unhandled, []);
  assertEquals(reasons.length, 4);
  for (const reason of reasons) assertStrictEquals(reason, failure);
});

Deno.test("a job that throws synchronously fails the janitor like a rejection", async () => {
  const failure = new TypeError("sync throw");
  const error = await assertRejects(() =>
    enterJanitor(() => {
      spawnDaemon(() => {
        throw failure;
      });
    })
  );
  assertStrictEquals(error, failure);
});

Deno.test("after a job failed the janitor refuses new jobs and hasActiveJanitor() is false, while the callee still runs", async () => {
  let refusal: unknown;
  let active: boolean | undefined;
  let lateRan = false;
  await assertRejects(
    () =>
      enterJanitor(async () => {
        spawnDaemon(() => Promise.reject(new Error("first")));
        await pause(1);
        active = hasActiveJanitor();
        refusal = trySpawnDaemon(() => void (lateRan = true));
      }),
    Error,
    "first",
  );
  assertEquals(active, false);
  assertInstanceOf(refusal, JanitorTerminatingError);
  assertFalse(lateRan, "a refused job is never started");
});

Deno.test("after a job failure enterJanitor still waits for the callee (not for the other jobs)", async () => {
  const order: string[] = [];
  await assertRejects(() =>
    enterJanitor(async (signal) => {
      spawnDaemon(() => Promise.reject(new Error("job")));
      spawnDaemon(() => new Promise(() => {})); // never settles, never waited for
      await pause(10);
      order.push(`callee saw abort: ${signal.aborted}`);
    }).finally(() => order.push("rejected"))
  );
  assertEquals(order, ["callee saw abort: true", "rejected"]);
});

// Semantics 2: jobs after the callee settled are refused.

Deno.test("jobs registered after fn settled are refused with JanitorTerminatingError: from a timer fn left behind", async () => {
  let refusal: unknown;
  let ran = false;
  await enterJanitor(() => {
    setTimeout(() => (refusal = trySpawnDaemon(() => void (ran = true))), 1);
  });
  await pause(5);
  assertInstanceOf(refusal, JanitorTerminatingError);
  assertFalse(ran);
});

Deno.test("jobs registered after fn settled are refused even from a job the janitor still waits for", async () => {
  let refusal: unknown;
  let ran = false;
  const calleeSettled = Promise.withResolvers<void>();
  await enterJanitor(() => {
    spawnDaemon(async () => {
      await calleeSettled.promise;
      await pause(1);
      refusal = trySpawnDaemon(() => void (ran = true));
    });
    queueMicrotask(calleeSettled.resolve);
  });
  assertInstanceOf(refusal, JanitorTerminatingError);
  assertFalse(ran);
});

Deno.test("a job that spawns after fn settled fails with JanitorTerminatingError, and the janitor with it", async () => {
  const error = await assertRejects(() =>
    enterJanitor(() => {
      spawnDaemon(async () => {
        await pause(1);
        spawnDaemon(() => {});
      });
    })
  );
  assertInstanceOf(error, JanitorTerminatingError);
});

Deno.test("hasActiveJanitor is true exactly while the ambient janitor accepts jobs (rosenpass's janitor.rs returns the inverse)", async () => {
  const seen: Array<[string, boolean]> = [];
  seen.push(["outside", hasActiveJanitor()]);
  await enterJanitor(async () => {
    seen.push(["in the callee", hasActiveJanitor()]);
    spawnDaemon(async () => {
      seen.push(["in a job while the callee runs", hasActiveJanitor()]);
      await pause(5);
      seen.push(["in a job after the callee settled", hasActiveJanitor()]);
    });
    await pause(1);
    seen.push(["after an await", hasActiveJanitor()]);
  });
  seen.push(["after enterJanitor", hasActiveJanitor()]);
  assertEquals(seen, [
    ["outside", false],
    ["in the callee", true],
    ["in a job while the callee runs", true],
    ["after an await", true],
    ["in a job after the callee settled", false],
    ["after enterJanitor", false],
  ]);
});

// Both failed.

Deno.test("callee and job both failed: CalleeAndJanitorFailedError (an AggregateError) carries both", async () => {
  const calleeError = new Error("callee");
  const jobError = new Error("job");
  const error = await assertRejects(
    () =>
      enterJanitor(async () => {
        spawnDaemon(() => Promise.reject(jobError));
        await pause(1);
        throw calleeError;
      }),
    CalleeAndJanitorFailedError,
  );
  assertInstanceOf(error, AggregateError);
  assertStrictEquals(error.calleeError, calleeError);
  assertStrictEquals(error.janitorError, jobError);
  assertEquals(error.errors, [calleeError, jobError]);
  assertEquals(error.name, "CalleeAndJanitorFailedError");
  assert(error.message.includes("callee") && error.message.includes("job"));
});

Deno.test("both failed with errors that cannot be turned into text: both are still kept, with a message that names them", async () => {
  const nullPrototype = Object.assign(Object.create(null), { code: 7 });
  const throwingMessage = new Error("hidden");
  Object.defineProperty(throwingMessage, "message", {
    get() {
      throw new TypeError("message getter failed");
    },
  });
  const throwingToString = {
    toString() {
      throw new RangeError("toString failed");
    },
  };
  const pairs: Array<[unknown, unknown]> = [
    [nullPrototype, new Error("job")],
    [new Error("callee"), nullPrototype],
    [throwingMessage, throwingToString],
    [throwingToString, throwingMessage],
  ];
  for (const [calleeError, jobError] of pairs) {
    const result = await tryEnterJanitor(async () => {
      spawnDaemon(() => Promise.reject(jobError));
      await pause(1);
      throw calleeError;
    });
    // enterJanitor's rejection, rebuilt from the same two outcomes.
    const error = await assertRejects(
      () =>
        enterJanitor(async () => {
          spawnDaemon(() => Promise.reject(jobError));
          await pause(1);
          throw calleeError;
        }),
      CalleeAndJanitorFailedError,
    );
    assertEquals(result.janitorResult, { ok: false, error: jobError });
    assertStrictEquals(error.calleeError, calleeError);
    assertStrictEquals(error.janitorError, jobError);
    assertEquals(error.errors.length, 2);
    assertStrictEquals(error.errors[0], calleeError);
    assertStrictEquals(error.errors[1], jobError);
    assert(error.message.startsWith("Both the callee and the janitor failed"));
  }
  const direct = new CalleeAndJanitorFailedError(
    nullPrototype,
    throwingMessage,
  );
  assertEquals(
    direct.message,
    "Both the callee and the janitor failed: callee: (an object that cannot be turned into text); janitor: (an instance of Error that cannot be turned into text)",
  );
});

Deno.test("a callee that rethrows the job failure it saw as its signal's reason rejects with that failure alone", async () => {
  const jobError = new Error("job");
  const error = await assertRejects(() =>
    enterJanitor(async (signal) => {
      spawnDaemon(() => Promise.reject(jobError));
      await pause(1);
      signal.throwIfAborted();
    })
  );
  assertStrictEquals(error, jobError);
});

Deno.test("a failing callee does not abort the jobs: cleanup jobs finish, then enterJanitor rejects with the callee's error", async () => {
  const calleeError = new Error("handler failed");
  const cleanup: string[] = [];
  const error = await assertRejects(() =>
    enterJanitor(() => {
      spawnCleanupJob(async (signal) => {
        await pause(10);
        cleanup.push(`flushed, aborted=${signal.aborted}`);
      });
      throw calleeError;
    })
  );
  assertStrictEquals(error, calleeError);
  assertEquals(cleanup, ["flushed, aborted=false"]);
});

// The `try` variants.

Deno.test("tryEnterJanitor never rejects: all four combinations of callee and janitor outcomes", async () => {
  const calleeError = new Error("callee");
  const jobError = new Error("job");
  const run = (calleeFails: boolean, jobFails: boolean) =>
    tryEnterJanitor(async () => {
      spawnDaemon(() => jobFails ? Promise.reject(jobError) : undefined);
      await pause(1);
      if (calleeFails) throw calleeError;
      return "value";
    });
  assertEquals(await run(false, false), {
    janitorResult: { ok: true, value: undefined },
    calleeResult: { ok: true, value: "value" },
  });
  assertEquals(await run(false, true), {
    janitorResult: { ok: false, error: jobError },
    calleeResult: { ok: true, value: "value" },
  });
  assertEquals(await run(true, false), {
    janitorResult: { ok: true, value: undefined },
    calleeResult: { ok: false, error: calleeError },
  });
  assertEquals(await run(true, true), {
    janitorResult: { ok: false, error: jobError },
    calleeResult: { ok: false, error: calleeError },
  });
});

Deno.test("tryEnsureJanitor: janitorResult is undefined when the ambient janitor was reused, a result when a new one was entered", async () => {
  const jobError = new Error("job");
  const fresh = await tryEnsureJanitor(() => {
    spawnDaemon(() => Promise.reject(jobError));
    return 1;
  });
  assertEquals(fresh, {
    janitorResult: { ok: false, error: jobError },
    calleeResult: { ok: true, value: 1 },
  });
  const calleeError = new Error("callee");
  const reused = await enterJanitor(() =>
    tryEnsureJanitor(() => {
      throw calleeError;
    })
  );
  assertEquals(reused, {
    janitorResult: undefined,
    calleeResult: { ok: false, error: calleeError },
  });
});

// Bad input.

Deno.test("bad input throws a TypeError naming the argument, synchronously, and calls nothing", async () => {
  const entries = { enterJanitor, tryEnterJanitor, tryEnsureJanitor };
  for (const [name, entry] of Object.entries(entries)) {
    assertThrows(
      () => entry(1 as never),
      TypeError,
      "Cannot use fn: expected a function, got number 1",
      name,
    );
    let called = false;
    const fn = () => void (called = true);
    assertThrows(
      () => entry(fn, { sigal: undefined } as never),
      TypeError,
      'unknown option "sigal"; did you mean "signal"?',
    );
    assertThrows(
      () => entry(fn, null as never),
      TypeError,
      "Cannot use options: expected an options object, got null",
    );
    assertThrows(
      () => entry(fn, { signal: "soon" as never }),
      TypeError,
      'Cannot use options.signal: expected an AbortSignal, got the string "soon"',
    );
    assertFalse(called, `${name} called fn despite bad input`);
  }
  assertThrows(
    () => spawnDaemon("job" as never),
    TypeError,
    'Cannot use fn: expected a function, got the string "job"',
  );
  assertThrows(
    () => trySpawnDaemon(undefined as never),
    TypeError,
    "Cannot use fn: expected a function, got undefined",
  );
  await settle();
});

Deno.test("bad input inside a janitor registers nothing: the janitor ends as soon as the callee does", async () => {
  let thrown: unknown;
  const started = performance.now();
  await enterJanitor(() => {
    try {
      spawnDaemon({ then() {} } as never);
    } catch (error) {
      thrown = error;
    }
  });
  assertInstanceOf(thrown, TypeError);
  assertEquals(
    (thrown as TypeError).message,
    "Cannot use fn: expected a function, got an instance of Object",
  );
  // Had the thenable been registered, the janitor would wait for it forever.
  assert(performance.now() - started < 1_000);
});

Deno.test("no unhandled rejection on any failure path: late job failures, both failed, try variants, refusals inside jobs", async () => {
  const unhandled = await unhandledDuring(async () => {
    const late = Promise.withResolvers<void>();
    await enterJanitor(() => {
      spawnDaemon(() => Promise.reject(new Error("first")));
      spawnDaemon(() => late.promise);
    }).catch(() => {});
    late.reject(new Error("second, after the janitor ended"));

    await enterJanitor(() => {
      spawnDaemon(() => Promise.reject(new Error("job")));
      return Promise.reject(new Error("callee"));
    }).catch(() => {});

    await tryEnterJanitor(() => {
      spawnDaemon(() => Promise.reject(new Error("job")));
      throw new Error("callee");
    });

    await enterJanitor(() => {
      spawnDaemon(async () => {
        await pause(1);
        spawnDaemon(() => Promise.reject(new Error("never started")));
      });
    }).catch(() => {});
  });
  assertEquals(unhandled, []);
});

Deno.test("jobs may return plain values or foreign thenables; a thenable that settles twice counts once", async () => {
  const order: string[] = [];
  const twice: PromiseLike<void> = {
    then(onFulfilled) {
      setTimeout(() => {
        order.push("thenable settles");
        onFulfilled?.(undefined);
        onFulfilled?.(undefined);
      }, 5);
      return this as never;
    },
  };
  await enterJanitor(() => {
    spawnDaemon(() => "a plain value");
    spawnDaemon(() => twice);
    spawnDaemon(async () => {
      await pause(10);
      order.push("slower job");
    });
  });
  order.push("janitor done");
  assertEquals(order, ["thenable settles", "slower job", "janitor done"]);
});

Deno.test("a job whose thenable throws when its then is read again fails the janitor; spawnDaemon does not throw and the janitor does not hang", async () => {
  const broken = new Error("then getter failed");
  let reads = 0;
  const hostile = {
    get then() {
      if (++reads > 1) throw broken;
      return () => {};
    },
  };
  let thrown: unknown;
  const result = await tryEnterJanitor(() => {
    try {
      spawnDaemon(() => hostile);
    } catch (error) {
      thrown = error;
    }
  });
  assertEquals(thrown, undefined);
  assertEquals(result.janitorResult, { ok: false, error: broken });
});
