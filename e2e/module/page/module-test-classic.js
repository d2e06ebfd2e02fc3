// The way a page that must work both opened from disk and served (even under
// script-src 'self') gets load(): from an external classic script, the classic
// build on file:// (browsers refuse ES modules and fetch there), else the ES
// module through a dynamic import.
function loadI2M2() {
  if (location.protocol !== 'file:') return import('./i2m2.mjs');
  if (globalThis.I2M2) return Promise.resolve(globalThis.I2M2);
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = 'i2m2.classic.js';
    s.onload = () => resolve(globalThis.I2M2);
    s.onerror = () => reject(new Error('i2m2: i2m2.classic.js could not be loaded'));
    document.head.append(s);
  });
}

globalThis.__i2m2test = loadI2M2().then(({ load }) => globalThis.I2M2Test.run(load, {}, {}));
