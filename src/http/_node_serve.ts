// `serve()` on Node: a `node:http` server for a `GracefulHttp`, stopped by
// `nodeServerListener`.
import type { GracefulHttp } from "./graceful_http.ts";
import { fetchListener } from "./_node_fetch.ts";
import type { NodeHttp, NodeServer } from "./_node_hosts.ts";
import { nodeServerListener } from "./_node_listener.ts";

/** Where `serveNode` listens. */
export interface NodeListenOptions {
  port: number;
  hostname: string;
  onListen?: (address: { hostname: string; port: number }) => void;
}

/** The server `serve()` returns on Node. */
export interface NodeHttpServer {
  readonly port: number;
  readonly hostname: string;
  readonly http: GracefulHttp;
  readonly nodeServer: NodeServer;
}

/**
 * Starts a `node:http` server for `http`. Node binds asynchronously (even an IP address
 * goes through `dns.lookup`), so `port` is the requested one until the server listens,
 * then the bound one: with `port: 0`, read it in `onListen`.
 */
export function serveNode(
  node: NodeHttp,
  http: GracefulHttp,
  { port, hostname, onListen }: NodeListenOptions,
): NodeHttpServer {
  const origin = () => `${hostname}:${bound}`;
  const server = node.createServer(fetchListener(http.fetch, origin));
  let bound = port;
  http.attach(nodeServerListener(server));
  server.listen(port, hostname, () => {
    const address = server.address();
    if (address !== null && typeof address === "object") bound = address.port;
    onListen?.({ hostname, port: bound });
  });
  return {
    get port() {
      return bound;
    },
    hostname,
    http,
    nodeServer: server,
  };
}
