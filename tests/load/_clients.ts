// Raw-socket clients for the load suite: they tell, per connection, how it ended.

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const REQUEST = encoder.encode("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

/** Reads one response with a content-length body; `null` on EOF before any byte. */
async function readResponse(conn: Deno.Conn): Promise<string | null> {
  const buffer = new Uint8Array(8192);
  let text = "";
  while (true) {
    const end = text.indexOf("\r\n\r\n");
    if (end >= 0) {
      const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0);
      if (text.length - end - 4 >= length) return text.slice(0, end);
    }
    const n = await conn.read(buffer);
    if (n === null) {
      if (text === "") return null;
      throw new Error(
        `EOF in the middle of a response: ${JSON.stringify(text)}`,
      );
    }
    text += decoder.decode(buffer.subarray(0, n));
  }
}

/** How the keep-alive connections opened before the signal ended. */
export interface KeepAliveOutcome {
  responses: number;
  /** Connections that got `Connection: close` and were closed by the client. */
  toldToClose: number;
  /** EOF with no response, resets, cut responses. */
  errors: string[];
}

/**
 * Opens `count` connections at once, then each sends requests until a response says
 * `Connection: close` (then it closes, like a well-behaved client) or the time is up:
 * back to back, or like a pooled client under light load, idle for a random 0 to
 * `gapMs` between requests (a connection idle at the signal sends its next request
 * after it).
 */
export async function keepAliveClients(
  port: number,
  count: number,
  maxMs: number,
  gapMs = 0,
): Promise<KeepAliveOutcome> {
  const outcome: KeepAliveOutcome = {
    responses: 0,
    toldToClose: 0,
    errors: [],
  };
  const conns = await Promise.all(
    Array.from(
      { length: count },
      () => Deno.connect({ hostname: "127.0.0.1", port }),
    ),
  );
  const until = performance.now() + maxMs;
  await Promise.all(conns.map(async (conn) => {
    try {
      while (performance.now() < until) {
        await conn.write(REQUEST);
        const head = await readResponse(conn);
        if (head === null) {
          outcome.errors.push("EOF instead of a response");
          return;
        }
        outcome.responses++;
        if (/^connection: close$/im.test(head)) {
          outcome.toldToClose++;
          return;
        }
        if (gapMs > 0) {
          await new Promise((r) => setTimeout(r, Math.random() * gapMs));
        }
      }
      outcome.errors.push("never told to close");
    } catch (error) {
      outcome.errors.push(String(error));
    } finally {
      conn.close();
    }
  }));
  return outcome;
}

/** How idle connections ended when the server went away. */
export interface IdleOutcome {
  clean: number;
  resets: number;
  other: string[];
}

/**
 * Opens `count` connections; `used` ones send one request first. Then each waits for the
 * server to end it: a clean FIN or a reset. Resolves when all ended or `maxMs` passed.
 */
export async function idleClients(
  port: number,
  count: number,
  used: boolean,
): Promise<
  { ready: Promise<void>; ended: (maxMs: number) => Promise<IdleOutcome> }
> {
  const outcome: IdleOutcome = { clean: 0, resets: 0, other: [] };
  const conns = await Promise.all(
    Array.from(
      { length: count },
      () => Deno.connect({ hostname: "127.0.0.1", port }),
    ),
  );
  const ready = Promise.all(conns.map(async (conn) => {
    if (!used) return;
    await conn.write(REQUEST);
    await readResponse(conn);
  })).then(() => {});
  const ended = async (maxMs: number) => {
    await Promise.all(conns.map(async (conn) => {
      const buffer = new Uint8Array(1024);
      const timer = setTimeout(() => conn.close(), maxMs);
      try {
        const n = await conn.read(buffer);
        if (n === null) outcome.clean++;
        else outcome.other.push("unexpected data");
      } catch (error) {
        if (error instanceof Deno.errors.ConnectionReset) outcome.resets++;
        else outcome.other.push(String(error));
      } finally {
        clearTimeout(timer);
        try {
          conn.close();
        } catch {
          // Closed by the timer.
        }
      }
    }));
    return outcome;
  };
  return { ready, ended };
}

/** A raw connection that has sent `payload` (nothing, half a request, a whole one). */
export async function rawConnection(
  port: number,
  payload = "",
): Promise<Deno.Conn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  if (payload) await conn.write(encoder.encode(payload));
  return conn;
}

/**
 * Reads from `conn` until EOF, an error or `maxMs`, at most `bytesPerTick` every `tickMs`
 * (a slow reader); resolves with the byte count and how it ended.
 */
export async function readAll(
  conn: Deno.Conn,
  maxMs: number,
  bytesPerTick = 1 << 20,
  tickMs = 0,
): Promise<{ bytes: number; end: string }> {
  const buffer = new Uint8Array(bytesPerTick);
  const until = performance.now() + maxMs;
  let bytes = 0;
  const timer = setTimeout(() => conn.close(), maxMs);
  try {
    while (performance.now() < until) {
      const n = await conn.read(buffer);
      if (n === null) return { bytes, end: "EOF" };
      bytes += n;
      if (tickMs > 0) await new Promise((r) => setTimeout(r, tickMs));
    }
    return { bytes, end: "still open" };
  } catch (error) {
    return {
      bytes,
      end: error instanceof Deno.errors.BadResource
        ? "still open"
        : String(error),
    };
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // Closed by the timer.
    }
  }
}

/** How a raw upload went: what the client could send and what it read. */
export interface RawUploadOutcome {
  /** Body bytes written before the end or an error. */
  sent: number;
  /** The error writing the body, if any (a broken pipe, a reset). */
  writeError?: string;
  /** The response's status line and headers, or how reading ended without them. */
  head: string;
}

/**
 * POSTs `bytes` to `path` over a raw connection, 64 KiB every `tickMs`, reading the
 * response at the same time, as a client that keeps sending its body even when the
 * response came first (HTTP/1.1 lets it; curl stops sending instead, so it never sees
 * the broken pipe).
 */
export async function rawUpload(
  port: number,
  path: string,
  bytes: number,
  tickMs: number,
): Promise<RawUploadOutcome> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const outcome: RawUploadOutcome = { sent: 0, head: "" };
  const reading = (async () => {
    try {
      outcome.head = await readResponse(conn) ?? "EOF before a response";
    } catch (error) {
      outcome.head = String(error);
    }
  })();
  try {
    await conn.write(encoder.encode(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${bytes}\r\n\r\n`,
    ));
    const chunk = new Uint8Array(65_536).fill(0x62);
    while (outcome.sent < bytes) {
      const part = chunk.subarray(
        0,
        Math.min(chunk.length, bytes - outcome.sent),
      );
      let written = 0;
      while (written < part.length) {
        written += await conn.write(part.subarray(written));
      }
      outcome.sent += part.length;
      await new Promise((r) => setTimeout(r, tickMs));
    }
  } catch (error) {
    outcome.writeError = String(error);
  }
  await reading;
  conn.close();
  return outcome;
}
