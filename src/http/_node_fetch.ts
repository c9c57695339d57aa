// A fetch handler on `node:http`: each `IncomingMessage` becomes a `Request` whose signal
// aborts only when the client goes away (as on Bun), and the `Response` is written back
// with backpressure. The handler's second argument is `{ incoming, outgoing }`, the shape
// `@hono/node-server` passes, so Hono's `getConnInfo` from `@hono/node-server/conninfo`
// reads the client's address from it.
import type {
  NodeRequest,
  NodeRequestListener,
  NodeResponse,
} from "./_node_hosts.ts";

/** What a fetch handler gets as its second argument on Node. */
export interface NodeBindings {
  incoming: NodeRequest;
  outgoing: NodeResponse;
}

type FetchHandler = (
  request: Request,
  bindings: NodeBindings,
) => Response | Promise<Response>;

const DISCONNECTED = "The client disconnected";
/** The body-less methods: `Request` refuses a body for them. */
const NO_BODY = new Set(["GET", "HEAD"]);
/** How many chunks that are already there are gathered into one sized write. */
const GATHER = 8;

/** A `request` listener that serves `fetch`; `origin()` is used when `Host` is missing. */
export function fetchListener(
  fetch: FetchHandler,
  origin: () => string,
): NodeRequestListener {
  return (incoming, outgoing) => {
    let request: Request;
    try {
      request = toRequest(incoming, outgoing, origin);
    } catch {
      // An absolute-form URL or header value that `Request` refuses: the client's error.
      outgoing.statusCode = 400;
      outgoing.end();
      return;
    }
    let result: Response | Promise<Response>;
    try {
      result = fetch(request, { incoming, outgoing });
    } catch (error) {
      failed(outgoing, error);
      return;
    }
    if (result instanceof Response) {
      writeResponse(outgoing, result, request.method).catch(() => {});
      return;
    }
    Promise.resolve(result).then(
      (response) => writeResponse(outgoing, response, request.method),
      (error) => failed(outgoing, error),
    ).catch(() => {});
  };
}

function failed(outgoing: NodeResponse, error: unknown): void {
  console.error("quiesce: the request handler failed:", error);
  if (outgoing.headersSent) {
    outgoing.destroy();
    return;
  }
  outgoing.statusCode = 500;
  outgoing.end();
}

function toRequest(
  incoming: NodeRequest,
  outgoing: NodeResponse,
  origin: () => string,
): Request {
  const method = incoming.method ?? "GET";
  const target = incoming.url ?? "/";
  const host = incoming.headers.host;
  const url = target.startsWith("/")
    ? `http://${
      typeof host === "string" && host !== "" ? host : origin()
    }${target}`
    : target;
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.charCodeAt(0) !== 58) headers.append(name, raw[i + 1]!); // not an h2 ":path"
  }
  const controller = new AbortController();
  outgoing.once("close", () => {
    if (!outgoing.writableFinished) {
      controller.abort(new DOMException(DISCONNECTED, "AbortError"));
    }
  });
  const init: RequestInit & { duplex?: "half" } = {
    method,
    headers,
    signal: controller.signal,
  };
  if (!NO_BODY.has(method)) {
    init.body = bodyOf(incoming, outgoing);
    init.duplex = "half";
  }
  return new Request(url, init);
}

/**
 * The request body as a stream that pauses the socket while nobody reads. Once the response
 * has gone out, what is left of the body is discarded: Node dumps an unread body itself only
 * when nobody listened to it, and a paused one would hold the keep-alive connection (and
 * the next request on it, which a balancer may send for another client) until Node's
 * keep-alive timeout closes it.
 */
function bodyOf(
  incoming: NodeRequest,
  outgoing: NodeResponse,
): ReadableStream<Uint8Array> {
  let open = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      outgoing.once("finish", () => {
        if (!open) return; // ended, cancelled (and resumed) or cut already
        open = false;
        controller.error(new DOMException("Response sent", "AbortError"));
        incoming.resume();
      });
      incoming.on("data", (chunk) => {
        if (!open) return;
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 1) <= 0) incoming.pause();
      });
      incoming.on("end", () => {
        if (open) controller.close();
        open = false;
      });
      const cut = (error: unknown) => {
        if (open) controller.error(error);
        open = false;
      };
      incoming.on("error", cut);
      incoming.on(
        "close",
        () => cut(new DOMException(DISCONNECTED, "AbortError")),
      );
    },
    pull() {
      incoming.resume();
    },
    cancel() {
      open = false;
      incoming.resume(); // discard the rest, so the connection can serve the next request
    },
  }, { highWaterMark: 1 });
}

/** Header pairs for `writeHead`, `set-cookie` kept as separate fields. */
function headerList(headers: Headers): string[] {
  const list: string[] = [];
  for (const [name, value] of headers) {
    if (name !== "set-cookie") list.push(name, value);
  }
  for (const cookie of headers.getSetCookie()) list.push("set-cookie", cookie);
  return list;
}

/** A read that is already settled, or `undefined` if it would have to wait. */
function readNow(
  read: Promise<ReadableStreamReadResult<Uint8Array>>,
): Promise<ReadableStreamReadResult<Uint8Array> | undefined> {
  return Promise.race([read, Promise.resolve().then(() => undefined)]);
}

/**
 * Writes `response` to `outgoing`. A body that is all there at once (a string, a buffer)
 * goes out with `Content-Length`, so keep-alive clients that read by length work; a body
 * still being produced (SSE) goes out chunk by chunk as it comes, headers first. When the
 * client goes away, the body is cancelled; when the body fails, the response is cut.
 */
export async function writeResponse(
  outgoing: NodeResponse,
  response: Response,
  method: string,
): Promise<void> {
  if (outgoing.destroyed) {
    await response.body?.cancel(new DOMException(DISCONNECTED, "AbortError"));
    return;
  }
  if (response.statusText !== "") {
    outgoing.statusMessage = response.statusText;
  }
  const headers = headerList(response.headers);
  const body = response.body;
  if (body === null || method === "HEAD") {
    outgoing.writeHead(response.status, headers);
    outgoing.end();
    await body?.cancel();
    return;
  }
  const reader = body.getReader();
  const onClose = () => {
    if (!outgoing.writableFinished) {
      reader.cancel(new DOMException(DISCONNECTED, "AbortError")).catch(
        () => {},
      );
    }
  };
  outgoing.once("close", onClose);
  try {
    const ready: Uint8Array[] = [];
    let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined =
      reader.read();
    for (let i = 0; i < GATHER; i++) {
      const result = await readNow(pending!);
      if (result === undefined) break; // still being produced
      if (result.done) {
        pending = undefined;
        break;
      }
      ready.push(result.value);
      pending = reader.read();
    }
    if (pending === undefined) {
      let length = 0;
      for (const chunk of ready) length += chunk.byteLength;
      if (!response.headers.has("content-length")) {
        headers.push("content-length", String(length));
      }
      outgoing.writeHead(response.status, headers);
      for (const chunk of ready) outgoing.write(chunk);
      outgoing.end();
      return;
    }
    outgoing.writeHead(response.status, headers);
    outgoing.flushHeaders(); // an event stream's client waits for the headers
    for (const chunk of ready) outgoing.write(chunk);
    while (true) {
      const { done, value } = await pending;
      if (done || outgoing.destroyed) break;
      if (!outgoing.write(value)) await drained(outgoing);
      pending = reader.read();
    }
    outgoing.end();
  } catch {
    // The body failed (or was ended at the deadline): the client sees a cut response.
    outgoing.destroy();
  } finally {
    outgoing.off("close", onClose);
  }
}

function drained(outgoing: NodeResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      outgoing.off("drain", done);
      outgoing.off("close", done);
      resolve();
    };
    outgoing.once("drain", done);
    outgoing.once("close", done);
  });
}
