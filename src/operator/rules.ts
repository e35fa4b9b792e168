import {
  decodeTapscript,
  MultisigTapscript,
  CSVMultisigTapscript,
  CLTVMultisigTapscript,
  ConditionCSVMultisigTapscript,
  ConditionMultisigTapscript,
  type RelativeTimelock,
} from '@arkade-os/sdk';
import { hex } from '@scure/base';
import { HashPerpError } from '../units/errors.js';
import { absoluteKind } from '../bitcoin/timelocks.js';

/**
 * The checks an Ark server applies to a VTXO's tapscripts before it co-signs: arkd's rule set, read from
 * arkd's pkg/ark-lib/script (DecodeClosure, TapscriptsVtxoScript.Validate, SmallestExitDelay) and
 * internal/core/application (its callers), plus HashPerp's one extension. One implementation, used by
 * the contract service, the in-memory operator and the live operator's offchain path (ark/offchain.ts).
 *
 * arkd:
 * 1. Every leaf decodes as one of five closures: Multisig, CSVMultisig, CLTVMultisig, ConditionMultisig,
 *    ConditionCSVMultisig (the SDK's templates of the same names). Anything else refuses the script.
 * 2. Forfeit (collaborative) leaves, i.e. Multisig, CLTVMultisig and ConditionMultisig, must name the
 *    signer: "invalid forfeit closure, signer pubkey not found".
 * 3. A CLTVMultisig locked to a block height is refused unless block timelocks are allowed:
 *    "invalid forfeit closure, CLTV block type not allowed".
 * 4. Exit leaves, i.e. CSVMultisig and ConditionCSVMultisig, with a CSV in blocks are refused unless block
 *    timelocks are allowed: "invalid exit closure, CSV block type not allowed".
 * 5. The smallest exit CSV must not be below the minimum exit delay: "exit delay is too short". arkd
 *    compares in seconds with SECONDS_PER_BLOCK = 1 (pkg/ark-lib/locktime.go), so 144 blocks count as 144 s.
 * 6. No exit leaf at all passes Validate; the intent path (validateVtxoInput, which calls
 *    SmallestExitDelay first) refuses it: "no exit leaf".
 * Checks run in arkd's order (decode every leaf, then forfeit leaves, then exit leaves, then the delay)
 * and arkd stops at the first failure, which is the first violation listed here.
 *
 * "Block timelocks allowed" is arkd's settings.AllowCSVBlockType(): the VTXO tree expiry is in blocks,
 * which arkd's config accepts on regtest only. So outside regtest arkd refuses height CLTVMultisig leaves
 * and every CSV in blocks. arkd never looks inside a condition: `<n> CLTV` in a Condition* leaf passes
 * whatever n is (the block-delta leaves 2 and 3 carry their CLTV there).
 *
 * HashPerp's extension (DESIGN.md, "Block-delta contract"): in a contract VTXO a height-based CLTV is
 * allowed where arkd refuses it (rule 3 does not apply). Nothing else is relaxed: a contract VTXO's CSV
 * in blocks is still refused outside regtest (rule 4), so there its exit delay must be in seconds.
 */
export type RuleName = 'unknown-leaf' | 'forfeit-without-signer' | 'cltv-block-type-not-allowed' | 'csv-block-type-not-allowed' | 'exit-delay-too-short' | 'no-exit-leaf';

export interface RuleViolation {
  rule: RuleName;
  /** 1-based leaf index (0 for a rule about the whole script). */
  leaf: number;
  /** arkd's message for the rule. */
  message: string;
}

export interface VtxoPolicy {
  /** arkd's signer: the operator's x-only key. */
  operator: Uint8Array;
  /** arkd's minLocktime (the unilateral exit delay); no minimum when absent. */
  minExitDelay?: RelativeTimelock;
  /** arkd's blockTypeAllowed = settings.AllowCSVBlockType(): the VTXO tree expiry is in blocks (regtest only). */
  blockTypeAllowed: boolean;
  /** HashPerp's extension: a contract VTXO may carry height-based CLTV where arkd forbids block timelocks. */
  contract?: boolean;
  /** Refuse a script without exit leaf, as arkd's intent path does (Validate alone accepts it). */
  requireExitLeaf?: boolean;
}

/** arkd's RelativeLocktime.Seconds(): SECONDS_PER_BLOCK is 1 in pkg/ark-lib/locktime.go. */
const arkdSeconds = (t: RelativeTimelock): bigint => t.value;

type Closure = ReturnType<typeof decodeTapscript>;

function decode(script: Uint8Array): Closure | undefined {
  try {
    return decodeTapscript(script);
  } catch {
    return undefined;
  }
}

const isForfeit = (c: Closure): boolean => MultisigTapscript.is(c) || CLTVMultisigTapscript.is(c) || ConditionMultisigTapscript.is(c);
const isExit = (c: Closure): boolean => CSVMultisigTapscript.is(c) || ConditionCSVMultisigTapscript.is(c);

/** Every rule the script breaks, in the order arkd checks them (arkd reports the first). */
export function checkVtxoScript(scripts: Uint8Array[], policy: VtxoPolicy): RuleViolation[] {
  const out: RuleViolation[] = [];
  const closures = scripts.map((script, i) => {
    const c = decode(script);
    if (!c || !(isForfeit(c) || isExit(c))) out.push({ rule: 'unknown-leaf', leaf: i + 1, message: `unknown tapscript ${hex.encode(script)}` });
    return c;
  });
  if (out.length > 0) return out;
  const S = hex.encode(policy.operator);
  closures.forEach((c, i) => {
    if (!c || !isForfeit(c)) return;
    if (CLTVMultisigTapscript.is(c) && !policy.blockTypeAllowed && !policy.contract && absoluteKind(c.params.absoluteTimelock) === 'height')
      out.push({ rule: 'cltv-block-type-not-allowed', leaf: i + 1, message: 'invalid forfeit closure, CLTV block type not allowed' });
    if (!(c.params as { pubkeys: Uint8Array[] }).pubkeys.some((k) => hex.encode(k) === S))
      out.push({ rule: 'forfeit-without-signer', leaf: i + 1, message: 'invalid forfeit closure, signer pubkey not found' });
  });
  let smallest: RelativeTimelock | undefined;
  closures.forEach((c, i) => {
    if (!c || !isExit(c)) return;
    const t = (c.params as { timelock: RelativeTimelock }).timelock;
    if (!policy.blockTypeAllowed && t.type === 'blocks') out.push({ rule: 'csv-block-type-not-allowed', leaf: i + 1, message: 'invalid exit closure, CSV block type not allowed' });
    if (smallest === undefined || arkdSeconds(t) < arkdSeconds(smallest)) smallest = t;
  });
  if (smallest === undefined) {
    if (policy.requireExitLeaf) out.push({ rule: 'no-exit-leaf', leaf: 0, message: 'no exit leaf' });
  } else if (policy.minExitDelay && arkdSeconds(smallest) < arkdSeconds(policy.minExitDelay)) {
    out.push({ rule: 'exit-delay-too-short', leaf: 0, message: 'exit delay is too short' });
  }
  return out;
}

export class VtxoRuleError extends HashPerpError {
  constructor(readonly violations: RuleViolation[]) {
    super(`vtxo_rule:${violations[0]!.rule}`, `VTXO refused: ${violations.map((v) => `${v.rule}${v.leaf ? ` (leaf ${v.leaf})` : ''}: ${v.message}`).join('; ')}`, { field: 'vtxo' });
  }
}

export function assertVtxoScript(scripts: Uint8Array[], policy: VtxoPolicy): void {
  const v = checkVtxoScript(scripts, policy);
  if (v.length) throw new VtxoRuleError(v);
}
