import { describe, expect, it } from 'vitest';
import { reservesReport, type ReserveOutpoint } from '../../src/proofs/reserves.js';

const op = (kind: ReserveOutpoint['kind'], sat: number, vout = 0): ReserveOutpoint => ({ kind, txid: 'aa'.repeat(32), vout, amountSat: String(sat), confirmations: 1 });
const root = (msat: string) => ({ height: 10, blockHash: 'bb'.repeat(32), root: 'cc'.repeat(32), totalMsat: msat, accounts: 3 });
const base = { chain: 'bitcoind', network: 'regtest', onChain: 'x', chainHeight: 200, vaultNavMsat: 5n };

describe('reserves report', () => {
  it('sums by kind and sets own coins against the ledger, batch outputs against VTXOs', () => {
    const r = reservesReport({ ...base, outpoints: [op('wallet', 1000), op('wallet', 500, 1), op('forfeit', 200), op('batch', 7000)], liabilities: root('1700000'), vtxosOutstandingSat: 7000n });
    expect(r.totals).toEqual({ walletSat: '1500', forfeitSat: '200', batchSat: '7000', liquiditySat: '0', reservesSat: '8700' });
    expect(r.exchange).toMatchObject({ backingMsat: '1700000', shortByMsat: '0', vaultNavMsat: '5' });
    expect(r.ark).toEqual({ vtxosOutstandingSat: '7000', batchOutputsSat: '7000', shortBySat: '0' });
    expect(r.reservesShort).toBe(false);
  });

  it('one msat owed past the own coins is short; so is one VTXO sat past the batch outputs', () => {
    expect(reservesReport({ ...base, outpoints: [op('wallet', 1000)], liabilities: root('1000001'), vtxosOutstandingSat: 0n })).toMatchObject({ reservesShort: true, exchange: { shortByMsat: '1' } });
    // Batch outputs do not back the exchange ledger: plenty of them do not hide a ledger shortfall.
    expect(reservesReport({ ...base, outpoints: [op('wallet', 1000), op('batch', 1_000_000)], liabilities: root('1000001'), vtxosOutstandingSat: 0n }).reservesShort).toBe(true);
    expect(reservesReport({ ...base, outpoints: [op('wallet', 1000), op('batch', 99)], liabilities: root('1000'), vtxosOutstandingSat: 100n })).toMatchObject({ reservesShort: true, ark: { shortBySat: '1' } });
  });

  it("the liquidity key's VTXOs (users' Ark deposits) back the exchange ledger, to the msat", () => {
    // 1,000 sat of wallet coins + 600 sat of L's VTXOs back 1,600,000 msat exactly; one more msat is short.
    const outpoints = [op('wallet', 1000), op('liquidity', 600), op('batch', 600)];
    expect(reservesReport({ ...base, outpoints, liabilities: root('1600000'), vtxosOutstandingSat: 600n })).toMatchObject({ reservesShort: false, totals: { liquiditySat: '600' }, exchange: { backingMsat: '1600000' } });
    expect(reservesReport({ ...base, outpoints, liabilities: root('1600001'), vtxosOutstandingSat: 600n })).toMatchObject({ reservesShort: true, exchange: { shortByMsat: '1' } });
  });
});
