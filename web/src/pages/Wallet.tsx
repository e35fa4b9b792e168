import { useEffect, useState } from 'react';
import type { Wallet as ArkWallet } from '@arkade-os/sdk';
import type { Backend } from '../api/backend.js';
import type { AccountKey } from '../lib/keys.js';
import { TrustModel } from '../components/TrustModel.js';
import { ExchangeTransfer } from '../products/wallet/ExchangeTransfer.js';
import { ErrorNotice, Loading } from '../components/Notice.js';
import { loadSeed, storeSeed, type LoadedSeed } from '../lib/wallet-seed.js';
import { DEMO_COINS_SAT, type DemoLedger } from '../lib/wallet-demo.js';
import { arkUrls, openArkWallet, probeArk, requestDemoCoins, EXIT_DB, WALLET_DB, type ArkProbe } from '../products/wallet/ark-wallet.js';
import { indexedDbSeedStore } from '../products/wallet/idb-seed-store.js';
import { KeysAreSeparate, SeedSetup } from '../products/wallet/SeedSetup.js';
import { WalletView } from '../products/wallet/WalletView.js';

const seeds = indexedDbSeedStore();

/** Opens the SDK wallet for a stored phrase and closes it when the page goes away. */
function OpenWallet({
  mnemonic,
  network,
  demo,
  onForget,
  backend,
  accountKey,
}: {
  mnemonic: string;
  network: string;
  demo: boolean;
  onForget: () => void;
  backend: Backend;
  accountKey: AccountKey | undefined;
}) {
  const [wallet, setWallet] = useState<ArkWallet | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let w: ArkWallet | undefined;
    let live = true;
    openArkWallet(location.origin, mnemonic, network).then(
      (opened) => {
        w = opened;
        if (live) setWallet(opened);
        else void opened.dispose();
      },
      (e) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
      void w?.dispose();
    };
  }, [mnemonic, network]);
  if (error) return <ErrorNotice title="The wallet could not start" message={error} />;
  if (!wallet) return <Loading what="the wallet" />;
  return (
    <WalletView
      wallet={wallet}
      arkServerUrl={arkUrls(location.origin).ark}
      onForget={onForget}
      exchange={({ balance, refresh }) => <ExchangeTransfer wallet={wallet} balance={balance} refreshWallet={refresh} backend={backend} accountKey={accountKey} />}
      {...(demo ? { demoCoins: (address: string) => requestDemoCoins(location.origin, address, DEMO_COINS_SAT) } : {})}
    />
  );
}

/** The embedded demo: said before anything else on the page, since every balance below is in coins that are not bitcoin. */
function DemoBanner({ demo }: { demo: DemoLedger }) {
  return (
    <div className="notice warn" data-testid="demo-banner" style={{ marginBottom: 12 }}>
      <strong>Demo coins: nothing here is on any network.</strong>
      <div className="small">
        This server runs the Ark operator over its {demo.onChain}. Use &ldquo;Get demo coins&rdquo; to fund the boarding address; never send real
        bitcoin to these addresses.
      </div>
    </div>
  );
}

/** The Ark wallet page: loaded on demand (its own chunk), so the SDK never weighs on the other pages. */
export default function WalletPage({ backend, accountKey }: { backend: Backend; accountKey: AccountKey | undefined }) {
  const [ark, setArk] = useState<ArkProbe | undefined>(undefined);
  const [seed, setSeed] = useState<LoadedSeed | undefined>(undefined);
  const [seedError, setSeedError] = useState<string | undefined>(undefined);
  const reloadSeed = () => loadSeed(seeds).then(setSeed, (e) => setSeedError(e instanceof Error ? e.message : String(e)));
  useEffect(() => {
    void probeArk(location.origin).then(setArk);
    void reloadSeed();
  }, []);

  const forget = async () => {
    await seeds.clear();
    await reloadSeed(); // unmounts the open wallet, which disposes of it
    // The SDK's cached VTXOs, contracts and exit branches belong to the forgotten keys.
    indexedDB.deleteDatabase(WALLET_DB);
    indexedDB.deleteDatabase(EXIT_DB);
  };

  let body;
  if (!ark || (!seed && !seedError)) body = <Loading what="the wallet" />;
  else if (!ark.ok)
    body = (
      <div className="notice warn" data-testid="ark-unavailable">
        <strong>The Ark operator is not running on this server.</strong>
        <div className="small">
          This server does not offer the Ark API ({ark.reason}). It runs one in the embedded demo and with a bitcoin node
          (<span className="mono">hashperp serve --chain bitcoind</span>), not with <span className="mono">--chain esplora</span>. The rest of
          the app works without it.
        </div>
      </div>
    );
  else if (seedError) body = <ErrorNotice title="This browser's storage could not be read" message={seedError} />;
  else if (seed!.state === 'none') body = <SeedSetup onSave={async (m, backedUp) => { await storeSeed(seeds, m, { backedUp, nowMs: Date.now() }); await reloadSeed(); }} />;
  else if (seed!.state === 'corrupt')
    body = (
      <>
        <ErrorNotice title="The stored wallet seed is damaged" message={`${seed!.reason}. Forget it, then restore from your written recovery phrase.`} onRetry={() => void reloadSeed()} />
        <button className="ghost" onClick={() => window.confirm('Forget the damaged seed?') && void forget()}>Forget the stored seed</button>
      </>
    );
  else body = <OpenWallet key={seed!.record.mnemonic} mnemonic={seed!.record.mnemonic} network={ark.network} demo={ark.demo !== undefined} onForget={() => void forget()} backend={backend} accountKey={accountKey} />;

  return (
    <main>
      <h1>Wallet</h1>
      {ark?.ok && ark.demo && <DemoBanner demo={ark.demo} />}
      {ark?.ok && seed?.state === 'ready' && <KeysAreSeparate />}
      {body}
      {ark?.ok && seed?.state === 'ready' && <TrustModel onWalletPage />}
    </main>
  );
}
