/** Units for the perp's plain-number columns in record tables (positions, orders). */
export const PERP_UNITS = { size: 'lots', qty: 'lots', remaining: 'lots', price: 'sat/PH/day', mark: 'sat/PH/day', index: 'sat/PH/day' };
