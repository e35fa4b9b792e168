import { describe, it, expect } from 'vitest';
import { MultisigTapscript, CSVMultisigTapscript, CLTVMultisigTapscript } from '@arkade-os/sdk';
import { keyPairFromSeedLabel } from '../../src/bitcoin/keys.js';
import { buildBlockDeltaVtxo, buildPlainVtxo } from '../../src/bitcoin/vtxo-scripts.js';
import { checkVtxoScript, assertVtxoScript, VtxoRuleError, type VtxoPolicy } from '../../src/operator/rules.js';

const U = keyPairFromSeedLabel('rules/U').publicKey;
const S = keyPairFromSeedLabel('rules/S').publicKey;
const X = keyPairFromSeedLabel('rules/X').publicKey;
const d = { type: 'blocks' as const, value: 144n };
const contract: VtxoPolicy = { operator: S, exitDelay: d, allowHeightCltv: true };
const plainPolicy: VtxoPolicy = { ...contract, allowHeightCltv: false };
const bdc = (exitDelay = d) => buildBlockDeltaVtxo({ user: U, operator: S, userSide: 'FAST', targetHeight: 900_000, deadline: 1_800_000_000, exitDelay });
const rules = (scripts: Uint8Array[], p: VtxoPolicy) => checkVtxoScript(scripts, p).map((v) => `${v.rule}@${v.leaf}`);

describe('operator VTXO rules', () => {
  it('accepts the six-leaf block-delta VTXO as a contract VTXO and the plain VTXO', () => {
    expect(checkVtxoScript(bdc().scripts, contract)).toEqual([]);
    expect(checkVtxoScript(buildPlainVtxo(U, S, d).scripts, plainPolicy)).toEqual([]);
  });

  it('height CLTV is refused outside contract VTXOs (the extension is opt-in)', () => {
    expect(rules(bdc().scripts, plainPolicy)).toEqual(['height-cltv-not-allowed@2', 'height-cltv-not-allowed@5']);
  });

  it('an offchain leaf without S is refused', () => {
    const scripts = [MultisigTapscript.encode({ pubkeys: [U, X] }).script, CSVMultisigTapscript.encode({ timelock: d, pubkeys: [U] }).script];
    expect(rules(scripts, plainPolicy)).toEqual(['offchain-leaf-without-operator@1']);
    const cltvNoS = [CLTVMultisigTapscript.encode({ absoluteTimelock: 1_800_000_000n, pubkeys: [U] }).script, scripts[1]!];
    expect(rules(cltvNoS, plainPolicy)).toEqual(['offchain-leaf-without-operator@1']);
  });

  it('a unilateral leaf shorter than the exit delay is refused, at exactly the delay accepted', () => {
    expect(rules(bdc({ type: 'blocks', value: 143n }).scripts, contract)).toEqual(['exit-delay-too-short@4', 'exit-delay-too-short@5', 'exit-delay-too-short@6']);
    expect(rules(bdc({ type: 'blocks', value: 144n }).scripts, contract)).toEqual([]);
  });

  it('CSV in seconds against an exit delay in blocks is a unit mismatch', () => {
    const scripts = [MultisigTapscript.encode({ pubkeys: [U, S] }).script, CSVMultisigTapscript.encode({ timelock: { type: 'seconds', value: 512n * 200n }, pubkeys: [U] }).script];
    expect(rules(scripts, plainPolicy)).toEqual(['timelock-unit-mismatch@2']);
  });

  it('no unilateral leaf, or a leaf that is not an Ark tapscript, is refused', () => {
    expect(rules([MultisigTapscript.encode({ pubkeys: [U, S] }).script], plainPolicy)).toEqual(['no-exit-leaf@0']);
    expect(rules([new Uint8Array([0x51]), CSVMultisigTapscript.encode({ timelock: d, pubkeys: [U] }).script], plainPolicy)).toEqual(['unknown-leaf@1']);
  });

  it('assert names the first rule in the error code', () => {
    let e: unknown;
    try {
      assertVtxoScript(bdc().scripts, plainPolicy);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(VtxoRuleError);
    expect((e as VtxoRuleError).code).toBe('vtxo_rule:height-cltv-not-allowed');
    expect((e as VtxoRuleError).message).toContain('leaf 2');
  });
});
