/**
 * Block-delta contract VTXOs from the holder's side (the operator's desk funds them; DESIGN.md
 * "Block-delta contract"):
 *   hashperp bdc contract-key                 register the wallet key file's x-only key as U of your contracts
 *   hashperp bdc contracts [--json]           your positions with their contract status and exit window
 *   hashperp bdc settle <positionId>          after the outcome: the winner pays itself, a loser releases to the operator
 *   hashperp bdc exit-data <positionId> --out FILE
 *   hashperp exit <positionId> | --exit-file FILE --esplora URL [--to ADDR] [--no-wait]
 * The account key (--key-file, as `hashperp order`) signs API requests; the wallet key file
 * (--wallet-file, as `hashperp wallet`) holds U and signs every spend. `exit` needs no operator.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { base64, hex } from '@scure/base';
import type { Command } from 'commander';
import { EsploraProvider, OnchainWallet, RestArkProvider, RestIndexerProvider, Transaction, type Identity } from '@arkade-os/sdk';
import type { ContractDocument, ExitDataDoc } from '../operator/block-delta/desk.js';
import { ProductsClient } from '../client/products-client.js';
import { HashPerpApiError } from '../client/client.js';
import { BDC_METASTABILITY } from '../bitcoin/bdc-exit-window.js';
import { httpUrl, type Env } from '../server/config.js';
import { HashPerpError, InvalidArgumentError } from '../units/errors.js';
import { contractFromDocument, settleContract } from '../wallet/bdc-settle.js';
import { parseOutpoint } from '../wallet/exit.js';
import { arkUrl, esploraUrlFor, identityFor, openWallet } from '../wallet/sdk-wallet.js';
import { defaultWalletPath, readWalletFile, walletDataPath } from '../wallet/wallet-file.js';
import {
  bdcExitStep,
  contractOfExitData,
  describeLatestStart,
  describeWait,
  exitWindowOf,
  otherLockOpen,
  payoutScript,
  sdkNetworkOf,
  type BdcExitStatus,
} from '../wallet/bdc-exit.js';
import { clientFor, type ClientFlags } from './client-commands.js';
import { toJson, type CliIO } from './output.js';
import { writePrivateFile } from './private-file.js';

interface BdcFlags extends ClientFlags {
  walletFile?: string;
}

export interface BdcCommandDeps {
  env?: Env;
  home?: string;
  /** Seconds between passes of `exit` without --no-wait. */
  pollSeconds?: number;
}

export function makeBdcContractCommands(deps: BdcCommandDeps = {}) {
  const env = (): Env => deps.env ?? process.env;
  const server = (f: { server?: string }): string => httpUrl('server', f.server ?? env().HASHPERP_SERVER ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const walletPath = (f: BdcFlags): string => f.walletFile ?? env().HASHPERP_WALLET_FILE ?? defaultWalletPath(deps.home);
  const identityOf = (f: BdcFlags): Identity => identityFor(readWalletFile(walletPath(f)).secret);
  const products = async (f: BdcFlags): Promise<ProductsClient> => new ProductsClient(await clientFor({ ...f, server: server(f) }, env()));
  /** Documents seen while the server served them: the desk drops a position's document once its series settles. */
  const docCache = (f: BdcFlags): string => walletDataPath(walletPath(f)).replace(/\.sqlite$/, '') + '.bdc-contracts.json';
  const readCache = (f: BdcFlags): Record<string, ContractDocument> => (existsSync(docCache(f)) ? (JSON.parse(readFileSync(docCache(f), 'utf8')) as Record<string, ContractDocument>) : {});
  const remember = (f: BdcFlags, doc: ContractDocument): void => {
    const all = { ...readCache(f), [doc.positionId]: doc };
    const path = docCache(f);
    const tmp = `${path}.${process.pid}.tmp`;
    writePrivateFile(tmp, toJson(all));
    renameSync(tmp, path); // the cache stays whole if the process dies mid-write
  };

  async function documentOf(f: BdcFlags, p: ProductsClient, positionId: string): Promise<ContractDocument> {
    try {
      const doc = (await p.bdcContract(positionId)) as unknown as ContractDocument;
      if (doc.funded) remember(f, doc);
      return doc;
    } catch (e) {
      const cached = readCache(f)[positionId];
      if (e instanceof HashPerpApiError && e.status === 404 && cached !== undefined) return cached;
      throw e;
    }
  }

  return (program: Command, io: CliIO): void => {
    const common = (c: Command): Command =>
      c
        .option('--server <url>', 'HashPerp server base URL (env HASHPERP_SERVER; default http://127.0.0.1:8080)')
        .option('--key-file <path>', 'file holding the account secret key (hex) that signs API requests')
        .option('--wallet-file <path>', 'wallet key file holding U (env HASHPERP_WALLET_FILE; default ~/.hashperp/wallet.json)')
        .option('--json', 'machine-readable output');

    const bdc = program.command('bdc').description('block-delta contract VTXOs: your key, your contracts, settlement and exit data');

    common(bdc.command('contract-key').description("register your wallet key file's x-only key as U of your contract VTXOs (not the API key)")).action(async (f: BdcFlags) => {
      const key = hex.encode(await identityOf(f).xOnlyPublicKey());
      const r = await (await products(f)).setBdcContractKey(key);
      io.out(f.json ? toJson(r) : `contract key ${r.key} registered: your positions are funded as contract VTXOs with it`);
    });

    common(bdc.command('contracts').description('your block-delta positions: contract status, outpoint, latest safe start of a unilateral exit (funded contracts\' documents are kept beside the wallet file for `settle`)')).action(async (f: BdcFlags) => {
      const p = await products(f);
      const { positions } = await p.bdcPositions();
      // Keep each funded contract's document: the server stops serving it once the series settles, when `settle` needs it.
      for (const x of positions as { positionId: string; contract?: { status?: string } | null }[]) if (x.contract?.status === 'funded') await documentOf(f, p, x.positionId);
      if (f.json) return io.out(toJson({ positions }));
      if (positions.length === 0) return io.out('no open block-delta positions');
      for (const p of positions as Record<string, unknown>[]) {
        const c = (p.contract ?? null) as { status: string; outpoint: string | null; reason: string | null } | null;
        const x = p.exit as { latestStart?: { kind: 'height'; height: number } | { kind: 'time'; time: number } } | undefined;
        const start = x?.latestStart === undefined ? '' : x.latestStart.kind === 'height' ? `exit by block ${x.latestStart.height}` : `exit by ${new Date(x.latestStart.time * 1000).toISOString()} (estimate)`;
        io.out(`${String(p.positionId)} ${String(p.series)} ${String(p.side)} ${String(p.contracts)} contract(s): ${c === null ? 'no contract service' : c.status}${c?.outpoint ? ` ${c.outpoint}` : ''}${c?.reason ? ` (${c.reason})` : ''}${start ? `; ${start}` : ''}`);
      }
    });

    common(bdc.command('settle').argument('<positionId>').description('after the outcome: a cooperative Ark tx paying you if you won, or releasing the VTXO to the operator if you lost')).action(async (positionId: string, f: BdcFlags) => {
      const p = await products(f);
      const doc = await documentOf(f, p, positionId);
      if (!doc.funded || doc.outpoint === undefined) throw new HashPerpError('not_allowed', `position ${positionId} has no contract VTXO (${doc.reason ?? doc.status})`, { field: 'positionId' });
      const series = (await p.bdcSeries()).find((s) => s.series === doc.series);
      if (series?.winner == null) throw new HashPerpError('not_allowed', `${doc.series} is not decided yet: settle after block ${doc.terms.targetHeight} or once MTP reaches ${doc.terms.deadline}`, { field: 'positionId' });
      const identity = identityOf(f);
      contractFromDocument(doc, await identity.xOnlyPublicKey()); // refuse before opening the wallet
      const won = series.winner === doc.terms.side;
      let own = '';
      if (won) {
        const w = await openWallet({ secret: readWalletFile(walletPath(f)).secret, server: server(f), esplora: esploraUrlFor(server(f)), dataPath: walletDataPath(walletPath(f)) });
        try {
          own = await w.wallet.getAddress();
        } finally {
          await w.close();
        }
      }
      const { arkTxid, to: payeeAddress } = await settleContract(new RestArkProvider(arkUrl(server(f))), doc, series.winner, identity, own);
      const amount = doc.terms.amountSat;
      const out = { positionId, series: doc.series, winner: series.winner, won, arkTxid, to: payeeAddress, amountSat: doc.terms.amountSat };
      io.out(f.json ? toJson(out) : won
        ? `${doc.series} won by ${series.winner}: your side. ${amount} sat paid to your Ark address ${payeeAddress} (ark tx ${arkTxid})`
        : `${doc.series} won by ${series.winner}: you lost. The contract VTXO (${amount} sat) is released to the operator's liquidity ${payeeAddress} (ark tx ${arkTxid})`);
    });

    common(
      bdc
        .command('take')
        .argument('<series>', 'BDC-<H>-<T>')
        .argument('<side>', 'FAST or SLOW')
        .requiredOption('--price <bps>', 'limit, FAST basis points (fills there or better, all or nothing)')
        .requiredOption('--qty <contracts>', 'contracts')
        .description('take a series straight from your Ark wallet: one Ark tx you sign spends your stake VTXO(s) and the operator’s liquidity into your contract VTXO, filled in full at the limit or not at all'),
    ).action(async (series: string, sideArg: string, f: BdcFlags & { price: string; qty: string }) => {
      const side = sideArg.toUpperCase();
      if (side !== 'FAST' && side !== 'SLOW') throw new InvalidArgumentError('side', 'expected FAST or SLOW');
      const price = Number(f.price);
      const qty = Number(f.qty);
      if (!Number.isSafeInteger(price) || price < 1 || price > 9_999) throw new InvalidArgumentError('price', 'expected FAST bps in 1..9999');
      if (!Number.isSafeInteger(qty) || qty < 1) throw new InvalidArgumentError('qty', 'expected a positive number of contracts');
      const p = await products(f);
      const identity = identityOf(f);
      const w = await openWallet({ secret: readWalletFile(walletPath(f)).secret, server: server(f), esplora: esploraUrlFor(server(f)), dataPath: walletDataPath(walletPath(f)) });
      let coins: { txid: string; vout: number; tapTree: string }[];
      try {
        coins = (await w.wallet.getVtxos()).sort((a, b) => b.value - a.value).map((v) => ({ txid: v.txid, vout: v.vout, tapTree: hex.encode(v.tapTree) }));
      } finally {
        await w.close();
      }
      if (coins.length === 0) throw new HashPerpError('insufficient_balance', 'this wallet holds no VTXO: board or receive first', { field: 'wallet' });
      const take = await p.prepareBdcTake({ series, side, price, qty, inputs: coins.slice(0, 20) });
      const arkTx = await identity.sign(Transaction.fromPSBT(base64.decode(take.arkTx)), take.userInputs);
      const cps = await Promise.all(take.checkpoints.map(async (c, i) => base64.encode((take.userInputs.includes(i) ? await identity.sign(Transaction.fromPSBT(base64.decode(c)), [0]) : Transaction.fromPSBT(base64.decode(c))).toPSBT())));
      const done = await p.signBdcTake(take.takeId, base64.encode(arkTx.toPSBT()), cps);
      const out = { takeId: take.takeId, status: done.status, positions: done.positions ?? [], stakeSat: take.stakeSat, paidSat: take.depositSat, reason: done.reason ?? null };
      if (done.status !== 'recorded') throw new HashPerpError('not_allowed', `the take was not filled: ${done.reason ?? done.status}`, { field: 'series' });
      io.out(f.json ? toJson(out) : `took ${qty} ${side} of ${series}: your contract VTXO is ${take.takeId}:0 (stake ${take.stakeSat} sat, ${take.depositSat} sat paid in; the rest stays on your exchange balance); positions ${out.positions.join(', ')}`);
    });

    common(bdc.command('exit-data').argument('<positionId>').description('save what you need to exit without the operator (every signed tx down to your contract VTXO)').requiredOption('--out <file>', 'write to this file (created 0600, never overwritten)')).action(
      async (positionId: string, f: BdcFlags & { out: string }) => {
        const p = await products(f);
        const data = (await p.bdcExitPackage(positionId)) as unknown as ExitDataDoc;
        writePrivateFile(f.out, toJson(data) + '\n');
        const out = { out: f.out, positionId, outpoint: data.outpoint, txs: data.chain.length };
        io.out(f.json ? toJson(out) : `exit data for ${positionId} (${data.outpoint}, ${data.chain.length} txs) written to ${f.out}; exit with \`hashperp exit --exit-file ${f.out} --esplora <url>\``);
      },
    );

    common(
      program
        .command('exit')
        .argument('[positionId]', 'fetch the exit data from the server (needs it up and --key-file)')
        .description('unilateral exit of a block-delta contract VTXO with no operator: unroll it, then claim through your leaf once its CLTV and CSV have opened; re-run to resume')
        .option('--exit-file <file>', 'exit data saved by `hashperp bdc exit-data`')
        .option('--esplora <url>', 'your Esplora REST base URL (env HASHPERP_ESPLORA; default <server>/esplora)')
        .option('--to <address>', 'Bitcoin address for the claim (default: the on-chain address of your wallet key)')
        .option('--no-wait', 'do what can be done now, say what it waits for, and exit 0 (re-run to resume)'),
    ).action(async (positionId: string | undefined, f: BdcFlags & { exitFile?: string; esplora?: string; to?: string; wait: boolean }) => {
      if ((positionId === undefined) === (f.exitFile === undefined)) throw new InvalidArgumentError('exit-file', 'give a position id or --exit-file FILE (not both)');
      let doc: ExitDataDoc;
      if (f.exitFile !== undefined) {
        try {
          doc = JSON.parse(readFileSync(f.exitFile, 'utf8')) as ExitDataDoc;
        } catch (e) {
          throw new InvalidArgumentError('exit-file', `cannot read ${f.exitFile}: ${(e as Error).message}`);
        }
      } else doc = (await (await products(f)).bdcExitPackage(positionId!)) as unknown as ExitDataDoc;
      const identity = identityOf(f);
      const contract = contractOfExitData(doc, await identity.xOnlyPublicKey());
      const esploraUrl = httpUrl('esplora', f.esplora ?? env().HASHPERP_ESPLORA ?? esploraUrlFor(server(f))).replace(/\/+$/, '');
      const explorer = new EsploraProvider(esploraUrl, { forcePolling: true });
      const feeWallet = await OnchainWallet.create(identity, sdkNetworkOf(doc.network), explorer);
      const toAddress = (f.to ?? feeWallet.address).trim();
      const to = payoutScript(toAddress, doc.network);
      const window = exitWindowOf(doc);
      const out = (line: string) => (f.json ? undefined : io.out(line));
      out(`contract ${doc.outpoint} (${doc.terms.side}, H = ${doc.terms.targetHeight}, T = ${doc.terms.deadline}), ${doc.value} sat`);
      out(describeLatestStart(window));

      const outpoint = parseOutpoint(doc.outpoint);
      const onChain = await explorer.getTxStatus(outpoint.txid).then((s) => s.confirmed, () => false);
      if (!onChain) {
        const fees = await feeWallet.getBalance();
        if (fees <= 0) throw new HashPerpError('not_allowed', `exit: pay a few thousand sats to the fee address ${feeWallet.address} (same key) first: each unroll transaction is broadcast with a child paying its fee`);
        out(`fee address ${feeWallet.address} (${fees} sat)`);
      }
      for (;;) {
        const r: BdcExitStatus = await bdcExitStep({
          doc, contract, identity, explorer, esploraUrl, indexer: new RestIndexerProvider(arkUrl(server(f))), feeWallet, to, toAddress, wait: f.wait,
          onStep: (s) => out(s.type === 'broadcast' ? `broadcast ${s.txid}` : s.type === 'wait' ? `waiting for ${s.txid} to confirm${f.wait ? '' : '; re-run to resume'}` : `unrolled: ${s.vtxo} is on chain`),
        });
        const tip = await explorer.getChainTip();
        const race = r.status !== 'claimed' && otherLockOpen(contract, doc.terms.side, { height: tip.height, mtp: tip.time });
        if (race) out(`WARNING: the other side's lock is already open. ${BDC_METASTABILITY}`);
        const report = { positionId: doc.positionId, outpoint: doc.outpoint, side: doc.terms.side, latestStart: window.latestStart, raceWarning: race ? BDC_METASTABILITY : null, feeAddress: feeWallet.address, ...r, ...(r.status === 'waiting' ? { waits: r.waits.map((w) => ({ ...w, text: describeWait(w) })) } : {}) };
        if (r.status === 'claimed') {
          out(r.broadcastNow ? `claimed: tx ${r.txid} pays ${r.amount} sat to ${r.to} (fee ${r.fee} sat)` : `already claimed: the contract output is spent by ${r.txid}`);
          if (f.json) io.out(toJson(report));
          return;
        }
        if (r.status === 'waiting') out(`waiting for ${r.waits.map(describeWait).join('; and ')}${f.wait ? '' : '; re-run to resume'}`);
        if (!f.wait) {
          if (f.json) io.out(toJson(report));
          return;
        }
        await new Promise((res) => setTimeout(res, (deps.pollSeconds ?? 30) * 1000));
      }
    });
  };
}

export const registerBdcContractCommands = makeBdcContractCommands();
