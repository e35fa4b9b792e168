import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { MultisigTapscript, CSVMultisigTapscript, CLTVMultisigTapscript, ConditionMultisigTapscript, type RelativeTimelock } from '@arkade-os/sdk';
import { keyPairFromSeedLabel } from '../../src/bitcoin/keys.js';
import { buildBlockDeltaVtxo, buildPlainVtxo } from '../../src/bitcoin/vtxo-scripts.js';
import { checkVtxoScript, assertVtxoScript, VtxoRuleError, type VtxoPolicy } from '../../src/operator/rules.js';

const U = keyPairFromSeedLabel('rules/U').publicKey;
const S = keyPairFromSeedLabel('rules/S').publicKey;
const X = keyPairFromSeedLabel('rules/X').publicKey;
const d: RelativeTimelock = { type: 'blocks', value: 144n };
/** arkd on regtest (tree expiry in blocks): block timelocks allowed. */
const regtest: VtxoPolicy = { operator: S, minExitDelay: d, blockTypeAllowed: true };
/** arkd anywhere else: its config refuses a tree expiry in blocks, so block timelocks are off. */
const mainnet = (minExitDelay: RelativeTimelock): VtxoPolicy => ({ operator: S, minExitDelay, blockTypeAllowed: false });
const bdc = (exitDelay: RelativeTimelock = d) => buildBlockDeltaVtxo({ user: U, operator: S, userSide: 'FAST', targetHeight: 900_000, deadline: 1_800_000_000, exitDelay });
const rules = (scripts: Uint8Array[], p: VtxoPolicy) => checkVtxoScript(scripts, p).map((v) => `${v.rule}@${v.leaf}`);
const exit = (timelock: RelativeTimelock, key = U) => CSVMultisigTapscript.encode({ timelock, pubkeys: [key] }).script;
const forfeit = MultisigTapscript.encode({ pubkeys: [U, S] }).script;

// arkd's pkg/ark-lib/script/testdata/vtxoscript.json (arkd 8b34e352), which its TestTapscriptsVtxoScript
// validates with Validate(serverKey, smallestExitDelay, blockTypeAllowed = true).
interface ArkdFixture {
  name: string;
  scripts: string[];
  smallestExitDelay: { type: 0 | 1; value: number };
  serverKey: string;
}
const FIXTURE = new URL('./fixtures/arkd-vtxoscript.json', import.meta.url);
const fixtureBytes = readFileSync(FIXTURE);
const arkdFixtures = JSON.parse(new TextDecoder().decode(fixtureBytes)) as ArkdFixture[];
/** arkd's RelativeLocktimeType: 0 = LocktimeTypeSecond, 1 = LocktimeTypeBlock. */
const relOf = (f: ArkdFixture): RelativeTimelock => ({ type: f.smallestExitDelay.type === 0 ? 'seconds' : 'blocks', value: BigInt(f.smallestExitDelay.value) });

describe("arkd's VTXO script rules (rules.ts)", () => {
  it("arkd's own fixtures: accepted with their server key and smallest exit delay; one unit more is too short", () => {
    expect(hex.encode(sha256(fixtureBytes))).toBe('ada24ddbae6357a0fa6de3ae134851fbfb20c886997053552f4731fce106fc8e');
    expect(arkdFixtures).toHaveLength(4);
    for (const f of arkdFixtures) {
      const scripts = f.scripts.map((s) => hex.decode(s));
      const operator = hex.decode(f.serverKey).slice(1);
      const min = relOf(f);
      expect(checkVtxoScript(scripts, { operator, minExitDelay: min, blockTypeAllowed: true }), f.name).toEqual([]);
      // the fixture's smallestExitDelay is what SmallestExitDelay returns: a minimum one above it fails
      expect(rules(scripts, { operator, minExitDelay: { ...min, value: min.value + 1n }, blockTypeAllowed: true }), f.name).toEqual(['exit-delay-too-short@0']);
    }
  });

  it("arkd's fixture with a block exit delay is refused once block timelocks are off, on its CSV-in-blocks leaf", () => {
    const f = arkdFixtures.find((x) => x.name === 'vtxoScript with block exit delay')!;
    const scripts = f.scripts.map((s) => hex.decode(s));
    const operator = hex.decode(f.serverKey).slice(1);
    expect(rules(scripts, { operator, minExitDelay: relOf(f), blockTypeAllowed: false })).toEqual(['csv-block-type-not-allowed@3']);
  });

  it("another signer: every forfeit leaf of arkd's fixtures lacks it", () => {
    const f = arkdFixtures.find((x) => x.name === 'vtxoScript from odd number of tapscripts')!;
    const scripts = f.scripts.map((s) => hex.decode(s));
    // leaves 1-3 are multisigs and 7 a hash-condition multisig, all with the server key; 4-6 are CSV exits
    expect(rules(scripts, { operator: X, minExitDelay: relOf(f), blockTypeAllowed: true })).toEqual([
      'forfeit-without-signer@1',
      'forfeit-without-signer@2',
      'forfeit-without-signer@3',
      'forfeit-without-signer@7',
    ]);
  });

  it('a forfeit leaf (multisig, CLTV multisig, condition multisig) without S is refused; exit leaves need no S', () => {
    const scripts = [MultisigTapscript.encode({ pubkeys: [U, X] }).script, exit(d)];
    expect(rules(scripts, regtest)).toEqual(['forfeit-without-signer@1']);
    const cltvNoS = [CLTVMultisigTapscript.encode({ absoluteTimelock: 1_800_000_000n, pubkeys: [U] }).script, exit(d)];
    expect(rules(cltvNoS, regtest)).toEqual(['forfeit-without-signer@1']);
    const condNoS = [ConditionMultisigTapscript.encode({ conditionScript: new Uint8Array([0x51]), pubkeys: [U] }).script, exit(d)];
    expect(rules(condNoS, regtest)).toEqual(['forfeit-without-signer@1']);
  });

  it('height CLTV multisig: refused while block timelocks are off, unless the VTXO is a contract VTXO (HashPerp extension)', () => {
    const sec: RelativeTimelock = { type: 'seconds', value: 512n * 200n };
    const heightLeaf = [CLTVMultisigTapscript.encode({ absoluteTimelock: 900_000n, pubkeys: [U, S] }).script, exit(sec)];
    expect(rules(heightLeaf, mainnet(sec))).toEqual(['cltv-block-type-not-allowed@1']);
    expect(rules(heightLeaf, { ...mainnet(sec), contract: true })).toEqual([]);
    expect(rules(heightLeaf, regtest)).toEqual([]); // on regtest arkd allows it too
    // a time CLTV is fine everywhere
    const timeLeaf = [CLTVMultisigTapscript.encode({ absoluteTimelock: 1_800_000_000n, pubkeys: [U, S] }).script, exit(sec)];
    expect(rules(timeLeaf, mainnet(sec))).toEqual([]);
  });

  it('exit delays compare as arkd does, a block counting as one second (SECONDS_PER_BLOCK = 1)', () => {
    // 144 blocks against a 512-second minimum: arkd reads 144 < 512
    expect(rules([forfeit, exit(d)], { operator: S, minExitDelay: { type: 'seconds', value: 512n }, blockTypeAllowed: true })).toEqual(['exit-delay-too-short@0']);
    // 1024 seconds against 144 blocks: 1024 >= 144
    expect(rules([forfeit, exit({ type: 'seconds', value: 1024n })], regtest)).toEqual([]);
    // the smallest exit counts, not the first
    expect(rules([forfeit, exit({ type: 'blocks', value: 200n }), exit({ type: 'blocks', value: 143n }, S)], regtest)).toEqual(['exit-delay-too-short@0']);
    expect(rules([forfeit, exit(d)], { operator: S, blockTypeAllowed: true })).toEqual([]); // no minimum given
  });

  it('CSV in blocks is refused while block timelocks are off (outside regtest), contract or not', () => {
    expect(rules(buildPlainVtxo(U, S, d).scripts, mainnet(d))).toEqual(['csv-block-type-not-allowed@2']);
    expect(rules(bdc().scripts, { ...mainnet(d), contract: true })).toEqual(['csv-block-type-not-allowed@2', 'csv-block-type-not-allowed@3']);
  });

  it('the block-delta VTXO: accepted on regtest; outside regtest with d in seconds, even without the extension (arkd never reads a condition)', () => {
    expect(checkVtxoScript(bdc().scripts, { ...regtest, contract: true, requireExitLeaf: true })).toEqual([]);
    expect(checkVtxoScript(buildPlainVtxo(U, S, d).scripts, regtest)).toEqual([]);
    const sec: RelativeTimelock = { type: 'seconds', value: 512n * 169n };
    expect(checkVtxoScript(bdc(sec).scripts, mainnet(sec))).toEqual([]);
    // d one block short of the minimum: too short (both claim leaves carry the same d)
    expect(rules(bdc({ type: 'blocks', value: 143n }).scripts, { ...regtest, contract: true })).toEqual(['exit-delay-too-short@0']);
  });

  it('no exit leaf passes Validate; the intent path (requireExitLeaf) refuses it', () => {
    expect(rules([forfeit], regtest)).toEqual([]);
    expect(rules([forfeit], { ...regtest, requireExitLeaf: true })).toEqual(['no-exit-leaf@0']);
  });

  it('a leaf that is none of the five closures refuses the script before any other rule', () => {
    expect(rules([new Uint8Array([0x51]), MultisigTapscript.encode({ pubkeys: [U, X] }).script], regtest)).toEqual(['unknown-leaf@1']);
    expect(checkVtxoScript([new Uint8Array([0x51])], regtest)[0]!.message).toBe('unknown tapscript 51');
  });

  it("violations come in arkd's order (forfeit leaves, then exit leaves, then the delay); assert names the first, with arkd's message", () => {
    const scripts = [exit({ type: 'blocks', value: 1n }), MultisigTapscript.encode({ pubkeys: [U, X] }).script];
    expect(rules(scripts, mainnet({ type: 'seconds', value: 512n }))).toEqual(['forfeit-without-signer@2', 'csv-block-type-not-allowed@1', 'exit-delay-too-short@0']);
    let e: unknown;
    try {
      assertVtxoScript(scripts, mainnet({ type: 'seconds', value: 512n }));
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(VtxoRuleError);
    expect((e as VtxoRuleError).code).toBe('vtxo_rule:forfeit-without-signer');
    expect((e as VtxoRuleError).message).toContain('forfeit-without-signer (leaf 2): invalid forfeit closure, signer pubkey not found');
    expect((e as VtxoRuleError).violations[1]!.message).toBe('invalid exit closure, CSV block type not allowed');
  });
});
