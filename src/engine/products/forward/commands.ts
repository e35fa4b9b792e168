// Commands of the forward product. Plain JSON data (safe integers, strings, booleans); the journal stores them as they are.
// Placeholder until the product lands: `never` keeps the Command union closed.
export type ForwardCommand = never;
export const FORWARD_COMMAND_TYPES: readonly string[] = [];
