#!/usr/bin/env node
// Entry point of the `sellify` command: runs the compiled JavaScript in dist/ (`npm run build`;
// `npm install` builds it). In a source checkout, sources newer than the build are compiled first,
// so a command never runs an older build than the code beside it (bin/build.js).
import { pathToFileURL } from 'node:url';
import { ENTRY, ensureFreshBuild } from './build.js';

ensureFreshBuild();
// Stack traces name the TypeScript files and lines (tsconfig.build.json emits source maps).
process.setSourceMapsEnabled(true);
const { main } = await import(pathToFileURL(ENTRY).href);
process.exitCode = await main(process.argv.slice(2));
