import { describe, it, expect } from 'vitest';
import { runCli } from '../run-cli.js';
import { keyPairFromSeedLabel, toHex } from '../../src/bitcoin/keys.js';
import { buildBlockDeltaVtxo, exportBlockDeltaVtxo } from '../../src/bitcoin/vtxo-scripts.js';
import { NETWORKS } from '../../src/bitcoin/networks.js';

const run = runCli;
const U = keyPairFromSeedLabel('cli/U').publicKey;
const S = keyPairFromSeedLabel('cli/S').publicKey;

describe('hashperp vtxo block-delta', () => {
  it('prints the same JSON as the library export: three leaves, the SLOW one locked at the deadline − 1', async () => {
    const r = await run('vtxo', 'block-delta', '--user', toHex(U), '--operator', toHex(S), '--side', 'slow', '--height', '900000', '--deadline', '1800000000', '--exit-delay', '144', '--network', 'signet', '--json');
    expect(r.code).toBe(0);
    const lib = exportBlockDeltaVtxo(buildBlockDeltaVtxo({ user: U, operator: S, userSide: 'SLOW', targetHeight: 900_000, deadline: 1_800_000_000, exitDelay: { type: 'blocks', value: 144n } }), NETWORKS.signet);
    const out = JSON.parse(r.out) as { terms: { deadline: number }; leaves: { name: string; asm: string }[] };
    expect(out).toEqual(JSON.parse(JSON.stringify(lib)));
    expect(out.terms.deadline).toBe(1_800_000_000);
    expect(out.leaves.map((l) => l.name)).toEqual(['cooperative', 'unilateral-claim-fast', 'unilateral-claim-slow']);
    // 1_799_999_999 = 0x6b49d1ff, little-endian script number ff d1 49 6b: the SLOW leaf's CLTV is T − 1.
    expect(out.leaves[2]!.asm).toContain('ffd1496b OP_CHECKLOCKTIMEVERIFY');
  });

  it('the text output names both locks', async () => {
    const r = await run('vtxo', 'block-delta', '--user', toHex(U), '--operator', toHex(S), '--side', 'FAST', '--height', '900000', '--deadline', '1800000000');
    expect(r.code).toBe(0);
    expect(r.out).toContain('FAST leaf locks at height 900000; SLOW leaf locks at 1799999999');
    expect(r.out.match(/^leaf \d /gm)).toEqual(['leaf 1 ', 'leaf 2 ', 'leaf 3 ']);
  });

  it('bad input: message naming the argument, exit 1', async () => {
    const r = await run('vtxo', 'block-delta', '--user', 'zz', '--operator', toHex(S), '--side', 'FAST', '--height', '10', '--deadline', '1800000000');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/user/);
    const r2 = await run('vtxo', 'block-delta', '--user', toHex(U), '--operator', toHex(S), '--side', 'FAST', '--height', '10', '--deadline', '12');
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/deadline/);
  });
});
