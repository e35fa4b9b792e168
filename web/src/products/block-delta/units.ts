/** Units for block-delta's plain-number columns in record tables (positions, orders). */
export const BDC_UNITS = { price: 'bps (FAST)', qty: 'contracts' };
