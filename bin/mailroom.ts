#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildMailroomApp, configPathsFrom } from '../lib/app';
import { InvalidConfigError } from '../lib/config';

// `cdk synth -c config=clients/a.json,clients/b.json` deploys one stack per client config.
const app = new App();
try {
  buildMailroomApp(app, configPathsFrom(app));
} catch (error) {
  // A config mistake is the integrator's to fix: show which field, not a stack trace.
  if (!(error instanceof InvalidConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
