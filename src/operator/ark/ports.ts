/**
 * The Ark operator as the HTTP layer sees it: arkd's v1 ArkService and IndexerService, in the stock
 * SDK's own types (the SDK's RestArkProvider/RestIndexerProvider parse arkd's JSON into exactly these),
 * so `src/api/ark` is a codec between arkd's wire shapes and this port and nothing else.
 *
 * Two deliberate differences from the SDK's client-side interfaces:
 * - intents arrive as the raw proof and the raw message string: the proof signs that exact string,
 *   so the operator must verify it before anything re-encodes it;
 * - MuSig2 nonces and partial signatures arrive hex-encoded per tree txid, as on the wire; decoding
 *   them is the signing session's business.
 */
import type {
  ArkInfo,
  ChainTx,
  CommitmentTx,
  Outpoint,
  PageResponse,

  SettlementEvent,
  SubscriptionResponse,
  TxNotification,
  Vtxo,
} from '@arkade-os/sdk';

/** arkd's PendingTx (not exported by the SDK's index). */
export interface PendingTx {
  arkTxid: string;
  finalArkTx: string;
  signedCheckpointTxs: string[];
}

/** An intent as submitted: base64 PSBT proof and the JSON message string it signs. */
export interface RawIntent {
  proof: string;
  message: string;
}

export interface ArkServicePort {
  getInfo(): Promise<ArkInfo>;
  /** Returns the intent id. */
  registerIntent(intent: RawIntent): Promise<string>;
  deleteIntent(intent: RawIntent): Promise<void>;
  confirmRegistration(intentId: string): Promise<void>;
  /** nonces: tree txid → hex public nonce (66 bytes). */
  submitTreeNonces(batchId: string, pubkey: string, nonces: Record<string, string>): Promise<void>;
  /** signatures: tree txid → hex partial signature (32 bytes). */
  submitTreeSignatures(batchId: string, pubkey: string, signatures: Record<string, string>): Promise<void>;
  submitSignedForfeitTxs(signedForfeitTxs: string[], signedCommitmentTx?: string): Promise<void>;
  submitTx(signedArkTx: string, checkpointTxs: string[]): Promise<{ arkTxid: string; finalArkTx: string; signedCheckpointTxs: string[] }>;
  finalizeTx(arkTxid: string, finalCheckpointTxs: string[]): Promise<void>;
  getPendingTxs(intent: RawIntent): Promise<PendingTx[]>;
  /**
   * Batch events for the given topics (cosigner pubkeys and "txid:vout" inputs); arkd sends every
   * event whose topic list is empty or intersects these. Ends when `signal` aborts.
   */
  batchEvents(topics: string[], signal: AbortSignal): AsyncIterable<SettlementEvent>;
  /** Every commitment and Ark transaction as it happens. Ends when `signal` aborts. */
  transactions(signal: AbortSignal): AsyncIterable<{ commitmentTx?: TxNotification; arkTx?: TxNotification }>;
}

export interface Page {
  index: number;
  size: number;
}

export interface VtxoQuery {
  scripts?: string[];
  outpoints?: Outpoint[];
  spendableOnly?: boolean;
  spentOnly?: boolean;
  recoverableOnly?: boolean;
  pendingOnly?: boolean;
  /** The spendable and recoverable sets together (arkd's renewable_only; the SDK sends it). */
  renewableOnly?: boolean;
  after?: number;
  before?: number;
  page?: Page;
}

/** A tree tx as the indexer lists it: txid and, per output index, the child txid. */
export interface TreeTxRef {
  txid: string;
  children: Record<number, string>;
}

export interface ArkIndexerPort {
  getVtxos(q: VtxoQuery): Promise<{ vtxos: Vtxo[]; page?: PageResponse }>;
  getVtxoTree(batch: Outpoint, page?: Page): Promise<{ vtxoTree: TreeTxRef[]; page?: PageResponse }>;
  getVtxoTreeLeaves(batch: Outpoint, page?: Page): Promise<{ leaves: Outpoint[]; page?: PageResponse }>;
  getBatchSweepTransactions(batch: Outpoint): Promise<{ sweptBy: string[] }>;
  getCommitmentTx(txid: string): Promise<CommitmentTx>;
  getCommitmentTxConnectors(txid: string, page?: Page): Promise<{ connectors: TreeTxRef[]; page?: PageResponse }>;
  getCommitmentTxForfeitTxs(txid: string, page?: Page): Promise<{ txids: string[]; page?: PageResponse }>;
  /** Base64 PSBTs of tree, checkpoint and Ark txs, in the order asked. */
  getVirtualTxs(txids: string[], page?: Page): Promise<{ txs: string[]; page?: PageResponse }>;
  getVtxoChain(vtxo: Outpoint, page?: Page): Promise<{ chain: ChainTx[]; page?: PageResponse }>;
  subscribeForScripts(scripts: string[], subscriptionId?: string): Promise<string>;
  unsubscribeForScripts(subscriptionId: string, scripts?: string[]): Promise<void>;
  subscription(subscriptionId: string, signal: AbortSignal): AsyncIterable<SubscriptionResponse>;
}

/** Thrown by the port for a request arkd would refuse; the HTTP layer renders arkd's error shape. */
export class ArkRequestError extends Error {
  constructor(
    /** arkd's error name (ArkErrorName in the SDK's providers/errors.ts), e.g. INVALID_INTENT_PROOF. */
    readonly arkCode: string,
    message: string,
    readonly field?: string,
    readonly httpStatus = 400,
  ) {
    super(message);
    this.name = 'ArkRequestError';
  }
}
