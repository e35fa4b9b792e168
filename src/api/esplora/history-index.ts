/**
 * The address index bitcoind does not have: for every block from a start height to the tip, which
 * txs touch which output script (paid to it, or spending an output of it) and which tx spent each
 * outpoint. Fed blocks in order (getblock verbosity 3: inputs carry their prevout script) and
 * unwound from the top on a reorg. Pure state; the service does the RPC.
 *
 * Limits (why a real Esplora is needed on mainnet): history before `start` is not known (an output
 * spent before it has no spender here), and memory grows with every input and output since `start`
 * (about 150 bytes each): fine for regtest and signet, not for mainnet from genesis.
 */

export interface IndexedBlockTx {
  txid: string;
  vin: { txid?: string; vout?: number; coinbase?: string; prevout?: { scriptPubKey: { hex: string } } }[];
  vout: { scriptPubKey: { hex: string } }[];
}

export interface IndexedBlock {
  hash: string;
  height: number;
  time: number;
  previousblockhash?: string;
  tx: IndexedBlockTx[];
}

export interface BlockRef {
  height: number;
  hash: string;
  time: number;
}

export interface Spender {
  txid: string;
  vin: number;
  block: BlockRef;
}

interface Undo {
  ref: BlockRef;
  scripts: string[];
  spent: string[];
  txids: string[];
}

export const outpointKey = (txid: string, vout: number): string => `${txid}:${vout}`;

export class HistoryIndex {
  private readonly blocks: Undo[] = [];
  private readonly byScript = new Map<string, string[]>();
  private readonly spenders = new Map<string, Spender>();
  private readonly txBlock = new Map<string, BlockRef>();

  /** `start`: the first height indexed. */
  constructor(readonly start: number) {}

  /** The last block indexed, if any. */
  tip(): BlockRef | undefined {
    return this.blocks.at(-1)?.ref;
  }

  nextHeight(): number {
    return this.start + this.blocks.length;
  }

  blockAt(height: number): BlockRef | undefined {
    return this.blocks[height - this.start]?.ref;
  }

  /** Appends the next block; refuses one that does not extend the indexed chain. */
  connect(b: IndexedBlock): void {
    const tip = this.tip();
    if (b.height !== this.nextHeight()) throw new Error(`history index: block ${b.hash} at height ${b.height}, expected ${this.nextHeight()}`);
    if (tip && b.previousblockhash !== tip.hash) throw new Error(`history index: block ${b.hash} does not extend ${tip.hash}`);
    const ref: BlockRef = { height: b.height, hash: b.hash, time: b.time };
    const undo: Undo = { ref, scripts: [], spent: [], txids: [] };
    for (const tx of b.tx) {
      const touched = new Set<string>();
      tx.vin.forEach((i, n) => {
        if (i.coinbase !== undefined || i.txid === undefined || i.vout === undefined) return;
        const key = outpointKey(i.txid, i.vout);
        this.spenders.set(key, { txid: tx.txid, vin: n, block: ref });
        undo.spent.push(key);
        if (i.prevout) touched.add(i.prevout.scriptPubKey.hex);
      });
      for (const o of tx.vout) touched.add(o.scriptPubKey.hex);
      for (const s of touched) {
        let list = this.byScript.get(s);
        if (!list) this.byScript.set(s, (list = []));
        list.push(tx.txid);
        undo.scripts.push(s);
      }
      this.txBlock.set(tx.txid, ref);
      undo.txids.push(tx.txid);
    }
    this.blocks.push(undo);
  }

  /** Removes the top block (it left the best chain). */
  disconnect(): BlockRef | undefined {
    const undo = this.blocks.pop();
    if (!undo) return undefined;
    for (let i = undo.scripts.length - 1; i >= 0; i--) {
      const s = undo.scripts[i]!;
      const list = this.byScript.get(s)!;
      list.pop();
      if (list.length === 0) this.byScript.delete(s);
    }
    for (const k of undo.spent) this.spenders.delete(k);
    for (const t of undo.txids) this.txBlock.delete(t);
    return undo.ref;
  }

  /** Confirmed txids touching `scriptHex`, newest first (block order reversed, as Esplora lists them). */
  txidsOf(scriptHex: string): string[] {
    return [...(this.byScript.get(scriptHex) ?? [])].reverse();
  }

  spenderOf(txid: string, vout: number): Spender | undefined {
    return this.spenders.get(outpointKey(txid, vout));
  }

  blockOf(txid: string): BlockRef | undefined {
    return this.txBlock.get(txid);
  }
}
