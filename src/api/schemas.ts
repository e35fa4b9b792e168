/**
 * Wire schemas (TypeBox -> JSON Schema -> OpenAPI). Types for the client are derived from these
 * with Static, so the client imports this file for types only and pulls in no runtime code.
 * Money that can pass 2^53 (msat) travels as a decimal string; ticks, lots and heights as integers.
 */
import { Type, type Static } from 'typebox';
import { ACCOUNT_ID_RE } from '../units/checks.js';
import { MAX_LOCKTIME, MAX_ORDER_CONTRACTS, MAX_PAYOUT_SAT } from '../engine/products/bdc/terms.js';
import { MAX_PRICE } from '../engine/products/perp/pricing.js';
import { HPI_PERP } from '../engine/products/perp/spec.js';

/**
 * The engine's own bounds, imported rather than repeated, so the documented schema and the engine
 * refuse the same values (a price the engine refuses is a 400 of the schema, never "valid" in OpenAPI).
 */
export const ENGINE_LIMITS = {
  /** Largest price in sat/PH/day (perp, forwards, option strikes, vault limit prices). */
  maxPrice: MAX_PRICE,
  /** Largest perp order in lots. */
  maxPerpLots: HPI_PERP.maxQty,
  maxBdcPayoutSat: MAX_PAYOUT_SAT,
  maxBdcContracts: MAX_ORDER_CONTRACTS,
  maxLocktime: MAX_LOCKTIME,
} as const;
/** A price in sat/PH/day (ticks of 1), as far as the engine accepts. */
export const PriceSatPerPHDay = Type.Integer({ minimum: 1, maximum: ENGINE_LIMITS.maxPrice, description: 'sat/PH/day' });

export const AccountId = Type.String({ pattern: ACCOUNT_ID_RE.source, description: 'BIP-340 x-only public key, hex' });
export const MarketId = Type.String({ pattern: '^[A-Z0-9][A-Z0-9-]{0,31}$', description: 'e.g. HPI-PERP' });
export const DecimalString = Type.String({ pattern: '^-?[0-9]{1,40}$', description: 'integer as a decimal string (may exceed 2^53)' });
export const ClientOrderId = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' });

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'Stable; every code, its status and meaning: x-error-codes at the document root. New codes may appear.' }),
    message: Type.String(),
    field: Type.Optional(Type.String()),
  }),
});
export type ErrorBody = Static<typeof ErrorBody>;

export const Health = Type.Object({
  status: Type.Literal('ok'),
  serverTimeMs: Type.Integer(),
  uptimeSec: Type.Number(),
  index: Type.Optional(Type.Object({ height: Type.Integer(), blockHash: Type.Union([Type.String(), Type.Null()]) })),
  /** Chain source, follower state, confirmation depth and the index price rule in force. */
  chain: Type.Optional(Type.Object({ source: Type.String(), indexPriceRule: Type.String() }, { additionalProperties: true })),
  /** Engine: last journaled seq, the block it last processed, its state hash. */
  engine: Type.Optional(Type.Object({ seq: Type.Integer(), height: Type.Integer(), stateHash: Type.String() }, { additionalProperties: true })),
  demo: Type.Optional(Type.Object({ enabled: Type.Boolean() }, { additionalProperties: true })),
  custody: Type.Optional(Type.Object({ operatorKey: Type.String() }, { additionalProperties: true })),
  /** Operator keys: sealed in the SQLite file, and where the passphrase came from (env, file, generated-file; memory: per run). */
  operatorKeys: Type.Optional(Type.Object({ sealed: Type.Boolean(), source: Type.String() })),
  /** The Ark operator: which chain its commitment transactions go to, and in plain words whether that is a network. */
  ark: Type.Optional(Type.Object({ chain: Type.String(), network: Type.String(), onChain: Type.String() }, { additionalProperties: true })),
  /** Proofs: the latest liabilities root (GET /v1/proofs/liabilities) and reservesShort: true when the reserves read after it fall short (GET /v1/proofs/reserves). */
  proofs: Type.Optional(
    Type.Object({
      liabilities: Type.Union([Type.Object({ height: Type.Integer(), blockHash: Type.String(), root: Type.String(), totalMsat: Type.String(), accounts: Type.Integer() }), Type.Null()]),
      reservesShort: Type.Union([Type.Boolean(), Type.Null()]),
      reservesAtHeight: Type.Union([Type.Integer(), Type.Null()]),
      lastError: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  /** Every Ark deposit and withdrawal in the ledger set against the operator's Ark txs after the last block; ok false: problems names each. */
  reconciliation: Type.Optional(
    Type.Object({
      ok: Type.Boolean(),
      problems: Type.Array(Type.String()),
      pending: Type.Array(Type.Object({ requestId: Type.String(), account: Type.String(), amountSat: Type.Integer() })),
      deposits: Type.Integer(),
      settledWithdrawals: Type.Integer(),
      height: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
});
export type Health = Static<typeof Health>;

export const Market = Type.Object(
  {
    id: MarketId,
    kind: Type.Union([Type.Literal('perp'), Type.Literal('forward'), Type.Literal('option'), Type.Literal('bdc')]),
    description: Type.String(),
    tickSize: Type.Integer({ minimum: 1 }),
    priceUnit: Type.String(),
    sizeUnit: Type.String(),
  },
  { additionalProperties: true },
);
export type Market = Static<typeof Market>;
export const Markets = Type.Object({ markets: Type.Array(Market) });

export const Level = Type.Object({ price: Type.Integer(), size: Type.Integer() });
export const Book = Type.Object({
  market: MarketId,
  seq: Type.Integer(),
  bids: Type.Array(Level),
  asks: Type.Array(Level),
});
export type Book = Static<typeof Book>;

export const Side = Type.Union([Type.Literal('buy'), Type.Literal('sell')]);
export type Side = Static<typeof Side>;

export const Trade = Type.Object({
  id: Type.String(),
  market: MarketId,
  price: Type.Integer(),
  size: Type.Integer(),
  takerSide: Side,
  seq: Type.Integer(),
  height: Type.Optional(Type.Integer()),
});
export type Trade = Static<typeof Trade>;
export const Trades = Type.Object({ market: MarketId, trades: Type.Array(Trade) });

export const OrderStatus = Type.Union([
  Type.Literal('open'),
  Type.Literal('partially_filled'),
  Type.Literal('filled'),
  Type.Literal('cancelled'),
  Type.Literal('expired'),
]);

export const PlaceOrderBody = Type.Object(
  {
    market: MarketId,
    side: Side,
    type: Type.Union([Type.Literal('limit'), Type.Literal('market')]),
    /** Price in ticks; required for limit orders. */
    price: Type.Optional(Type.Integer({ minimum: 1, maximum: ENGINE_LIMITS.maxPrice })),
    /** Size in lots. */
    size: Type.Integer({ minimum: 1, maximum: ENGINE_LIMITS.maxPerpLots }),
    timeInForce: Type.Optional(Type.Union([Type.Literal('GTC'), Type.Literal('IOC'), Type.Literal('FOK')])),
    postOnly: Type.Optional(Type.Boolean()),
    reduceOnly: Type.Optional(Type.Boolean()),
    clientOrderId: Type.Optional(ClientOrderId),
  },
  { additionalProperties: false },
);
export type PlaceOrderBody = Static<typeof PlaceOrderBody>;

export const OrderAck = Type.Object({
  seq: Type.Integer(),
  orderId: Type.String(),
  clientOrderId: Type.Optional(Type.String()),
  market: MarketId,
  status: OrderStatus,
  filled: Type.Integer(),
  remaining: Type.Integer(),
});
export type OrderAck = Static<typeof OrderAck>;

export const CancelAck = Type.Object({
  seq: Type.Integer(),
  orderId: Type.String(),
  status: OrderStatus,
});
export type CancelAck = Static<typeof CancelAck>;

export const OpenOrder = Type.Object({
  orderId: Type.String(),
  clientOrderId: Type.Optional(Type.String()),
  market: MarketId,
  side: Side,
  price: Type.Integer(),
  size: Type.Integer(),
  remaining: Type.Integer(),
});

export const Position = Type.Object(
  {
    market: MarketId,
    /** Signed lots: positive long, negative short. */
    size: Type.Integer(),
    entryPrice: Type.Integer(),
    unrealizedPnlMsat: DecimalString,
  },
  { additionalProperties: true },
);

export const Account = Type.Object({
  account: AccountId,
  balanceMsat: DecimalString,
  availableMsat: DecimalString,
  equityMsat: Type.Optional(DecimalString),
  initialMarginMsat: Type.Optional(DecimalString),
  maintenanceMarginMsat: Type.Optional(DecimalString),
  positions: Type.Array(Position),
  orders: Type.Array(OpenOrder),
});
export type Account = Static<typeof Account>;

export const Sat = Type.Integer({ minimum: 1, maximum: 2_100_000_000_000_000, description: 'satoshis' });
export const FaucetBody = Type.Object({ amountSat: Sat }, { additionalProperties: false });
export type FaucetBody = Static<typeof FaucetBody>;
export const WithdrawBody = Type.Object(
  {
    amountSat: Sat,
    /** Bitcoin address to pay (checked by the server against its network). */
    address: Type.String({ minLength: 14, maxLength: 100, pattern: '^[A-Za-z0-9]+$' }),
  },
  { additionalProperties: false },
);
export type WithdrawBody = Static<typeof WithdrawBody>;
export const FundsAck = Type.Object({
  seq: Type.Integer(),
  account: AccountId,
  kind: Type.Union([Type.Literal('deposit'), Type.Literal('withdrawal')]),
  amountSat: Type.Integer(),
  balanceMsat: DecimalString,
  availableMsat: DecimalString,
  /** The payout transaction, once broadcast; null where no on-chain payout is made (embedded mode). */
  txid: Type.Union([Type.String(), Type.Null()]),
  note: Type.Optional(Type.String()),
});
export type FundsAck = Static<typeof FundsAck>;
export const DepositAddressInfo = Type.Object({
  account: AccountId,
  address: Type.String(),
  /** After this many blocks the account key alone can spend a deposit (refund leaf). */
  refundAfterBlocks: Type.Integer(),
  /** Taproot internal key (the operator's). */
  operatorKey: Type.String(),
  /** Depth at which a deposit is credited. */
  confirmations: Type.Integer(),
});
export type DepositAddressInfo = Static<typeof DepositAddressInfo>;

export const ApiKeyScope = Type.Union([Type.Literal('read'), Type.Literal('trade')]);
export type ApiKeyScope = Static<typeof ApiKeyScope>;
export const CreateApiKeyBody = Type.Object(
  {
    label: Type.Optional(Type.String({ maxLength: 64 })),
    scopes: Type.Array(ApiKeyScope, { minItems: 1, maxItems: 2, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type CreateApiKeyBody = Static<typeof CreateApiKeyBody>;
export const ApiKeyInfo = Type.Object({
  keyId: Type.String(),
  label: Type.String(),
  scopes: Type.Array(ApiKeyScope),
  createdMs: Type.Integer(),
});
export type ApiKeyInfo = Static<typeof ApiKeyInfo>;
export const CreatedApiKey = Type.Object({
  ...ApiKeyInfo.properties,
  /** Shown once: the HMAC secret, hex. */
  secret: Type.String(),
});
export type CreatedApiKey = Static<typeof CreatedApiKey>;
export const ApiKeyList = Type.Object({ keys: Type.Array(ApiKeyInfo) });

// ---- index and pricing (computed by src/index and src/pricing; the server only publishes) ----
const open = { additionalProperties: true } as const;

/** The wire form of src/index IndexValue (bigints as decimal strings); fields beyond these pass through. */
export const IndexValue = Type.Object(
  {
    height: Type.Integer({ minimum: 0 }),
    blockHash: Type.Union([Type.String(), Type.Null()], { description: 'null where no header or epoch row gives the hash' }),
    time: Type.Union([Type.Integer(), Type.Null()], { description: 'header time, Unix seconds, where known' }),
    difficulty: Type.Number(),
    hashpriceSatPerPHDay: DecimalString,
    hashpriceBtcPerPHDay: Type.String(),
    feesIncluded: Type.Boolean(),
  },
  open,
);
export type IndexValue = Static<typeof IndexValue>;
export const IndexHistory = Type.Object({ values: Type.Array(IndexValue) });
export type IndexHistory = Static<typeof IndexHistory>;

export const CurvePoint = Type.Object({ tenorDays: Type.Integer(), hashpriceSatPerPHDay: DecimalString }, open);
export const ForwardCurve = Type.Object(
  {
    atHeight: Type.Integer(),
    points: Type.Array(CurvePoint),
    model: Type.Object({ name: Type.String() }, open),
    assumptions: Type.Object({}, open),
  },
  open,
);
export type ForwardCurve = Static<typeof ForwardCurve>;

export const BdcOdds = Type.Object(
  {
    targetHeight: Type.Integer(),
    deadline: Type.Integer({ description: 'Unix seconds' }),
    height: Type.Integer({ description: 'chain tip the odds were computed at' }),
    blockHash: Type.Union([Type.String(), Type.Null()]),
    pFast: Type.Number(),
    pSlow: Type.Number(),
    fairBps: Type.Integer({ minimum: 1, maximum: 9999, description: 'fair FAST price, basis points of the payout' }),
  },
  open,
);
export type BdcOdds = Static<typeof BdcOdds>;

// ---- query strings ----
export const Height = Type.Integer({ minimum: 0, maximum: 100_000_000 });
export const UnixSeconds = Type.Integer({ minimum: 1_231_006_505, maximum: 100_000_000_000 });
export const IndexQuery = Type.Object({ height: Type.Optional(Height), at: Type.Optional(UnixSeconds) }, { additionalProperties: false });
export const HistoryQuery = Type.Object(
  {
    from: Type.Optional(Height),
    to: Type.Optional(Height),
    step: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
  },
  { additionalProperties: false },
);
export type HistoryQuery = Static<typeof HistoryQuery>;
export const BdcQuery = Type.Object({ height: Height, deadline: UnixSeconds }, { additionalProperties: false });
export const BookQuery = Type.Object({ levels: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }, { additionalProperties: false });
export const TradesQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, { additionalProperties: false });
export const MarketParams = Type.Object({ market: MarketId });
export const OrderParams = Type.Object({ orderId: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' }) });
export const KeyParams = Type.Object({ keyId: Type.String({ pattern: '^[0-9a-f]{32}$' }) });
