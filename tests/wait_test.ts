import {
  assertEquals,
  assertGreaterOrEqual,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import { countedSignal } from "./_counted_signal.ts";
import { abortable, deadline, sleep } from "../mod.ts";

Deno.test("sleep resolves after the delay and removes its listener", async () => {
  const { controller, live } = countedSignal();
  const start = performance.now();
  await sleep(30, { signal: controller.signal });
  assertGreaterOrEqual(performance.now() - start, 25);
  assertEquals(live(), 0);
});

Deno.test("sleep rejects with the signal's reason and clears its timer", async () => {
  const controller = new AbortController();
  const slept = sleep(60_000, { signal: controller.signal });
  const reason = new Error("stop");
  controller.abort(reason);
  const error = await assertRejects(() => slept, Error);
  assertStrictEquals(error, reason);
  // The sanitizer fails this test if the 60 s timer were still pending.
});

Deno.test("sleep rejects at once on an aborted signal, with an AbortError by default", async () => {
  const controller = new AbortController();
  controller.abort();
  const error = await assertRejects(
    () => sleep(10, { signal: controller.signal }),
    DOMException,
  );
  assertEquals(error.name, "AbortError");
});

Deno.test("sleep(Infinity) waits for the signal; long delays are not cut short", async () => {
  const controller = new AbortController();
  let settled = false;
  const forever = sleep(Infinity, { signal: controller.signal }).catch((
    e,
  ) => (settled = true, e));
  const veryLong = sleep(2 ** 31 + 10, { signal: controller.signal }).catch((
    e,
  ) => e);
  await sleep(20);
  assertEquals(settled, false);
  controller.abort("done");
  assertEquals(await forever, "done");
  assertEquals(
    await veryLong,
    "done",
    "a delay above 2^31-1 ms must not fire at once",
  );
});

Deno.test("deadline passes values and rejections through", async () => {
  assertEquals(await deadline(Promise.resolve("v"), 1_000), "v");
  await assertRejects(
    () => deadline(Promise.reject(new TypeError("inner")), 1_000),
    TypeError,
    "inner",
  );
});

Deno.test("deadline rejects with a TimeoutError and handles a late rejection", async () => {
  const late = Promise.withResolvers<never>();
  const error = await assertRejects(
    () => deadline(late.promise, 10),
    DOMException,
  );
  assertEquals(error.name, "TimeoutError");
  late.reject(new Error("too late")); // must not surface as an unhandled rejection
  await sleep(1);
});

Deno.test("deadline rejects with the signal's reason and removes its listener", async () => {
  const { controller, live } = countedSignal();
  const pending = deadline(new Promise(() => {}), 60_000, {
    signal: controller.signal,
  });
  assertEquals(live(), 1);
  controller.abort("aborted");
  assertEquals(await pending.catch((e) => e), "aborted");
  assertEquals(live(), 0);

  const other = countedSignal();
  await deadline(Promise.resolve(1), 60_000, {
    signal: other.controller.signal,
  });
  assertEquals(other.live(), 0);
});

Deno.test("deadline(Infinity) never times out on its own", async () => {
  const { promise, resolve } = Promise.withResolvers<string>();
  const bounded = deadline(promise, Infinity);
  setTimeout(() => resolve("late but fine"), 20);
  assertEquals(await bounded, "late but fine");
});

Deno.test("abortable settles like the promise unless the signal aborts", async () => {
  const controller = new AbortController();
  assertEquals(await abortable(Promise.resolve(3), controller.signal), 3);
  const pending = abortable(new Promise(() => {}), controller.signal);
  controller.abort(new Error("cut"));
  await assertRejects(() => pending, Error, "cut");
});

Deno.test("bad durations, promises and signals throw clear errors", () => {
  assertThrows(() => sleep("10" as never), TypeError, "ms");
  assertThrows(() => sleep(-1), RangeError, "ms");
  assertThrows(() => sleep(NaN), RangeError, "ms");
  assertThrows(
    () => sleep(1, { signal: "x" as never }),
    TypeError,
    "options.signal",
  );
  assertThrows(() => sleep(1, 5 as never), TypeError, "options");
  assertThrows(() => deadline(5 as never, 10), TypeError, "promise");
  assertThrows(() => deadline(Promise.resolve(), -5), RangeError, "ms");
  assertThrows(
    () => deadline(Promise.resolve(), undefined as never),
    TypeError,
    "ms",
  );
  assertThrows(
    () => abortable(Promise.resolve(), undefined as never),
    TypeError,
    "signal",
  );
  assertThrows(
    () => abortable(null as never, new AbortController().signal),
    TypeError,
    "promise",
  );
});
