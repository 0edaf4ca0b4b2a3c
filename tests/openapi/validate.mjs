// Validates an OpenAPI document with @apidevtools/swagger-parser: against the OpenAPI
// specification's JSON schema for its version, and every $ref resolves.
//
// Input:  the document as JSON on stdin.
// Output: one JSON object: { "valid": true, "openapi": "3.1.1", "title": "...", "paths": n }
//         or { "valid": false, "error": "..." }.
// Exit code: 0 valid, 1 invalid, 2 on unreadable input.

import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';

let document;
try {
  document = JSON.parse(readFileSync(0, 'utf8'));
} catch (err) {
  process.stderr.write(`validate.mjs: stdin is not JSON: ${err.message}\n`);
  process.exit(2);
}

try {
  // validate() dereferences in place; keep the caller's view of the input intact.
  const api = await SwaggerParser.validate(structuredClone(document));
  const result = { valid: true, openapi: api.openapi, title: api.info?.title, paths: Object.keys(api.paths ?? {}).length };
  process.stdout.write(JSON.stringify(result) + '\n');
} catch (err) {
  process.stdout.write(JSON.stringify({ valid: false, error: String(err.message ?? err) }) + '\n');
  process.exitCode = 1;
}
