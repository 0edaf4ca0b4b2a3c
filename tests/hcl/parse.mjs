// Parses Terraform files with HashiCorp's HCL parser (@cdktf/hcl2json, the Go
// library compiled to WebAssembly) and prints them as one JSON object.
//
// Input:  .tf file paths as arguments.
// Output: { "<path>": <hcl2json of the file> | { "error": "<parser message>" } }
// Exit code: 0 if every file parsed, 1 if any did not, 2 on bad input.

import { readFileSync } from 'node:fs';
import { parse } from '@cdktf/hcl2json';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node parse.mjs <file.tf>...');
  process.exit(2);
}

const out = {};
let failed = false;
for (const file of files) {
  try {
    out[file] = await parse(file, readFileSync(file, 'utf8'));
  } catch (e) {
    failed = true;
    out[file] = { error: String(e?.message ?? e) };
  }
}
process.stdout.write(JSON.stringify(out));
process.exit(failed ? 1 : 0);
