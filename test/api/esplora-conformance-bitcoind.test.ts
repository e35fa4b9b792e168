/** The Esplora conformance suite (esplora-conformance.ts) over a real bitcoind -regtest (BITCOIND_RPC_URL). */
import { describe, it } from 'vitest';
import { createServer } from '../../src/api/server.js';
import { registerEsplora } from '../../src/api/esplora/routes.js';
import { BitcoindRpc } from '../../src/chain/rpc-client.js';
import { esploraConformance } from './esplora-conformance.js';
import { FakeExchange, FakeIndex } from './fakes.js';

const url = process.env.BITCOIND_RPC_URL;

if (!url) describe.skip('/esplora conformance: bitcoind (BITCOIND_RPC_URL is not set)', () => it('skipped', () => {}));
else
  esploraConformance('bitcoind', async () => {
    const rpc = new BitcoindRpc(url);
    const walletName = `esplora-conf-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
    await rpc.call('createwallet', [walletName]);
    const w = new BitcoindRpc(`${url.replace(/\/+$/, '')}/wallet/${walletName}`);
    const minerAddr = await w.call<string>('getnewaddress');
    const mineOne = async (): Promise<string> => (await rpc.call<string[]>('generatetoaddress', [1, minerAddr]))[0]!;
    await rpc.call('generatetoaddress', [101, minerAddr]);
    for (let i = 0; (await w.call<number>('getbalance')) < 0.2; i++) {
      if (i >= 50) throw new Error('the regtest wallet cannot reach 0.2 BTC');
      await rpc.call('generatetoaddress', [25, minerAddr]);
    }
    const app = await createServer({ exchange: new FakeExchange(), index: new FakeIndex() });
    await registerEsplora(app, { rpc, network: 'regtest' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no port');
    const header = (hash: string) => rpc.call<{ height: number; time: number; mediantime: number }>('getblockheader', [hash, true]);
    return {
      base: `http://127.0.0.1:${addr.port}/esplora`,
      pay: async (address, sats) => {
        const txid = await w.call<string>('sendtoaddress', [address, sats / 1e8]);
        const t = await rpc.call<{ vout: { n: number; scriptPubKey: { address?: string } }[] }>('getrawtransaction', [txid, 1]);
        return { txid, vout: t.vout.find((o) => o.scriptPubKey.address === address)!.n };
      },
      mine: async () => {
        const hash = await mineOne();
        const h = await header(hash);
        return { hash, height: h.height, time: h.time };
      },
      tip: async () => {
        const hash = await rpc.call<string>('getbestblockhash');
        const h = await header(hash);
        return { hash, height: h.height, mediantime: h.mediantime };
      },
      known: async (txid) => rpc.call('getrawtransaction', [txid, 0]).then(() => true, () => false),
      headerAt: async (height) => rpc.call<string>('getblockheader', [await rpc.call<string>('getblockhash', [height]), false]),
      sink: minerAddr,
      close: async () => {
        await app.close();
        await rpc.call('unloadwallet', [walletName]).catch(() => undefined);
      },
    };
  });
