/** `npm run openapi`: writes docs/openapi.yaml from the contract and the zod schemas. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiYaml } from './document';

const target = join(__dirname, '..', 'openapi.yaml');
writeFileSync(target, openApiYaml());
process.stdout.write(`wrote ${target}\n`);
