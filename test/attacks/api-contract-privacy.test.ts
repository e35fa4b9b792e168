/**
 * Attack (issue item 3): block-delta contract documents and exit packages were public and their ids
 * sequential (<series>#1, #2, ...), so anyone could list every holder, side, stake and key of a series.
 * Now only the holder (and the operator) reads them, signed; anyone else gets the 404 of a missing
 * position, so walking the ids reveals nothing, not even which exist.
 */
import { rmSync } from 'node:fs';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Credentials } from '../../src/api/auth/message.js';
import { HashPerpClient } from '../../src/client/client.js';
import { ProductsClient } from '../../src/client/products-client.js';
import { startServe } from '../../src/server/start.js';
import { serveConfig, tempDb, until } from '../serve/helpers.js';
import { send } from './api-helpers.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

const HOLDER: Credentials = { kind: 'account', secretKey: new Uint8Array(32).fill(43) };
const ATTACKER: Credentials = { kind: 'account', secretKey: new Uint8Array(32).fill(44) };
const OPERATOR_SK = new Uint8Array(32).fill(45);
const OPERATOR: Credentials = { kind: 'account', secretKey: OPERATOR_SK };
const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('attack: enumerate block-delta contract documents', () => {
  it('another account and an unsigned caller learn nothing; the holder and the operator read it', async () => {
    const s = await startServe(serveConfig(db, { operatorAccounts: [bytesToHex(schnorr.getPublicKey(OPERATOR_SK))] }));
    try {
      const c = new HashPerpClient({ baseUrl: s.url, credentials: HOLDER });
      await c.syncClock();
      const p = new ProductsClient(c);
      const series = await until('a quoted series', async () => (await p.bdcSeries()).find((x) => x.status === 'open' && x.bestAsk !== null));
      await c.faucet(5_000_000);
      let positionId: string | undefined;
      for (let attempt = 0; attempt < 5 && positionId === undefined; attempt++) {
        const ask = (await p.bdcBook(series.series, 1)).asks[0];
        const ack = await p.placeBdcOrder({ series: series.series, side: 'FAST', price: Math.min(9_999, ask.price + 1_000), qty: 1, tif: 'IOC' });
        positionId = ack.positionIds[0];
      }
      expect(positionId).toBeDefined();
      const docPath = `/v1/bdc/contracts/${encodeURIComponent(positionId!)}`;

      // The attacker walks the sequential ids of the series: every one is a 404, the holder's included.
      const n = Number(positionId!.split('#')[1]);
      for (let i = 1; i <= n + 3; i++) {
        const path = `/v1/bdc/contracts/${encodeURIComponent(`${series.series}#${i}`)}`;
        for (const sub of ['', '/exit-package']) {
          const signed = await send(s.url, ATTACKER, 'GET', path + sub);
          expect(signed.status, `${path}${sub}: ${signed.text.slice(0, 200)}`).toBe(404);
          expect(signed.body.error).toMatchObject({ code: 'unknown_position', field: 'params.positionId' });
          const anon = await send(s.url, undefined, 'GET', path + sub);
          expect(anon.status, `${path}${sub} unsigned: ${anon.text.slice(0, 200)}`).toBe(401);
          expect(anon.body.error?.code).toBe('missing_credentials');
        }
      }

      // The holder reads its own document; the operator reads it too.
      const own = await send(s.url, HOLDER, 'GET', docPath);
      expect(own.status, own.text).toBe(200);
      expect(own.body).toMatchObject({ positionId, account: bytesToHex(schnorr.getPublicKey(HOLDER.secretKey)) });
      expect((await send(s.url, OPERATOR, 'GET', docPath)).status).toBe(200);
      expect((await p.bdcContract(positionId!)).positionId).toBe(positionId);
    } finally {
      await s.close();
    }
  });
});
