export * from './errors.js';
export * from './error-catalogue.js';
export * from './money.js';
export * from './hashrate.js';
export * from './hashprice.js';
export * from './time.js';
export * from './checks.js';
