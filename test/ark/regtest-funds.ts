/**
 * A bitcoind wallet with spendable coins for a regtest suite. All node suites share one node and
 * regtest halves the subsidy every 150 blocks, so a fixed "mine 101" can leave a late suite with
 * dust: mine until the wallet holds what the suite needs.
 */
import { BitcoindRpc } from '../../src/chain/rpc-client.js';

export async function fundedWallet(base: string, name: string, needBtc: number): Promise<{ wallet: BitcoindRpc; rpc: BitcoindRpc; mineTo: string; mine: (n?: number) => Promise<unknown> }> {
  const rpc = new BitcoindRpc(base);
  if (!(await rpc.call<string[]>('listwallets')).includes(name)) {
    try {
      await rpc.call('createwallet', [name]);
    } catch {
      await rpc.call('loadwallet', [name]);
    }
  }
  const u = new URL(base);
  u.pathname = `/wallet/${name}`;
  const wallet = new BitcoindRpc(u.toString());
  const mineTo = await wallet.call<string>('getnewaddress');
  const mine = (n = 1) => rpc.call('generatetoaddress', [n, mineTo]);
  for (let i = 0; i < 40 && (await wallet.call<number>('getbalance')) < needBtc; i++) await mine(i === 0 ? 101 : 50);
  if ((await wallet.call<number>('getbalance')) < needBtc) throw new Error(`regtest node at height ${await rpc.call<number>('getblockcount')}: the subsidy is too small to fund ${needBtc} BTC (start a fresh node)`);
  return { wallet, rpc, mineTo, mine };
}
