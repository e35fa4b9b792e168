/**
 * Server-sent events as arkd's gateway (meshapi grpc-api-gateway, ForwardResponseStreamSSE) writes
 * them, which is what the SDK's eventSourceIterator reads through EventSource:
 * - each message is `data: <the response message's JSON>\n\n`, unwrapped (no `{"result": …}`,
 *   unlike grpc-ecosystem's chunked streams), on the default "message" event;
 * - a heartbeat message (`{"heartbeat":{}}`) after every `heartbeatMs` of silence, as arkd's handlers
 *   send one after each HEARTBEAT_INTERVAL without events (so proxies and the SDK's fetch timeouts
 *   see traffic);
 * - when the port's stream ends: `id: EOS\nevent: EOS\ndata: \n\n`; when it fails:
 *   `event: failure\ndata: <status JSON>\n\n` — both named events the SDK does not listen to, after
 *   which the connection closes (EventSource reports an error; the SDK surfaces it).
 * When the client goes away the port's signal aborts and its iterator is returned, so the port stops
 * producing for a listener that is gone.
 */
import type { FastifyReply } from 'fastify';
import type { JsonObject } from './decode.js';
import { renderArkError } from './errors.js';

export interface SseStream<T> {
  /** Opens the port's stream; a synchronous throw is answered as a normal error response. */
  open(signal: AbortSignal): AsyncIterable<T>;
  /** The wire message for one item; undefined skips it. */
  encode(item: T): JsonObject | undefined;
  heartbeatMs: number;
  /** Logs faults (a port that throws something other than a refusal). */
  onFault(err: unknown): void;
  /** The server is closing: the stream ends as if the port's had (a long-lived stream would hold close() forever). */
  shutdown: AbortSignal;
}

const HEARTBEAT = JSON.stringify({ heartbeat: {} });

export async function serveSse<T>(reply: FastifyReply, s: SseStream<T>): Promise<void> {
  const ac = new AbortController();
  // Opening may refuse (e.g. an unknown subscription): that is still an ordinary HTTP error.
  const iterable = s.open(ac.signal);
  const it = iterable[Symbol.asyncIterator]();

  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();

  const gone = new Promise<'gone'>((resolve) => {
    if (ac.signal.aborted) resolve('gone');
    ac.signal.addEventListener('abort', () => resolve('gone'), { once: true });
  });
  // The shutdown signal lives as long as the server: its listener goes with this stream.
  let onShutdown: (() => void) | undefined;
  const closing = new Promise<'closing'>((resolve) => {
    onShutdown = () => resolve('closing');
    if (s.shutdown.aborted) onShutdown();
    else s.shutdown.addEventListener('abort', onShutdown, { once: true });
  });
  res.on('close', () => ac.abort());

  const write = (chunk: string): void => {
    if (!res.destroyed && !res.writableEnded) res.write(chunk);
  };
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      write(`data: ${HEARTBEAT}\n\n`);
      arm();
    }, s.heartbeatMs);
    timer.unref();
  };
  arm();

  try {
    for (;;) {
      const pending = it.next();
      pending.catch(() => undefined); // a rejection after the client left is nobody's to handle
      const next = await Promise.race([pending, gone, closing]);
      if (next === 'gone') return; // the client left
      if (next === 'closing' || next.done === true) {
        write('id: EOS\nevent: EOS\ndata: \n\n');
        // Closing: the connection was busy when the server began to close, so Node will not reap
        // it as idle; let it go once the end is flushed.
        // (The socket is captured now: by 'finish' Node has detached it from the response.)
        const socket = res.socket;
        if (next === 'closing') res.once('finish', () => socket?.destroy());
        return;
      }
      const msg = s.encode(next.value);
      if (msg === undefined) continue;
      write(`data: ${JSON.stringify(msg)}\n\n`);
      arm();
    }
  } catch (err) {
    if (!ac.signal.aborted) {
      const { body } = renderArkError(err, s.onFault);
      write(`event: failure\ndata: ${JSON.stringify(body)}\n\n`);
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (onShutdown !== undefined) s.shutdown.removeEventListener('abort', onShutdown);
    ac.abort();
    // Not awaited: a port generator suspended in an await finishes its return() when it resumes.
    void Promise.resolve()
      .then(() => it.return?.())
      .catch(() => undefined);
    if (!res.writableEnded) res.end();
  }
}
