// The options product: the vault sells European HPI calls and puts at the engine's own price (model.ts: μ and σ
// from the index history this product records from BlockConnected, the Hedge model, the vault's spread), locks
// the worst-case payoff as collateral, follows the expiry day's index block by block and settles on its mean.
// A BuyOption carries the buyer's quote only as a limit: the engine never takes a price from a command.
import { VAULT, isAccountId, userAccount } from '../../ledger/ledger.js';
import type { EngineEvent } from '../../events.js';
import { Rejection } from '../../rejection.js';
import type { ProductCommandBase, ProductContext, ProductModule, ProductsConfig } from '../product.js';
import { DEFAULT_MAX_INDEX_MOVE_BPS, DEFAULT_MAX_QUOTE_AGE_S, MIN_EXPIRY_BLOCKS, checkMinimumExpiry, checkQuoteFresh } from '../../../pricing/options.js';
import type { BuyOptionCommand, OptionQuote } from './commands.js';
import { PPM, ppmOf } from '../../ppm.js';
import { HALVING_INTERVAL } from '../../../index/hashprice.js';
import { MAX_PRICE } from '../perp/pricing.js';
import { EXPIRY_DAY_BLOCKS, collateralMsat, liabilityMsat, payoffMsat, type OptionType } from './rules.js';
import { enginePrice, modelInputsFromHistory, type DayPoint, type EnginePrice, type ModelInputs } from './model.js';
import { BLOCKS_PER_DAY } from '../../../units/time.js';
import { InvalidArgumentError } from '../../../units/errors.js';

const WINDOW_DEFAULT = 28;

export const OPTIONS = 'options';

export interface OptionsConfig {
  /** Fee on the premium, ppm, to the vault (paid by the buyer on top of the premium; accrues to LPs through NAV). */
  feePpm: number;
  /** The vault sells at model value + this spread (bps): ask = ceil(model × (10 000 + spread) / 10 000). */
  spreadBps: number;
  /**
   * μ and σ come from the last `historyDays` whole days the engine recorded; with fewer than `minHistoryDays`
   * the vault prices with μ = 0 and σ = `sigmaFloorPpm`, and it never prices with σ below that floor.
   */
  historyDays: number;
  minHistoryDays: number;
  sigmaFloorPpm: number;
  /** Freshness rule (see checkQuoteFresh): largest index move since the quote, largest MTP advance. */
  maxIndexMoveBps: number;
  maxQuoteAgeS: number;
  /** Expiry at least this many blocks above the engine's tip (72 h). */
  minExpiryBlocks: number;
  /** The vault's limit: collateral locked in options ≤ this fraction (ppm) of the vault's capital. */
  maxLockedPpm: number;
  maxLots: number;
}

/**
 * The estimation window (days of index history behind μ and σ): a listed parameter of the product. The default
 * is chosen by the backtest of the vault selling at its own quotes over the shipped history (docs/option-window.md,
 * `hashperp backtest vault-window`): 56 days held four retargets and lost money selling calls.
 */
export const OPTION_WINDOW_DAYS = { default: WINDOW_DEFAULT, min: 7, max: 3_650 } as const;

/** The window as configured, or the field-named refusal (the API, the CLI and the engine config share it). */
export function checkOptionWindowDays(v: unknown, field = 'windowDays'): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < OPTION_WINDOW_DAYS.min || v > OPTION_WINDOW_DAYS.max)
    throw new InvalidArgumentError(field, `must be an integer number of days ${OPTION_WINDOW_DAYS.min}..${OPTION_WINDOW_DAYS.max}, got ${String(v)}`);
  return v;
}

export const DEFAULT_OPTIONS_CONFIG: OptionsConfig = {
  feePpm: 2_000, spreadBps: 100, historyDays: OPTION_WINDOW_DAYS.default, minHistoryDays: 5, sigmaFloorPpm: 100_000, maxIndexMoveBps: DEFAULT_MAX_INDEX_MOVE_BPS,
  maxQuoteAgeS: DEFAULT_MAX_QUOTE_AGE_S, minExpiryBlocks: MIN_EXPIRY_BLOCKS, maxLockedPpm: 500_000, maxLots: 1_000_000_000,
};

export interface OptionPosition {
  id: string;
  /** The user id of the current holder (no `user:` prefix). */
  holder: string;
  buyer: string;
  type: OptionType;
  strike: bigint;
  lots: bigint;
  expiryHeight: number;
  openedAtHeight: number;
  premiumMsat: bigint;
  modelMsat: bigint;
  feeMsat: bigint;
  collateralMsat: bigint;
  muPpm: number;
  sigmaPpm: number;
  indexAtQuote: number;
  quotedAtHeight: number;
  status: 'open' | 'settled';
  /** Set at settlement. */
  payoffMsat?: bigint;
  indexSum?: bigint;
  blocks?: number;
}

/** Running sum of the index over an expiry day (shared by every option expiring at that height). */
interface ExpiryDay { sum: bigint; n: number; last: number }
/** The history day being recorded: blocks seen, Σ index × 2^era, Σ header time, last height counted. */
interface DayAcc { day: number; n: number; sum: bigint; timeSum: number; last: number }

const MSAT_RE = /^(0|[1-9][0-9]{0,29})$/;
const isInt = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const bad = (field: string, msg: string): Rejection => new Rejection('invalid_argument', `${field}: ${msg}`, field);

export const collateralAccount = (optionId: string): string => `${OPTIONS}:${optionId}:collateral`;
/** Swap offers may name holders as user ids or ledger owners. */
const userIdOf = (owner: string): string => (owner.startsWith('user:') ? owner.slice(5) : owner);

export class OptionsModule implements ProductModule {
  readonly name = OPTIONS;
  readonly commandTypes = ['BuyOption'] as const;
  private readonly options = new Map<string, OptionPosition>();
  private readonly open = new Set<string>();
  private readonly days = new Map<number, ExpiryDay>();
  private lockedMsat = 0n;
  /** Whole days of the index the engine saw (oldest first, at most config.historyDays), and the day running now. */
  private history: DayPoint[] = [];
  private dayAcc: DayAcc | undefined;

  constructor(public config: OptionsConfig = DEFAULT_OPTIONS_CONFIG) {}

  // ───────────────────────────── reads ─────────────────────────────

  get(id: string): OptionPosition | undefined {
    const o = this.options.get(id);
    return o === undefined ? undefined : { ...o };
  }

  /** Every option a user holds or held, by id. */
  ofHolder(account: string): OptionPosition[] {
    return [...this.options.values()].filter((o) => o.holder === account).sort((a, b) => cmp(a.id, b.id)).map((o) => ({ ...o }));
  }

  openOptions(): OptionPosition[] {
    return [...this.open].sort(cmp).map((id) => ({ ...(this.options.get(id) as OptionPosition) }));
  }

  /** Collateral locked for open options (msat): the vault's money, outside its ledger account. */
  locked(): bigint {
    return this.lockedMsat;
  }

  /** The observed part of an expiry day: index sum and blocks seen so far. */
  expiryDay(expiryHeight: number): { sum: bigint; n: number } {
    const d = this.days.get(expiryHeight);
    return { sum: d?.sum ?? 0n, n: d?.n ?? 0 };
  }

  /** The whole days of the index the engine recorded (the model's input), oldest first. */
  indexHistory(): DayPoint[] {
    return this.history.map((p) => ({ ...p }));
  }

  /** μ and σ (ppm) the engine would price with now, or why it cannot price yet. */
  modelInputs(): { ok: true; inputs: ModelInputs } | { ok: false; reason: string } {
    return modelInputsFromHistory(this.history, this.config.minHistoryDays, this.config.sigmaFloorPpm);
  }

  /**
   * The engine's price for these terms at its chain view: what a BuyOption pays if the state does not change.
   * The edge quote and the API show exactly this.
   */
  priceAt(chain: { height: number; index: number | undefined }, t: { optionType: OptionType; strike: number; lots: number; expiryHeight: number }):
    { ok: true; price: EnginePrice; inputs: ModelInputs } | { ok: false; code: 'market_not_ready' | 'expiry_too_soon' | 'invalid_argument'; reason: string } {
    if (chain.index === undefined) return { ok: false, code: 'market_not_ready', reason: 'no block connected yet: no index to price at' };
    const expiry = checkMinimumExpiry(chain.height, t.expiryHeight, this.config.minExpiryBlocks);
    if (!expiry.ok) return { ok: false, code: 'expiry_too_soon', reason: expiry.reason };
    const m = this.modelInputs();
    if (!m.ok) return { ok: false, code: 'market_not_ready', reason: m.reason };
    try {
      const price = enginePrice({
        type: t.optionType, strike: BigInt(t.strike), lots: BigInt(t.lots), expiryHeight: t.expiryHeight, tipHeight: chain.height,
        index: chain.index, muPpm: m.inputs.muPpm, sigmaPpm: m.inputs.sigmaPpm, spreadBps: this.config.spreadBps,
      });
      return { ok: true, price, inputs: m.inputs };
    } catch (e) {
      return { ok: false, code: 'invalid_argument', reason: e instanceof Error ? e.message : String(e) };
    }
  }

  /**
   * Booked liability of open options (msat, see rules.liabilityMsat) at the engine's chain view, and the
   * vault's claim on them: Σ (collateral − liability). The vault adds the claim to its NAV.
   */
  vaultClaim(chain: { height: number; index: number | undefined }): { collateralMsat: bigint; liabilityMsat: bigint; claimMsat: bigint } {
    let liab = 0n;
    if (chain.index !== undefined) {
      const index = BigInt(chain.index);
      for (const id of this.open) {
        const o = this.options.get(id) as OptionPosition;
        const d = this.expiryDay(o.expiryHeight);
        liab += liabilityMsat(o, chain.height, index, d.sum, d.n);
      }
    } else {
      for (const id of this.open) liab += (this.options.get(id) as OptionPosition).collateralMsat;
    }
    return { collateralMsat: this.lockedMsat, liabilityMsat: liab, claimMsat: this.lockedMsat - liab };
  }

  // ───────────────────────────── commands ─────────────────────────────

  apply(command: ProductCommandBase, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    if (command.type === 'BuyOption') return this.buy(command as BuyOptionCommand, ctx, out);
    return bad('type', `unknown options command ${command.type}`);
  }

  private buy(c: BuyOptionCommand, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    const cfg = this.config;
    if (!isAccountId(c.account)) return bad('account', 'must be 1..128 characters of [A-Za-z0-9_.-]');
    if (c.optionType !== 'call' && c.optionType !== 'put') return bad('optionType', "must be 'call' or 'put'");
    if (!isInt(c.strike, 1, MAX_PRICE)) return bad('strike', `must be an integer 1..${MAX_PRICE} sat/PH/day`);
    if (!isInt(c.lots, 1, cfg.maxLots)) return bad('lots', `must be an integer 1..${cfg.maxLots}`);
    if (!isInt(c.expiryHeight, 0)) return bad('expiryHeight', 'must be a non-negative integer height');
    const q = c.quote as OptionQuote | undefined;
    if (typeof q !== 'object' || q === null) return bad('quote', 'is required');
    // The buyer's quote is a limit and a freshness anchor, never a price: modelMsat, spreadBps, muPpm and
    // sigmaPpm in it are ignored; the engine prices from its own state below.
    if (typeof q.premiumMsat !== 'string' || !MSAT_RE.test(q.premiumMsat)) return bad('quote.premiumMsat', 'must be a decimal string of msat (the most the buyer pays)');
    if (!isInt(q.indexAtQuote, 1, MAX_PRICE)) return bad('quote.indexAtQuote', 'must be a positive integer sat/PH/day');
    if (!isInt(q.quotedAtHeight, 0)) return bad('quote.quotedAtHeight', 'must be a non-negative integer');
    if (!isInt(q.quotedAtMtp, 0)) return bad('quote.quotedAtMtp', 'must be a non-negative integer');

    const chain = ctx.chain;
    if (chain.index === undefined) return new Rejection('market_not_ready', 'no block connected yet: no index to price at', 'quote');
    if (q.quotedAtHeight > chain.height || q.quotedAtMtp > chain.mtp) return bad('quote.quotedAtHeight', `quote made at height ${q.quotedAtHeight} is ahead of the engine's tip ${chain.height}`);
    const expiry = checkMinimumExpiry(chain.height, c.expiryHeight, cfg.minExpiryBlocks);
    if (!expiry.ok) return new Rejection('expiry_too_soon', expiry.reason, 'expiryHeight');
    const fresh = checkQuoteFresh({ indexAtQuote: BigInt(q.indexAtQuote), quotedAtMtp: q.quotedAtMtp }, { index: BigInt(chain.index), mtp: chain.mtp },
      { maxIndexMoveBps: cfg.maxIndexMoveBps, maxAgeS: cfg.maxQuoteAgeS });
    if (!fresh.ok) return new Rejection('quote_stale', fresh.reason, 'quote');

    // The engine's own price: μ, σ from its recorded history, the model on the tip's index, the vault's spread.
    const priced = this.priceAt(chain, c);
    if (!priced.ok) return new Rejection(priced.code, priced.reason, priced.code === 'market_not_ready' ? 'quote' : priced.code === 'expiry_too_soon' ? 'expiryHeight' : 'strike');
    const model = priced.price.modelMsat;
    const premium = priced.price.premiumMsat;
    const { muPpm, sigmaPpm } = priced.inputs;
    if (model <= 0n) return new Rejection('not_allowed', `the model values this option at 0 msat (μ ${muPpm} ppm, σ ${sigmaPpm} ppm): the vault does not sell it`, 'strike');
    const limit = BigInt(q.premiumMsat);
    if (premium > limit) {
      return new Rejection('quote_stale', `the engine's premium ${premium} msat (model ${model} + ${cfg.spreadBps} bps) is above the buyer's limit ${limit} msat`, 'quote.premiumMsat');
    }

    const type: OptionType = c.optionType;
    const strike = BigInt(c.strike);
    const lots = BigInt(c.lots);
    const collateral = collateralMsat(type, strike, lots);
    const fee = ppmOf(premium, BigInt(cfg.feePpm));
    const buyer = userAccount(c.account);
    if (ctx.available(buyer) < premium + fee) return new Rejection('insufficient_balance', `premium ${premium} + fee ${fee} msat exceed the free balance`, 'lots');
    // The vault's limits: it must hold the collateral in cash, and options may tie up only part of its capital.
    const vaultCash = ctx.ledger.balance(VAULT) + premium;
    if (vaultCash < collateral) return new Rejection('exposure_limit', `the vault cannot lock ${collateral} msat of collateral (it has ${vaultCash})`, 'lots');
    const capital = ctx.equity(VAULT) + premium + this.lockedMsat;
    if ((this.lockedMsat + collateral) * PPM > BigInt(cfg.maxLockedPpm) * capital) {
      return new Rejection('exposure_limit', `options collateral would exceed ${cfg.maxLockedPpm / 10_000} % of the vault's capital`, 'lots');
    }

    const id = `o${ctx.seq}`;
    if (this.options.has(id)) return bad('seq', `option ${id} already exists`);
    const o: OptionPosition = {
      id, holder: c.account, buyer: c.account, type, strike, lots, expiryHeight: c.expiryHeight, openedAtHeight: chain.height,
      premiumMsat: premium, modelMsat: model, feeMsat: fee, collateralMsat: collateral, muPpm, sigmaPpm,
      indexAtQuote: chain.index, quotedAtHeight: chain.height, status: 'open',
    };
    out.push({
      type: 'OptionBought', optionId: id, account: c.account, optionType: type, strike: c.strike, expiryHeight: c.expiryHeight, lots: c.lots,
      premiumMsat: premium, modelMsat: model, feeMsat: fee, collateralMsat: collateral, muPpm, sigmaPpm,
      indexAtQuote: chain.index, quotedAtHeight: chain.height, height: chain.height,
    });
    ctx.ledger.transfer(buyer, VAULT, premium, 'option_premium', out);
    ctx.ledger.transfer(buyer, VAULT, fee, 'option_fee', out);
    ctx.ledger.transfer(VAULT, collateralAccount(id), collateral, 'option_collateral', out);
    this.options.set(id, o);
    this.open.add(id);
    this.lockedMsat += collateral;
    return undefined;
  }

  // ───────────────────────────── blocks ─────────────────────────────

  onBlock(ctx: ProductContext, out: EngineEvent[]): void {
    if (ctx.chain.index === undefined) return;
    this.record(ctx.chain.height, ctx.chain.time, ctx.chain.index);
    if (this.open.size === 0) return;
    const h = ctx.chain.height;
    const index = BigInt(ctx.chain.index);
    const expiries = new Set<number>();
    for (const id of this.open) expiries.add((this.options.get(id) as OptionPosition).expiryHeight);
    for (const e of expiries) {
      if (h < e - EXPIRY_DAY_BLOCKS + 1 || h > e) continue;
      const d = this.days.get(e) ?? { sum: 0n, n: 0, last: -1 };
      // A block at or below the last one counted (a reorg replacing a block) is not counted twice.
      if (h > d.last) {
        d.sum += index;
        d.n += 1;
        d.last = h;
        this.days.set(e, d);
      }
    }
    const due = [...this.open].filter((id) => (this.options.get(id) as OptionPosition).expiryHeight <= h).sort(cmp);
    for (const id of due) this.settle(this.options.get(id) as OptionPosition, index, ctx, out);
    for (const e of expiries) if (e <= h) this.days.delete(e);
  }

  /**
   * Adds a block to the index history: its index at the era-0 subsidy (index × 2^era, so halvings are not
   * volatility) and its header time, into its 144-block day; a block of a later day closes the running day.
   * A block at or below the last one counted (a replaced block) is not counted twice.
   */
  private record(height: number, time: number, index: number): void {
    const day = Math.floor(height / BLOCKS_PER_DAY);
    const acc = this.dayAcc;
    if (acc !== undefined && height <= acc.last) return;
    if (acc !== undefined && day !== acc.day) {
      this.history.push({ day: acc.day, time: Math.floor(acc.timeSum / acc.n), value: acc.sum / BigInt(acc.n) });
      if (this.history.length > this.config.historyDays) this.history.splice(0, this.history.length - this.config.historyDays);
    }
    const a = acc !== undefined && day === acc.day ? acc : (this.dayAcc = { day, n: 0, sum: 0n, timeSum: 0, last: -1 });
    a.n += 1;
    a.sum += BigInt(index) << BigInt(Math.floor(height / HALVING_INTERVAL));
    a.timeSum += time;
    a.last = height;
  }

  /**
   * Pays the holder the payoff on the expiry day's mean and returns the rest of the collateral to the vault.
   * If the engine saw no block of the expiry day (it jumped over it), the current index stands in for the mean.
   */
  private settle(o: OptionPosition, index: bigint, ctx: ProductContext, out: EngineEvent[]): void {
    const d = this.days.get(o.expiryHeight);
    const sum = d !== undefined && d.n > 0 ? d.sum : index;
    const n = d !== undefined && d.n > 0 ? d.n : 1;
    const payoff = payoffMsat(o.type, o.strike, o.lots, sum, BigInt(n));
    const account = collateralAccount(o.id);
    ctx.ledger.transfer(account, userAccount(o.holder), payoff, 'option_payoff', out);
    const released = ctx.ledger.balance(account);
    ctx.ledger.transfer(account, VAULT, released, 'option_collateral_release', out);
    o.status = 'settled';
    o.payoffMsat = payoff;
    o.indexSum = sum;
    o.blocks = n;
    this.open.delete(o.id);
    this.lockedMsat -= o.collateralMsat;
    out.push({ type: 'OptionSettled', optionId: o.id, account: o.holder, expiryHeight: o.expiryHeight, indexSum: sum, blocks: n, payoffMsat: payoff, releasedMsat: released });
  }

  // ───────────────────────────── swap offers ─────────────────────────────

  /** Moves an open option to another holder; its collateral stays locked (the vault remains the seller). */
  transferPosition(positionId: string, from: string, to: string, _ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    const o = this.options.get(positionId);
    if (o === undefined) return new Rejection('unknown_position', `no option ${positionId}`, 'positionId');
    if (o.status !== 'open') return new Rejection('already_settled', `option ${positionId} has settled`, 'positionId');
    const f = userIdOf(from), t = userIdOf(to);
    if (o.holder !== f) return new Rejection('not_owner', `option ${positionId} is not held by ${f}`, 'from');
    if (!isAccountId(t)) return bad('to', 'must be 1..128 characters of [A-Za-z0-9_.-]');
    if (t === f) return bad('to', 'must differ from the holder');
    o.holder = t;
    out.push({ type: 'OptionTransferred', optionId: o.id, from: f, to: t });
    return undefined;
  }

  describePosition(positionId: string, owner: string): unknown {
    const o = this.options.get(positionId);
    if (o === undefined || o.holder !== userIdOf(owner) || o.status !== 'open') return undefined;
    return {
      product: OPTIONS, optionId: o.id, optionType: o.type, strike: o.strike.toString(), lots: o.lots.toString(),
      expiryHeight: o.expiryHeight, collateralMsat: o.collateralMsat.toString(), premiumMsat: o.premiumMsat.toString(),
    };
  }

  // ───────────────────────────── snapshot ─────────────────────────────

  snapshot(): unknown {
    return {
      options: [...this.options.values()].sort((a, b) => cmp(a.id, b.id)).map((o) => [
        o.id, o.holder, o.buyer, o.type, o.strike.toString(), o.lots.toString(), o.expiryHeight, o.openedAtHeight,
        o.premiumMsat.toString(), o.modelMsat.toString(), o.feeMsat.toString(), o.collateralMsat.toString(), o.muPpm, o.sigmaPpm,
        o.indexAtQuote, o.quotedAtHeight, o.status, o.payoffMsat?.toString() ?? null, o.indexSum?.toString() ?? null, o.blocks ?? null,
      ]),
      days: [...this.days.entries()].sort(([a], [b]) => a - b).map(([e, d]) => [e, d.sum.toString(), d.n, d.last]),
      history: this.history.map((p) => [p.day, p.time, p.value.toString()]),
      dayAcc: this.dayAcc === undefined ? null : [this.dayAcc.day, this.dayAcc.n, this.dayAcc.sum.toString(), this.dayAcc.timeSum, this.dayAcc.last],
      // Only a non-default window is written, so snapshots of default engines keep their bytes (and hashes).
      ...(this.config.historyDays === DEFAULT_OPTIONS_CONFIG.historyDays ? {} : { windowDays: this.config.historyDays }),
    };
  }

  restore(state: unknown): void {
    const s = state as {
      options: (string | number | null)[][]; days: [number, string, number, number][];
      history?: [number, number, string][]; dayAcc?: [number, number, string, number, number] | null; windowDays?: number;
    };
    this.config = { ...this.config, historyDays: s.windowDays === undefined ? DEFAULT_OPTIONS_CONFIG.historyDays : checkOptionWindowDays(s.windowDays) };
    this.options.clear();
    this.open.clear();
    this.days.clear();
    this.lockedMsat = 0n;
    for (const r of s.options) {
      const [id, holder, buyer, type, strike, lots, expiryHeight, openedAtHeight, premium, model, fee, collateral, muPpm, sigmaPpm,
        indexAtQuote, quotedAtHeight, status, payoff, indexSum, blocks] = r;
      const o: OptionPosition = {
        id: id as string, holder: holder as string, buyer: buyer as string, type: type as OptionType, strike: BigInt(strike as string),
        lots: BigInt(lots as string), expiryHeight: expiryHeight as number, openedAtHeight: openedAtHeight as number,
        premiumMsat: BigInt(premium as string), modelMsat: BigInt(model as string), feeMsat: BigInt(fee as string),
        collateralMsat: BigInt(collateral as string), muPpm: muPpm as number, sigmaPpm: sigmaPpm as number,
        indexAtQuote: indexAtQuote as number, quotedAtHeight: quotedAtHeight as number, status: status as 'open' | 'settled',
      };
      if (payoff !== null) o.payoffMsat = BigInt(payoff as string);
      if (indexSum !== null) o.indexSum = BigInt(indexSum as string);
      if (blocks !== null) o.blocks = blocks as number;
      this.options.set(o.id, o);
      if (o.status === 'open') {
        this.open.add(o.id);
        this.lockedMsat += o.collateralMsat;
      }
    }
    for (const [e, sum, n, last] of s.days) this.days.set(e, { sum: BigInt(sum), n, last });
    this.history = (s.history ?? []).map(([day, time, value]) => ({ day, time, value: BigInt(value) }));
    const a = s.dayAcc ?? null;
    this.dayAcc = a === null ? undefined : { day: a[0], n: a[1], sum: BigInt(a[2]), timeSum: a[3], last: a[4] };
  }
}

export const optionsFactory = (c: ProductsConfig = {}): ProductModule =>
  new OptionsModule(c.optionWindowDays === undefined ? DEFAULT_OPTIONS_CONFIG : { ...DEFAULT_OPTIONS_CONFIG, historyDays: checkOptionWindowDays(c.optionWindowDays, 'optionWindowDays') });
