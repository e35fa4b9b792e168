/**
 * The browser wallet's part in a block-delta contract (loaded on demand, as the Wallet tab is: it carries the
 * Ark SDK): its x-only key (registered as U of the account's contracts) and the cooperative settlement it
 * signs once the series is decided, with the shared settlement code (src/wallet/bdc-settle.ts) that checks the
 * document against the wallet's own key before signing.
 */
import { RestArkProvider, Transaction } from '@arkade-os/sdk';
import { base64, hex } from '@scure/base';
import { settleContract, type Settlement, type SettleableDocument } from '../../../../src/wallet/bdc-settle.js';
import type { BdcSide } from '../../../../src/bitcoin/vtxo-scripts.js';
import { loadSeed } from '../../lib/wallet-seed.js';
import { indexedDbSeedStore } from '../wallet/idb-seed-store.js';
import { arkUrls, identityFor, openArkWallet, probeArk } from '../wallet/ark-wallet.js';

export type BrowserWallet = { ok: true; mnemonic: string; network: string; key: string } | { ok: false; reason: string };

/** This browser's wallet (the Wallet tab's seed) on this origin's Ark network, or why there is none. */
export async function browserWallet(origin: string): Promise<BrowserWallet> {
  const seed = await loadSeed(indexedDbSeedStore());
  if (seed.state === 'none') return { ok: false, reason: 'No wallet in this browser yet: create one in the Wallet tab first.' };
  if (seed.state === 'corrupt') return { ok: false, reason: `The stored wallet seed is damaged (${seed.reason}).` };
  const ark = await probeArk(origin);
  if (!ark.ok) return { ok: false, reason: `This server runs no Ark operator (${ark.reason}).` };
  const key = hex.encode(await identityFor(seed.record.mnemonic, ark.network).xOnlyPublicKey());
  return { ok: true, mnemonic: seed.record.mnemonic, network: ark.network, key };
}

/** Signs and submits the settlement with the browser wallet: paid to its own Ark address if it won, released to the operator if it lost. */
export async function settleWithBrowserWallet(origin: string, doc: SettleableDocument, winner: BdcSide): Promise<Settlement> {
  const w = await browserWallet(origin);
  if (!w.ok) throw new Error(w.reason);
  const identity = identityFor(w.mnemonic, w.network);
  let own = '';
  if (winner === doc.terms.side) {
    const wallet = await openArkWallet(origin, w.mnemonic, w.network);
    try {
      own = await wallet.getAddress();
    } finally {
      await wallet.dispose();
    }
  }
  return settleContract(new RestArkProvider(arkUrls(origin).ark), doc, winner, identity, own);
}

/** The browser wallet's spendable VTXOs, largest first, as a take's inputs (with their tap trees). */
export async function walletCoins(origin: string): Promise<{ txid: string; vout: number; tapTree: string }[]> {
  const w = await browserWallet(origin);
  if (!w.ok) throw new Error(w.reason);
  const wallet = await openArkWallet(origin, w.mnemonic, w.network);
  try {
    return (await wallet.getVtxos()).sort((a, b) => b.value - a.value).slice(0, 20).map((v) => ({ txid: v.txid, vout: v.vout, tapTree: hex.encode(v.tapTree) }));
  } finally {
    await wallet.dispose();
  }
}

/** Signs the browser wallet's inputs of a take and their checkpoints (the operator's are already signed). */
export async function signTakeWithBrowserWallet(origin: string, take: { arkTx: string; checkpoints: string[]; userInputs: number[] }): Promise<{ arkTx: string; checkpoints: string[] }> {
  const w = await browserWallet(origin);
  if (!w.ok) throw new Error(w.reason);
  const identity = identityFor(w.mnemonic, w.network);
  const arkTx = await identity.sign(Transaction.fromPSBT(base64.decode(take.arkTx)), take.userInputs);
  const checkpoints = await Promise.all(take.checkpoints.map(async (c, i) => {
    const t = Transaction.fromPSBT(base64.decode(c));
    return base64.encode((take.userInputs.includes(i) ? await identity.sign(t, [0]) : t).toPSBT());
  }));
  return { arkTx: base64.encode(arkTx.toPSBT()), checkpoints };
}
