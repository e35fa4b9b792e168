/**
 * Client commands against a running server, through the typed client (src/client):
 *   hashperp order place --market M --side buy|sell [--type limit|market] [--price TICKS] --size LOTS
 *                  [--tif GTC|IOC|FOK] [--post-only] [--reduce-only] [--client-order-id ID]
 *   hashperp order cancel <orderId>
 *   hashperp account show | keygen | faucet --amount SAT | withdraw --amount SAT --address A | api-key create|list|revoke
 * They take --server URL (env HASHPERP_SERVER) and credentials from --key-file, or env
 * HASHPERP_SECRET_KEY (account key, hex), or HASHPERP_API_KEY_ID + HASHPERP_API_KEY_SECRET.
 */
import { readFileSync } from 'node:fs';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Command } from 'commander';
import { accountCredentials, apiKeyCredentials, HashPerpClient, type Credentials, type PlaceOrderBody } from '../client/client.js';
import { httpUrl, intIn, type Env } from '../server/config.js';
import { InvalidArgumentError } from '../units/errors.js';
import { toJson, type CliIO } from './output.js';

export interface ClientFlags {
  server?: string;
  keyFile?: string;
  json?: boolean;
}

export function credentialsFrom(flags: ClientFlags, env: Env): Credentials | undefined {
  if (flags.keyFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(flags.keyFile, 'utf8').trim();
    } catch {
      throw new InvalidArgumentError('key-file', `cannot read ${flags.keyFile}`);
    }
    return accountCredentials(text);
  }
  if (env.HASHPERP_SECRET_KEY !== undefined) return accountCredentials(env.HASHPERP_SECRET_KEY.trim());
  if (env.HASHPERP_API_KEY_ID !== undefined && env.HASHPERP_API_KEY_SECRET !== undefined) return apiKeyCredentials(env.HASHPERP_API_KEY_ID, env.HASHPERP_API_KEY_SECRET);
  return undefined;
}

export async function clientFor(flags: ClientFlags, env: Env, fetchFn?: typeof fetch): Promise<HashPerpClient> {
  const baseUrl = httpUrl('server', flags.server ?? env.HASHPERP_SERVER ?? 'http://127.0.0.1:8080');
  const credentials = credentialsFrom(flags, env);
  const c = new HashPerpClient({ baseUrl, ...(credentials ? { credentials } : {}), ...(fetchFn ? { fetch: fetchFn } : {}) });
  await c.syncClock();
  return c;
}

function optInt(field: string, s: string | undefined): number | undefined {
  return s === undefined ? undefined : intIn(field, s, 1, 1e12);
}

export interface ClientCommandDeps {
  env?: Env;
  fetch?: typeof fetch;
}

export function makeClientCommands(deps: ClientCommandDeps = {}) {
  const env = (): Env => deps.env ?? process.env;
  return (program: Command, io: CliIO): void => {
    const withClient = (c: Command): Command =>
      c.option('--server <url>', 'API base URL (env HASHPERP_SERVER; default http://127.0.0.1:8080)').option('--key-file <path>', 'file holding the account secret key (hex)').option('--json', 'machine-readable output');

    const order = program.command('order').description('place and cancel orders on a HashPerp server');
    withClient(
      order
        .command('place')
        .requiredOption('--market <id>', 'market id, e.g. HPI-PERP')
        .requiredOption('--side <side>', 'buy | sell')
        .option('--type <type>', 'limit | market', 'limit')
        .option('--price <ticks>', 'limit price in ticks (sat/PH/day)')
        .requiredOption('--size <lots>', 'size in lots')
        .option('--tif <tif>', 'GTC | IOC | FOK')
        .option('--post-only', 'refuse to take liquidity')
        .option('--reduce-only', 'only reduce a position')
        .option('--client-order-id <id>', 'idempotency key: a retry with the same id places nothing new'),
    ).action(async (f: ClientFlags & { market: string; side: string; type: string; price?: string; size: string; tif?: string; postOnly?: boolean; reduceOnly?: boolean; clientOrderId?: string }) => {
      if (f.side !== 'buy' && f.side !== 'sell') throw new InvalidArgumentError('side', `expected buy or sell, got ${f.side}`);
      if (f.type !== 'limit' && f.type !== 'market') throw new InvalidArgumentError('type', `expected limit or market, got ${f.type}`);
      if (f.tif !== undefined && f.tif !== 'GTC' && f.tif !== 'IOC' && f.tif !== 'FOK') throw new InvalidArgumentError('tif', `expected GTC, IOC or FOK, got ${f.tif}`);
      const body: PlaceOrderBody = {
        market: f.market,
        side: f.side,
        type: f.type,
        size: optInt('size', f.size)!,
        ...(f.price !== undefined ? { price: optInt('price', f.price)! } : {}),
        ...(f.tif !== undefined ? { timeInForce: f.tif } : {}),
        ...(f.postOnly ? { postOnly: true } : {}),
        ...(f.reduceOnly ? { reduceOnly: true } : {}),
        ...(f.clientOrderId !== undefined ? { clientOrderId: f.clientOrderId } : {}),
      };
      const ack = await (await clientFor(f, env(), deps.fetch)).placeOrder(body);
      io.out(f.json ? toJson(ack) : `order ${ack.orderId} ${ack.status}: filled ${ack.filled}, remaining ${ack.remaining} lots (seq ${ack.seq})`);
    });
    withClient(order.command('cancel').argument('<orderId>')).action(async (orderId: string, f: ClientFlags) => {
      const ack = await (await clientFor(f, env(), deps.fetch)).cancelOrder(orderId);
      io.out(f.json ? toJson(ack) : `order ${ack.orderId} ${ack.status} (seq ${ack.seq})`);
    });

    const account = program.command('account').description('account key, balances and API keys');
    account
      .command('keygen')
      .description('make a new account key (BIP-340); keep the secret, the public key is the account id')
      .option('--json', 'machine-readable output')
      .action((f: { json?: boolean }) => {
        const sk = schnorr.utils.randomSecretKey();
        const out = { account: bytesToHex(schnorr.getPublicKey(sk)), secretKey: bytesToHex(sk) };
        io.out(f.json ? toJson(out) : `account ${out.account}\nsecret  ${out.secretKey}`);
      });
    withClient(account.command('show').description('balances, positions and open orders')).action(async (f: ClientFlags) => {
      const a = await (await clientFor(f, env(), deps.fetch)).account();
      if (f.json) return io.out(toJson(a));
      io.out(`account ${a.account}\nbalance ${a.balanceMsat} msat (available ${a.availableMsat})`);
      for (const p of a.positions) io.out(`position ${p.market} ${p.size} lots @ ${p.entryPrice}`);
      for (const o of a.orders) io.out(`order ${o.orderId} ${o.market} ${o.side} ${o.remaining}/${o.size} @ ${o.price}`);
    });
    withClient(account.command('faucet').description('test funds from a server in embedded mode').requiredOption('--amount <sat>', 'satoshis to credit')).action(
      async (f: ClientFlags & { amount: string }) => {
        const ack = await (await clientFor(f, env(), deps.fetch)).faucet(optInt('amount', f.amount)!);
        io.out(f.json ? toJson(ack) : `credited ${ack.amountSat} sat (seq ${ack.seq}); balance ${ack.balanceMsat} msat`);
      },
    );
    withClient(
      account.command('withdraw').description('withdraw from the free balance to a Bitcoin address').requiredOption('--amount <sat>', 'satoshis').requiredOption('--address <addr>', 'destination address'),
    ).action(async (f: ClientFlags & { amount: string; address: string }) => {
      const ack = await (await clientFor(f, env(), deps.fetch)).withdraw(optInt('amount', f.amount)!, f.address);
      io.out(f.json ? toJson(ack) : `withdrew ${ack.amountSat} sat (seq ${ack.seq}); ${ack.txid ? `txid ${ack.txid}` : (ack.note ?? 'no on-chain payout')}`);
    });
    const keys = account.command('api-key').description('API keys (HMAC) the account key authorises');
    withClient(keys.command('create').option('--scopes <list>', 'comma-separated: trade,read', 'trade,read').option('--label <text>', 'a name for the key')).action(
      async (f: ClientFlags & { scopes: string; label?: string }) => {
        const scopes = f.scopes.split(',').map((s) => s.trim());
        for (const s of scopes) if (s !== 'trade' && s !== 'read') throw new InvalidArgumentError('scopes', `unknown scope ${s}`);
        const k = await (await clientFor(f, env(), deps.fetch)).createApiKey({ scopes: scopes as ('trade' | 'read')[], ...(f.label !== undefined ? { label: f.label } : {}) });
        io.out(f.json ? toJson(k) : `key ${k.keyId} (${k.scopes.join(',')})\nsecret ${k.secret}\nexport HASHPERP_API_KEY_ID=${k.keyId} HASHPERP_API_KEY_SECRET=${k.secret}`);
      },
    );
    withClient(keys.command('list')).action(async (f: ClientFlags) => {
      const list = await (await clientFor(f, env(), deps.fetch)).listApiKeys();
      io.out(f.json ? toJson(list) : list.map((k) => `${k.keyId} ${k.scopes.join(',')} ${k.label}`).join('\n') || 'no API keys');
    });
    withClient(keys.command('revoke').argument('<keyId>')).action(async (keyId: string, f: ClientFlags) => {
      await (await clientFor(f, env(), deps.fetch)).revokeApiKey(keyId);
      io.out(f.json ? toJson({ revoked: keyId }) : `revoked ${keyId}`);
    });
  };
}

export const registerClientCommands = makeClientCommands();
