// Events of the vault product.
export type VaultEvent = never;
