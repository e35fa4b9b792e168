// The products the exchange runs besides the perp. Add a product: its module factory here, its command and
// event unions in products/commands.ts and products/events.ts.
import type { ProductModule } from './product.js';

export const productFactories: (() => ProductModule)[] = [];
