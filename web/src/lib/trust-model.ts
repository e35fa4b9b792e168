/**
 * The trust model, once: which funds the user holds alone and which the operator clears, who can move
 * them, and how each is checked. The web app renders these rows and the README carries the same table
 * (trustModelMarkdown; a test keeps the two equal). Wording follows DESIGN.md's "Trust model".
 */

export interface TrustRow {
  /** 'user': you hold the keys; 'operator': operator-cleared. */
  held: 'user' | 'operator';
  funds: string;
  whoMoves: string;
  checked: string;
}

export const TRUST_MODEL: readonly TrustRow[] = [
  {
    held: 'user',
    funds: 'boarding output',
    whoMoves: 'you + the operator (S); you alone after the boarding timeout',
    checked: 'you spend it on chain after the timeout',
  },
  {
    held: 'user',
    funds: 'wallet VTXO',
    whoMoves: 'you + S offchain; you alone after unroll + the exit delay',
    checked: 'unilateral exit: unroll and sweep with a plain bitcoind (the wallet keeps the exit data)',
  },
  {
    held: 'user',
    funds: 'block-delta contract VTXO',
    whoMoves: 'U (your key) + S offchain; the winner alone after its lock + the exit delay (a race once both locks opened)',
    checked: 'the winner unrolls and claims with a plain bitcoind',
  },
  {
    held: 'operator',
    funds: 'trading balance (perpetual, forwards, options) and the vault',
    whoMoves: "the operator's ledger (operator-cleared)",
    checked:
      'proof of liabilities at every block (your balance in it, verified in your browser or `hashperp proof verify`), proof of reserves against it, and the per-block reconciliation of every Ark deposit and withdrawal (/health)',
  },
];

export const HELD_LABEL: Record<TrustRow['held'], string> = {
  user: 'you hold the keys',
  operator: 'operator-cleared',
};

/** The README's table, from the same rows. */
export function trustModelMarkdown(rows: readonly TrustRow[] = TRUST_MODEL): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| funds | held | who can move them | how it is checked |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${cell(r.funds)} | ${HELD_LABEL[r.held]} | ${cell(r.whoMoves)} | ${cell(r.checked)} |`),
  ].join('\n');
}
