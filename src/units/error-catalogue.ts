/**
 * The error catalogue: every code the engine, the journal, the chain layer, the operator and bitcoin
 * layer, the services and the API can return, with the HTTP status the gateway answers it with,
 * whether the same request may succeed later unchanged (retryable), and one line of meaning.
 * Pure data (the engine imports it). Adding a code is one line here; `ErrorCode` follows.
 *
 * Codes are snake_case; a family may add ':' and the name of its detail in that detail's own
 * vocabulary (`vtxo_rule:<rule>`, arkd's kebab-case rule names). A code the gateway never sends
 * (a journal, chain or CLI failure) still has the status it would get if one reached it: 4xx for a
 * refusal of the input, 5xx for a fault of the server (500) or of an upstream it depends on
 * (502 answered wrongly, 503 unavailable now).
 */
export interface ErrorInfo {
  /** The HTTP status the gateway sends with this code. */
  readonly status: number;
  /** True when the same request may succeed later unchanged (a node not reachable yet); false: terminal. */
  readonly retryable: boolean;
  readonly meaning: string;
}

const e = <S extends number>(status: S, retryable: boolean, meaning: string): ErrorInfo & { readonly status: S } => ({ status, retryable, meaning });

export const ERROR_CATALOGUE = {
  // ---- engine refusals (RejectReason, src/engine/events.ts) ----
  invalid_argument: e(400, false, 'an argument or request field is malformed or out of range; field names it'),
  unknown_market: e(404, false, 'no such market'),
  unknown_account: e(404, false, 'no such account'),
  market_not_ready: e(422, false, 'the market has no index or mark yet (no block processed)'),
  price_off_tick: e(422, false, "the price is not a multiple of the market's tick"),
  insufficient_margin: e(422, false, 'the order or withdrawal would leave equity below the initial margin'),
  insufficient_balance: e(422, false, 'the amount exceeds the free balance (or the shares held)'),
  post_only_would_cross: e(422, false, 'a post-only order would take liquidity'),
  fok_not_fillable: e(422, false, 'a fill-or-kill order cannot be filled in full now'),
  duplicate_client_order_id: e(409, false, 'this clientOrderId is already in use for another order'),
  unknown_order: e(404, false, 'no such live order of this account'),
  reduce_only_would_increase: e(422, false, 'a reduce-only order would increase the position'),
  no_liquidity: e(422, false, 'no resting liquidity to trade against'),
  stale_block: e(422, false, 'the block is already connected'),
  unknown_position: e(404, false, 'no such position, option or contract position'),
  unknown_series: e(404, false, 'no such block-deadline series'),
  unknown_offer: e(404, false, 'no such swap offer (of this account)'),
  unknown_contract: e(404, false, 'no such forward contract'),
  not_owner: e(403, false, 'the account does not own the position, order, offer or contract it acts on'),
  expiry_too_soon: e(422, false, 'the expiry is closer than the minimum (72 h of blocks)'),
  quote_stale: e(422, false, 'the quote is too old or the index moved too far since it was made'),
  withdrawal_pending: e(422, false, 'a withdrawal is already pending for this account'),
  exposure_limit: e(422, false, "the trade would exceed the vault's exposure or collateral limit"),
  already_settled: e(422, false, 'the position or series has already settled'),
  too_early: e(422, false, 'not possible yet at this height (the day or the final day has not come)'),
  not_allowed: e(422, false, 'the product rules refuse this action in the current state'),
  duplicate_ark_tx: e(409, false, 'this Ark tx is already credited to an account'),
  duplicate_request_id: e(409, false, 'a withdrawal with this request id already exists'),
  unknown_withdrawal: e(404, false, 'no such withdrawal'),
  duplicate_deposit: e(409, false, 'this on-chain deposit (outpoint) is already credited'),
  price_out_of_band: e(422, false, "the limit price is outside the market's price band around its mark or index; the message names the allowed range"),

  // ---- pricing ----
  quote_expired: e(422, false, 'the quote is older than its maximum age in median time past'),

  // ---- API: authentication (401) and permission (403) ----
  missing_credentials: e(401, false, 'no x-hp-account or x-hp-key header (or no auth object on the WebSocket)'),
  ambiguous_credentials: e(401, false, 'both x-hp-account and x-hp-key were sent'),
  bad_timestamp: e(401, false, 'x-hp-timestamp is not integer milliseconds since the epoch'),
  stale_timestamp: e(401, false, "x-hp-timestamp is outside the server's time window"),
  bad_nonce: e(401, false, 'x-hp-nonce is not 8-64 characters of [A-Za-z0-9_-]'),
  replayed_nonce: e(401, false, 'the nonce was already used within the window'),
  missing_signature: e(401, false, 'a required signature is missing: the x-hp-signature header, or a key signature on a transaction input'),
  bad_signature: e(401, false, 'the request signature does not verify'),
  bad_account: e(401, false, 'x-hp-account is not a 64-hex-digit x-only public key'),
  unknown_api_key: e(401, false, 'no such API key (revoked or never created)'),
  account_key_required: e(403, false, 'this action must be signed with the account key, not an API key'),
  scope_missing: e(403, false, 'the API key lacks the scope this action needs'),
  operator_only: e(403, false, 'only the operator may do this'),
  bad_consent: e(403, false, "the investor's consent is not their signature over these terms"),

  // ---- API: requests ----
  validation_failed: e(400, false, 'the request does not match its schema; field names the first offending field'),
  bad_request: e(400, false, "the HTTP layer refused the request (the status is the framework's 4xx, usually 400)"),
  bad_json: e(400, false, 'the body (or WebSocket message) is not JSON'),
  empty_body: e(400, false, 'a JSON content type with an empty body'),
  bad_content_length: e(400, false, 'the content-length header does not match the body'),
  bad_url: e(400, false, 'the URL cannot be decoded'),
  bad_message: e(400, false, 'the WebSocket message is not a valid subscribe or unsubscribe'),
  stale_consent: e(400, false, "the investor's consent is older than 10 minutes (or from the future)"),
  not_found: e(404, false, 'no such route or resource (an index value, an API key)'),
  unknown_channel: e(404, false, 'no such WebSocket channel on this server'),
  method_not_allowed: e(405, false, 'the path exists but not for this method; the allow header lists the methods'),
  offer_closed: e(409, false, 'the swap offer is no longer open'),
  not_batched: e(409, false, 'the contract position is not in a batch yet (no exit package)'),
  contract_mismatch: e(409, false, 'a contract document or exit data does not describe the contract the holder\'s own key and its terms build; nothing was signed'),
  too_many_keys: e(409, false, 'the account holds the maximum number of API keys; revoke one first'),
  body_too_large: e(413, false, 'the body exceeds the size limit'),
  unsupported_media_type: e(415, false, 'the body is not application/json'),
  model_unavailable: e(422, false, 'the pricing or curve model cannot serve these inputs with the chain data held'),
  upgrade_required: e(426, false, 'a WebSocket endpoint was requested without Upgrade: websocket'),
  rate_limited: e(429, true, 'too many requests; the retry-after header says when to retry'),
  nonce_store_full: e(429, true, 'too many signed requests in the window; retry shortly'),
  too_many_subscriptions: e(429, false, 'the WebSocket connection holds the maximum number of subscriptions'),
  too_many_connections: e(429, true, 'this address holds the maximum number of open WebSocket connections'),
  headers_too_large: e(431, false, 'the request headers exceed the size limit'),
  request_timeout: e(408, false, 'the request was not received in time (send it again, whole)'),
  internal_error: e(500, false, 'an unexpected fault of the server'),
  proof_not_kept: e(404, false, 'no liabilities proof is kept for that block height (only a recent window is)'),
  proof_unavailable: e(503, true, 'no liabilities root published yet (no block processed since the start); retry after the next block'),
  reserves_unavailable: e(503, false, 'this server runs no Ark operator, so it lists no reserves'),
  index_unavailable: e(503, true, 'no index yet (no block processed, or not enough history); retry shortly'),
  contracts_unavailable: e(503, false, 'this server runs no contract service'),

  // ---- services: custody and payouts ----
  custody_unavailable: e(503, true, 'on-chain custody is not running yet; retry shortly'),
  custody_insufficient: e(503, true, 'the operator holds too little in confirmed deposits to pay out now'),
  commitment_underfunded: e(503, true, "the operator's wallet inputs do not cover the commitment tx outputs and fee; select more and retry"),
  payout_failed: e(503, true, 'the on-chain payout failed and the withdrawal was reversed'),
  operator_key_locked: e(500, false, "the operator passphrase is wrong or missing for the sealed operator keys; the server refuses to start"),

  // ---- journal and sequencer ----
  journal_unavailable: e(503, true, 'the journal cannot be opened or written now (not configured, unreachable, append failed)'),
  journal_closed: e(503, true, 'the journal or sequencer is closed (the server is stopping)'),
  journal_corrupt: e(500, false, 'the journal is not a HashPerp journal, has a gap, or fails its checksums'),
  journal_conflict: e(500, false, 'a non-contiguous append or snapshot (another writer?)'),
  engine_fault: e(500, false, 'the state machine threw (its contract forbids it); the sequencer halted'),

  // ---- chain sources and the follower ----
  unknown_height: e(404, false, 'the chain source holds no block at this height'),
  source_bad_data: e(503, true, 'the chain source served data that fails its checks; retried'),
  source_error: e(503, true, 'the chain source failed; retried'),
  source_behind: e(503, true, 'the chain source is below the height needed; waiting for it'),
  chain_changed: e(503, true, 'the chain changed during the poll; retried'),
  esplora_unreachable: e(503, true, 'the Esplora server cannot be reached'),
  esplora_error: e(503, true, 'the Esplora server answered 5xx or 429'),
  rpc_unreachable: e(503, true, "bitcoind's RPC cannot be reached (or answered 5xx without a JSON-RPC reply)"),
  rpc_bad_response: e(502, false, 'bitcoind answered something that is not the JSON-RPC reply asked for'),
  rpc_error: e(502, false, 'bitcoind refused an RPC call (its code and message are in the message)'),
  tx_refused: e(400, false, "bitcoind refused a transaction or package sent through /esplora (POST /tx, /txs/package); the node's code and message are in the message"),
  deep_reorg: e(500, false, 'a block already sent to the engine left the best chain; the follower halted'),
  header_invalid: e(500, false, 'a header fails a consensus rule; the follower halted'),
  insufficient_history: e(500, false, 'the blocks a check needs are not held; the follower halted'),
  index_out_of_range: e(500, false, 'the index computed for a block is out of range; the follower halted'),
  listener_error: e(500, false, 'a follower listener threw; the follower halted'),
  file_not_found: e(404, false, 'the file named does not exist'),
  file_unreadable: e(422, false, 'the file named cannot be read'),
  invalid_header_file: e(422, false, 'the header file is empty or not a whole number of 80-byte headers'),
  data_missing: e(500, false, 'chain data shipped with the package cannot be found or read'),
  data_corrupt: e(500, false, 'chain data shipped with the package fails its checks'),

  // ---- the user's Ark wallet (CLI `hashperp wallet`) ----
  wallet_exists: e(409, false, 'a wallet key file already exists at this path; it is never overwritten'),
  wallet_file_invalid: e(422, false, 'the wallet key file is not a HashPerp wallet file (or holds a malformed key)'),
  liquidity_short: e(503, true, "the operator's liquidity VTXOs cannot cover the payment now (they are topped up by boarding)"),
  ark_server_unreachable: e(503, true, 'the Ark server (or its Esplora) named in the message cannot be reached'),

  // ---- operator (Ark) and bitcoin ----
  vtxo_unknown: e(404, false, 'no such VTXO'),
  batch_unknown: e(404, false, 'no such batch'),
  vtxo_not_live: e(409, false, 'the VTXO is spent, swept or otherwise not live'),
  offchain_leaf_required: e(422, false, "an input must spend an offchain leaf that includes the operator's key"),
  no_pending_transfer: e(409, false, 'the position has no transfer awaiting signatures'),
  store_corrupt: e(500, false, 'the contract store contradicts the terms it holds'),
  not_a_leaf_spend: e(422, false, 'the input spends no tapscript leaf'),
  exit_package_broken: e(422, false, 'the exit package steps do not chain to the VTXO'),
  exit_step_refused: e(503, true, 'the node refused an exit step (not yet valid, or a fee problem)'),
  no_anchor: e(422, false, 'the transaction has no pay-to-anchor (P2A) output to bump through CPFP'),
  anchor_not_zero: e(422, false, 'the pay-to-anchor output holds value; arkd-shaped anchors are zero-value'),
  no_fee_input: e(503, true, 'no confirmed UTXO large enough to pay a CPFP child (fund the fee wallet or wait for a confirmation)'),
  fee_signing_failed: e(502, false, 'the fee source could not sign the CPFP child'),
  tree_nonce_refused: e(422, false, 'batch tree signing: a MuSig2 nonce submission is refused (not a cosigner, a tx missing or extra, a malformed nonce, or sent twice); the message names the key and tx'),
  tree_signature_refused: e(422, false, 'batch tree signing: a partial signature is refused (fails BIP327 verification, missing, extra or sent twice); the message names the key and tx'),
  tree_signing_incomplete: e(409, false, 'batch tree signing: a step was asked for before every cosigner sent its nonces or partial signatures'),
  'vtxo_rule:unknown-leaf': e(422, false, 'VTXO refused: a leaf is not one of the five Ark tapscripts'),
  'vtxo_rule:forfeit-without-signer': e(422, false, "VTXO refused: a forfeit (collaborative) leaf lacks the operator's key"),
  'vtxo_rule:cltv-block-type-not-allowed': e(422, false, 'VTXO refused: a height CLTV leaf while block timelocks are off (outside a contract VTXO)'),
  'vtxo_rule:csv-block-type-not-allowed': e(422, false, 'VTXO refused: a CSV in blocks while block timelocks are off'),
  'vtxo_rule:exit-delay-too-short': e(422, false, 'VTXO refused: the shortest exit CSV is below the exit delay'),
  'vtxo_rule:no-exit-leaf': e(422, false, 'VTXO refused: no unilateral (CSV) exit leaf'),

  // ---- the typed client (never sent by a server; its HashPerpApiError keeps the real status) ----
  bad_response: e(502, false, 'client side: the server answered something that is not JSON'),
  http_error: e(502, false, 'client side: the server answered an error status without an error body'),
} as const satisfies Record<string, ErrorInfo>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** A set of codes that must all be in the catalogue: `CatalogueCodes<'a' | 'b'>` fails to compile for a code it lacks. */
export type CatalogueCodes<C extends ErrorCode> = C;

/** The codes the gateway answers with HTTP status S (`CodesWithStatus<401>`: the authentication failures). */
export type CodesWithStatus<S extends number> = { [K in ErrorCode]: (typeof ERROR_CATALOGUE)[K]['status'] extends S ? K : never }[ErrorCode];

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, code);
}

/** The catalogue entry of a code; a code this build does not know (from a newer server) is an internal error. */
export function errorInfo(code: string): ErrorInfo {
  return isErrorCode(code) ? ERROR_CATALOGUE[code] : ERROR_CATALOGUE.internal_error;
}
