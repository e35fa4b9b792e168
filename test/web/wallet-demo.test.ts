import { describe, expect, it } from 'vitest';
import { demoLedgerOf, faucetOutcome } from '../../web/src/lib/wallet-demo.js';

// /health's ark section as src/server/ark-wiring.ts status() writes it.
const NOTE = 'embedded demo ledger: commitment transactions are built and signed as on Bitcoin but not broadcast to any network; coins here are not bitcoin';

describe('wallet demo helpers', () => {
  it('reads the demo ledger only from an embedded ark section, keeping the server sentence', () => {
    expect(demoLedgerOf({ status: 'ok', ark: { chain: 'embedded', network: 'regtest', onChain: NOTE } })).toEqual({ onChain: NOTE });
    expect(demoLedgerOf({ ark: { chain: 'embedded' } })!.onChain).toMatch(/not bitcoin/);
    // A real node, no operator, junk: no demo banner, no faucet button.
    for (const h of [{ ark: { chain: 'bitcoind', network: 'regtest', onChain: 'broadcast to the regtest bitcoind node' } }, { status: 'ok' }, null, 'ok', { ark: null }, { ark: 'embedded' }])
      expect(demoLedgerOf(h)).toBeUndefined();
  });

  it('returns the faucet payment, and otherwise throws the API error message with its field', () => {
    const txid = 'ab'.repeat(32);
    expect(faucetOutcome(200, { txid, vout: 0, amountSat: 100_000, height: 7, note: NOTE })).toEqual({ txid, amountSat: 100_000, height: 7 });
    expect(() => faucetOutcome(400, { error: { code: 'invalid_argument', message: 'amountSat must be between 1000 and 10000000, got 1', field: 'body.amountSat' } })).toThrow(
      'Demo coins refused: amountSat must be between 1000 and 10000000, got 1 (field body.amountSat)',
    );
    expect(() => faucetOutcome(429, { error: { code: 'rate_limited', message: 'boarding faucet limit for this address' } })).toThrow(/^Demo coins refused: boarding faucet limit for this address$/);
    expect(() => faucetOutcome(502, null)).toThrow('Demo coins refused: the faucet answered HTTP 502');
    // A 200 without a payment in it is not a payment.
    expect(() => faucetOutcome(200, { error: { message: 'odd' } })).toThrow(/odd/);
    expect(() => faucetOutcome(200, {})).toThrow(/HTTP 200/);
  });
});
