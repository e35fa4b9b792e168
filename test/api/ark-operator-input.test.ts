/**
 * Bad input on every /ark route of the live operator (embedded demo ledger, the same code as with
 * bitcoind): a 4xx in arkd's error shape (what the SDK turns into an ArkError), never a 5xx, and
 * nothing half-applied — no intent queued, no VTXO, batch or virtual tx stored.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWiring } from '../../src/server/compose.js';
import { startServe } from '../../src/server/start.js';
import { serveConfig, tempDb } from '../serve/helpers.js';

const { dir, db } = tempDb();
let s: Awaited<ReturnType<typeof startServe>>;

beforeAll(async () => {
  s = await startServe(serveConfig(db, { chain: 'embedded', demo: false, embeddedBlockSeconds: 0 }), makeWiring());
});
afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

type ArkErrorBody = { code: number; message: string; details: { '@type': string; name: string }[] };

async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: ArkErrorBody }> {
  const r = await fetch(`${s.url}/ark${path}`, {
    method,
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  return { status: r.status, body: (await r.json()) as ArkErrorBody };
}

const junkPsbt = Buffer.from('not a psbt at all').toString('base64');
const msg = JSON.stringify({ type: 'register', onchain_output_indexes: [], valid_at: 0, expire_at: 0, cosigners_public_keys: [] });

describe('the Ark operator refuses bad input without changing anything', () => {
  it('every service and indexer route answers a 4xx in arkd’s shape', async () => {
    const cases: [string, 'GET' | 'POST', string, unknown][] = [
      ['register: not JSON', 'POST', '/v1/batch/registerIntent', '{"intent":'],
      ['register: no intent', 'POST', '/v1/batch/registerIntent', {}],
      ['register: proof not a PSBT', 'POST', '/v1/batch/registerIntent', { intent: { proof: junkPsbt, message: msg } }],
      ['register: message not JSON', 'POST', '/v1/batch/registerIntent', { intent: { proof: junkPsbt, message: 'hello' } }],
      ['register: proof a number', 'POST', '/v1/batch/registerIntent', { intent: { proof: 7, message: msg } }],
      ['delete: proof not a PSBT', 'POST', '/v1/batch/deleteIntent', { intent: { proof: junkPsbt, message: JSON.stringify({ type: 'delete', expire_at: 0 }) } }],
      ['ack: no batch running', 'POST', '/v1/batch/ack', { intentId: 'ab'.repeat(32) }],
      ['nonces: unknown batch', 'POST', '/v1/batch/tree/submitNonces', { batchId: 'nope', pubkey: '02' + 'aa'.repeat(32), treeNonces: {} }],
      ['signatures: unknown batch', 'POST', '/v1/batch/tree/submitSignatures', { batchId: 'nope', pubkey: '02' + 'aa'.repeat(32), treeSignatures: {} }],
      ['forfeits: no batch collecting', 'POST', '/v1/batch/submitForfeitTxs', { signedForfeitTxs: [junkPsbt] }],
      ['submit: Ark tx not a PSBT', 'POST', '/v1/tx/submit', { signedArkTx: junkPsbt, checkpointTxs: [junkPsbt] }],
      ['submit: checkpoints a string', 'POST', '/v1/tx/submit', { signedArkTx: junkPsbt, checkpointTxs: junkPsbt }],
      ['finalize: unknown Ark tx', 'POST', '/v1/tx/finalize', { arkTxid: 'cd'.repeat(32), finalCheckpointTxs: [] }],
      ['pending: proof not a PSBT', 'POST', '/v1/tx/pending', { intent: { proof: junkPsbt, message: JSON.stringify({ type: 'get-pending-tx', expire_at: 0 }) } }],
      ['vtxos: no filter', 'GET', '/v1/indexer/vtxos', undefined],
      ['vtxos: bad outpoint', 'GET', '/v1/indexer/vtxos?outpoints=zz:1', undefined],
      ['chain: unknown VTXO', 'GET', `/v1/indexer/vtxo/${'ef'.repeat(32)}/0/chain`, undefined],
      ['commitment: unknown', 'GET', `/v1/indexer/commitmentTx/${'ef'.repeat(32)}`, undefined],
      ['tree: unknown batch', 'GET', `/v1/indexer/batch/${'ef'.repeat(32)}/0/tree`, undefined],
      ['subscription: unknown id', 'GET', '/v1/indexer/script/subscription/nope', undefined],
      ['subscribe: script not hex', 'POST', '/v1/indexer/script/subscribe', { scripts: ['xyz'] }],
    ];
    for (const [what, method, path, body] of cases) {
      const r = await call(method, path, body);
      expect(r.status, what).toBeGreaterThanOrEqual(400);
      expect(r.status, what).toBeLessThan(500);
      expect(typeof r.body.message, what).toBe('string');
      expect(Array.isArray(r.body.details), what).toBe(true);
    }
    const ark = s.wiring.parts!.ark!;
    expect(ark.operator.status()).toMatchObject({ queuedIntents: 0, batches: 0, vtxos: 0, batchRunning: false });
    expect(ark.store.allPending()).toEqual([]);
  });
});
