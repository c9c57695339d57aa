// Deno's `info.completed` settles when the runtime has taken a byte body, not when the
// client has it (a 32 MiB body: 36 ms after return, the client having read 64 KiB), while
// for a stream body it settles after the last chunk. So a large byte body returned before
// the first signal must be followed as a stream to know when it was sent; a small one is
// handed to the connection in one write. Asking the body (`response.body`) costs about
// 7.5 µs on Deno 2.9.6, because it turns the runtime's static body into a stream; the
// runtime keeps the body's size under symbols of the Response, read here for a few ns.
// Found once by feature detection, checked on probes: on another Deno whose internals
// differ, nothing is found and responses begun before the signal are not followed.

import { SLICE } from "./_body.ts";

/**
 * Whether a response must be followed to learn when it was sent: `undefined` for no body
 * or one Deno writes from memory in one go (at most `SLICE` bytes); else the byte length
 * to keep (bytes, a string), or `-1` for a stream or a Blob (which Deno streams).
 */
type Follow = (response: Response) => number | undefined;

interface InnerBody {
  length: number | null;
  source: unknown;
}

function symbolOf(probe: Response, description: string): symbol | undefined {
  return Object.getOwnPropertySymbols(probe).find((s) =>
    s.description === description
  );
}

// A string's length in UTF-16 units is up to 3 bytes each: only one that may exceed SLICE
// bytes is encoded to learn its exact length (kept as the response's content-length).
const encoder = new TextEncoder();
const longString = (text: string) => {
  if (text.length * 3 <= SLICE) return undefined;
  const bytes = encoder.encode(text).byteLength;
  return bytes > SLICE ? bytes : undefined;
};

function detect(): Follow | undefined {
  if (typeof (globalThis as { Deno?: unknown }).Deno !== "object") return;
  try {
    const probe = new Response(new Uint8Array(SLICE + 1));
    const inner = symbolOf(probe, "response");
    const lazy = symbolOf(probe, "lazy static body");
    if (inner === undefined || lazy === undefined) return;
    const follow: Follow = (response) => {
      const text = (response as unknown as Record<symbol, unknown>)[lazy];
      if (typeof text === "string") return longString(text);
      const body = ((response as unknown as Record<symbol, unknown>)[inner] as {
        body: InnerBody | null;
      } | undefined)?.body;
      if (body === null || body === undefined) return;
      const { length, source } = body;
      if (typeof length === "number" && !(source instanceof Blob)) {
        return length > SLICE ? length : undefined;
      }
      if (typeof source === "string") return longString(source);
      return -1;
    };
    // The probes: each kind of body must read as what it is, or nothing is trusted.
    const big = "x".repeat(SLICE + 1);
    const checks = follow(probe) === SLICE + 1 &&
      follow(new Response(new Uint8Array(3))) === undefined &&
      follow(new Response("abcd")) === undefined &&
      follow(new Response(big)) === SLICE + 1 &&
      follow(new Response(big, { headers: { a: "b" } })) === SLICE + 1 &&
      follow(new Response("abcd", { headers: { a: "b" } })) === undefined &&
      follow(new Response(new ReadableStream())) === -1 &&
      follow(new Response(null)) === undefined;
    return checks ? follow : undefined;
  } catch {
    return undefined;
  }
}

/** Deno's follow rule for a response, or `undefined` off Deno (or if its internals changed). */
export const denoFollow: Follow | undefined = detect();
