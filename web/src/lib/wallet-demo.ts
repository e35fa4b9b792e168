/**
 * The embedded demo's side of the wallet page: whether this server's Ark operator settles on the in-memory demo
 * ledger (its /health says so), and what the boarding faucet answered. Pure: the page does the fetching.
 */

/** The demo ledger as /health describes it; `onChain` is the server's own sentence about what reaches a network. */
export interface DemoLedger {
  onChain: string;
}

/** The demo ledger when /health's `ark` section names the embedded chain; anything else (bitcoind, no ark, junk) is not. */
export function demoLedgerOf(health: unknown): DemoLedger | undefined {
  const ark = (health as { ark?: unknown } | null)?.ark as { chain?: unknown; onChain?: unknown } | null | undefined;
  if (typeof ark !== 'object' || ark === null || ark.chain !== 'embedded') return undefined;
  // The server's sentence when it sends one; the demo's guarantee in our words when it does not.
  return { onChain: typeof ark.onChain === 'string' && ark.onChain !== '' ? ark.onChain : 'embedded demo ledger: nothing is broadcast to any network; coins here are not bitcoin' };
}

/** How much the "Get demo coins" button asks for: one payment the operator accepts to board (well above its minimum). */
export const DEMO_COINS_SAT = 100_000;

export interface FaucetPaid {
  txid: string;
  amountSat: number;
  height: number;
}

/**
 * What POST /v1/faucet/boarding answered: the payment, or an Error carrying the API's own message
 * (`{error:{message, field}}`), so the page shows why the server refused rather than a bare status.
 */
export function faucetOutcome(status: number, body: unknown): FaucetPaid {
  const b = body as { txid?: unknown; amountSat?: unknown; height?: unknown; error?: { message?: unknown; field?: unknown } } | null;
  if (status >= 200 && status < 300 && typeof b?.txid === 'string' && typeof b.amountSat === 'number' && typeof b.height === 'number')
    return { txid: b.txid, amountSat: b.amountSat, height: b.height };
  const message = typeof b?.error?.message === 'string' ? b.error.message : `the faucet answered HTTP ${status}`;
  const field = typeof b?.error?.field === 'string' ? ` (field ${b.error.field})` : '';
  throw new Error(`Demo coins refused: ${message}${field}`);
}
