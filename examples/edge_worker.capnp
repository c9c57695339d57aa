# workerd config for examples/edge_worker.ts (bundled to edge_worker.js by
# `deno task build:edge`). The socket is named `http`, so the port is picked with
#   workerd serve examples/edge_worker.capnp -s http=127.0.0.1:PORT
# Outbound fetches go through `outbound`, a network that also allows local and private
# addresses: the default one allows only public ones, and the collector is on 127.0.0.1.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .edgeWorker),
    (name = "outbound", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8787", http = (), service = "main"),
  ],
);

const edgeWorker :Workerd.Worker = (
  modules = [
    (name = "edge_worker.js", esModule = embed "edge_worker.js"),
  ],
  compatibilityDate = "2025-01-01",
  globalOutbound = "outbound",
);
