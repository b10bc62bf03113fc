// Regenerates schemas/modelmon.schema.json from the config spec:
//   npx tsx test/unit/config/write-schema.ts
import { writeFileSync } from 'node:fs';
import { CONFIG_SPEC, toJsonSchema } from '../../../src/core/config';

writeFileSync('schemas/modelmon.schema.json', JSON.stringify(toJsonSchema(CONFIG_SPEC), null, 2) + '\n');
