// Runs the page checks with the classic build, the way a page opened from disk uses it:
//   const I2M2 = globalThis.I2M2 ?? await import('./i2m2.mjs');
globalThis.__i2m2test = globalThis.I2M2Test.run(globalThis.I2M2.load, {}, {});
