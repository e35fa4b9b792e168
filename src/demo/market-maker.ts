/**
 * The demo market maker's driver: an ordinary engine account (`demo-mm`, which no BIP-340 key can
 * name) funded at start with Deposit (and the insurance fund with FundSystem when it is empty),
 * that after every processed block cancels its quotes and places the strategy's new ones through
 * the sequencer, like any client. Product markets add quoters with `addQuoter` (the hook for the
 * forward/options/BDC areas); the perp quoter is built in. The demo takers (takers.ts, their own accounts)
 * send their seeded IOC orders in the same per-block run, just before the requote.
 */
import { INSURANCE, marketView, userAccount, type Command, type EngineEvent, type Exchange } from '../engine/index.js';
import { MAX_PRICE } from '../engine/exchange.js';
import { DEFAULT_LEAN_PARAMS, DEFAULT_QUOTE_PARAMS, desiredQuotes, inventoryLeanPpm, type LeanParams, type QuoteParams } from './strategy.js';
import { DEFAULT_TAKER_PARAMS, takerAccounts, takerOrders, takerView, type TakerParams } from './takers.js';

export const DEMO_ACCOUNT = 'demo-mm';

export interface QuoterContext {
  exchange: Exchange;
  account: string;
  height: number;
}

/** A product's quoting rule: the commands (after the account's CancelAll) that put its quotes up. */
export interface Quoter {
  name: string;
  commands(ctx: QuoterContext): Command[];
  /** Once at start, after the account is funded (e.g. seed capital); pure over the state like `commands`. */
  setup?(ctx: QuoterContext): Command[];
}

export interface DemoOptions {
  account?: string;
  /** Collateral kept on the demo account, sat (topped up at start and when it falls below half). */
  depositSat?: number;
  /** Insurance fund capitalised at start when empty, sat. */
  insuranceSat?: number;
  params?: QuoteParams;
  /** Inventory lean of the perp quotes (default DEFAULT_LEAN_PARAMS). */
  lean?: LeanParams;
  /** Demo takers run before the requote at every block; false for none (default DEFAULT_TAKER_PARAMS). */
  takers?: TakerParams | false;
  onError?: (e: unknown) => void;
  /** A taker order the engine refused (margin, band, empty book): reported, never thrown. */
  onTakerRefused?: (account: string, reason: string) => void;
}

/** What /health shows of the takers. */
export interface TakerStats {
  accounts: string[];
  orders: number;
  fills: number;
  refused: number;
}

/**
 * Quotes every perp market around its fair value (index × (1 + basis EMA), the engine's own rule), leaned
 * against the maker's own position once it passes the lean's free lots (a short maker quotes higher).
 */
export function perpQuoter(params: QuoteParams = DEFAULT_QUOTE_PARAMS, lean: LeanParams = DEFAULT_LEAN_PARAMS): Quoter {
  return {
    name: 'perp',
    commands: ({ exchange, account }) => {
      const out: Command[] = [];
      for (const m of exchange.markets.values()) {
        const v = marketView(exchange, m.spec.id);
        const base = v?.fair ?? v?.index;
        const ppm = inventoryLeanPpm(m.positions.get(userAccount(account))?.qty ?? 0, lean);
        const fair = base === undefined ? undefined : Math.round((base * (1_000_000 + ppm)) / 1_000_000);
        for (const q of desiredQuotes({ market: m.spec.id, fair, tick: m.spec.tick, maxPrice: MAX_PRICE }, params)) {
          out.push({ type: 'PlaceOrder', account, market: q.market, side: q.side, orderType: 'limit', price: q.price, qty: q.qty, tif: 'GTC', postOnly: true, reduceOnly: false });
        }
      }
      return out;
    },
  };
}

/** What the maker needs of the engine host (the server's EngineCore): its state, submit, and the applied-command feed. */
export interface DemoEngine {
  readonly exchange: Exchange;
  submit(command: Command): Promise<{ seq: number; events: EngineEvent[] }>;
  on(listener: (seq: number, command: Command, events: EngineEvent[]) => void): () => void;
}

export class DemoMarketMaker {
  readonly account: string;
  private readonly quoters: Quoter[];
  private readonly depositSat: number;
  private readonly insuranceSat: number;
  private readonly onError: (e: unknown) => void;
  private readonly onTakerRefused: (account: string, reason: string) => void;
  private readonly takerParams: TakerParams | undefined;
  readonly takers: TakerStats;
  private unsubscribe: (() => void) | undefined;
  private inFlight: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  requotes = 0;
  lastQuoteHeight = -1;

  constructor(
    private readonly core: DemoEngine,
    opts: DemoOptions = {},
  ) {
    this.account = opts.account ?? DEMO_ACCOUNT;
    this.depositSat = opts.depositSat ?? 1_000_000_000; // 10 BTC of test collateral
    this.insuranceSat = opts.insuranceSat ?? 100_000_000;
    this.onError = opts.onError ?? (() => {});
    this.onTakerRefused = opts.onTakerRefused ?? (() => {});
    this.quoters = [perpQuoter(opts.params, opts.lean)];
    this.takerParams = opts.takers === false ? undefined : (opts.takers ?? DEFAULT_TAKER_PARAMS);
    this.takers = { accounts: this.takerParams ? takerAccounts(this.takerParams.accounts) : [], orders: 0, fills: 0, refused: 0 };
  }

  get quoterNames(): string[] {
    return this.quoters.map((q) => q.name);
  }

  /** The hook for product markets: their quoter runs after the built-in ones at every block. */
  addQuoter(q: Quoter): void {
    this.quoters.push(q);
  }

  async start(): Promise<void> {
    const ex = this.core.exchange;
    if (ex.ledger.balance(INSURANCE) === 0n && this.insuranceSat > 0) await this.core.submit({ type: 'FundSystem', account: 'insurance', amountSat: this.insuranceSat });
    await this.topUp();
    const ctx: QuoterContext = { exchange: ex, account: this.account, height: ex.chainTip().height };
    const setup = this.quoters.flatMap((q) => q.setup?.(ctx) ?? []);
    for (const c of setup) await this.core.submit(c);
    this.unsubscribe = this.core.on((_seq, _cmd, events) => {
      if (events.some((e: EngineEvent) => e.type === 'BlockProcessed')) this.requote();
    });
    if (ex.chainTip().height >= 0) this.requote();
  }

  private async topUp(): Promise<void> {
    await this.topUpAccount(this.account, this.depositSat);
    for (const a of this.takers.accounts) await this.topUpAccount(a, this.takerParams!.depositSat);
  }

  private async topUpAccount(account: string, depositSat: number): Promise<void> {
    const bal = this.core.exchange.ledger.balance(userAccount(account));
    const want = BigInt(depositSat) * 1000n;
    if (bal < want / 2n) await this.core.submit({ type: 'Deposit', account, amountSat: Number((want - bal) / 1000n) });
  }

  /** This block's taker orders: they take the quotes resting from the last requote. */
  private takerCommands(): Command[] {
    if (this.takerParams === undefined) return [];
    return takerOrders(this.takers.accounts, takerView(this.core.exchange, this.takers.accounts), this.takerParams);
  }

  private countTaker(c: Command, events: EngineEvent[]): void {
    this.takers.orders++;
    const refused = events.find((e) => e.type === 'OrderRejected' || e.type === 'CommandRejected');
    if (refused !== undefined) {
      this.takers.refused++;
      this.onTakerRefused((c as { account: string }).account, 'reason' in refused ? String(refused.reason) : 'refused');
    } else if (events.some((e) => e.type === 'Trade' || e.type === 'ForwardFilled' || e.type === 'BdcTrade')) this.takers.fills++;
  }

  /** Coalesces: blocks arriving while a requote is in flight cause one more requote after it. */
  requote(): void {
    if (this.stopped) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = this.run()
      .catch((e) => this.onError(e))
      .finally(() => {
        this.inFlight = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.requote();
        }
      });
  }

  private async run(): Promise<void> {
    await this.topUp();
    const ex = this.core.exchange;
    const ctx: QuoterContext = { exchange: ex, account: this.account, height: ex.chainTip().height };
    // The takers first, against the quotes resting since the last block; then the maker requotes, so the
    // book between blocks is the maker's full quotes.
    const taker = this.takerCommands();
    const commands: Command[] = [{ type: 'CancelAll', account: this.account }];
    for (const q of this.quoters) commands.push(...q.commands(ctx));
    // Submitted together: the sequencer keeps their order and journals them as one group.
    await Promise.all([
      ...taker.map(async (c) => {
        let events: EngineEvent[];
        try {
          events = (await this.core.submit(c)).events;
        } catch (e) {
          events = [{ type: 'CommandRejected', seq: -1, command: c.type, reason: 'invalid_argument', message: e instanceof Error ? e.message : String(e) }];
        }
        this.countTaker(c, events);
      }),
      ...commands.map((c) => this.core.submit(c)),
    ]);
    this.requotes++;
    this.lastQuoteHeight = ctx.height;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await this.inFlight;
  }
}
