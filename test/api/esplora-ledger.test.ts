/** The Esplora conformance suite over the embedded demo ledger (LedgerEsplora), plus what only it has. */
import { afterAll, expect, it } from 'vitest';
import type { App } from '../../src/api/app-types.js';
import { hex } from '@scure/base';
import { OutScript, Address } from '@scure/btc-signer';
import { createServer } from '../../src/api/server.js';
import { LedgerEsplora } from '../../src/api/esplora/ledger-esplora.js';
import { registerEsplora } from '../../src/api/esplora/routes.js';
import { NETWORKS } from '../../src/bitcoin/networks.js';
import { EmbeddedLedger } from '../../src/operator/ark/embedded-ledger.js';
import { esploraConformance } from './esplora-conformance.js';
import { FakeExchange, FakeIndex } from './fakes.js';

let t = 1_700_000_000;
const ledger = new EmbeddedLedger(() => (t += 600), 20);
let base = '';
let app: App | undefined;
// Closed after every test of the file (the ledger-only test below runs after the shared suite).
afterAll(async () => app?.close());

esploraConformance('embedded ledger', async () => {
  app = await createServer({ exchange: new FakeExchange(), index: new FakeIndex() });
  await registerEsplora(app, { backend: new LedgerEsplora(ledger, NETWORKS.regtest) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${addr.port}/esplora`;
  return {
    base,
    pay: async (address, sats) => ledger.fund(OutScript.encode(Address(NETWORKS.regtest).decode(address)), BigInt(sats)),
    mine: async () => {
      const b = ledger.block(ledger.mine())!;
      return { hash: b.hash, height: b.height, time: b.time };
    },
    tip: async () => ({ hash: ledger.tip().hash, height: ledger.tip().height, mediantime: ledger.medianTime(ledger.tip().height) }),
    known: async (txid) => ledger.tx(txid) !== undefined,
    headerAt: async (h) => ledger.block(h)!.header,
    sink: Address(NETWORKS.regtest).encode({ type: 'wpkh', hash: new Uint8Array(20).fill(9) }),
    close: async () => {},
  };
});

it('ledger only: a faucet payment shows as a coinbase, fees are a flat 1 sat/vB, no merkleblock proofs', async () => {
  const { txid } = ledger.fund(new Uint8Array([0x00, 0x14, ...new Uint8Array(20).fill(1)]), 1_000n);
  const tx = (await (await fetch(`${base}/tx/${txid}`)).json()) as { vin: { is_coinbase: boolean }[]; fee: number };
  expect([tx.vin[0]!.is_coinbase, tx.fee]).toEqual([true, 0]);
  const fees = (await (await fetch(`${base}/fee-estimates`)).json()) as Record<string, number>;
  expect(fees['1']).toBe(1);
  const proof = await fetch(`${base}/tx/${txid}/merkleblock-proof`);
  expect([proof.status, await proof.text()]).toEqual([404, expect.stringMatching(/not served by the embedded demo ledger/)]);
  expect(hex.encode(new Uint8Array(await (await fetch(`${base}/tx/${txid}/raw`)).arrayBuffer()))).toBe(ledger.tx(txid)!.hex);
});
