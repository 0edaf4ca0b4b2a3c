// Parses LogQL expressions with Grafana's LogQL grammar (@grafana/lezer-logql)
// and prints what the tests need to know about each one as JSON.
//
// Input:  a JSON array of expression strings on stdin, or file arguments.
//         A file ending in .json holds a JSON array of strings; any other file
//         holds one expression.
// Output: a JSON array, one object per expression, in input order:
//   {
//     "source": "stdin[0]" | "<file>" | "<file>[i]",
//     "expr": "...",
//     "parsed": true,                       // no error (⚠) nodes in the tree
//     "errors": [{ "from": 3, "to": 3, "near": "...", "message": "syntax error" }],
//     "selectors": [[{ "label": "namespace", "op": "=", "value": "calico-system" }]],
//     "matchers": [ ...every matcher of every stream selector, in order... ],
//     "lineFilters": [{ "op": "|~", "value": "(?i)...", "or": [], "function": null }],
//     "ranges": ["11m"],
//     "comparisons": [{ "op": ">=", "value": 10, "bool": false }],  // <expr> CMP <number>
//     "groupings": [{ "mode": "by", "labels": ["namespace", "pod"] }]
//   }
// String values are unquoted as LogQL does it (Go's strconv.Unquote): double-quoted
// strings with Go escapes, backtick strings raw. An invalid literal is reported in
// "errors" and makes "parsed" false.
// Exit code: 0 if every expression parsed, 1 if any did not, 2 on bad input.

import { readFileSync } from 'node:fs';
import { parser } from '@grafana/lezer-logql';

const COMPARISON_NODES = new Map([
  ['Gtr', '>'],
  ['Gte', '>='],
  ['Lss', '<'],
  ['Lte', '<='],
  ['Eql', '=='],
  ['Neq', '!='],
]);
const FILTER_OPS = new Map([
  ['PipeExact', '|='],
  ['Neq', '!='],
  ['PipeMatch', '|~'],
  ['Nre', '!~'],
  ['PipePattern', '|>'],
  ['Npa', '!>'],
]);

class UnquoteError extends Error {}

// Go's strconv.Unquote for "..." and `...` literals.
function unquote(literal) {
  if (literal.length >= 2 && literal.startsWith('`') && literal.endsWith('`')) {
    const body = literal.slice(1, -1);
    if (body.includes('`')) throw new UnquoteError('backtick inside raw string');
    return body.replaceAll('\r', ''); // Go drops carriage returns from raw strings
  }
  if (literal.length < 2 || !literal.startsWith('"') || !literal.endsWith('"')) {
    throw new UnquoteError(`not a string literal: ${literal}`);
  }
  const body = literal.slice(1, -1);
  const bytes = [];
  const pushText = (s) => bytes.push(...Buffer.from(s, 'utf8'));
  const hex = (s, n, at) => {
    const digits = s.slice(at, at + n);
    if (digits.length !== n || !/^[0-9a-fA-F]+$/.test(digits)) throw new UnquoteError(`bad \\ escape at ${at}`);
    return parseInt(digits, 16);
  };
  for (let i = 0; i < body.length; ) {
    const c = body[i];
    if (c === '"' || c === '\n') throw new UnquoteError(`unescaped ${JSON.stringify(c)} at ${i}`);
    if (c !== '\\') {
      const cp = body.codePointAt(i);
      const ch = String.fromCodePoint(cp);
      pushText(ch);
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    i += 2;
    switch (e) {
      case 'a': bytes.push(0x07); break;
      case 'b': bytes.push(0x08); break;
      case 'f': bytes.push(0x0c); break;
      case 'n': bytes.push(0x0a); break;
      case 'r': bytes.push(0x0d); break;
      case 't': bytes.push(0x09); break;
      case 'v': bytes.push(0x0b); break;
      case '\\': bytes.push(0x5c); break;
      case '"': bytes.push(0x22); break;
      case 'x': bytes.push(hex(body, 2, i)); i += 2; break;
      case 'u':
      case 'U': {
        const n = e === 'u' ? 4 : 8;
        const cp = hex(body, n, i);
        i += n;
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new UnquoteError(`invalid code point \\${e}${cp.toString(16)}`);
        pushText(String.fromCodePoint(cp));
        break;
      }
      default: {
        if (e !== undefined && e >= '0' && e <= '7') {
          const digits = body.slice(i - 1, i + 2);
          if (!/^[0-7]{3}$/.test(digits)) throw new UnquoteError(`bad octal escape at ${i - 2}`);
          const v = parseInt(digits, 8);
          if (v > 255) throw new UnquoteError(`octal escape out of range at ${i - 2}`);
          bytes.push(v);
          i += 2;
          break;
        }
        throw new UnquoteError(`unknown escape \\${e ?? ''} at ${i - 2}`);
      }
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    throw new UnquoteError('escapes produce invalid UTF-8');
  }
}

function text(expr, node) {
  return expr.slice(node.from, node.to);
}

function children(node) {
  const out = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
}

function analyse(source, expr) {
  const result = {
    source,
    expr,
    parsed: false,
    errors: [],
    selectors: [],
    matchers: [],
    lineFilters: [],
    ranges: [],
    comparisons: [],
    groupings: [],
  };
  const str = (node) => {
    try {
      return unquote(text(expr, node));
    } catch (err) {
      if (!(err instanceof UnquoteError)) throw err;
      result.errors.push({ from: node.from, to: node.to, near: text(expr, node), message: err.message });
      return null;
    }
  };

  const tree = parser.parse(expr);
  tree.iterate({
    enter(ref) {
      if (ref.type.isError) {
        result.errors.push({
          from: ref.from,
          to: ref.to,
          near: expr.slice(Math.max(0, ref.from - 10), ref.to + 10),
          message: 'syntax error',
        });
        return;
      }
      const node = ref.node;
      switch (ref.name) {
        case 'Selector': {
          const matchers = [];
          // Matchers nest left-recursively; collect every Matcher below the selector.
          const walk = (n) => {
            for (const c of children(n)) {
              if (c.name === 'Matcher') {
                const [label, op, value] = children(c);
                matchers.push({ label: text(expr, label), op: text(expr, op), value: value ? str(value) : null });
              } else if (c.name === 'Matchers') {
                walk(c);
              }
            }
          };
          walk(node);
          result.selectors.push(matchers);
          result.matchers.push(...matchers);
          break;
        }
        case 'LineFilter': {
          const filter = { op: null, value: null, or: [], function: null };
          for (const c of children(node)) {
            if (c.name === 'Filter') {
              const opNode = c.firstChild;
              filter.op = (opNode && FILTER_OPS.get(opNode.name)) ?? text(expr, c);
            } else if (c.name === 'FilterOp') {
              filter.function = text(expr, c);
            } else if (c.name === 'String') {
              filter.value = str(c);
            } else if (c.name === 'OrFilter') {
              for (const s of children(c)) if (s.name === 'String') filter.or.push(str(s));
            }
          }
          result.lineFilters.push(filter);
          break;
        }
        case 'Grouping': {
          const labels = [];
          const walk = (n) => {
            for (const c of children(n)) {
              if (c.name === 'Identifier') labels.push(text(expr, c));
              else if (c.name === 'Labels') walk(c);
            }
          };
          walk(node);
          result.groupings.push({ mode: node.getChild('Without') ? 'without' : 'by', labels });
          break;
        }
        case 'Range': {
          for (const c of children(node)) if (c.name === 'Duration') result.ranges.push(text(expr, c));
          break;
        }
        case 'BinOpExpr': {
          const parts = children(node);
          const opNode = parts.find((c) => COMPARISON_NODES.has(c.name));
          const right = parts.at(-1);
          if (opNode && right?.name === 'Expr') {
            const literal = right.getChild('MetricExpr')?.getChild('LiteralExpr');
            if (literal && text(expr, literal).trim() === text(expr, right).trim()) {
              const modifier = parts.find((c) => c.name === 'BinOpModifier');
              result.comparisons.push({
                op: COMPARISON_NODES.get(opNode.name),
                value: Number(text(expr, literal)),
                bool: Boolean(modifier?.getChild('Bool')),
              });
            }
          }
          break;
        }
        default:
          break;
      }
      return undefined;
    },
  });
  if (expr.trim().length === 0) result.errors.push({ from: 0, to: 0, near: '', message: 'empty expression' });
  result.parsed = result.errors.length === 0;
  return result;
}

function readInputs(args) {
  if (args.length === 0) {
    const exprs = JSON.parse(readFileSync(0, 'utf8'));
    if (!Array.isArray(exprs) || !exprs.every((e) => typeof e === 'string')) {
      throw new Error('stdin must be a JSON array of strings');
    }
    return exprs.map((expr, i) => ({ source: `stdin[${i}]`, expr }));
  }
  return args.flatMap((file) => {
    const content = readFileSync(file, 'utf8');
    if (!file.endsWith('.json')) return [{ source: file, expr: content }];
    const exprs = JSON.parse(content);
    if (!Array.isArray(exprs) || !exprs.every((e) => typeof e === 'string')) {
      throw new Error(`${file} must hold a JSON array of strings`);
    }
    return exprs.map((expr, i) => ({ source: `${file}[${i}]`, expr }));
  });
}

let inputs;
try {
  inputs = readInputs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`parse.mjs: ${err.message}\n`);
  process.exit(2);
}
const results = inputs.map(({ source, expr }) => analyse(source, expr));
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
process.exitCode = results.every((r) => r.parsed) ? 0 : 1;
