/**
 * The user's own Ark wallet (issue 13, "keys stay with users"), the stock @arkade-os/sdk Wallet
 * against a HashPerp server's Ark API (`<server>/ark`) and an Esplora (`<server>/esplora` or the
 * user's own):
 *   hashperp wallet create [--network N] [--raw-key] | import --mnemonic "…" | --secret HEX
 *   hashperp wallet address | boarding-address | balance
 *   hashperp wallet send --to ADDR --amount SAT | settle | renew [--threshold SECONDS]
 *   hashperp wallet exit [--vtxo TXID:VOUT …] [--no-wait] | exit --complete --to ADDR | exit-data [--out FILE]
 *   hashperp wallet fund <sat> --account ID          (wallet -> exchange account: one Ark tx with the account's memo)
 *   hashperp wallet withdraw <sat> [--to ARK_ADDRESS] (exchange account -> this wallet or --to; signed with --key-file)
 * Every command takes --server URL (env HASHPERP_SERVER), --wallet-file PATH (env
 * HASHPERP_WALLET_FILE, default ~/.hashperp/wallet.json) and --json.
 */
import { hex } from '@scure/base';
import type { Command } from 'commander';
import { OnchainWallet, Ramps, Unroll, type NetworkName } from '@arkade-os/sdk';
import { httpUrl, intIn, type Env } from '../server/config.js';
import { accountId } from '../units/checks.js';
import { HashPerpError, InvalidArgumentError } from '../units/errors.js';
import { collectExitData, parseOutpoint, unrollVtxo, type ExitStepReport, type Outpoint } from '../wallet/exit.js';
import { markUnrolledIfConfirmed } from '../wallet/offline-unrolled.js';
import {
  assertAddressOnNetwork,
  classifyAddress,
  esploraUrlFor,
  identityFor,
  openWallet,
  parseNetwork,
  serverNetwork,
  type OpenedWallet,
} from '../wallet/sdk-wallet.js';
import {
  defaultWalletPath,
  newMnemonic,
  newSecretHex,
  parseMnemonic,
  parseSecretHex,
  readWalletFile,
  walletDataPath,
  writeWalletFile,
  type WalletSecret,
} from '../wallet/wallet-file.js';
import { fundExchange } from '../wallet/exchange-funding.js';
import { clientFor } from './client-commands.js';
import { toJson, type CliIO } from './output.js';
import { writePrivateFile } from './private-file.js';

interface WalletFlags {
  server?: string;
  walletFile?: string;
  esplora?: string;
  json?: boolean;
}

const KEY_NOTE =
  'The wallet key file holds your Bitcoin/Ark secret; the HashPerp server never sees it. It is NOT the API-auth key of `hashperp account keygen` (that one only signs API requests).';

/** Satoshis: a positive integer (no more than 21 million BTC). */
export function parseAmount(s: string): number {
  return intIn('amount', s, 1, 2_100_000_000_000_000);
}

export interface WalletCommandDeps {
  env?: Env;
  /** Home directory for the default wallet path (tests point it at a temp dir). */
  home?: string;
}

export function makeWalletCommands(deps: WalletCommandDeps = {}) {
  const env = (): Env => deps.env ?? process.env;
  const server = (f: WalletFlags): string => httpUrl('server', f.server ?? env().HASHPERP_SERVER ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const walletPath = (f: WalletFlags): string => f.walletFile ?? env().HASHPERP_WALLET_FILE ?? defaultWalletPath(deps.home);
  const esplora = (f: WalletFlags): string => httpUrl('esplora', f.esplora ?? env().HASHPERP_ESPLORA ?? esploraUrlFor(server(f)));

  async function withWallet<T>(f: WalletFlags, run: (w: OpenedWallet) => Promise<T>): Promise<T> {
    const path = walletPath(f);
    const file = readWalletFile(path);
    const opened = await openWallet({ secret: file.secret, server: server(f), esplora: esplora(f), dataPath: walletDataPath(path) });
    try {
      return await run(opened);
    } finally {
      await opened.close();
    }
  }

  async function networkFor(f: WalletFlags & { network?: string }): Promise<NetworkName> {
    return f.network !== undefined ? parseNetwork(f.network) : serverNetwork(server(f));
  }

  return (program: Command, io: CliIO): void => {
    const common = (c: Command): Command =>
      c
        .option('--server <url>', 'HashPerp server base URL; its Ark API is <server>/ark (env HASHPERP_SERVER; default http://127.0.0.1:8080)')
        .option('--wallet-file <path>', 'wallet key file (env HASHPERP_WALLET_FILE; default ~/.hashperp/wallet.json)')
        .option('--json', 'machine-readable output');
    const chain = (c: Command): Command => c.option('--esplora <url>', 'Esplora REST base URL for the on-chain view (env HASHPERP_ESPLORA; default <server>/esplora)');

    const wallet = program
      .command('wallet')
      .description(`your own Ark wallet (stock @arkade-os/sdk) on a HashPerp server. ${KEY_NOTE}`)
      .addHelpText('after', `\n${KEY_NOTE}\nState (VTXOs, contracts, exit data) is kept in <wallet-file without .json>.sqlite beside the key file.`);

    const created = (path: string, secret: WalletSecret, publicKey: string, f: { json?: boolean }, shown: Record<string, string>) => {
      const out = { walletFile: path, dataFile: walletDataPath(path), kind: secret.kind, ...(secret.kind === 'mnemonic' ? { mainnet: secret.isMainnet } : {}), publicKey, ...shown };
      if (f.json) return io.out(toJson(out));
      io.out(`wallet written to ${path} (mode 0600)`);
      io.out(`public key ${publicKey}`);
      for (const [k, v] of Object.entries(shown)) {
        io.out(`${k}: ${v}`);
        io.out('write this down now: it is shown only once and is the only way to restore the wallet; anyone who has it can spend');
      }
      io.out(KEY_NOTE);
    };

    common(
      wallet
        .command('create')
        .description('make a new wallet key file (BIP-39 mnemonic, or a raw 32-byte key with --raw-key); never overwrites an existing file')
        .option('--network <name>', 'bitcoin | testnet | signet | mutinynet | regtest (fixes the BIP-86 coin type; default: ask the server)')
        .option('--raw-key', 'a random 32-byte secret key instead of a mnemonic'),
    ).action(async (f: WalletFlags & { network?: string; rawKey?: boolean }) => {
      const path = walletPath(f);
      const secret: WalletSecret = f.rawKey ? { kind: 'secret', secretHex: newSecretHex() } : { kind: 'mnemonic', mnemonic: newMnemonic(), isMainnet: (await networkFor(f)) === 'bitcoin' };
      const publicKey = hex.encode(await identityFor(secret).xOnlyPublicKey());
      writeWalletFile(path, secret);
      created(path, secret, publicKey, f, secret.kind === 'mnemonic' ? { mnemonic: secret.mnemonic } : { secretKey: secret.secretHex });
    });

    common(
      wallet
        .command('import')
        .description('write a key file from an existing mnemonic or secret key; never overwrites an existing file')
        .option('--mnemonic <words>', 'BIP-39 English mnemonic (12 or 24 words, quoted)')
        .option('--secret <hex>', '32-byte secret key, 64 hex digits')
        .option('--network <name>', 'with --mnemonic: bitcoin | testnet | signet | mutinynet | regtest (default: ask the server)'),
    ).action(async (f: WalletFlags & { mnemonic?: string; secret?: string; network?: string }) => {
      if ((f.mnemonic === undefined) === (f.secret === undefined)) throw new InvalidArgumentError('import', 'give exactly one of --mnemonic or --secret');
      const path = walletPath(f);
      const secret: WalletSecret =
        f.mnemonic !== undefined ? { kind: 'mnemonic', mnemonic: parseMnemonic(f.mnemonic), isMainnet: (await networkFor(f)) === 'bitcoin' } : { kind: 'secret', secretHex: parseSecretHex(f.secret!) };
      const publicKey = hex.encode(await identityFor(secret).xOnlyPublicKey());
      writeWalletFile(path, secret);
      created(path, secret, publicKey, f, {});
    });

    common(chain(wallet.command('address').description('your offchain Ark address (receive VTXOs here)'))).action(async (f: WalletFlags) => {
      const address = await withWallet(f, (w) => w.wallet.getAddress());
      io.out(f.json ? toJson({ address }) : address);
    });

    common(chain(wallet.command('boarding-address').description('your on-chain boarding address: pay it, then `wallet settle` to board'))).action(async (f: WalletFlags) => {
      const address = await withWallet(f, (w) => w.wallet.getBoardingAddress());
      io.out(f.json ? toJson({ address }) : address);
    });

    common(chain(wallet.command('balance').description('boarding, preconfirmed, settled, recoverable and total sats, as the SDK counts them'))).action(async (f: WalletFlags) => {
      const b = await withWallet(f, (w) => w.wallet.getBalance());
      if (f.json) return io.out(toJson(b));
      io.out(`boarding     ${b.boarding.total} sat (confirmed ${b.boarding.confirmed}, unconfirmed ${b.boarding.unconfirmed})`);
      io.out(`preconfirmed ${b.preconfirmed} sat`);
      io.out(`settled      ${b.settled} sat`);
      io.out(`available    ${b.available} sat`);
      io.out(`recoverable  ${b.recoverable} sat`);
      io.out(`total        ${b.total} sat`);
    });

    common(
      chain(
        wallet
          .command('send')
          .description('pay an Ark address offchain (preconfirmed at once), or a Bitcoin address by a collaborative exit in the next batch (the server\'s exit fee is deducted from the amount)')
          .requiredOption('--to <address>', 'Ark address (offchain) or Bitcoin address (collaborative exit)')
          .requiredOption('--amount <sat>', 'satoshis, a positive integer'),
      ),
    ).action(async (f: WalletFlags & { to: string; amount: string }) => {
      const kind = classifyAddress(f.to);
      const amount = parseAmount(f.amount);
      const to = f.to.trim();
      const txid = await withWallet(f, async (w) => {
        assertAddressOnNetwork(to, kind, w.wallet.network);
        if (kind === 'ark') return w.wallet.send({ address: to, amount });
        // The SDK's offboard: VTXOs in, the on-chain output (fees deducted as the server's fee
        // programs say) and Ark change out, settled in the next batch.
        const info = await w.wallet.arkProvider.getInfo();
        return new Ramps(w.wallet).offboard(to, info.fees, BigInt(amount));
      });
      const out = { txid, kind: kind === 'ark' ? 'offchain' : 'collaborative-exit', to, amount };
      io.out(f.json ? toJson(out) : `${out.kind === 'offchain' ? 'sent' : 'exited'} ${amount} sat to ${to}: ${kind === 'ark' ? 'ark tx' : 'commitment tx'} ${txid}`);
    });

    common(chain(wallet.command('settle').description('board confirmed boarding UTXOs and renew all VTXOs into the next batch'))).action(async (f: WalletFlags) => {
      const events: string[] = [];
      const txid = await withWallet(f, (w) => w.wallet.settle(undefined, (e) => events.push(String(e.type))));
      io.out(f.json ? toJson({ txid, events }) : `settled in commitment tx ${txid}`);
    });

    common(
      chain(
        wallet
          .command('renew')
          .description('renew VTXOs close to expiry (and recoverable ones) into the next batch')
          .option('--threshold <seconds>', 'renew VTXOs expiring within this many seconds (default: the SDK default)'),
      ),
    ).action(async (f: WalletFlags & { threshold?: string }) => {
      const thresholdSeconds = f.threshold === undefined ? undefined : intIn('threshold', f.threshold, 1, 10 * 365 * 86400);
      const txid = await withWallet(f, async (w) => (await w.wallet.getVtxoManager()).renewVtxos(undefined, thresholdSeconds === undefined ? undefined : { thresholdSeconds }));
      io.out(f.json ? toJson({ txid }) : `renewed in commitment tx ${txid}`);
    });

    common(
      chain(
        wallet
          .command('exit')
          .description(
            'unilateral exit without the operator: broadcast each VTXO branch step by step, fees from an on-chain address of the same key; run it again to resume; then --complete after the exit delay',
          )
          .option('--vtxo <txid:vout...>', 'VTXOs to exit (default: all spendable)')
          .option('--no-wait', 'do what can be done now and stop at the first unconfirmed transaction (re-run to resume)')
          .option('--complete', 'after the exit delay: sweep the unrolled VTXOs to --to')
          .option('--to <address>', 'with --complete: the Bitcoin address to sweep to'),
      ),
    ).action(async (f: WalletFlags & { vtxo?: string[]; wait: boolean; complete?: boolean; to?: string }) => {
      const picked: Outpoint[] | undefined = f.vtxo?.map(parseOutpoint);
      if (f.complete) {
        if (f.to === undefined) throw new InvalidArgumentError('to', '--complete needs --to <bitcoin address>');
        if (classifyAddress(f.to) !== 'bitcoin') throw new InvalidArgumentError('to', 'the sweep goes on chain: give a Bitcoin address');
      }
      await withWallet(f, async (w) => {
        const offline = w.serverInfoSource === 'cache';
        if (f.complete) {
          const to = f.to!.trim();
          assertAddressOnNetwork(to, 'bitcoin', w.wallet.network);
          if (offline) for (const o of picked ?? []) await markUnrolledIfConfirmed(w.wallet, o);
          const unrolled = (await w.wallet.getVtxos({ withRecoverable: true, withUnrolled: true })).filter((v) => v.isUnrolled && (picked === undefined || picked.some((p) => p.txid === v.txid)));
          if (unrolled.length === 0) throw new HashPerpError('not_allowed', 'exit: no fully unrolled VTXO to complete; run `hashperp wallet exit` first and wait for its transactions to confirm');
          const txid = await Unroll.completeUnroll(w.wallet, [...new Set(unrolled.map((v) => v.txid))], to);
          const out = { txid, to, vtxos: unrolled.map((v) => `${v.txid}:${v.vout}`), amount: unrolled.reduce((s, v) => s + v.value, 0) };
          return io.out(f.json ? toJson(out) : `swept ${out.amount} sat (before fees) from ${out.vtxos.join(', ')} to ${to}: tx ${txid}`);
        }
        const all = await w.wallet.getVtxos({ withRecoverable: true, withUnrolled: false });
        const targets: Outpoint[] = picked ?? all.map((v) => ({ txid: v.txid, vout: v.vout }));
        if (targets.length === 0) throw new HashPerpError('not_allowed', 'exit: the wallet holds no VTXO to exit');
        const feeWallet = await OnchainWallet.create(w.wallet.identity, w.networkName, w.wallet.onchainProvider);
        const feeBalance = await feeWallet.getBalance();
        if (feeBalance <= 0) throw new HashPerpError('not_allowed', `exit: pay a few thousand sats to the fee address ${feeWallet.address} (same key) first: each exit transaction is broadcast with a child paying its fee`);
        if (!f.json) io.out(`fee address ${feeWallet.address} (${feeBalance} sat)${offline ? '; operator unreachable: using the stored exit data' : ''}`);
        const results: { vtxo: string; status: 'done' | 'waiting'; steps: ExitStepReport[] }[] = [];
        for (const t of targets) {
          const steps: ExitStepReport[] = [];
          const status = await unrollVtxo({
            wallet: w.wallet,
            repo: w.store.virtualTxRepository,
            feeWallet,
            vtxo: t,
            wait: f.wait,
            onStep: (s) => {
              steps.push(s);
              if (f.json) return;
              if (s.type === 'broadcast') io.out(`${t.txid}:${t.vout} broadcast ${s.txid} (package ${s.package.length} txs)`);
              else if (s.type === 'wait') io.out(`${t.txid}:${t.vout} waiting for ${s.txid} to confirm${f.wait ? '' : '; re-run to resume'}`);
              else io.out(`${t.txid}:${t.vout} unrolled: run \`hashperp wallet exit --complete --to ADDR\` after the exit delay`);
            },
          });
          if (status === 'done' && offline) await markUnrolledIfConfirmed(w.wallet, t);
          results.push({ vtxo: `${t.txid}:${t.vout}`, status, steps });
        }
        if (f.json) io.out(toJson({ feeAddress: feeWallet.address, offline, vtxos: results }));
      });
    });

    common(
      chain(
        wallet
          .command('fund')
          .description("move sats from this wallet to your exchange account (operator-cleared): one Ark tx paying the operator's liquidity address with the memo OP_RETURN \"hp:fund:<account>\", credited once finalized")
          .argument('<sat>', 'satoshis, a positive integer')
          .requiredOption('--account <id>', 'the exchange account to credit (its x-only public key, 64 hex)'),
      ),
    ).action(async (sat: string, f: WalletFlags & { account: string }) => {
      const amountSat = parseAmount(sat);
      const account = accountId('account', f.account.trim().toLowerCase());
      const client = await clientFor({ server: server(f) }, env());
      const info = await client.arkFunding();
      const { arkTxid } = await withWallet(f, (w) => fundExchange(w.wallet, { account, amountSat, liquidityAddress: info.address }));
      const out = { arkTxid, account, amountSat, to: info.address };
      io.out(f.json ? toJson(out) : `funded account ${account} with ${amountSat} sat: ark tx ${arkTxid} (credited once the server sees it finalized)`);
    });

    common(
      chain(
        wallet
          .command('withdraw')
          .description('move sats from your exchange account back to this wallet: the operator pays a VTXO in an Ark tx (signed with the account key); with --to a Bitcoin address, this wallet then leaves to it by a collaborative exit in the next batch')
          .argument('<sat>', 'satoshis, a positive integer')
          .option('--to <address>', "an Ark address, or a Bitcoin address for L1 (default: this wallet's Ark address)")
          .option('--key-file <path>', 'file holding the exchange account secret key (hex); or env HASHPERP_SECRET_KEY'),
      ),
    ).action(async (sat: string, f: WalletFlags & { to?: string; keyFile?: string }) => {
      const amountSat = parseAmount(sat);
      const l1 = f.to !== undefined && classifyAddress(f.to) === 'bitcoin' ? f.to.trim() : undefined;
      // To L1: the exchange pays this wallet (one Ark tx behind the ledger's flow), then the wallet's own
      // collaborative exit takes it on chain; the server's exit fee comes out of the on-chain amount.
      const to = l1 === undefined && f.to !== undefined ? f.to.trim() : await withWallet(f, async (w) => {
        if (l1 !== undefined) assertAddressOnNetwork(l1, 'bitcoin', w.wallet.network);
        return w.wallet.getAddress();
      });
      const client = await clientFor({ server: server(f), ...(f.keyFile !== undefined ? { keyFile: f.keyFile } : {}) }, env());
      const ack = await client.withdrawArk(amountSat, to);
      if (l1 === undefined) {
        io.out(f.json ? toJson(ack) : `withdrew ${amountSat} sat to ${to}: ark tx ${ack.arkTxid} (${ack.status}); exchange balance ${BigInt(ack.balanceMsat) / 1000n} sat`);
        return;
      }
      const commitmentTxid = await withWallet(f, async (w) => {
        await waitFor(async () => (await w.wallet.getVtxos()).some((v) => v.txid === ack.arkTxid), 30_000, `the withdrawn VTXO ${ack.arkTxid} did not reach the wallet`);
        const info = await w.wallet.arkProvider.getInfo();
        return new Ramps(w.wallet).offboard(l1, info.fees, BigInt(amountSat));
      });
      const out = { ...ack, to: l1, commitmentTxid };
      io.out(f.json ? toJson(out) : `withdrew ${amountSat} sat: ark tx ${ack.arkTxid} to this wallet, then commitment tx ${commitmentTxid} pays ${l1}; exchange balance ${BigInt(ack.balanceMsat) / 1000n} sat`);
    });

    common(
      chain(
        wallet
          .command('exit-data')
          .description('export what you need to exit without the operator: every VTXO branch with its signed PSBTs (from the local store, else the server)')
          .option('--out <file>', 'write to this file (created 0600, never overwritten) instead of stdout'),
      ),
    ).action(async (f: WalletFlags & { out?: string }) => {
      const data = await withWallet(f, async (w) => collectExitData(w.wallet, w.store.virtualTxRepository, await w.wallet.getVtxos({ withRecoverable: true }), w.networkName));
      if (f.out === undefined) return io.out(toJson(data));
      writePrivateFile(f.out, toJson(data) + '\n');
      const summary = { out: f.out, vtxos: data.vtxos.length, missing: data.missing };
      io.out(f.json ? toJson(summary) : `exit data for ${data.vtxos.length} VTXO(s) written to ${f.out}${data.missing.length ? `; missing: ${data.missing.map((m) => `${m.outpoint} (${m.reason})`).join('; ')}` : ''}`);
    });
  };
}

export const registerWalletCommands = makeWalletCommands();

async function waitFor(probe: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!(await probe())) {
    if (Date.now() - t0 > ms) throw new HashPerpError('ark_server_unreachable', what);
    await new Promise((r) => setTimeout(r, 500));
  }
}
