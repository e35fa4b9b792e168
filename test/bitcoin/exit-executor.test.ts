import { describe, it, expect } from 'vitest';
import { EsploraBroadcaster, BitcoindBroadcaster } from '../../src/bitcoin/exit-executor.js';
import { BitcoindRpc, RpcError } from '../../src/chain/rpc-client.js';

describe('broadcasters', () => {
  it('esplora: status probe, POST /tx, already-known answers count as accepted', async () => {
    const calls: string[] = [];
    const fake = (async (url: string | URL | Request, init?: RequestInit) => {
      calls.push(`${init?.method ?? 'GET'} ${String(url)} ${init?.body ?? ''}`);
      if (String(url).endsWith('/tx/aa/status')) return new Response('{}', { status: 200 });
      if (String(url).endsWith('/tx/bb/status')) return new Response('not found', { status: 404 });
      if (String(init?.body) === 'dup') return new Response('sendrawtransaction RPC error: {"code":-27,"message":"Transaction outputs already in utxo set"}', { status: 400 });
      if (String(init?.body) === 'bad') return new Response('sendrawtransaction RPC error: {"code":-26,"message":"non-final"}', { status: 400 });
      return new Response('bb', { status: 200 });
    }) as typeof fetch;
    const e = new EsploraBroadcaster('http://esplora.local/api/', fake);
    expect(await e.known('aa')).toBe(true);
    expect(await e.known('bb')).toBe(false);
    expect(await e.broadcast('0200', 'bb')).toEqual({ txid: 'bb', accepted: true, alreadyKnown: false });
    expect(await e.broadcast('dup', 'bb')).toMatchObject({ accepted: true, alreadyKnown: true });
    expect(await e.broadcast('bad', 'bb')).toMatchObject({ accepted: false, reason: expect.stringContaining('non-final') });
    expect(calls[2]).toBe('POST http://esplora.local/api/tx 0200');
  });

  it('bitcoind: maps Core error messages', async () => {
    const rpc = new BitcoindRpc('http://u:p@127.0.0.1:1');
    const answers: Record<string, () => unknown> = {
      dup: () => {
        throw new RpcError('sendrawtransaction', -27, 'Transaction outputs already in utxo set');
      },
      bad: () => {
        throw new RpcError('sendrawtransaction', -26, 'non-BIP68-final');
      },
      ok: () => 'cc',
    };
    rpc.call = (async (_m: string, p: unknown[] = []) => answers[p[0] as string]!()) as typeof rpc.call;
    const b = new BitcoindBroadcaster(rpc);
    expect(await b.broadcast('ok', 'cc')).toEqual({ txid: 'cc', accepted: true, alreadyKnown: false });
    expect(await b.broadcast('dup', 'cc')).toMatchObject({ accepted: true, alreadyKnown: true });
    expect(await b.broadcast('bad', 'cc')).toMatchObject({ accepted: false, reason: 'non-BIP68-final' });
  });
});
