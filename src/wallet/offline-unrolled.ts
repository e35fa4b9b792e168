/**
 * With the operator down the SDK's VTXO view is its stored copy, which still says "not unrolled"
 * after the user's own exit landed on chain; `Unroll.completeUnroll` would then refuse. Once the
 * user's Esplora shows the VTXO transaction confirmed, the stored copy is marked unrolled, the
 * flag the indexer would have set. When the operator returns its sync overwrites the copy.
 */
import type { ExtendedVirtualCoin, Wallet } from '@arkade-os/sdk';

export async function markUnrolledIfConfirmed(wallet: Wallet, vtxo: { txid: string; vout: number }): Promise<boolean> {
  const status = await wallet.onchainProvider.getTxStatus(vtxo.txid).catch(() => ({ confirmed: false }));
  if (!status.confirmed) return false;
  const all = await wallet.getVtxos({ withRecoverable: true, withUnrolled: true });
  const v = all.find((x) => x.txid === vtxo.txid && x.vout === vtxo.vout);
  if (v === undefined || v.isUnrolled) return v !== undefined;
  const [contract] = await wallet.contractRepository.getContracts({ script: v.script });
  if (contract === undefined) return false;
  const repo = wallet.walletRepository;
  const updated: ExtendedVirtualCoin = { ...v, isUnrolled: true };
  if (repo.saveVtxosForScript) await repo.saveVtxosForScript({ script: contract.script, address: contract.address }, [updated]);
  else await repo.saveVtxos(contract.address, [updated]);
  return true;
}
