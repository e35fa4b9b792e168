import { Address, OutScript } from '@scure/btc-signer';
import { invalidField } from '../units/checks.js';

/** btc-signer network parameters (address encodings) for the networks HashPerp runs on. */
export interface BtcNetwork {
  bech32: string;
  pubKeyHash: number;
  scriptHash: number;
  wif: number;
}

export type NetworkName = 'mainnet' | 'signet' | 'regtest';

export const NETWORKS: Record<NetworkName, BtcNetwork> = {
  mainnet: { bech32: 'bc', pubKeyHash: 0x00, scriptHash: 0x05, wif: 0x80 },
  signet: { bech32: 'tb', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef },
  regtest: { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef },
};

export function networkByName(name: string): BtcNetwork {
  if (name === 'mainnet' || name === 'signet' || name === 'regtest') return NETWORKS[name];
  throw invalidField('network', 'mainnet, signet or regtest', name);
}

/** Whether `address` decodes to an output script on `net` (a foreign network's or a malformed address does not). */
export function isAddressOn(net: BtcNetwork, address: string): boolean {
  try {
    OutScript.encode(Address(net).decode(address));
    return true;
  } catch {
    return false;
  }
}
