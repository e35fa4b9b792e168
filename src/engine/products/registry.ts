// The products the exchange runs besides the perp. Add a product: its module factory here, its command and
// event unions in products/commands.ts and products/events.ts.
import type { ProductModule, ProductsConfig } from './product.js';
import { createForwardModule } from './forward/module.js';
import { optionsFactory } from './options/module.js';
import { vaultFactory } from './vault/module.js';
import { createBdcModule } from './bdc/module.js';
import { createSwapModule } from './swap/module.js';

export const productFactories: ((config: ProductsConfig) => ProductModule)[] = [createForwardModule, optionsFactory, vaultFactory, createBdcModule, createSwapModule];
