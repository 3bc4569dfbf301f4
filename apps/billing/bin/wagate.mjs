#!/usr/bin/env node
// `npx wagate …` from the repository: runs the TypeScript CLI through tsx, like `npm start`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
