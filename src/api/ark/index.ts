/**
 * arkd's v1 REST API (ArkService and IndexerService) over the operator's ports, so the stock
 * `@arkade-os/sdk` RestArkProvider / RestIndexerProvider, pointed at `<origin>/ark`, talk to HashPerp's
 * operator as to arkd. A codec only: decoding, encoding, arkd's error shape and SSE framing.
 *
 * The routes live in their own encapsulated fastify context so that their error and not-found
 * handlers answer in arkd's shape (see errors.ts) while the rest of the app keeps the project's.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyTypeProvider, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ArkIndexerPort, ArkServicePort } from '../../operator/ark/ports.js';
import { registerArkServiceRoutes, type ArkRouteOptions } from './ark-service.js';
import { GRPC, renderArkError } from './errors.js';
import { registerIndexerRoutes } from './indexer-service.js';

export interface ArkApiDeps {
  service: ArkServicePort;
  indexer: ArkIndexerPort;
  /** Mount point; '/ark' by default. */
  prefix?: string;
  /** Largest accepted request body (signed Ark and checkpoint PSBTs, forfeit txs); 4 MiB, gRPC's default. */
  bodyLimit?: number;
  /** Silence after which a stream sends a heartbeat; arkd's default HEARTBEAT_INTERVAL, 60 s. */
  heartbeatMs?: number;
}

export async function registerArkApi<P extends FastifyTypeProvider>(
  app: FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, P>,
  deps: ArkApiDeps,
): Promise<void> {
  await app.register(
    async (scope) => {
      const root = scope as unknown as FastifyInstance;
      const shutdown = new AbortController();
      // Before the server stops listening and waits for connections: open streams end now.
      root.addHook('preClose', (done) => {
        shutdown.abort();
        done();
      });
      const opts: ArkRouteOptions = {
        shutdown: shutdown.signal,
        bodyLimit: deps.bodyLimit ?? 4 * 1024 * 1024,
        heartbeatMs: deps.heartbeatMs ?? 60_000,
        onFault: (err) => root.log.error({ err }, 'ark api: unhandled error'),
      };
      root.setErrorHandler((err, _req, reply) => {
        const { status, body, headers } = renderArkError(err, opts.onFault);
        for (const [k, v] of Object.entries(headers)) reply.header(k, v);
        return reply.code(status).type('application/json').send(body);
      });
      root.setNotFoundHandler((req, reply) => {
        const path = req.url.split('?')[0];
        return reply.code(404).type('application/json').send({ code: GRPC.NOT_FOUND, message: `Not Found: ${req.method} ${path}`, details: [] });
      });
      registerArkServiceRoutes(root, deps.service, opts);
      registerIndexerRoutes(root, deps.indexer, opts);
    },
    { prefix: deps.prefix ?? '/ark' },
  );
}

export { ARKD_ERRORS, INVALID_REQUEST, renderArkError } from './errors.js';
