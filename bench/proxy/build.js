// Transpiles the data plane (apps/proxy/src, libs/*/src, bench/proxy/serve.ts) to CommonJS under <outDir>, so
// the process under benchmark does not carry the TypeScript compiler. Usage: node build.js <outDir>
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../..');
const out = path.resolve(process.argv[2]);
const dirs = ['apps/proxy/src', ...fs.readdirSync(path.join(root, 'libs')).map((l) => `libs/${l}/src`), 'bench/proxy'];

function walk(rel) {
  const abs = path.join(root, rel);
  if (!fs.existsSync(abs)) return;
  for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
    const child = path.join(rel, entry.name);
    if (entry.isDirectory()) walk(child);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')) emit(child);
  }
}

function emit(rel) {
  const source = fs.readFileSync(path.join(root, rel), 'utf8');
  let { code } = transformSync(source, {
    filename: rel,
    swcrc: false,
    jsc: { parser: { syntax: 'typescript', decorators: true }, target: 'es2022', keepClassNames: true },
    module: { type: 'commonjs' },
  });
  // @tollgate/<lib>[/sub] -> relative path into the output tree.
  code = code.replace(/require\("@tollgate\/([a-z-]+)(\/[^"]*)?"\)/g, (_m, lib, sub) => {
    let target = path.relative(path.dirname(path.join(out, rel)), path.join(out, 'libs', lib, 'src', sub || ''));
    if (!target.startsWith('.')) target = `./${target}`;
    return `require(${JSON.stringify(target)})`;
  });
  const dest = path.join(out, rel.replace(/\.ts$/, '.js'));
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.writeFileSync(dest, code);
}

dirs.forEach(walk);
// Relative requires into node_modules and package.json resolve from the repository.
fs.symlinkSync(path.join(root, 'node_modules'), path.join(out, 'node_modules'));
fs.copyFileSync(path.join(root, 'package.json'), path.join(out, 'package.json'));
