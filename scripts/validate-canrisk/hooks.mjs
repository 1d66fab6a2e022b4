// Module resolution hooks for pedigreejs-check.mjs: pedigreejs's ES modules import the bare
// names `jquery` and `d3`, which this script's own node_modules provide (the pedigreejs
// checkout stays untouched).
const here = new URL('./', import.meta.url);

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'jquery') {
    return { url: new URL('jquery-shim.mjs', here).href, shortCircuit: true };
  }
  if (specifier === 'd3' || specifier.startsWith('d3-')) {
    return nextResolve(specifier, { ...context, parentURL: new URL('hooks.mjs', here).href });
  }
  return nextResolve(specifier, context);
}
