// Bun's `websocket` option of `serve()`: public, so in a file of its own rather than in
// the bridge (`_bun_socket.ts`) that wraps it.

/**
 * Bun's `websocket` option as a framework supplies it (`hono/bun`'s `websocket`), for
 * {@linkcode ServeOptions.websocket}.
 *
 * @example Handlers of your own for sockets you upgrade with `server.upgrade()`
 * ```ts
 * import type { BunWebSocketOption } from "@quiesce/quiesce/http";
 *
 * const websocket: BunWebSocketOption = {
 *   message(ws: { send(text: string): void }, text: string) {
 *     ws.send(`echo ${text}`);
 *   },
 * };
 * console.log(typeof websocket.message);
 * ```
 */
export type BunWebSocketOption = { [key: string]: unknown };
