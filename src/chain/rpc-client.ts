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
    const body = JSON.stringify({ jsonrpc: '1.0', id: ++this.id, method, params });
    let res: Response;
    try {
      res = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.auth ? { authorization: this.auth } : {}) },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new HashPerpError('rpc_unreachable', `bitcoind ${method}: ${(e as Error).message}`, { retryable: true });
    }
    const text = await res.text();
    let parsed: { result?: T; error?: { code: number; message: string } | null };
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new HashPerpError('rpc_bad_response', `bitcoind ${method}: HTTP ${res.status}: ${text.slice(0, 200)}`, { retryable: res.status >= 500 });
    }
    if (parsed.error) throw new RpcError(method, parsed.error.code, parsed.error.message);
    return parsed.result as T;
  }
}

export class RpcError extends HashPerpError {
  constructor(readonly method: string, readonly rpcCode: number, readonly rpcMessage: string) {
    super('rpc_error', `bitcoind ${method}: ${rpcMessage} (code ${rpcCode})`);
  }
}
