import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HashPerpApiError } from '../../src/client/client.js';
import { InvalidArgumentError } from '../../src/units/errors.js';
import { credited, parseTransferAmount, transferError, waitUntil, withdrawableSat } from '../../web/src/lib/exchange-transfer.js';
import { TRUST_MODEL, trustModelMarkdown } from '../../web/src/lib/trust-model.js';

describe('wallet <-> exchange transfer helpers', () => {
  it('counts whole sats free to withdraw, rounding msat down and negatives to zero', () => {
    expect(withdrawableSat('25000999')).toBe(25_000);
    expect(withdrawableSat(1_000n)).toBe(1);
    expect(withdrawableSat('999')).toBe(0);
    expect(withdrawableSat('-5000')).toBe(0);
  });

  it('reads the amount against what the source side holds, naming the side when it is short', () => {
    expect(parseTransferAmount(' 40_000 ', 'to-exchange', 100_000)).toBe(40_000);
    expect(parseTransferAmount('1,000', 'to-wallet', 1_000)).toBe(1_000);
    expect(() => parseTransferAmount('100001', 'to-exchange', 100_000)).toThrow('amount: insufficient funds: your wallet holds 100,000 sat spendable offchain');
    expect(() => parseTransferAmount('25001', 'to-wallet', 25_000)).toThrow('amount: insufficient funds: the exchange account has 25,000 sat free to withdraw');
    expect(() => parseTransferAmount('0', 'to-wallet', 5)).toThrow('amount: must be at least 1 sat');
    for (const bad of ['', '1.5', '-3', 'abc', '1e5']) expect(() => parseTransferAmount(bad, 'to-exchange', 10 ** 9)).toThrow('amount: enter a whole number of sats');
    expect(() => parseTransferAmount('99999999999999999999', 'to-exchange', Number.MAX_SAFE_INTEGER)).toThrow(InvalidArgumentError);
  });

  it('sees a deposit credited only when the balance rose by the whole amount (in msat)', () => {
    expect(credited('1000', '40001000', 40_000)).toBe(true);
    expect(credited(1000n, 40_000_999n, 40_000)).toBe(false);
    expect(credited('0', '0', 1)).toBe(false);
  });

  it('polls until done, or gives up after the timeout without throwing', async () => {
    const seen = ['0', '0', '5000'];
    const slept: number[] = [];
    const sleep = async (ms: number) => void slept.push(ms);
    expect(await waitUntil(async () => seen.shift() ?? '5000', (v) => v === '5000', { timeoutMs: 10_000, intervalMs: 500, sleep })).toBe(true);
    expect(slept).toEqual([500, 500]);
    slept.length = 0;
    expect(await waitUntil(async () => '0', () => false, { timeoutMs: 1_000, intervalMs: 500, sleep })).toBe(false);
    expect(slept).toEqual([500, 500]);
  });

  it('explains refusals: liquidity short as temporary, the amount check without its field prefix, the rest in the API words', () => {
    const short = new HashPerpApiError(503, 'liquidity_short', "the operator's liquidity holds 0 sat in spendable VTXOs; 15000 sat needed; the withdrawal was reversed", 'amount');
    expect(transferError(short)).toMatch(/^The operator's liquidity cannot pay this withdrawal right now, so your exchange balance is as it was\. This is temporary/);
    expect(transferError(short)).toContain('15000 sat needed');
    expect(transferError(new InvalidArgumentError('amountSat', 'the wallet holds 10 sat in spendable VTXOs; 20 sat asked'))).toBe('the wallet holds 10 sat in spendable VTXOs; 20 sat asked');
    expect(transferError(new HashPerpApiError(422, 'insufficient_balance', 'over the free balance', 'body.amountSat'))).toBe('over the free balance (field body.amountSat)');
    expect(transferError(new HashPerpApiError(503, 'not_ready', 'chain not synced'))).toBe('The server cannot provide moves between your wallet and the exchange right now: chain not synced.');
  });
});

describe('trust model', () => {
  it('is the same table in the README as in the web app', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Money in and out, and what you trust'));
    expect(section.length).toBeLessThan(readme.length);
    expect(section).toContain(trustModelMarkdown());
  });

  it('holds every fund DESIGN.md lists, the user-held ones first, and names how each is checked', () => {
    expect(TRUST_MODEL.map((r) => [r.held, r.funds])).toEqual([
      ['user', 'boarding output'],
      ['user', 'wallet VTXO'],
      ['user', 'block-delta contract VTXO'],
      ['operator', 'trading balance (perpetual, forwards, options) and the vault'],
    ]);
    expect(TRUST_MODEL.find((r) => r.funds === 'wallet VTXO')!.checked).toContain('plain bitcoind');
    const cleared = TRUST_MODEL.find((r) => r.held === 'operator')!.checked;
    for (const w of ['proof of liabilities at every block', 'proof of reserves', 'reconciliation']) expect(cleared).toContain(w);
    // A pipe inside a cell is escaped, so the row keeps its four columns.
    expect(trustModelMarkdown([{ held: 'user', funds: 'a|b', whoMoves: 'x', checked: 'y' }]).split('\n')[2]).toBe('| a\\|b | you hold the keys | x | y |');
  });
});
