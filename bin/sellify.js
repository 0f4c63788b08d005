#!/usr/bin/env node
// Entry point of the `sellify` command. The sources are TypeScript run through tsx, so the
// command works from a fresh clone without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
