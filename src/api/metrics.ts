/** Prometheus metrics, one registry per server instance (tests run several servers in one process). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route'>;
  wsConnections: Gauge;
  wsMessagesOut: Counter<'channel'>;
  authFailures: Counter<'reason'>;
  rateLimited: Counter<'scope'>;
}

export function createMetrics(opts: { processMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'hashperp_' });
  return {
    registry,
    requests: new Counter({ name: 'hashperp_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    duration: new Histogram({
      name: 'hashperp_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    wsConnections: new Gauge({ name: 'hashperp_ws_connections', help: 'open WebSocket connections', registers: [registry] }),
    wsMessagesOut: new Counter({ name: 'hashperp_ws_messages_total', help: 'WebSocket messages sent by channel', labelNames: ['channel'], registers: [registry] }),
    authFailures: new Counter({ name: 'hashperp_auth_failures_total', help: 'refused signed requests by reason', labelNames: ['reason'], registers: [registry] }),
    rateLimited: new Counter({ name: 'hashperp_rate_limited_total', help: 'requests refused by a rate limit', labelNames: ['scope'], registers: [registry] }),
  };
}
