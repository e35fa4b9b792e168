/** `hashperp index history`: the same series as the API, from the shipped data, as JSON or a table. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

describe('hashperp index history', () => {
  it('--json over 2012 at epoch resolution: the first halving halves the hashprice at the same bits', async () => {
    const r = await runCli('index', 'history', '--from', '2012-11-01', '--to', '2013-01-01', '--json');
    expect([r.code, r.err]).toEqual([0, '']);
    const s = JSON.parse(r.out);
    expect(s).toMatchObject({ resolution: 'epoch', feesIncluded: false, pointCap: 5000 });
    const p = (h: number) => s.points.find((x: { height: number }) => x.height === h);
    expect([p(209_664).bits, p(210_000).bits]).toEqual(['1a04e0ea', '1a04e0ea']);
    expect([p(209_664).hashpriceSatPerPHDay, p(210_000).hashpriceSatPerPHDay]).toEqual(['29248473636189', '14624236818094']);
    expect(s.halvings).toEqual([expect.objectContaining({ height: 210_000, halving: 1, subsidySatBefore: '5000000000', subsidySatAfter: '2500000000' })]);
  });

  it('defaults: genesis to the newest covered height, every halving marked', async () => {
    const s = JSON.parse((await runCli('index', 'history', '--json')).out);
    expect([s.fromHeight, s.toHeight]).toEqual([0, 955_583]);
    expect(s.halvings.map((h: { height: number }) => h.height)).toEqual([210_000, 420_000, 630_000, 840_000]);
    expect(s.points[0]).toMatchObject({ height: 0, hashpriceSatPerPHDay: '100582838058471679687' });
  });

  it('heights and --resolution block; the table states the basis and marks halvings', async () => {
    const s = JSON.parse((await runCli('index', 'history', '--from', '830000', '--to', '830009', '--resolution', 'block', '--json')).out);
    expect(s.points.map((p: { height: number }) => p.height)).toEqual([830000, 830001, 830002, 830003, 830004, 830005, 830006, 830007, 830008, 830009]);
    const t = await runCli('index', 'history', '--from', '209000', '--to', '211000');
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/^basis: subsidy only/m);
    expect(t.out).toMatch(/210000 {2}halving +146242\.36818094 +14624236818094/);
    expect(t.out).toMatch(/^halving 1 at height 210000 \(2012-11-28 15:24 UTC\): subsidy 50\.00000000 → 25\.00000000 BTC$/m);
  });

  it('refuses a bad resolution, a reversed range, and a range over the point cap, naming the option', async () => {
    for (const [args, msg] of [
      [['--resolution', 'hourly'], /resolution: expected one of epoch, day, block/],
      [['--from', '800000', '--to', '700000'], /from: from \(height 800000\) is after to/],
      [['--from', 'last week'], /from: not an ISO date/],
      [['--resolution', 'block'], /resolution: block resolution over heights 0\.\.955583 gives 238425 points, more than the cap of 5000/],
    ] as const) {
      const r = await runCli('index', 'history', ...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.err).toMatch(msg);
    }
  });
});
