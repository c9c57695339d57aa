// The runtime glue of `./http`, found by feature detection through `globalThis` with the
// few host types declared here, so the subpath type-checks on any runtime (as the core's
// `src/_host.ts` does for signals).
import type { RemoteAddress } from "./remote_address.ts";

/** The part of Deno's `ServeHandlerInfo` this subpath reads. */
export interface DenoServeInfo {
  completed: Promise<void>;
}

/** The part of `Deno.HttpServer` this subpath uses. */
export interface DenoServer {
  readonly addr: { hostname: string; port: number };
  readonly finished: Promise<void>;
  shutdown(): Promise<void>;
}

/** The part of Bun's `Server` this subpath uses. */
export interface BunServer {
  readonly hostname?: string;
  readonly port?: number;
  /** Requests not yet answered or whose response is still being sent. */
  readonly pendingRequests?: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
  upgrade(request: Request, options?: { data?: unknown }): boolean;
  /** Closes the request's connection once idle that many seconds. */
  timeout?(request: Request, seconds: number): void;
}

/** The part of Bun's `ServerWebSocket` the bridge uses. */
export interface BunSocket {
  readonly data: unknown;
  readonly readyState: number;
  send(data: string | ArrayBufferLike | ArrayBufferView): unknown;
  close(code?: number, reason?: string): void;
}

type DenoServeHandler = (
  request: Request,
  info: DenoServeInfo,
) => Response | Promise<Response>;

interface DenoGlobal {
  serve(
    options: {
      port?: number;
      hostname?: string;
      onListen?: (address: { hostname: string; port: number }) => void;
    },
    handler: DenoServeHandler,
  ): DenoServer;
  upgradeWebSocket(request: Request): { socket: WebSocket; response: Response };
}

interface BunGlobal {
  serve(options: {
    port?: number;
    hostname?: string;
    fetch: (request: Request, server: BunServer) => unknown;
    websocket?: { [key: string]: unknown };
  }): BunServer;
}

/** `Deno`'s serve and upgrade functions, if this is Deno. */
export function denoHost(): DenoGlobal | undefined {
  const deno = (globalThis as { Deno?: Partial<DenoGlobal> }).Deno;
  return typeof deno?.serve === "function" &&
      typeof deno.upgradeWebSocket === "function"
    ? deno as DenoGlobal
    : undefined;
}

/** `Bun.serve`, if this is Bun. */
export function bunHost(): BunGlobal | undefined {
  const bun = (globalThis as { Bun?: Partial<BunGlobal> }).Bun;
  return typeof bun?.serve === "function" ? bun as BunGlobal : undefined;
}

/** The part of a `node:http` connection a scope reads. */
export interface NodeSocketInfo {
  /** Bytes written by the response but not yet handed to the handle. */
  readonly writableLength: number;
  /** Node internal: the libuv handle, with the bytes it has yet to write. */
  readonly _handle?: { readonly writeQueueSize?: number } | null;
  destroy(): void;
}

/** The part of a Node handler's second argument (`{ incoming, outgoing }`) a scope reads. */
export interface NodeBindingsInfo {
  outgoing: {
    readonly writableFinished: boolean;
    /** The connection (`null` once detached from it). */
    readonly socket?: NodeSocketInfo | null;
    once(event: "close", listener: () => void): unknown;
  };
}

/**
 * Whether a handler's second argument carries a `node:http` response (`outgoing`), as the
 * Node adapter of `./http` and `@hono/node-server` pass it.
 */
export function isNodeBindings(info: unknown): info is NodeBindingsInfo {
  const outgoing = (info as Partial<NodeBindingsInfo> | undefined)?.outgoing;
  return typeof outgoing?.once === "function" &&
    typeof outgoing.writableFinished === "boolean";
}

/** Whether a handler's second argument is Deno's `ServeHandlerInfo`. */
export function isDenoInfo(info: unknown): info is DenoServeInfo {
  return typeof (info as DenoServeInfo | undefined)?.completed?.then ===
    "function";
}

/** Whether a handler's second argument is a Bun server. */
export function isBunServer(info: unknown): info is BunServer {
  return typeof (info as BunServer | undefined)?.upgrade === "function" &&
    typeof (info as BunServer).stop === "function";
}

/**
 * The peer address from what the runtime passed next to the request: Deno's
 * `info.remoteAddr`, Bun's `server.requestIP(request)`, or a `node:http` socket under
 * `incoming` (the shape `@hono/node-server` passes).
 */
export function remoteAddressOf(
  request: Request,
  info: unknown,
): RemoteAddress | undefined {
  const host = info as {
    remoteAddr?: { hostname?: unknown; port?: unknown };
    requestIP?: (request: Request) => { address: string; port: number } | null;
    incoming?: { socket?: { remoteAddress?: unknown; remotePort?: unknown } };
  } | undefined;
  if (host === undefined || host === null) return undefined;
  const deno = host.remoteAddr;
  if (typeof deno?.hostname === "string" && typeof deno.port === "number") {
    return { hostname: deno.hostname, port: deno.port };
  }
  if (typeof host.requestIP === "function") {
    const ip = host.requestIP(request);
    return ip ? { hostname: ip.address, port: ip.port } : undefined;
  }
  const socket = host.incoming?.socket;
  if (
    typeof socket?.remoteAddress === "string" &&
    typeof socket.remotePort === "number"
  ) {
    return { hostname: socket.remoteAddress, port: socket.remotePort };
  }
  return undefined;
}
