import { hex } from '@scure/base';
/**
 * Proofs as `serve` runs them: after every block the engine processes, the liabilities tree of its
 * ledger is built and published (LiabilitiesPublisher), then the reserves are read from the Ark
 * operator's chain and set against it; /health carries the verdict (`proofs.reservesShort`).
 * Salts come from node's CSPRNG.
 */
import { randomFillSync } from 'node:crypto';
import type { RouteModule } from '../api/app-types.js';
import type { ExchangePort } from '../api/ports.js';
import { proofRoutes, type ProofsPort } from '../api/routes/proofs.js';
import { vaultView } from '../engine/products/vault/index.js';
import type { ChainCoin } from '../operator/ark/ark-chain.js';
import { retryScan } from '../chain/scan-retry.js';
import type { LiabilitiesRoot } from '../proofs/liabilities.js';
import { LiabilitiesPublisher } from '../proofs/publisher.js';
import { reservesReport, type ReserveKind, type ReserveOutpoint, type ReservesReport } from '../proofs/reserves.js';
import type { ServerArk } from './ark-wiring.js';
import type { EngineCore } from './engine-host.js';

export interface ServerProofs {
  publisher: LiabilitiesPublisher;
  port: ProofsPort;
  routes: RouteModule;
  /** The /health part. */
  status(): { liabilities: LiabilitiesRoot | null; reservesShort: boolean | null; reservesAtHeight: number | null; lastError: string | null };
  /** Publishes the current block's root (if the engine has one) and starts following blocks. */
  start(): void;
  stop(): void;
  /** Resolves when the reserves of the latest published block have been read. */
  settled(): Promise<void>;
}

export interface ProofsDeps {
  engine: EngineCore;
  ark?: ServerArk | undefined;
  onError: (msg: string) => void;
  keepTrees?: number;
}

function vaultNavMsat(engine: EngineCore): bigint {
  try {
    return vaultView(engine.exchange).nav.lowMsat;
  } catch {
    return 0n;
  }
}

export async function readReserves(ark: ServerArk, liabilities: LiabilitiesRoot | undefined, navMsat: bigint): Promise<ReservesReport> {
  const out: ReserveOutpoint[] = [];
  const add = (kind: ReserveKind, c: ChainCoin): void => {
    out.push({ kind, txid: c.txid, vout: c.vout, amountSat: c.amount.toString(), confirmations: c.confirmations });
  };
  for (const c of await retryScan(() => ark.chain.coinsOf(ark.keys.walletScript))) add('wallet', c);
  for (const c of await retryScan(() => ark.chain.coinsOf(ark.keys.forfeitOutputScript))) add('forfeit', c);
  for (const b of ark.store.allBatches()) {
    if (b.batchAmount === 0n) continue;
    const u = await ark.chain.unspent(b.commitmentTxid, 0);
    if (u !== undefined) add('batch', u);
  }
  let vtxos = 0n;
  for (const v of ark.store.allVtxos()) if (!v.swept && !v.unrolled && v.spentBy === '') vtxos += v.amount;
  for (const v of ark.store.vtxosByScript(hex.encode(ark.liquidity.script))) {
    if (!v.swept && !v.unrolled && v.spentBy === '') out.push({ kind: 'liquidity', txid: v.txid, vout: v.vout, amountSat: v.amount.toString(), confirmations: v.preconfirmed ? 0 : 1 });
  }
  return reservesReport({
    chain: ark.chainKind, network: ark.network, onChain: ark.onChain, chainHeight: await ark.chain.tipHeight(),
    outpoints: out, liabilities, vaultNavMsat: navMsat, vtxosOutstandingSat: vtxos,
  });
}

export function wireProofs(d: ProofsDeps): ServerProofs {
  const publisher = new LiabilitiesPublisher({ randomSalts: (n) => randomFillSync(new Uint8Array(n)), keepTrees: d.keepTrees ?? 6 });
  let reserves: ReservesReport | undefined;
  let reading: Promise<void> = Promise.resolve();
  let off: (() => void) | undefined;
  let lastError: string | undefined;

  const readNow = (): Promise<ReservesReport | undefined> => {
    if (d.ark === undefined) return Promise.resolve(undefined);
    const at = publisher.latest();
    return readReserves(d.ark, at, vaultNavMsat(d.engine)).then((r) => (reserves = r));
  };
  const publishTip = (): void => {
    const tip = d.engine.chainTip();
    if (tip.height < 0) return;
    const ledger = d.engine.exchange.ledger;
    try {
      publisher.publish(tip, ledger.accounts(), ledger.accountCount);
    } catch (e) {
      d.onError(`liabilities: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    // One read at a time, in block order.
    reading = reading.then(() => readNow()).then(
      () => {
        lastError = undefined;
      },
      (e: unknown) => {
        lastError = `reserves: ${e instanceof Error ? e.message : String(e)}`;
        d.onError(lastError);
      },
    );
  };

  const port: ProofsPort = {
    latest: () => publisher.latest(),
    rootAt: (h) => publisher.rootAt(h),
    proofAt: (h, a) => publisher.proofAt(h, a),
    reserves: async () => {
      if (d.ark === undefined) return undefined;
      // The report of the latest block once read; before the first block, read now.
      if (reserves === undefined || reserves.exchange.liabilities?.height !== publisher.latest()?.height) await reading;
      return reserves ?? (await readNow());
    },
  };

  return {
    publisher,
    port,
    routes: proofRoutes(port),
    status: () => ({
      liabilities: publisher.latest() ?? null,
      reservesShort: reserves?.reservesShort ?? null,
      reservesAtHeight: reserves?.exchange.liabilities?.height ?? null,
      lastError: publisher.lastError ?? lastError ?? null,
    }),
    start: () => {
      publishTip();
      off = d.engine.on((_seq, cmd) => {
        if (cmd.type === 'BlockConnected' && d.engine.chainTip().height === cmd.height && d.engine.chainTip().hash === cmd.hash) publishTip();
      });
    },
    stop: () => off?.(),
    settled: () => reading,
  };
}

/** The port with each published liabilities root added to its feed (the WebSocket index channel sends them). */
export function withLiabilitiesFeed(base: ExchangePort, publisher: LiabilitiesPublisher): ExchangePort {
  return {
    markets: () => base.markets(),
    book: (m, l) => base.book(m, l),
    trades: (m, l) => base.trades(m, l),
    account: (a) => base.account(a),
    placeOrder: (c) => base.placeOrder(c),
    cancelOrder: (c) => base.cancelOrder(c),
    ...(base.productBook ? { productBook: (ch: Parameters<NonNullable<ExchangePort['productBook']>>[0], m: string, l: number) => base.productBook!(ch, m, l) } : {}),
    subscribe(listener) {
      const off = base.subscribe(listener);
      const offRoots = publisher.subscribe((data) => listener({ channel: 'liabilities', data }));
      return () => {
        off();
        offRoots();
      };
    },
  };
}
