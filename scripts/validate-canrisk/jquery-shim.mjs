// pedigreejs imports `jquery`; in a browser that is the page's jQuery. Here it is the jQuery that
// pedigreejs-check.mjs created for its jsdom window before importing pedigreejs.
export default globalThis.jQuery;
