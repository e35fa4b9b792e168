#!/usr/bin/env node
// The compiled CLI (npm install runs `prepare`, which builds dist/).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv);
