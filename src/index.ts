/**
 * The library surface of the `hashperp` package (`import … from 'hashperp'`): the hashprice index, the
 * pricing models, header-chain verification and the units. Pure modules only: no server, no engine, no
 * journal, no file or network I/O (the shipped-data loader and the chain sources stay out).
 */
export * from './units/index.js';

// Header-chain verification: consensus parameters, header codec, targets, median time past, the rules.
export * from './chain/params.js';
export * from './chain/target.js';
export * from './chain/header.js';
export * from './chain/median-time-past.js';
export * from './chain/validate.js';

// The hashprice index over a chain view.
export * from './index/chain-view.js';
export * from './index/hashprice.js';
export * from './index/hashrate.js';
export * from './index/retarget.js';
export * from './index/index-at.js';
export * from './index/forward-curve.js';
export * from './index/time-map.js';

// Pricing models.
export * from './pricing/gamma.js';
export * from './pricing/block-arrival.js';
export * from './pricing/bdc-fair-value.js';
export * from './pricing/index-history.js';
export * from './pricing/options.js';
export * from './pricing/calibration.js';
