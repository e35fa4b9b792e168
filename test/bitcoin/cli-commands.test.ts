import { describe, it, expect } from 'vitest';
import { runCli } from '../run-cli.js';
import { keyPairFromSeedLabel, toHex } from '../../src/bitcoin/keys.js';
import { buildBlockDeltaVtxo, exportBlockDeltaVtxo } from '../../src/bitcoin/vtxo-scripts.js';
import { NETWORKS } from '../../src/bitcoin/networks.js';

const run = runCli;
const U = keyPairFromSeedLabel('cli/U').publicKey;
const S = keyPairFromSeedLabel('cli/S').publicKey;

describe('hashperp vtxo block-delta / regtest lifecycle', () => {
  it('prints the same JSON as the library export, SLOW leaves locked at the deadline − 1 as the operator builds them', async () => {
    const r = await run('vtxo', 'block-delta', '--user', toHex(U), '--operator', toHex(S), '--side', 'slow', '--height', '900000', '--deadline', '1800000000', '--exit-delay', '144', '--network', 'signet', '--json');
    expect(r.code).toBe(0);
    const lib = exportBlockDeltaVtxo(buildBlockDeltaVtxo({ user: U, operator: S, userSide: 'SLOW', targetHeight: 900_000, deadline: 1_799_999_999, exitDelay: { type: 'blocks', value: 144n } }), NETWORKS.signet);
    expect(JSON.parse(r.out)).toEqual(JSON.parse(JSON.stringify(lib)));
  });

  it('bad input: message naming the argument, exit 1', async () => {
    const r = await run('vtxo', 'block-delta', '--user', 'zz', '--operator', toHex(S), '--side', 'FAST', '--height', '10', '--deadline', '1800000000');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/user/);
    const r2 = await run('vtxo', 'block-delta', '--user', toHex(U), '--operator', toHex(S), '--side', 'FAST', '--height', '10', '--deadline', '12');
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/deadline/);
  });

  it('lifecycle against an unreachable node fails with exit 1 and says why', async () => {
    const r = await run('regtest', 'lifecycle', '--rpc', 'http://u:p@127.0.0.1:9');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bitcoind getblockchaininfo/);
  });
});
