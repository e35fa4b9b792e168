// Attack 1 through the real server (`hashperp serve --no-demo`, the typed client), as it was found: on an empty
// book one account opens 50 lots long against a second account of its own at the index, bids 1 lot at 2 × the
// index, waits three blocks and withdraws. Before (1354ed9): the bid was accepted, GET /v1/markets showed
// mark = 2.000 × index and the long account withdrew 12 000 sat after depositing 10 000. Now: the bid is refused
// (422 price_out_of_band), the mark stays the index, and the withdrawal is refused.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { HashPerpClient } from '../../src/client/client.js';
import { startServe } from '../../src/server/start.js';
import { serveConfig, tempDb, until } from '../serve/helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ADDRESS = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';

interface MarketX { id: string; index: number; mark: number }
interface HealthX { engine: { height: number } }

describe('attack 1 through the API on a fresh serve --no-demo', () => {
  it('the 2 × index bid is refused, the mark stays at the index, the 12 000 sat withdrawal is refused', async () => {
    const s = await startServe(serveConfig(db, { demo: false }));
    try {
      const long = new HashPerpClient({ baseUrl: s.url, credentials: { kind: 'account', secretKey: new Uint8Array(32).fill(21) } });
      const short = new HashPerpClient({ baseUrl: s.url, credentials: { kind: 'account', secretKey: new Uint8Array(32).fill(22) } });
      await long.syncClock();
      await short.syncClock();
      await until('first block', async () => ((await long.health()) as unknown as HealthX).engine.height >= 0);
      await long.faucet(10_000);
      await short.faucet(10_000);
      const perp = async (): Promise<MarketX> => (await long.markets()).find((m) => m.id === 'HPI-PERP') as unknown as MarketX;
      const { index } = await perp();
      expect(await short.placeOrder({ market: 'HPI-PERP', side: 'sell', type: 'limit', price: index, size: 50, postOnly: true })).toMatchObject({ status: 'open' });
      expect(await long.placeOrder({ market: 'HPI-PERP', side: 'buy', type: 'limit', price: index, size: 50, timeInForce: 'IOC' })).toMatchObject({ filled: 50 });
      await expect(long.placeOrder({ market: 'HPI-PERP', side: 'buy', type: 'limit', price: 2 * index, size: 1 }))
        .rejects.toMatchObject({ status: 422, code: 'price_out_of_band' });
      const h0 = ((await long.health()) as unknown as HealthX).engine.height;
      await until('three blocks', async () => ((await long.health()) as unknown as HealthX).engine.height >= h0 + 3);
      const m = await perp();
      expect(m.mark / m.index).toBe(1); // was 2.000
      await expect(long.withdraw(12_000, ADDRESS)).rejects.toMatchObject({ status: 422 });
      const acct = await long.account();
      expect(BigInt(acct.balanceMsat)).toBeLessThan(10_000_000n); // only the fee came off: no gain from the pump
    } finally {
      await s.close();
    }
  });
});
