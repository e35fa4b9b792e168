/**
 * The product routes (forwards, options, vault, block-delta, swaps, portfolio/history) as one module.
 * The server registers them with `routes: [...routeModules, (app) => registerProductRoutes(app, port)]`
 * (or by calling this on the app before it is ready): the signed ones use the same `config.auth` hook.
 */
import type { ProductsPort } from '../../products/port.js';
import type { App } from '../../app-types.js';
import { registerBdcRoutes } from './bdc.js';
import { registerForwardRoutes } from './forwards.js';
import { registerOptionRoutes } from './options.js';
import { registerPortfolioRoutes } from './portfolio.js';
import { registerSwapRoutes } from './swaps.js';
import { registerVaultRoutes } from './vault.js';

export function registerProductRoutes(app: App, port: ProductsPort): void {
  registerForwardRoutes(app, port);
  registerOptionRoutes(app, port);
  registerVaultRoutes(app, port);
  registerBdcRoutes(app, port);
  registerSwapRoutes(app, port);
  registerPortfolioRoutes(app, port);
}
