/**
 * Money in and out of the exchange through Ark, as `serve` runs it.
 *
 * In: a user's wallet pays the operator's liquidity key L in an Ark tx carrying the memo
 * `OP_RETURN "hp:fund:<account>"` (src/bitcoin/ark-memo.ts). Once the tx is finalized (the owner's
 * checkpoint signatures are in) the server submits ArkDeposit; the engine credits a txid once, so a
 * restart, or the full scan of L's VTXOs after every block, may submit it again harmlessly.
 *
 * Out (an outbox): ArkWithdrawal is journaled first (the debit), then L pays the address in an Ark tx
 * with the memo `OP_RETURN "hp:wd:<requestId>"`, then ArkWithdrawalSettled names that tx. Only a
 * refusal before the operator stored the tx reverses the debit (ArkWithdrawalFailed); once the
 * operator holds it the withdrawal stays pending until it is finalized and settled. Pending
 * withdrawals are resolved at start and after every block: the memo finds the tx in the operator's
 * store (finalize it with L's signatures if needed, then settle), and none found means none was
 * accepted, so the payment is made again.
 *
 * After every block the reconciliation (src/proofs/ark-reconciliation.ts) sets the engine's record
 * against the operator's Ark txs; /health shows it.
 */
import { randomBytes } from 'node:crypto';
import { ArkAddress, Transaction } from '@arkade-os/sdk';
import { base64, hex } from '@scure/base';
import { accountView, arkFundsOf, type Command } from '../engine/index.js';
import { ApiError, refusalError, rejectionOf } from '../api/errors.js';
import type { ArkFundingInfo, ArkFundsPort, ArkWithdrawalAck } from '../api/routes/ark-funds.js';
import { arkFundsRoutes } from '../api/routes/ark-funds.js';
import type { RouteModule } from '../api/app-types.js';
import { depositOf, FUND_MEMO_PREFIX, withdrawalMemoScript, type TxOutputView } from '../bitcoin/ark-memo.js';
import { reconcileArkFlows, type ArkSide, type ArkTxView, type ReconciliationReport } from '../proofs/ark-reconciliation.js';
import type { PendingOffchainTx } from '../operator/ark/offchain.js';
import { Serial } from '../operator/serial.js';
import { HashPerpError } from '../units/errors.js';
import type { ServerArk } from './ark-wiring.js';
import type { EngineCore } from './engine-host.js';

export interface ArkFundingDeps {
  engine: EngineCore;
  ark: ServerArk;
  onError: (msg: string) => void;
  /** How often txs paying L are checked for finalization (ms, default 500). */
  pollMs?: number;
}

type PendingWithdrawal = { requestId: string; account: string; amountSat: number; toScript: string };

export interface ServerArkFunding {
  port: ArkFundsPort;
  routes: RouteModule;
  /** The /health part: the last reconciliation. */
  status(): ReconciliationReport & { height: number | null };
  /** Credits finalized deposits not yet credited, resolves pending withdrawals, reconciles (also run after every block). */
  sweep(): Promise<ReconciliationReport>;
  /** The reconciliation against the operator's store now. */
  reconcile(): ReconciliationReport;
  /** The operator's side of the reconciliation (tests check corrupted ledgers against it). */
  arkSide(): ArkSide;
  start(): void;
  stop(): Promise<void>;
}

/** The operator's view of one Ark tx: outputs from its stored PSBT, finalized once no longer pending. */
export function arkTxViewer(ark: ServerArk): (txid: string) => ArkTxView | undefined {
  const outputs = new Map<string, TxOutputView[]>();
  return (txid) => {
    const v = ark.store.virtualTx(txid);
    if (v === undefined || v.kind !== 'ark') return undefined;
    let outs = outputs.get(txid);
    if (outs === undefined) {
      const tx = Transaction.fromPSBT(base64.decode(v.psbt));
      outs = [];
      for (let i = 0; i < tx.outputsLength; i++) {
        const o = tx.getOutput(i);
        outs.push({ script: hex.encode(o.script!), amount: o.amount! });
      }
      outputs.set(txid, outs);
    }
    return { txid, finalized: ark.store.pendingTx(txid) === undefined, outputs: outs };
  };
}

export function wireArkFunding(d: ArkFundingDeps): ServerArkFunding {
  const { engine, ark } = d;
  const L = hex.encode(ark.liquidity.script);
  const view = arkTxViewer(ark);
  const side = (): ArkSide => ({ liquidityScript: L, tx: view, txidsPayingLiquidity: ark.store.vtxosByScript(L).map((v) => v.txid) });
  const hrp = ark.network === 'mainnet' ? 'ark' : 'tark';
  const signer = hex.encode(ark.keys.signerXOnly);
  /** Withdrawals being paid by a request right now: the sweep leaves them alone. */
  const inFlight = new Set<string>();
  /** Txs paying L seen by the operator's script events, checked until finalized. */
  const candidates = new Set<string>();
  let last: ReconciliationReport | undefined;
  let lastHeight: number | null = null;
  const queue = new Serial();
  let timer: NodeJS.Timeout | undefined;
  let off: (() => void) | undefined;
  const abort = new AbortController();
  const serial = <T>(f: () => Promise<T>): Promise<T> => queue.run(f);
  const submit = async (c: Command) => {
    const ack = await engine.submit(c);
    return { ...ack, refused: rejectionOf(ack.events) };
  };

  /** Credits every finalized deposit among `txids` not yet credited. */
  const credit = async (txids: Iterable<string>): Promise<void> => {
    const credited = new Set(arkFundsOf(engine.exchange).deposits.map((x) => x.arkTxid));
    for (const txid of new Set(txids)) {
      if (credited.has(txid)) continue;
      const tx = view(txid);
      if (tx === undefined || !tx.finalized) continue;
      const dep = depositOf(tx.outputs, L);
      if (dep === undefined) continue;
      const r = await submit({ type: 'ArkDeposit', account: dep.account, amountSat: Number(dep.amountSat), arkTxid: txid });
      if (r.refused && r.refused.reason !== 'duplicate_ark_tx') d.onError(`ark deposit ${txid}: ${r.refused.message}`);
    }
  };

  const memoTx = (requestId: string): string | undefined => ark.store.vtxosByScript(hex.encode(withdrawalMemoScript(requestId)))[0]?.txid;

  /** L signs the checkpoints of its own Ark tx that the operator holds but was never finalized. */
  const finalizeOwn = async (txid: string): Promise<void> => {
    const p = ark.store.pendingTx(txid);
    if (p === undefined) return;
    const st = p.state as PendingOffchainTx;
    const signed = await Promise.all(st.checkpoints.map(async (c) => base64.encode((await ark.liquidity.identity.sign(Transaction.fromPSBT(base64.decode(c.signedTx)), [0])).toPSBT())));
    await ark.operator.finalizeTx(txid, signed);
  };

  const ackOf = (w: PendingWithdrawal, status: ArkWithdrawalAck['status'], arkTxid: string): ArkWithdrawalAck => {
    const v = accountView(engine.exchange, w.account);
    return { requestId: w.requestId, account: w.account, amountSat: w.amountSat, status, arkTxid, balanceMsat: v.balanceMsat.toString(), availableMsat: v.withdrawableMsat.toString() };
  };

  /** Pays a journaled withdrawal; see the header for which failures reverse it. */
  const pay = async (w: PendingWithdrawal): Promise<ArkWithdrawalAck> => {
    inFlight.add(w.requestId);
    let built: string | undefined;
    try {
      let arkTxid: string;
      try {
        arkTxid = await ark.liquidity.wallet.pay(
          [
            { script: hex.decode(w.toScript), amount: BigInt(w.amountSat) },
            { script: withdrawalMemoScript(w.requestId), amount: 0n },
          ],
          (id) => (built = id),
        );
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        if (built !== undefined && ark.store.virtualTx(built) !== undefined) {
          // The operator holds the tx: its output exists, so the debit stands; finalized and settled later.
          d.onError(`ark withdrawal ${w.requestId}: Ark tx ${built} accepted but not finalized (${why}); left pending`);
          return ackOf(w, 'pending', built);
        }
        await submit({ type: 'ArkWithdrawalFailed', requestId: w.requestId, reason: why.slice(0, 500) });
        if (e instanceof HashPerpError && e.code === 'liquidity_short') throw new HashPerpError('liquidity_short', `${e.message}; the withdrawal was reversed`);
        throw new HashPerpError('payout_failed', `the operator refused the payment (${why}); the withdrawal was reversed`);
      }
      const r = await submit({ type: 'ArkWithdrawalSettled', requestId: w.requestId, arkTxid });
      if (r.refused) d.onError(`ark withdrawal ${w.requestId} settled by ${arkTxid}: ${r.refused.message}`);
      return ackOf(w, 'settled', arkTxid);
    } finally {
      inFlight.delete(w.requestId);
    }
  };

  const resolvePending = async (): Promise<void> => {
    for (const w of arkFundsOf(engine.exchange).withdrawals) {
      if (w.status !== 'pending' || inFlight.has(w.requestId)) continue;
      const txid = memoTx(w.requestId);
      try {
        if (txid === undefined) {
          await pay(w);
          continue;
        }
        await finalizeOwn(txid);
        const r = await submit({ type: 'ArkWithdrawalSettled', requestId: w.requestId, arkTxid: txid });
        if (r.refused) d.onError(`ark withdrawal ${w.requestId}: ${r.refused.message}`);
      } catch (e) {
        d.onError(`ark withdrawal ${w.requestId}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  };

  const reconcile = (): ReconciliationReport => {
    last = reconcileArkFlows(arkFundsOf(engine.exchange), side());
    lastHeight = engine.chainTip().height;
    if (!last.ok) d.onError(`ark reconciliation: ${last.problems.join('; ')}`);
    return last;
  };

  const sweep = (): Promise<ReconciliationReport> =>
    serial(async () => {
      await credit(side().txidsPayingLiquidity);
      await resolvePending();
      return reconcile();
    });

  const toScriptOf = (address: string): string => {
    let a: ArkAddress;
    try {
      a = ArkAddress.decode(address.trim());
    } catch (e) {
      throw new ApiError('invalid_argument', `not an Ark address: ${e instanceof Error ? e.message : String(e)}`, 'body.address');
    }
    if (a.hrp !== hrp) throw new ApiError('invalid_argument', `an Ark address of ${ark.network} starts with ${hrp}1, this one with ${a.hrp}1`, 'body.address');
    if (hex.encode(a.serverPubKey) !== signer) throw new ApiError('invalid_argument', "the Ark address is for another operator (its server key is not this server's)", 'body.address');
    return hex.encode(a.pkScript);
  };

  const port: ArkFundsPort = {
    fundingInfo: (): ArkFundingInfo => ({
      address: ark.liquidity.address,
      network: ark.network,
      memoPrefix: FUND_MEMO_PREFIX,
      memoExample: `OP_RETURN "${FUND_MEMO_PREFIX}<your account id>" with 0 sat`,
      note: 'pay the address in an Ark tx that also has the memo output; the tx is credited to that account once finalized, exactly once',
    }),
    withdraw: async (c) => {
      const toScript = toScriptOf(c.address);
      const requestId = randomBytes(16).toString('hex');
      // In flight before it is journaled: a sweep between the debit and the payment must not pay it too.
      inFlight.add(requestId);
      try {
        const r = await submit({ type: 'ArkWithdrawal', account: c.account, amountSat: c.amountSat, requestId, toScript });
        if (r.refused) throw refusalError(r.refused);
        return await pay({ requestId, account: c.account, amountSat: c.amountSat, toScript });
      } finally {
        inFlight.delete(requestId);
      }
    },
  };

  return {
    port,
    routes: arkFundsRoutes(port),
    status: () => ({ ...(last ?? { ok: true, problems: [], pending: [], deposits: 0, settledWithdrawals: 0 }), height: lastHeight }),
    sweep,
    reconcile,
    arkSide: side,
    start: () => {
      void sweep().catch((e: unknown) => d.onError(`ark funding: ${e instanceof Error ? e.message : String(e)}`));
      off = engine.on((_seq, cmd) => {
        if (cmd.type === 'BlockConnected') void sweep().catch((e: unknown) => d.onError(`ark funding: ${e instanceof Error ? e.message : String(e)}`));
      });
      void (async () => {
        for await (const e of ark.operator.scriptEvents.subscribe([], abort.signal)) for (const v of e.newVtxos) if (v.script === L) candidates.add(v.txid);
      })();
      timer = setInterval(() => {
        if (candidates.size === 0) return;
        const now = [...candidates];
        for (const t of now) if (view(t)?.finalized !== false) candidates.delete(t);
        void serial(() => credit(now)).catch((e: unknown) => d.onError(`ark deposits: ${e instanceof Error ? e.message : String(e)}`));
      }, d.pollMs ?? 500);
      timer.unref();
    },
    stop: async () => {
      off?.();
      abort.abort();
      if (timer) clearInterval(timer);
      await queue.idle();
    },
  };
}
