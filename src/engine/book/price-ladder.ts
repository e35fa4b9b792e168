// One side of the book: price levels kept sorted with the best level LAST, so that consuming or adding
// at the touch (where almost all activity happens) is an array push/pop, and each level is an intrusive
// doubly-linked FIFO so any order leaves its queue in O(1) however deep the level is.

/** A resting order as the book stores it. Mutable; never handed out (callers get RestingOrder copies). */
export class OrderNode {
  prev: OrderNode | null = null;
  next: OrderNode | null = null;
  /** Per-account intrusive list, so the engine can list/cancel an account's orders without a scan. */
  accountPrev: OrderNode | null = null;
  accountNext: OrderNode | null = null;
  constructor(
    readonly id: number,
    readonly account: string,
    readonly isBuy: boolean,
    readonly price: number,
    public qty: number,
    public level: PriceLevel,
  ) {}
}

/** All orders at one price, oldest first; qty and count are kept incrementally. */
export class PriceLevel {
  qty = 0;
  count = 0;
  head: OrderNode | null = null;
  tail: OrderNode | null = null;
  constructor(readonly price: number) {}
}

export class PriceLadder {
  /** Sorted so that the best level is last: bids ascending by price, asks descending. */
  readonly levels: PriceLevel[] = [];
  private readonly byPrice = new Map<number, PriceLevel>();
  /** Total resting quantity on this side; bounds every level total to a safe integer. */
  totalQty = 0;

  constructor(readonly isBuy: boolean) {}

  best(): PriceLevel | undefined {
    const n = this.levels.length;
    return n === 0 ? undefined : this.levels[n - 1];
  }

  /** Index where a level of `price` sits (or would be inserted) in `levels`. */
  private indexOf(price: number): number {
    const levels = this.levels;
    // Rank grows towards the best price: price for bids, -price for asks.
    const rank = this.isBuy ? price : -price;
    let lo = 0;
    let hi = levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = levels[mid].price;
      if ((this.isBuy ? p : -p) < rank) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Appends `node` at the back of its price's queue, creating the level if needed. */
  append(id: number, account: string, price: number, qty: number): OrderNode {
    let level = this.byPrice.get(price);
    if (level === undefined) {
      level = new PriceLevel(price);
      this.byPrice.set(price, level);
      const levels = this.levels;
      const n = levels.length;
      const top = n === 0 ? undefined : levels[n - 1];
      if (top === undefined || (this.isBuy ? price > top.price : price < top.price)) levels.push(level);
      else levels.splice(this.indexOf(price), 0, level);
    }
    const node = new OrderNode(id, account, this.isBuy, price, qty, level);
    const tail = level.tail;
    node.prev = tail;
    if (tail === null) level.head = node;
    else tail.next = node;
    level.tail = node;
    level.qty += qty;
    level.count++;
    this.totalQty += qty;
    return node;
  }

  /** Unlinks `node` from its level (dropping the level when it empties). O(1) unless a non-best level empties. */
  remove(node: OrderNode): void {
    const level = node.level;
    const { prev, next } = node;
    if (prev === null) level.head = next;
    else prev.next = next;
    if (next === null) level.tail = prev;
    else next.prev = prev;
    node.prev = node.next = null;
    level.qty -= node.qty;
    level.count--;
    this.totalQty -= node.qty;
    if (level.count === 0) this.dropLevel(level);
  }

  /** Reduces a resting order's quantity in place (fills and priority-keeping amends). */
  reduce(node: OrderNode, by: number): void {
    node.qty -= by;
    node.level.qty -= by;
    this.totalQty -= by;
  }

  private dropLevel(level: PriceLevel): void {
    this.byPrice.delete(level.price);
    const levels = this.levels;
    const last = levels.length - 1;
    if (levels[last] === level) levels.pop();
    else levels.splice(this.indexOf(level.price), 1);
  }
}
