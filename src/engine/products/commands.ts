import type { BdcCommand } from './bdc/commands.js';
import { BDC_COMMAND_TYPES } from './bdc/commands.js';
import type { ForwardCommand } from './forward/commands.js';
import { FORWARD_COMMAND_TYPES } from './forward/commands.js';
import type { OptionCommand } from './options/commands.js';
import { OPTIONS_COMMAND_TYPES } from './options/commands.js';
import type { SwapCommand } from './swap/commands.js';
import { SWAP_COMMAND_TYPES } from './swap/commands.js';
import type { VaultCommand } from './vault/commands.js';
import { VAULT_COMMAND_TYPES } from './vault/commands.js';

export type ProductCommand = ForwardCommand | OptionCommand | VaultCommand | BdcCommand | SwapCommand;

export const PRODUCT_COMMAND_TYPES: readonly string[] = [
  ...FORWARD_COMMAND_TYPES, ...OPTIONS_COMMAND_TYPES, ...VAULT_COMMAND_TYPES, ...BDC_COMMAND_TYPES, ...SWAP_COMMAND_TYPES,
];
