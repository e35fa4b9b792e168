import { HashPerpError } from '../units/errors.js';

/**
 * Minimal bitcoind JSON-RPC client over HTTP (fetch). The URL carries the credentials:
 * http://user:pass@127.0.0.1:18443[/wallet/name].
 */
export class BitcoindRpc {
  private readonly endpoint: string;
  private readonly auth: string | undefined;
  private id = 0;

  constructor(url: string, private readonly timeoutMs = 30_000) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new HashPerpError('invalid_argument', `rpc: not a URL: ${JSON.stringify(url)}`, { field: 'rpc' });
    }
    this.auth = u.username ? 'Basic ' + Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64') : undefined;
    u.username = '';
    u.password = '';
    this.endpoint = u.toString();
  }

  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const parsed = (await this.post(JSON.stringify({ jsonrpc: '1.0', id: ++this.id, method, params }), method)) as
      { result?: T; error?: { code: number; message: string } | null };
    if (parsed.error) throw new RpcError(method, parsed.error.code, parsed.error.message);
    return parsed.result as T;
  }

  /**
   * Several calls in one HTTP request (JSON-RPC batch); results in the order of `calls`.
   * The first call that failed is thrown as an RpcError.
   */
  async batch<T = unknown>(calls: readonly { method: string; params?: unknown[] }[]): Promise<T[]> {
    if (calls.length === 0) return [];
    const first = ++this.id;
    this.id += calls.length;
    const body = JSON.stringify(calls.map((c, i) => ({ jsonrpc: '1.0', id: first + i, method: c.method, params: c.params ?? [] })));
    const label = `batch of ${calls.length} ${calls[0].method}`;
    const parsed = (await this.post(body, label)) as { id: number; result?: T; error?: { code: number; message: string } | null }[];
    if (!Array.isArray(parsed) || parsed.length !== calls.length)
      throw new HashPerpError('rpc_bad_response', `bitcoind ${label}: expected ${calls.length} replies, got ${JSON.stringify(parsed).slice(0, 200)}`);
    const byId = new Map(parsed.map((r) => [r.id, r]));
    return calls.map((c, i) => {
      const r = byId.get(first + i);
      if (!r) throw new HashPerpError('rpc_bad_response', `bitcoind ${label}: no reply for call ${i}`);
      if (r.error) throw new RpcError(c.method, r.error.code, r.error.message, i);
      return r.result as T;
    });
  }

  /** One HTTP round trip; transport failures are retryable, unparseable replies name the HTTP status. */
  private async post(body: string, label: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.auth ? { authorization: this.auth } : {}) },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new HashPerpError('rpc_unreachable', `bitcoind ${label}: ${(e as Error).message}`);
    }
    const text = await res.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new HashPerpError(res.status >= 500 ? 'rpc_unreachable' : 'rpc_bad_response', `bitcoind ${label}: HTTP ${res.status}: ${text.slice(0, 200)}`);
    }
  }
}

export class RpcError extends HashPerpError {
  /** `index`: which call of a batch failed. */
  constructor(readonly method: string, readonly rpcCode: number, readonly rpcMessage: string, readonly index?: number) {
    super('rpc_error', `bitcoind ${method}: ${rpcMessage} (code ${rpcCode})`);
  }
}
