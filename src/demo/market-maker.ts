/**
 * The demo market maker's driver: an ordinary engine account (`demo-mm`, which no BIP-340 key can
 * name) funded at start with Deposit (and the insurance fund with FundSystem when it is empty),
 * that after every processed block cancels its quotes and places the strategy's new ones through
 * the sequencer, like any client. Product markets add quoters with `addQuoter` (the hook for the
 * forward/options/BDC areas); the perp quoter is built in.
 */
import { INSURANCE, marketView, userAccount, type Command, type EngineEvent, type Exchange } from '../engine/index.js';
import { MAX_PRICE } from '../engine/exchange.js';
import { DEFAULT_QUOTE_PARAMS, desiredQuotes, type QuoteParams } from './strategy.js';

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
  onError?: (e: unknown) => void;
}

/** Quotes every perp market around its fair value (index × (1 + basis EMA), the engine's own rule). */
export function perpQuoter(params: QuoteParams = DEFAULT_QUOTE_PARAMS): Quoter {
  return {
    name: 'perp',
    commands: ({ exchange, account }) => {
      const out: Command[] = [];
      for (const m of exchange.markets.values()) {
        const v = marketView(exchange, m.spec.id);
        for (const q of desiredQuotes({ market: m.spec.id, fair: v?.fair ?? v?.index, tick: m.spec.tick, maxPrice: MAX_PRICE }, params)) {
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
    this.quoters = [perpQuoter(opts.params)];
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
    const bal = this.core.exchange.ledger.balance(userAccount(this.account));
    const want = BigInt(this.depositSat) * 1000n;
    if (bal < want / 2n) await this.core.submit({ type: 'Deposit', account: this.account, amountSat: Number((want - bal) / 1000n) });
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
    const commands: Command[] = [{ type: 'CancelAll', account: this.account }];
    for (const q of this.quoters) commands.push(...q.commands(ctx));
    // Submitted together: the sequencer keeps their order and journals them as one group.
    await Promise.all(commands.map((c) => this.core.submit(c)));
    this.requotes++;
    this.lastQuoteHeight = ctx.height;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await this.inFlight;
  }
}
