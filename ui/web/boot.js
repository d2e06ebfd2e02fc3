// Boot script of the modality-swap lab (a classic script, so it also runs from file://).
// It starts three things and hands them to the Go UI through globalThis.i2m2Boot:
//   model: the JS module's load() (wasm/i2m2.mjs over http, i2m2.classic.js from file://);
//   data:  weights/manifest.json and the demo set (fetched, or from ui-data.js from file://);
//   the UI wasm itself (ui.wasm, or ui-wasm.js from file://), which then renders into #app.
// Over http on the default model, the first answer comes before the UI (first.js): the engine
// predicts the demo set's first pair (weights/demo/first-pair.bin, ~2.4 KB) and this page shows it;
// only then do the UI wasm and the demo set (~3.8 MB gzip together) download, and the UI, which
// opens on that same pair, takes over. From file:// (everything is inlined) and on a task's page
// all three start at once.
// Browsers refuse fetch() and ES modules on file://, hence the classic-script bundles there.
(function () {
  'use strict';
  var fileMode = location.protocol === 'file:';
  // ?task=<name> opens the lab on that task of the manifest (its own model); otherwise the default model.
  var task = new URLSearchParams(location.search).get('task');
  var boot = (globalThis.i2m2Boot = {
    fileMode: fileMode,
    task: task,
    progress: { loaded: 0, total: 0 },
    onprogress: null, // set by the Go UI
    t0: performance.now(),
  });

  // Messages before the UI runs (and if it stops) go to #boot, which the UI hides once it shows.
  function say(msg, isError) {
    var box = document.getElementById('boot');
    var el = document.getElementById('boot-status');
    if (!box || !el || (boot.failed && !isError)) return; // progress never hides an error
    if (isError) {
      boot.failed = true;
      box.hidden = false;
      el.className = 'error';
      el.setAttribute('role', 'alert'); // announced; download progress before it is not (too chatty)
      var bar = box.querySelector('progress');
      if (bar) bar.remove();
    }
    el.textContent = msg;
  }

  function script(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      s.src = src;
      s.onload = function () { resolve(); };
      s.onerror = function () { reject(new Error('could not load ' + src + ' next to index.html (was the site built with ./build.sh build?)')); };
      document.head.appendChild(s);
    });
  }

  function fromBase64(s) {
    var bin = atob(s);
    var b = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) b[i] = bin.charCodeAt(i);
    return b;
  }

  async function get(url, kind) {
    var r;
    try {
      r = await fetch(url);
    } catch (e) {
      throw new Error('could not fetch ' + url + ': ' + e.message);
    }
    if (!r.ok) throw new Error('could not fetch ' + url + ': HTTP ' + r.status);
    return kind === 'text' ? r.text() : new Uint8Array(await r.arrayBuffer());
  }

  function onProgress(p) {
    var total = p && p.total ? p.total : 0;
    boot.progress = { loaded: (p && p.loaded) || 0, total: total };
    if (boot.onprogress) boot.onprogress(boot.progress.loaded, total);
    else say('Downloading the model… ' + Math.round(boot.progress.loaded / 1024) + ' kB');
  }

  // 1. The model, through the JS module (a Web Worker over http; the page's thread from file://).
  boot.model = (async function () {
    var mod;
    if (fileMode) {
      await script('i2m2.classic.js');
      mod = globalThis.I2M2;
      if (!mod) throw new Error('i2m2.classic.js did not define I2M2');
    } else {
      mod = await import('./i2m2.mjs');
    }
    boot.lib = mod; // for a model file the person gives the lab (ui/yourmodel_js.go)
    return mod.load(task ? { task: task, onProgress: onProgress } : { onProgress: onProgress });
  })();

  // 2. The first answer (first.js), before the rest of the lab downloads.
  var after = Promise.resolve();
  if (!fileMode && !task && globalThis.i2m2First) {
    boot.first = globalThis.i2m2First(boot, get);
    after = boot.first.catch(function (e) { console.warn('i2m2: no early answer (the lab will show its own): ' + e.message); });
  }

  // 3. The manifest and the demo set.
  boot.data = after.then(async function () {
    if (fileMode) {
      await script('ui-data.js');
      var d = globalThis.I2M2UI_DATA;
      if (!d) throw new Error('ui-data.js did not define I2M2UI_DATA');
      return { manifest: d.manifest, demo: d.demo, taskDemos: d.taskDemos || {} };
    }
    var both = await Promise.all([get('weights/manifest.json', 'text'), get('weights/demo/avmnist-tts-demo.bin', 'bytes')]);
    // the tasks' own demo pairs (manifest tasks.<name>.demo, relative to weights/)
    var taskDemos = {};
    var paths = [];
    try {
      var tasks = JSON.parse(both[0]).tasks || {};
      for (var k in tasks) {
        var p = tasks[k] && tasks[k].demo;
        if (typeof p === 'string' && /^[\w.\/-]+$/.test(p) && p.indexOf('..') < 0 && paths.indexOf(p) < 0) paths.push(p);
      }
    } catch (e) {} // a manifest that is not JSON: the Go side says so
    var texts = await Promise.all(paths.map(function (p) { return get('weights/' + p, 'text'); }));
    paths.forEach(function (p, i) { taskDemos[p] = texts[i]; });
    return { manifest: both[0], demo: both[1], taskDemos: taskDemos };
  });
  // Go awaits these; keep an early failure from showing up as an unhandled rejection meanwhile.
  boot.model.catch(function () {});
  boot.data.catch(function () {});

  // 4. The UI wasm.
  after.then(async function () {
    if (typeof Go !== 'function') throw new Error('wasm_exec.js did not load');
    var go = new Go();
    var inst;
    if (fileMode) {
      await script('ui-wasm.js');
      if (!globalThis.I2M2UI_WASM) throw new Error('ui-wasm.js did not define I2M2UI_WASM');
      inst = (await WebAssembly.instantiate(fromBase64(globalThis.I2M2UI_WASM), go.importObject)).instance;
      delete globalThis.I2M2UI_WASM;
    } else {
      var r = await fetch('ui.wasm');
      if (!r.ok) throw new Error('could not fetch ui.wasm: HTTP ' + r.status);
      if (WebAssembly.instantiateStreaming && (r.headers.get('content-type') || '').indexOf('application/wasm') === 0) {
        inst = (await WebAssembly.instantiateStreaming(r, go.importObject)).instance;
      } else {
        var b = new Uint8Array(await r.arrayBuffer());
        if (b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) throw new Error('ui.wasm is not WebAssembly (a missing file served as a web page?)');
        inst = (await WebAssembly.instantiate(b, go.importObject)).instance;
      }
    }
    boot.uiStartAt = performance.now();
    go.run(inst).then(function () {
      say('The page stopped (the UI program exited). Reload to start again.', true);
    });
  }).catch(function (e) {
    say('The page could not start: ' + e.message, true);
    console.error(e);
  });
})();
