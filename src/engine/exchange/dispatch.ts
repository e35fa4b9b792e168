// apply(command, seq) → events: routes a command to its handler (or to the product that claims its type)
// and turns a refusal into the one rejection event a refused command produces.
import type { Command } from '../commands.js';
import type { EngineEvent } from '../events.js';
import { Rejection } from '../rejection.js';
import * as arkFunds from './ark-funds.js';
import * as block from './block.js';
import * as chainDeposits from './chain-deposits.js';
import * as funds from './funds.js';
import * as orderCommands from './order-commands.js';
import * as productHost from './product-host.js';
import type { EngineState } from './state.js';
import * as validation from './validation.js';

// Bound once (see positions.ts): every command passes here.
const { blockConnected } = block;
const { deposit, fundSystem, withdraw } = funds;
const { chainDeposit } = chainDeposits;
const { arkDeposit, arkWithdrawal, arkWithdrawalSettled, arkWithdrawalFailed } = arkFunds;
const { amendOrder, cancelAll, cancelOrder, placeOrder } = orderCommands;
const { productContext } = productHost;
const { kindOf } = validation;

export function applyCommand(s: EngineState, command: Command, seq: number): EngineEvent[] {
  const out: EngineEvent[] = [];
  let r: Rejection | undefined;
  switch (command?.type) {
    case 'Deposit': r = deposit(s, command, out); break;
    case 'Withdraw': r = withdraw(s, command, out); break;
    case 'FundSystem': r = fundSystem(s, command, out); break;
    case 'ChainDeposit': r = chainDeposit(s, command, out); break;
    case 'ArkDeposit': r = arkDeposit(s, command, out); break;
    case 'ArkWithdrawal': r = arkWithdrawal(s, command, out); break;
    case 'ArkWithdrawalSettled': r = arkWithdrawalSettled(s, command, out); break;
    case 'ArkWithdrawalFailed': r = arkWithdrawalFailed(s, command, out); break;
    case 'PlaceOrder': r = placeOrder(s, command, seq, out); break;
    case 'CancelOrder': r = cancelOrder(s, command, out); break;
    case 'AmendOrder': r = amendOrder(s, command, out); break;
    case 'CancelAll': r = cancelAll(s, command, out); break;
    case 'BlockConnected': r = blockConnected(s, command, seq, out); break;
    default: {
      const kind = kindOf(command);
      const product = s.productByCommand.get(kind);
      r = product ? product.apply(command as { type: string }, productContext(s, seq), out)
        : new Rejection('invalid_argument', `unknown command type ${kind}`, 'type');
    }
  }
  if (r === undefined) return out;
  if (command?.type === 'PlaceOrder' || command?.type === 'AmendOrder' || command?.type === 'CancelOrder') {
    const ev: EngineEvent = {
      type: 'OrderRejected', seq, account: String(command.account), market: String(command.market), reason: r.reason, message: r.message,
    };
    if (r.field !== undefined) ev.field = r.field;
    if (typeof command.clientOrderId === 'string') ev.clientOrderId = command.clientOrderId;
    return [ev];
  }
  const ev: EngineEvent = { type: 'CommandRejected', seq, command: kindOf(command), reason: r.reason, message: r.message };
  if (r.field !== undefined) ev.field = r.field;
  return [ev];
}
