// Commands of the vault product. Plain JSON data (safe integers, strings, booleans); the journal stores them as they are.
// Placeholder until the product lands: `never` keeps the Command union closed.
export type VaultCommand = never;
export const VAULT_COMMAND_TYPES: readonly string[] = [];
