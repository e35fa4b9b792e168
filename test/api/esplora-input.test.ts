/**
 * The /esplora routes without a node: bad input is refused with a 4xx and a plain-text message before
 * any RPC (the RPC URL points at a closed port, so a request that reached the node would be a 503);
 * the history index unwinds a reorg; addresses map to the scripts btc-signer and BIP-350 give.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { p2tr, p2wpkh } from '@scure/btc-signer';
import { bech32, bech32m, hex } from '@scure/base';
import { secp256k1, schnorr } from '@noble/curves/secp256k1.js';
import type { App } from '../../src/api/app-types.js';
import { createServer } from '../../src/api/server.js';
import { registerEsplora } from '../../src/api/esplora/routes.js';
import { addressScript } from '../../src/api/esplora/params.js';
import { HistoryIndex, type IndexedBlock } from '../../src/api/esplora/history-index.js';
import { toEsploraTx, btcToSats, scriptAsm } from '../../src/api/esplora/format.js';
import { NETWORKS } from '../../src/bitcoin/networks.js';
import { BitcoindRpc } from '../../src/chain/rpc-client.js';
import { FakeExchange, FakeIndex } from './fakes.js';

const TXID = 'ab'.repeat(32);
let app: App;

beforeAll(async () => {
  app = await createServer({ exchange: new FakeExchange(), index: new FakeIndex() });
  await registerEsplora(app, { rpc: new BitcoindRpc('http://u:p@127.0.0.1:1', 2_000), network: 'regtest' });
  await app.ready();
});
afterAll(async () => app?.close());

async function get(url: string) {
  const res = await app.inject({ method: 'GET', url: '/esplora' + url });
  return { status: res.statusCode, type: String(res.headers['content-type']), body: res.body };
}

describe('bad input gets a 4xx with a plain-text message, never a 5xx', () => {
  const cases: [string, number, RegExp][] = [
    ['/address/notanaddress/utxo', 400, /Invalid Bitcoin address: "notanaddress"/],
    ['/address/bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4/txs', 400, /Invalid Bitcoin address.*bcrt/], // a mainnet address
    ['/address/tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx/utxo', 400, /Invalid Bitcoin address/], // testnet/signet
    ['/tx/zz/status', 400, /txid must be 64 hex characters, got "zz"/],
    ['/tx/' + 'g'.repeat(64), 400, /Invalid hex string/],
    ['/tx/' + TXID + '/outspend/-1', 400, /Invalid vout/],
    ['/block-height/-1', 400, /Invalid height/],
    ['/block-height/1e3', 400, /Invalid height/],
    ['/block-height/99999999999', 400, /Invalid height/],
    ['/blocks/abc', 400, /Invalid start_height/],
    ['/block/xyz/header', 400, /hash must be 64 hex characters/],
    ['/block/' + TXID + '/txs/7', 400, /Invalid start_index/],
    ['/nope', 404, /no Esplora route GET \/esplora\/nope/],
  ];
  for (const [url, status, message] of cases)
    it(`GET ${url} → ${status}`, async () => {
      const r = await get(url);
      expect(r.status, r.body).toBe(status);
      expect(r.type).toMatch(/^text\/plain/);
      expect(r.body).toMatch(message);
    });

  it('POST /tx with a body that is not hex is refused before the node', async () => {
    for (const payload of ['zz', '', 'abc', '{"hex":"00"}']) {
      const res = await app.inject({ method: 'POST', url: '/esplora/tx', payload, headers: { 'content-type': 'text/plain' } });
      expect(res.statusCode, payload).toBe(400);
      expect(res.body).toMatch(/Invalid hex string: body must be a raw transaction in hex/);
    }
  });

  it('POST /txs/package refuses what is not a JSON array of hex', async () => {
    for (const [payload, message] of [
      ['not json', /body must be a JSON array/],
      ['[]', /1 to 25 raw transactions/],
      ['{"a":1}', /1 to 25 raw transactions/],
      ['["00", 5]', /body\[1\] must be a raw transaction in hex/],
    ] as const) {
      const res = await app.inject({ method: 'POST', url: '/esplora/txs/package', payload, headers: { 'content-type': 'application/json' } });
      expect(res.statusCode, payload).toBe(400);
      expect(res.body).toMatch(message);
    }
  });

  it('a valid request reaching a dead node is a 503 (the node, not the input, failed)', async () => {
    const r = await get('/blocks/tip/height');
    expect(r.status).toBe(503);
    expect(r.body).toMatch(/bitcoind getblockcount/);
  });

  it('the host server keeps its own JSON errors and parsers outside /esplora', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });
});

describe('addresses → output scripts', () => {
  const net = NETWORKS.regtest;
  it('matches btc-signer for the address types it encodes, and decodes P2A (BIP-350) which btc-signer does not', () => {
    const pub = secp256k1.getPublicKey(new Uint8Array(32).fill(3));
    const wpkh = p2wpkh(pub, net);
    const tr = p2tr(schnorr.getPublicKey(new Uint8Array(32).fill(5)), undefined, net);
    expect(addressScript(net, wpkh.address!)).toBe(hex.encode(wpkh.script));
    expect(addressScript(net, tr.address!)).toBe(hex.encode(tr.script));
    const p2a = bech32m.encode('bcrt', [1, ...bech32m.toWords(hex.decode('4e73'))]);
    expect(p2a).toBe('bcrt1pfeesnyr2tx');
    expect(addressScript(net, p2a)).toBe('51024e73'); // pay-to-anchor: OP_1 <4e73>
    expect(() => addressScript(NETWORKS.mainnet, 'bcrt1pfeesnyr2tx')).toThrow(/Invalid Bitcoin address/);
    // Cheater: the same program with a bech32 (not bech32m) checksum is not a v1 address (BIP-350).
    expect(() => addressScript(net, bech32.encode('bcrt', [1, ...bech32.toWords(hex.decode('4e73'))]))).toThrow(/Invalid Bitcoin address/);
  });
});

describe('HistoryIndex', () => {
  const block = (height: number, hash: string, prev: string | undefined, txs: IndexedBlock['tx']): IndexedBlock => ({ hash, height, time: 1000 + height, tx: txs, ...(prev ? { previousblockhash: prev } : {}) });
  const pay = (txid: string, script: string, spends?: [string, number, string]) => ({
    txid,
    vin: spends ? [{ txid: spends[0], vout: spends[1], prevout: { scriptPubKey: { hex: spends[2] } } }] : [{ coinbase: '00' }],
    vout: [{ scriptPubKey: { hex: script } }],
  });

  it('lists a script’s txs newest first, knows spenders, and forgets both when the block is disconnected', () => {
    const ix = new HistoryIndex(5);
    ix.connect(block(5, 'h5', undefined, [pay('t1', 'aa')]));
    ix.connect(block(6, 'h6', 'h5', [pay('t2', 'bb', ['t1', 0, 'aa'])]));
    expect(ix.txidsOf('aa')).toEqual(['t2', 't1']);
    expect(ix.spenderOf('t1', 0)).toEqual({ txid: 't2', vin: 0, block: { height: 6, hash: 'h6', time: 1006 } });
    expect(ix.disconnect()?.hash).toBe('h6');
    expect(ix.txidsOf('aa')).toEqual(['t1']);
    expect(ix.txidsOf('bb')).toEqual([]);
    expect(ix.spenderOf('t1', 0)).toBeUndefined();
    expect(ix.blockOf('t2')).toBeUndefined();
    ix.connect(block(6, 'h6b', 'h5', [pay('t3', 'aa')]));
    expect(ix.txidsOf('aa')).toEqual(['t3', 't1']);
  });

  it('refuses a block that does not extend its tip (a reorg must unwind first)', () => {
    const ix = new HistoryIndex(0);
    ix.connect(block(0, 'g', undefined, []));
    expect(() => ix.connect(block(1, 'x', 'other', []))).toThrow(/does not extend g/);
    expect(() => ix.connect(block(2, 'y', 'g', []))).toThrow(/expected 1/);
  });
});

describe('Esplora tx format', () => {
  it('computes the fee from the prevouts when Core gives none, and shows a coinbase as Esplora does', () => {
    const spk = { hex: '0014' + '11'.repeat(20), type: 'witness_v0_keyhash', address: 'bcrt1q…' };
    const t = toEsploraTx(
      {
        txid: TXID, version: 3, size: 100, weight: 400, locktime: 0,
        vin: [{ txid: 'cd'.repeat(32), vout: 1, sequence: 0xfffffffd, txinwitness: ['aa'], prevout: { value: 0.5, scriptPubKey: spk } }],
        vout: [{ value: 0.4999, n: 0, scriptPubKey: spk }, { value: 0, n: 1, scriptPubKey: { hex: '51024e73', type: 'anchor' } }],
      },
      { confirmed: false },
    );
    expect(t.fee).toBe(10_000);
    expect(t.vout[1]).toEqual({ scriptpubkey: '51024e73', scriptpubkey_asm: 'OP_PUSHNUM_1 OP_PUSHBYTES_2 4e73', scriptpubkey_type: 'anchor', value: 0 });
    expect(t.vin[0]!.prevout).toEqual({
      scriptpubkey: spk.hex, scriptpubkey_asm: 'OP_0 OP_PUSHBYTES_20 ' + '11'.repeat(20), scriptpubkey_type: 'v0_p2wpkh', scriptpubkey_address: spk.address, value: 50_000_000,
    });
    const cb = toEsploraTx({ txid: TXID, version: 2, size: 1, weight: 4, locktime: 0, vin: [{ coinbase: '5100', sequence: 0xffffffff }], vout: [{ value: 50, n: 0, scriptPubKey: spk }] }, { confirmed: false });
    expect(cb.vin[0]).toMatchObject({ is_coinbase: true, prevout: null, txid: '0'.repeat(64), vout: 0xffffffff, scriptsig: '5100' });
    expect(cb.fee).toBe(0);
  });

  it('asm is rust-bitcoin’s, as electrs prints it (hand-written vectors)', () => {
    const h20 = '11'.repeat(20);
    const x32 = '22'.repeat(32);
    for (const [script, asm] of [
      ['76a914' + h20 + '88ac', `OP_DUP OP_HASH160 OP_PUSHBYTES_20 ${h20} OP_EQUALVERIFY OP_CHECKSIG`],
      ['5120' + x32, `OP_PUSHNUM_1 OP_PUSHBYTES_32 ${x32}`],
      ['03abcdefb27520' + x32 + 'ac', `OP_PUSHBYTES_3 abcdef OP_CSV OP_DROP OP_PUSHBYTES_32 ${x32} OP_CHECKSIG`],
      ['20' + x32 + 'ad20' + x32 + 'ba529c', `OP_PUSHBYTES_32 ${x32} OP_CHECKSIGVERIFY OP_PUSHBYTES_32 ${x32} OP_CHECKSIGADD OP_PUSHNUM_2 OP_NUMEQUAL`],
      ['6a4c05' + 'aa'.repeat(5), 'OP_RETURN OP_PUSHDATA1 ' + 'aa'.repeat(5)],
      ['4f00b1b3bbff', 'OP_PUSHNUM_NEG1 OP_0 OP_CLTV OP_NOP4 OP_RETURN_187 OP_INVALIDOPCODE'],
      ['4c', 'OP_PUSHDATA1 <unexpected end>'],
      ['05aa', 'OP_PUSHBYTES_5 <push past end>'],
      ['', ''],
    ]) expect(scriptAsm(script!), script).toBe(asm);
  });

  it('inner scripts: the taproot script-path leaf and the P2WSH witness script', () => {
    const leaf = '20' + '33'.repeat(32) + 'ac';
    const spk = (h: string, type: string) => ({ hex: h, type });
    const tx = toEsploraTx(
      {
        txid: TXID, version: 2, size: 1, weight: 4, locktime: 0,
        vin: [
          { txid: 'cd'.repeat(32), vout: 0, sequence: 0, txinwitness: ['aa'.repeat(64), leaf, 'c0' + '44'.repeat(32)], prevout: { value: 1, scriptPubKey: spk('5120' + '55'.repeat(32), 'witness_v1_taproot') } },
          { txid: 'cd'.repeat(32), vout: 1, sequence: 0, txinwitness: ['aa'.repeat(64)], prevout: { value: 1, scriptPubKey: spk('5120' + '55'.repeat(32), 'witness_v1_taproot') } },
          { txid: 'cd'.repeat(32), vout: 2, sequence: 0, txinwitness: ['', '51'], prevout: { value: 1, scriptPubKey: spk('0020' + '66'.repeat(32), 'witness_v0_scripthash') } },
        ],
        vout: [],
      },
      { confirmed: false },
    );
    expect(tx.vin[0]!.inner_witnessscript_asm).toBe(`OP_PUSHBYTES_32 ${'33'.repeat(32)} OP_CHECKSIG`);
    expect(tx.vin[1]!.inner_witnessscript_asm).toBeUndefined(); // key path
    expect(tx.vin[2]!.inner_witnessscript_asm).toBe('OP_PUSHNUM_1');
  });

  it('btcToSats is exact for amounts Core prints with 8 decimals', () => {
    for (const [btc, sats] of [[0.1, 10_000_000], [20999999.9769, 2099999997690000], [0.00000001, 1], [1.1, 110_000_000]] as const) expect(btcToSats(btc)).toBe(sats);
  });
});
