/**
 * A stand-in HashPerp server for the wallet CLI's unit tests: arkd's GetInfo at /ark/v1/info, an
 * indexer with no VTXOs and an Esplora with no UTXOs, so the stock SDK Wallet opens and answers
 * address and balance queries. It holds no wallet logic: what the tests check is what the SDK
 * derives on the client side. `requests` records what the SDK asked, `close()` plays the operator
 * going down.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hex } from '@scure/base';
import { p2tr } from '@scure/btc-signer';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { CSVMultisigTapscript, networks } from '@arkade-os/sdk';

export interface Stub {
  url: string;
  requests: string[];
  serverKey: Uint8Array;
  close(): Promise<void>;
}

export async function startStub(): Promise<Stub> {
  const sk = secp256k1.utils.randomSecretKey();
  const xonly = schnorr.getPublicKey(sk);
  const compressed = secp256k1.getPublicKey(sk, true);
  const info = {
    signerPubkey: hex.encode(compressed),
    forfeitPubkey: hex.encode(compressed),
    forfeitAddress: p2tr(xonly, undefined, networks.regtest).address,
    checkpointTapscript: hex.encode(CSVMultisigTapscript.encode({ timelock: { type: 'blocks', value: 10n }, pubkeys: [xonly] }).script),
    network: 'regtest',
    sessionDuration: '10',
    unilateralExitDelay: '20',
    boardingExitDelay: '40',
    dust: '330',
    utxoMinAmount: '0',
    utxoMaxAmount: '-1',
    vtxoMinAmount: '0',
    vtxoMaxAmount: '-1',
    version: 'stub',
    digest: '',
    fees: { intentFee: {}, txFeeRate: '1' },
    deprecatedSigners: [],
    serviceStatus: {},
  };
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    requests.push(`${req.method} ${path}`);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/ark/v1/info') return json(200, info);
    if (path.startsWith('/ark/v1/indexer/vtxos')) return json(200, { vtxos: [], page: { current: 0, next: 0, total: 0 } });
    if (path.startsWith('/ark/v1/indexer/script/subscribe')) return json(200, { subscriptionId: 'stub' });
    if (path.startsWith('/ark/v1/indexer/script/unsubscribe')) return json(200, {});
    if (path.startsWith('/ark/v1/indexer/script/subscription')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      return; // an idle stream
    }
    if (path.startsWith('/ark/')) return json(404, { code: 5, message: `stub: no ${path}` });
    if (/^\/esplora\/address\/[^/]+\/utxo$/.test(path)) return json(200, []);
    if (/^\/esplora\/address\/[^/]+\/txs$/.test(path)) return json(200, []);
    if (path === '/esplora/blocks/tip/height') return res.end('200');
    if (path === '/esplora/fee-estimates') return json(200, { '1': 1 });
    return json(404, { error: `stub: no ${path}` });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    serverKey: xonly,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
