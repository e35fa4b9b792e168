// Commands of the swap product. Plain JSON data (safe integers, strings, booleans); the journal stores them as they are.
// Placeholder until the product lands: `never` keeps the Command union closed.
export type SwapCommand = never;
export const SWAP_COMMAND_TYPES: readonly string[] = [];
