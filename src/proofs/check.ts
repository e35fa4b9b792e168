/**
 * "Is my balance in the liabilities?": fetch my proof, fetch the root published for its block on its own
 * (not the copy inside the proof), verify locally. Shared by `hashperp proof verify` and the web app.
 */
import { verifyLiabilitiesProof, type LiabilitiesProof, type LiabilitiesRoot } from './liabilities.js';
import type { Hash } from './merkle-sum.js';

export type MyLiabilitiesCheck =
  | { ok: true; height: number; blockHash: string; balanceMsat: bigint; totalMsat: string; accounts: number }
  | { ok: false; height?: number; reason: string };

export async function checkMyLiabilities(
  account: string,
  fetchProof: () => Promise<LiabilitiesProof>,
  fetchRoot: (height: number) => Promise<LiabilitiesRoot>,
  h?: Hash,
): Promise<MyLiabilitiesCheck> {
  const proof = await fetchProof();
  const root = await fetchRoot(proof.height);
  const v = verifyLiabilitiesProof(proof, root, account, h);
  if (!v.ok) return { ok: false, height: proof.height, reason: v.reason };
  return { ok: true, height: root.height, blockHash: root.blockHash, balanceMsat: v.balanceMsat!, totalMsat: root.totalMsat, accounts: root.accounts };
}

/** msat → "0.05000000 BTC" (sat precision; the msat remainder shown when there is one). */
export function formatMsat(msat: bigint): string {
  const sat = msat / 1000n;
  const rem = msat % 1000n;
  const btc = `${sat / 100_000_000n}.${(sat % 100_000_000n).toString().padStart(8, '0')} BTC`;
  return rem === 0n ? btc : `${btc} + ${rem} msat`;
}

/** The line the CLI and the web app show on success. */
export function verifiedLine(c: Extract<MyLiabilitiesCheck, { ok: true }>): string {
  return `your balance ${formatMsat(c.balanceMsat)} is in the liabilities of block ${c.height}: verified`;
}
