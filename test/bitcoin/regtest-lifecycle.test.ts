import { describe, it, expect } from 'vitest';
import { runRegtestLifecycle } from '../../src/operator/regtest-lifecycle.js';
import { main } from '../../src/cli/main.js';

const url = process.env.BITCOIND_RPC_URL;
if (!url) console.log('regtest lifecycle suite skipped: BITCOIND_RPC_URL is not set (point it at a bitcoind -regtest)');

describe.skipIf(!url)('regtest lifecycle against bitcoind (BITCOIND_RPC_URL)', () => {
  it('every step behaves as expected on the node', { timeout: 240_000 }, async () => {
    const report = await runRegtestLifecycle(url!);
    const failed = report.steps.filter((s) => !s.ok);
    if (failed.length) console.log(failed);
    expect(failed).toEqual([]);
    // each of the seven brief steps was exercised, with both refusals and acceptances where asked
    for (const step of [1, 2, 3, 4, 5, 6, 7]) expect(report.steps.some((s) => s.step === step && s.accepted)).toBe(true);
    for (const step of [2, 3, 6, 7]) expect(report.steps.some((s) => s.step === step && !s.expected && !s.accepted)).toBe(true);
    expect(report.ok).toBe(true);
    // arkd's shape on Bitcoin Core 31: refused alone for its zero fee, accepted as a package with a CPFP child
    const relay = report.steps.filter((s) => s.step === 0 && s.name.startsWith('arkd-shaped'));
    expect(relay.map((s) => [s.accepted, s.expected])).toEqual([
      [false, false],
      [true, true],
    ]);
    expect(relay[0]!.detail).toMatch(/min relay fee not met/);
    // every virtual tx (tree, checkpoint, Ark tx) that went on chain went as a package
    const packaged = report.steps.filter((s) => s.name.endsWith('(package with CPFP child)'));
    expect(packaged.length).toBeGreaterThanOrEqual(13);
    expect(packaged.every((s) => s.accepted && /^child [0-9a-f]{64} pays \d+ sat/.test(s.detail))).toBe(true);
  });

  it('the CLI runs the same lifecycle and exits 0 with --json', { timeout: 240_000 }, async () => {
    const out: string[] = [];
    const code = await main(['node', 'hashperp', 'regtest', 'lifecycle', '--rpc', url!, '--json'], { out: (l) => out.push(l), err: (l) => out.push(l) });
    expect(code).toBe(0);
    const report = JSON.parse(out.join('\n')) as { ok: boolean; steps: unknown[] };
    expect(report.ok).toBe(true);
    expect(report.steps.length).toBeGreaterThan(20);
  });
});
