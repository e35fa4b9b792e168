/**
 * Proof commands against a running server:
 *   hashperp proof verify [--height N]   fetches the signer's liabilities proof and the root published for
 *                                        its block, verifies locally; exit 1 when it does not verify
 *   hashperp proof reserves              the operator's outpoints against the liabilities (exit 3 when short)
 * Same --server and credentials as the client commands.
 */
import type { Command } from 'commander';
import { checkMyLiabilities, formatMsat, verifiedLine } from '../proofs/check.js';
import type { Env } from '../server/config.js';
import { intIn } from '../server/config.js';
import { clientFor, type ClientFlags } from './client-commands.js';
import { CliExit, toJson, type CliIO } from './output.js';

export function makeProofCommands(deps: { env?: Env; fetch?: typeof fetch } = {}) {
  const env = (): Env => deps.env ?? process.env;
  return (program: Command, io: CliIO): void => {
    const proof = program.command('proof').description('check that the operator owes what it says and holds enough');
    const opts = (c: Command): Command =>
      c.option('--server <url>', 'API base URL (env HASHPERP_SERVER; default http://127.0.0.1:8080)').option('--key-file <path>', 'file holding the account secret key (hex)').option('--json', 'machine-readable output');
    opts(proof.command('verify').description("verify locally that your balance is in the latest (or --height) block's liabilities").option('--height <n>', 'a recent block height')).action(
      async (f: ClientFlags & { height?: string }) => {
        const c = await clientFor(f, env(), deps.fetch);
        const account = c.accountId;
        if (account === undefined) throw new CliExit(2, 'proof verify needs the account key (--key-file or HASHPERP_SECRET_KEY): an API key cannot say which account it is');
        const height = f.height === undefined ? undefined : intIn('height', f.height, 0, 1e9);
        const r = await checkMyLiabilities(account, () => c.liabilitiesProof(height), (h) => c.liabilities(h));
        if (f.json) io.out(toJson(r));
        if (!r.ok) throw new CliExit(1, `NOT verified${r.height !== undefined ? ` (block ${r.height})` : ''}: ${r.reason}`);
        if (!f.json) io.out(`${verifiedLine(r)}\n(total owed to ${r.accounts} ledger accounts: ${formatMsat(BigInt(r.totalMsat))}; block ${r.blockHash})`);
      },
    );
    opts(proof.command('reserves').description("the operator's outpoints (check each with gettxout) against the liabilities")).action(async (f: ClientFlags) => {
      const r = await (await clientFor(f, env(), deps.fetch)).reserves();
      if (f.json) io.out(toJson(r));
      else {
        io.out(`chain ${r.chain} (${r.network}) at height ${r.chainHeight}: ${r.onChain}`);
        for (const o of r.outpoints) io.out(`${o.kind.padEnd(7)} ${o.txid}:${o.vout} ${o.amountSat} sat (${o.confirmations} conf)`);
        io.out(`exchange: owes ${formatMsat(BigInt(r.exchange.liabilities?.totalMsat ?? '0'))} at block ${r.exchange.liabilities?.height ?? '-'}, holds ${formatMsat(BigInt(r.exchange.backingMsat))}; vault NAV ${formatMsat(BigInt(r.exchange.vaultNavMsat))}`);
        io.out(`ark: VTXOs ${r.ark.vtxosOutstandingSat} sat, batch outputs ${r.ark.batchOutputsSat} sat`);
        io.out(r.reservesShort ? 'reserves SHORT' : 'reserves cover the liabilities');
      }
      if (r.reservesShort) throw new CliExit(3, '');
    });
  };
}

export const registerProofCommands = makeProofCommands();
