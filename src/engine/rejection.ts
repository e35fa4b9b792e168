import type { RejectReason } from './events.js';

/** Why a command was refused. Returned (not thrown): a refused command changes nothing. */
export class Rejection {
  constructor(readonly reason: RejectReason, readonly message: string, readonly field?: string) {}
}
