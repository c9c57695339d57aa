// The parts of `node:http` this subpath uses, declared here so the subpath type-checks on
// any runtime without Node's types (as `_hosts.ts` does for Deno and Bun). `node:http` is
// never imported statically: Deno and Bun would load their `node:http` emulation with
// `./http` for nothing (measured: +70-110 ms per start on Deno, +65-80 ms on Bun; see
// tests/http_node_import_test.ts). Node 22.3+ hands it over synchronously through
// `process.getBuiltinModule`, so `serve()` stays synchronous.

/** The part of Node's `net.Socket` this subpath uses. */
export interface NodeSocket {
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly destroyed: boolean;
  /** Bytes received on the connection so far. */
  readonly bytesRead?: number;
  /** Node internal: the connection's HTTP parser, `null` once upgraded (or freed). */
  readonly parser?: unknown;
  /**
   * Node internal (its own `closeIdleConnections()` reads it): the response in progress
   * on this connection.
   */
  readonly _httpMessage?: {
    readonly writableEnded: boolean;
    readonly writableFinished: boolean;
  } | null;
  destroy(error?: Error): void;
  on(event: "close", listener: () => void): unknown;
  once(event: "close", listener: () => void): unknown;
}

/** The part of Node's `http.IncomingMessage` this subpath uses. */
export interface NodeRequest {
  readonly method?: string;
  readonly url?: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly rawHeaders: string[];
  readonly socket: NodeSocket;
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  on(event: "end" | "close", listener: () => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  destroy(error?: Error): unknown;
}

/** The part of Node's `http.ServerResponse` this subpath uses. */
export interface NodeResponse {
  statusCode: number;
  statusMessage: string;
  shouldKeepAlive: boolean;
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  readonly writableFinished: boolean;
  readonly destroyed: boolean;
  setHeader(name: string, value: string | string[]): unknown;
  writeHead(status: number, headers?: string[]): unknown;
  flushHeaders(): void;
  write(chunk: Uint8Array): boolean;
  end(chunk?: Uint8Array | string): unknown;
  destroy(error?: Error): unknown;
  once(event: "close" | "drain" | "finish", listener: () => void): unknown;
  off(event: "close" | "drain" | "finish", listener: () => void): unknown;
}

/** A `node:http` `request` event listener. */
export type NodeRequestListener = (
  request: NodeRequest,
  response: NodeResponse,
) => void;

/** The part of Node's `http.Server` this subpath uses. */
export interface NodeServer {
  listen(port: number, hostname: string, callback: () => void): unknown;
  address(): { address: string; port: number } | string | null;
  close(callback?: (error?: Error) => void): unknown;
  closeIdleConnections(): void;
  closeAllConnections(): void;
  readonly listening: boolean;
  listeners(event: "request"): NodeRequestListener[];
  on(event: "request", listener: NodeRequestListener): unknown;
  on(event: "connection", listener: (socket: NodeSocket) => void): unknown;
  on(
    event: "upgrade",
    listener: (request: NodeRequest, socket: NodeSocket) => void,
  ): unknown;
  once(event: "error", listener: (error: Error) => void): unknown;
  off(event: "request", listener: NodeRequestListener): unknown;
  prependListener(
    event: "request",
    listener: NodeRequestListener,
  ): unknown;
}

/** `node:http`'s `createServer`, the one function `serve()` needs from it. */
export interface NodeHttp {
  createServer(listener: NodeRequestListener): NodeServer;
}

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?(name: string): unknown;
}

/**
 * `node:http`, if this is Node (call it after the Deno and Bun checks: both define
 * `process.versions.node` too). `undefined` elsewhere.
 *
 * @throws {TypeError} On Node before 22.3, which lacks `process.getBuiltinModule`.
 */
export function nodeHttp(): NodeHttp | undefined {
  const process = (globalThis as { process?: NodeProcess }).process;
  if (typeof process?.versions?.node !== "string") return undefined;
  if (typeof process.getBuiltinModule !== "function") {
    throw new TypeError(
      `Cannot serve on Node ${process.versions.node}: serve() needs Node 22.3 or later (process.getBuiltinModule)`,
    );
  }
  return process.getBuiltinModule("node:http") as NodeHttp;
}
