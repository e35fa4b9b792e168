import type { Registrar } from './registrar.js';
import { registerBacktestCommands } from './backtest-commands.js';
import { registerChainCommands } from './chain-commands.js';
import { registerClientCommands } from './client-commands.js';
import { registerEngineCommands } from './engine-commands.js';
import { registerIndexCommands } from './index-commands.js';
import { registerProofCommands } from './proof-commands.js';
import { registerVtxoCommands } from './vtxo-commands.js';
import { registerServeCommands } from './serve-commands.js';
import { registerWalletCommands } from './wallet-commands.js';
import { registerBdcContractCommands } from './bdc-contract-commands.js';

/** Each area of the CLI registers its own subcommands; add a line here for a new area. */
export const registrars: Registrar[] = [registerIndexCommands, registerChainCommands, registerVtxoCommands, registerEngineCommands, registerServeCommands, registerClientCommands, registerProofCommands, registerWalletCommands, registerBdcContractCommands, registerBacktestCommands];
