// The client address a request scope gives (`RequestScope.remoteAddr`): public, so in a
// file of its own rather than in the runtime glue (`_hosts.ts`) that reads it.

/**
 * A client's address as {@linkcode RequestScope.remoteAddr} gives it.
 *
 * @example Log where a request came from
 * ```ts
 * import type { RemoteAddress } from "@quiesce/quiesce/http";
 *
 * const where = (a: RemoteAddress) => `${a.hostname}:${a.port}`;
 * console.log(where({ hostname: "127.0.0.1", port: 51234 }));
 * ```
 */
export interface RemoteAddress {
  /** The IP address (`"127.0.0.1"`, `"::1"`). */
  readonly hostname: string;
  /** The client's port. */
  readonly port: number;
}
