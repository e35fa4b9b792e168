import type { BdcSeriesView } from '../../api/products.js';

/** A series the server lists without a status is open. */
export const isOpen = (s: BdcSeriesView): boolean => (s.status ?? 'open') === 'open';
