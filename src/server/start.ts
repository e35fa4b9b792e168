/**
 * Starts the composed server: the fastify app over the wiring's ports, listening, then the live parts
 * (follower, custody, demo) once requests can be served. A failure anywhere closes what was opened.
 */
import type { App } from '../api/app-types.js';
import { createServer, defaultFaucetLimits } from '../api/server.js';
import { defaultWiring, type ServeWiring } from './compose.js';
import type { ServeConfig } from './config.js';

export async function startServe(cfg: ServeConfig, wire: (c: ServeConfig) => Promise<ServeWiring> = defaultWiring): Promise<{ app: App; url: string; wiring: ServeWiring; close: () => Promise<void> }> {
  const w = await wire(cfg);
  let app: App | undefined;
  try {
    app = await createServer({
      exchange: w.exchange,
      index: w.index,
      ...(w.funds !== undefined ? { funds: w.funds } : {}),
      ...(w.apiKeys !== undefined ? { apiKeys: w.apiKeys } : {}),
      ...(w.nonceLog !== undefined ? { nonceLog: w.nonceLog } : {}),
      ...(w.authNotBeforeMs !== undefined ? { authNotBeforeMs: w.authNotBeforeMs } : {}),
      ...(w.status !== undefined ? { status: w.status } : {}),
      ...(w.routes !== undefined ? { routes: w.routes } : {}),
      faucetLimits: {
        ...defaultFaucetLimits,
        ...(cfg.faucetIpCalls !== undefined ? { perIp: { ...defaultFaucetLimits.perIp, capacity: cfg.faucetIpCalls } } : {}),
        ...(cfg.faucetBlockSat !== undefined ? { perBlockSat: cfg.faucetBlockSat } : {}),
      },
      logger: cfg.logLevel === 'silent' ? false : { level: cfg.logLevel },
      requestLogging: cfg.requestLog === true,
      processMetrics: true,
      ...(cfg.staticDir !== undefined ? { staticDir: cfg.staticDir } : {}),
    });
    for (const n of w.notes) app.log.warn(n);
    const url = await app.listen({ port: cfg.port, host: cfg.host });
    const a = app;
    await w.start?.({ info: (m) => a.log.info(m), warn: (m) => a.log.warn(m), error: (m) => a.log.error(m) }, url);
    return {
      app,
      url,
      wiring: w,
      close: async () => {
        await a.close();
        await w.close?.();
      },
    };
  } catch (e) {
    await app?.close();
    await w.close?.();
    throw e;
  }
}
