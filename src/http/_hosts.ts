// The runtime glue of `./http`, found by feature detection through `globalThis` with the
// few host types declared here, so the subpath type-checks on any runtime (as the core's
// `_signal_hosts.ts` does for signals).

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
  stop(closeActiveConnections?: boolean): Promise<void> | void;
  upgrade(request: Request, options?: { data?: unknown }): boolean;
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
    websocket?: {
      open(ws: BunSocket): void;
      message(ws: BunSocket, message: string | Uint8Array): void;
      close(ws: BunSocket, code: number, reason: string): void;
    };
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
