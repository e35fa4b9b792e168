/**
 * Every route module of the gateway, registered in this order by createServer. A product area adds
 * one file under src/api/routes/ exporting `(app, ctx) => void` and one entry here.
 */
import type { RouteModule } from '../app-types.js';
import { registerAccountRoutes } from './account.js';
import { registerBacktestRoutes } from './backtests.js';
import { registerFundsRoutes } from './funds.js';
import { registerIndexHistoryRoutes } from './index-history.js';
import { registerPublicRoutes } from './public.js';

export const routeModules: readonly RouteModule[] = [registerPublicRoutes, registerIndexHistoryRoutes, registerAccountRoutes, registerFundsRoutes, registerBacktestRoutes];
