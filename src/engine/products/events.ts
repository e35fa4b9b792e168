import type { BdcEvent } from './bdc/events.js';
import type { ForwardEvent } from './forward/events.js';
import type { OptionEvent } from './options/events.js';
import type { SwapEvent } from './swap/events.js';
import type { VaultEvent } from './vault/events.js';

export type ProductEvent = ForwardEvent | OptionEvent | VaultEvent | BdcEvent | SwapEvent;
