// The dedicated worker of i2m2.mjs: one Go instance driven by messages.
import './wasm_exec.js';
import { serveWorker } from './i2m2.protocol.mjs';

serveWorker(self);
