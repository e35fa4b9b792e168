import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IO_PACKAGES, REPO_ROOT, collectEdges } from './boundaries.js';

// What a user gets from `npm install`: `prepare` runs `npm run build`, so every `exports` target must be
// a built file, and `import('hashperp')` (the package's self-reference, as a dependant would write it)
// must load.
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, string>; scripts: Record<string, string> };
const entries = Object.entries(pkg.exports);

/** Runs a module snippet in a child Node with the repository as cwd, so `hashperp` resolves by name. */
function nodeEval(code: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
}

describe('package.json exports', () => {
  it('are built by npm install (prepare runs the build that writes dist/)', () => {
    expect(pkg.scripts.prepare).toBe('npm run build');
    expect(pkg.scripts.build).toMatch(/^tsc -p tsconfig\.build\.json/);
    expect(entries.length).toBeGreaterThan(0);
  });

  it.each(entries)('%s → %s exists on disk (after npm run build) and names a source file', (_sub, target) => {
    expect(target).toMatch(/^\.\/dist\/src\/.+\.js$/);
    const source = target.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts');
    expect(existsSync(join(REPO_ROOT, source)), `${source} (the source of ${target})`).toBe(true);
    expect(existsSync(join(REPO_ROOT, target)), `${target} is missing: run npm run build (npm install runs it through prepare)`).toBe(true);
  });

  it.each(entries)('import(%j) by the package name loads in Node', (sub) => {
    const spec = sub === '.' ? pkg.name : `${pkg.name}/${sub.replace(/^\.\//, '')}`;
    const out = nodeEval(`const m = await import(${JSON.stringify(spec)}); console.log(JSON.stringify(Object.keys(m)));`);
    expect((JSON.parse(out.trim().split('\n').pop()!) as string[]).length).toBeGreaterThan(0);
  });

  it('"." is the library surface: the index, pricing, chain verification and units', () => {
    const out = nodeEval(
      `const m = await import('${pkg.name}');` +
        `const h = m.hashpriceSatPerPHDay(0x1d00ffff, m.subsidy(840000));` +
        `console.log(JSON.stringify({ verify: typeof m.verifyHeaders, indexAt: typeof m.indexAt, mtp: m.medianTimePast([3, 1, 2]), subsidy: String(m.subsidy(840000)), halving: m.MAINNET.halvingInterval, day: m.BLOCKS_PER_DAY, account: typeof m.accountId, option: typeof m.priceHpiOption, h: String(h) }));`,
    );
    expect(JSON.parse(out.trim().split('\n').pop()!)).toMatchObject({
      verify: 'function',
      indexAt: 'function',
      mtp: 2,
      subsidy: '312500000',
      halving: 210_000,
      day: 144,
      account: 'function',
      option: 'function',
    });
  });

  it('"." reaches no server, engine, journal, operator or CLI module and no I/O package', () => {
    const edges = collectEdges(REPO_ROOT);
    const seen = new Set<string>(['src/index.ts']);
    const packages = new Set<string>();
    for (let frontier = ['src/index.ts']; frontier.length > 0; ) {
      const next: string[] = [];
      for (const e of edges.filter((x) => frontier.includes(x.from) && !x.typeOnly)) {
        if (e.kind === 'package') packages.add(e.target);
        if (e.kind === 'relative' && !seen.has(e.target)) (seen.add(e.target), next.push(e.target));
      }
      frontier = next;
    }
    expect(seen.size).toBeGreaterThan(20);
    expect([...seen].filter((f) => /^src\/(api|server|client|cli|demo|engine|journal|operator)\//.test(f))).toEqual([]);
    expect([...packages].filter((p) => IO_PACKAGES.includes(p))).toEqual([]);
  });
});
