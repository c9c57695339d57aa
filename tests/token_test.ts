import {
  assert,
  assertEquals,
  assertFalse,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import { CancellationToken, TokenSource } from "../mod.ts";
import { countedSignal } from "./_counted_signal.ts";
import { IN_CI } from "./_runtime.ts";
import { collectUncaught } from "./_uncaught.ts";

Deno.test("a parent cancels every descendant synchronously, depth first in creation order", () => {
  const root = new TokenSource();
  const seen: string[] = [];
  const a = root.child();
  const a1 = a.child();
  const b = root.child();
  const a2 = a.child();
  for (
    const [name, source] of [["root", root], ["a", a], ["a1", a1], ["b", b], [
      "a2",
      a2,
    ]] as const
  ) {
    source.onCancel(() => seen.push(name));
  }
  root.cancel("stop");
  assertEquals(seen, ["root", "a", "a1", "a2", "b"]);
  for (const source of [a, a1, b, a2]) {
    assert(source.isCancelled);
    assertStrictEquals(source.reason, "stop");
  }
});

Deno.test("no callback sees a half-cancelled tree", () => {
  const root = new TokenSource();
  const child = root.child();
  const grandchild = child.child();
  let grandchildSeen: boolean | undefined;
  root.signal.addEventListener(
    "abort",
    () => grandchildSeen = grandchild.isCancelled,
  );
  root.cancel();
  assertEquals(grandchildSeen, true);
});

Deno.test("a child never cancels its parent or its siblings", () => {
  const root = new TokenSource();
  const child = root.child();
  const sibling = root.child();
  child.cancel();
  assert(child.isCancelled);
  assertFalse(root.isCancelled);
  assertFalse(sibling.isCancelled);
  assertFalse(root.signal.aborted);
});

Deno.test("disposing a child cancels it and unlinks it from the parent", () => {
  const root = new TokenSource();
  const child = root.child();
  const kept = root.child();
  assertEquals(root.childCount, 2);
  child[Symbol.dispose]();
  assert(child.isCancelled);
  assertInstanceOf(child.reason, DOMException);
  assertEquals((child.reason as DOMException).name, "AbortError");
  assertEquals(root.childCount, 1);
  kept.cancel();
  assertEquals(root.childCount, 0);
  assertFalse(root.isCancelled);
});

Deno.test("a parent that saw 100k children come and go holds none of them", async () => {
  const root = new TokenSource();
  const refs: WeakRef<TokenSource>[] = [];
  for (let i = 0; i < 100_000; i++) {
    const child = root.child();
    if (i % 1000 === 0) {
      void child.signal; // the lazy controller path too
      refs.push(new WeakRef(child));
    }
    child[Symbol.dispose]();
  }
  assertEquals(root.childCount, 0);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    // The test tasks pass --v8-flags=--expose-gc; in CI that must hold.
    assertFalse(
      IN_CI,
      "globalThis.gc is missing: run deno test with --v8-flags=--expose-gc",
    );
    return;
  }
  // WeakRef targets stay alive until the current job ends.
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
  assertEquals(refs.filter((ref) => ref.deref() !== undefined).length, 0);
  assertFalse(root.isCancelled);
});

Deno.test("a child of a cancelled source starts cancelled with the same reason", () => {
  const root = new TokenSource();
  root.cancel("gone");
  const child = root.child();
  assert(child.isCancelled);
  assertStrictEquals(child.reason, "gone");
  assert(child.signal.aborted);
  assertStrictEquals(child.signal.reason, "gone");
  assertEquals(root.childCount, 0);
});

Deno.test("the signal is made lazily and aborts with the reason", () => {
  const source = new TokenSource();
  const signal = source.signal;
  assertStrictEquals(source.signal, signal);
  assertFalse(signal.aborted);
  const reason = new Error("why");
  source.cancel(reason);
  assert(signal.aborted);
  assertStrictEquals(signal.reason, reason);

  const late = new TokenSource();
  late.cancel(reason);
  assert(late.signal.aborted, "a signal made after cancel is already aborted");
  assertStrictEquals(late.signal.reason, reason);
});

Deno.test("cancel is idempotent and keeps the first reason", () => {
  const source = new TokenSource();
  let calls = 0;
  source.onCancel(() => calls++);
  source.cancel("first");
  source.cancel("second");
  assertEquals(calls, 1);
  assertStrictEquals(source.reason, "first");
});

Deno.test("cancelled() resolves, never rejects, and at once when already cancelled", async () => {
  const source = new TokenSource();
  const token = source.token;
  let resolved = false;
  const waiting = token.cancelled().then(() => resolved = true);
  await Promise.resolve();
  assertFalse(resolved);
  source.cancel(new Error("not a rejection"));
  await waiting;
  assert(resolved);
  assertEquals(await token.cancelled(), undefined);
});

Deno.test("throwIfCancelled throws the reason only after cancellation", () => {
  const source = new TokenSource();
  source.token.throwIfCancelled();
  const reason = new RangeError("stop");
  source.cancel(reason);
  const thrown = assertThrows(
    () => source.token.throwIfCancelled(),
    RangeError,
  );
  assertStrictEquals(thrown, reason);
});

Deno.test("race settles with the value, or undefined when shutdown comes first", async () => {
  const source = new TokenSource();
  assertEquals(await source.token.runUntilCancelled(Promise.resolve(7)), 7);
  await assertRejects(
    () => source.token.runUntilCancelled(Promise.reject(new Error("boom"))),
    Error,
    "boom",
  );
  const never = new Promise<number>(() => {});
  const raced = source.token.runUntilCancelled(never);
  source.cancel();
  assertEquals(await raced, undefined);
});

Deno.test("race: shutdown wins when both are ready", async () => {
  const source = new TokenSource();
  source.cancel();
  assertEquals(
    await source.token.runUntilCancelled(Promise.resolve("work")),
    undefined,
  );
  // A loser that rejects later is handled (the test would fail on an unhandled rejection).
  assertEquals(
    await source.token.runUntilCancelled(Promise.reject(new Error("late"))),
    undefined,
  );
});

Deno.test("cancel() never throws: a throwing onCancel callback is reported as uncaught, the others still run", async () => {
  using uncaught = collectUncaught();
  const source = new TokenSource();
  const seen: string[] = [];
  const removed = source.onCancel(() => seen.push("removed"));
  const bad = new Error("bad callback");
  source.onCancel(() => {
    throw bad;
  });
  source.onCancel(() => seen.push("last"));
  removed[Symbol.dispose]();
  source.cancel();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals(uncaught.errors, [bad]);
  assertEquals(seen, ["last"]);
  assert(source.isCancelled);
  let late: unknown;
  source.onCancel((reason) => late = reason);
  assertStrictEquals(late, source.reason);
});

Deno.test("an outside signal cancels the source, and its listener is removed after", () => {
  const outside = countedSignal();
  const source = new TokenSource({ signal: outside.controller.signal });
  const child = source.child();
  assertEquals(outside.live(), 1);
  outside.controller.abort("outside");
  assert(child.isCancelled);
  assertStrictEquals(child.reason, "outside");
  assertEquals(outside.live(), 0);

  const other = countedSignal();
  const disposed = new TokenSource({ signal: other.controller.signal });
  disposed[Symbol.dispose]();
  assertEquals(
    other.live(),
    0,
    "disposing the source removes its outside listener",
  );

  const aborted = new AbortController();
  aborted.abort("already");
  assertStrictEquals(
    new TokenSource({ signal: aborted.signal }).reason,
    "already",
  );
});

Deno.test("a child linked to an outside signal: cancelled by either, listener removed", () => {
  const root = new TokenSource();
  const outside = countedSignal();
  const child = root.token.child({ signal: outside.controller.signal });
  assertEquals([root.childCount, outside.live()], [1, 1]);
  outside.controller.abort("client left");
  assertStrictEquals(child.reason, "client left");
  assertEquals([root.childCount, outside.live()], [0, 0]);
  assertFalse(root.isCancelled);

  const other = countedSignal();
  const byParent = root.child({ signal: other.controller.signal });
  root.cancel("parent");
  assertStrictEquals(byParent.reason, "parent");
  assertEquals(
    other.live(),
    0,
    "cancelled by the parent, the outside listener goes too",
  );

  const aborted = new AbortController();
  aborted.abort("already");
  const late = new TokenSource().child({ signal: aborted.signal });
  assertStrictEquals(late.reason, "already");
  assertStrictEquals(
    root.child({ signal: aborted.signal }).reason,
    "parent",
    "parent wins",
  );
  assertThrows(
    () => root.child({ signal: 1 as never }),
    TypeError,
    "options.signal",
  );
});

Deno.test("CancellationToken is a read-only view: it has no cancel", () => {
  const source = new TokenSource();
  const token = source.token;
  assertStrictEquals(source.token, token);
  assertFalse("cancel" in token);
  const child = token.child();
  child.cancel();
  assertFalse(token.isCancelled);
});

Deno.test("bad input gets a clear error naming the argument", () => {
  assertThrows(() => new TokenSource("x" as never), TypeError, "options");
  assertThrows(
    () => new TokenSource({ signal: {} as AbortSignal }),
    TypeError,
    "options.signal",
  );
  assertThrows(
    () => new TokenSource().onCancel(5 as never),
    TypeError,
    "callback",
  );
  assertThrows(
    () => new TokenSource().token.runUntilCancelled(5 as never),
    TypeError,
    "promise",
  );
  assertThrows(
    () => new CancellationToken({} as never),
    TypeError,
    "TokenSource",
  );
});
