import { parseBtc } from '../../../src/units/money.js';
import type { FieldErrors } from './field-errors.js';

/**
 * The investor's delivery report for one contract day (POST /v1/forwards/delivery-report): the day number
 * (0 = the contract's first day) and what arrived off-exchange, typed in BTC and sent as msat.
 */
export interface DeliveryReportInput {
  day: string;
  receivedBtc: string;
}

export function validateDeliveryReport(
  contract: { contractId: number; days: number | undefined },
  f: DeliveryReportInput,
): { body: { contractId: number; day: number; receivedMsat: string } | undefined; errors: FieldErrors<'day' | 'receivedBtc'> } {
  const errors: FieldErrors<'day' | 'receivedBtc'> = {};
  const lastDay = Math.min(3649, (contract.days ?? 3650) - 1);
  const d = f.day.trim();
  if (!/^\d+$/.test(d) || Number(d) > lastDay) errors.day = `Day is a whole number from 0 (the first day) to ${lastDay}.`;
  let msat: bigint | undefined;
  try {
    const sat = parseBtc('receivedBtc', f.receivedBtc);
    if (sat < 0n) errors.receivedBtc = 'What you received cannot be negative.';
    else msat = sat * 1000n;
  } catch {
    errors.receivedBtc = 'Enter what you received in BTC, e.g. 0.00012345 (0 if nothing arrived).';
  }
  if (errors.day !== undefined || msat === undefined || errors.receivedBtc !== undefined) return { body: undefined, errors };
  return { body: { contractId: contract.contractId, day: Number(d), receivedMsat: msat.toString() }, errors };
}
