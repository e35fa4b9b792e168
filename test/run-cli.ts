import { main } from '../src/cli/main.js';

/** Runs `hashperp ARGS…` in-process and returns its exit code and what it printed (lines joined with \n). */
export async function runCli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'hashperp', ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
