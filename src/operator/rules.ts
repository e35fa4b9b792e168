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
import { absoluteKind, parseCltvCondition } from '../bitcoin/timelocks.js';

/**
 * The checks an Ark server applies to a VTXO script before it co-signs (ported from arkd's
 * tapscript validation), plus HashPerp's extension: height-based CLTV is allowed in contract VTXOs.
 */
export type RuleName =
  | 'unknown-leaf'
  | 'offchain-leaf-without-operator'
  | 'exit-delay-too-short'
  | 'timelock-unit-mismatch'
  | 'height-cltv-not-allowed'
  | 'no-exit-leaf';

export interface RuleViolation {
  rule: RuleName;
  leaf: number;
  message: string;
}

export interface VtxoPolicy {
  operator: Uint8Array;
  exitDelay: RelativeTimelock;
  /** HashPerp extension: contract VTXOs may lock leaves to a block height. */
  allowHeightCltv: boolean;
}

interface LeafFacts {
  pubkeys: Uint8Array[];
  csv?: RelativeTimelock;
  cltv: bigint[];
}

function leafFacts(script: Uint8Array): LeafFacts | undefined {
  let t;
  try {
    t = decodeTapscript(script);
  } catch {
    return undefined;
  }
  if (MultisigTapscript.is(t)) return { pubkeys: t.params.pubkeys, cltv: [] };
  if (CSVMultisigTapscript.is(t)) return { pubkeys: t.params.pubkeys, csv: t.params.timelock, cltv: [] };
  if (CLTVMultisigTapscript.is(t)) return { pubkeys: t.params.pubkeys, cltv: [BigInt(t.params.absoluteTimelock)] };
  if (ConditionCSVMultisigTapscript.is(t)) {
    const c = parseCltvCondition(t.params.conditionScript);
    return { pubkeys: t.params.pubkeys, csv: t.params.timelock, cltv: c === undefined ? [] : [c] };
  }
  if (ConditionMultisigTapscript.is(t)) {
    const c = parseCltvCondition(t.params.conditionScript);
    return { pubkeys: t.params.pubkeys, cltv: c === undefined ? [] : [c] };
  }
  return undefined;
}

const seconds = (t: RelativeTimelock): boolean => t.type === 'seconds';

export function checkVtxoScript(scripts: Uint8Array[], policy: VtxoPolicy): RuleViolation[] {
  const out: RuleViolation[] = [];
  const S = hex.encode(policy.operator);
  let exitLeaves = 0;
  scripts.forEach((script, i) => {
    const leaf = i + 1;
    const f = leafFacts(script);
    if (!f) {
      out.push({ rule: 'unknown-leaf', leaf, message: `leaf ${leaf} is not an Ark tapscript` });
      return;
    }
    if (f.csv) {
      exitLeaves++;
      if (seconds(f.csv) !== seconds(policy.exitDelay)) {
        out.push({ rule: 'timelock-unit-mismatch', leaf, message: `leaf ${leaf}: CSV in ${f.csv.type}, exit delay in ${policy.exitDelay.type}` });
      } else if (f.csv.value < policy.exitDelay.value) {
        out.push({ rule: 'exit-delay-too-short', leaf, message: `leaf ${leaf}: CSV ${f.csv.value} ${f.csv.type} < exit delay ${policy.exitDelay.value}` });
      }
    } else if (!f.pubkeys.some((k) => hex.encode(k) === S)) {
      out.push({ rule: 'offchain-leaf-without-operator', leaf, message: `leaf ${leaf} has no CSV (offchain leaf) and lacks the operator key` });
    }
    const kinds = new Set(f.cltv.map(absoluteKind));
    if (kinds.size > 1) out.push({ rule: 'timelock-unit-mismatch', leaf, message: `leaf ${leaf} mixes height and time CLTVs (unsatisfiable)` });
    if (kinds.has('height') && !policy.allowHeightCltv) out.push({ rule: 'height-cltv-not-allowed', leaf, message: `leaf ${leaf}: height CLTV only allowed in contract VTXOs` });
  });
  if (exitLeaves === 0) out.push({ rule: 'no-exit-leaf', leaf: 0, message: 'no unilateral (CSV) leaf: the owner could not exit alone' });
  return out;
}

export class VtxoRuleError extends HashPerpError {
  constructor(readonly violations: RuleViolation[]) {
    super(`vtxo_rule:${violations[0]!.rule}`, `VTXO refused: ${violations.map((v) => `${v.rule} (${v.message})`).join('; ')}`, { field: 'vtxo' });
  }
}

export function assertVtxoScript(scripts: Uint8Array[], policy: VtxoPolicy): void {
  const v = checkVtxoScript(scripts, policy);
  if (v.length) throw new VtxoRuleError(v);
}
