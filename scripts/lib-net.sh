# Sourced by the test stages that start servers (test-40-worker.sh, test-45-import.sh):
#   freeport     prints a free TCP port on 127.0.0.1
#   waitup URL   polls URL/healthz for up to 60 s; fails if it never answers 200
freeport() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

waitup() {
	node -e '
const url = process.argv[1] + "/healthz", end = Date.now() + 60000;
(async () => {
  for (;;) {
    try { const r = await fetch(url); if (r.ok) return; } catch {}
    if (Date.now() > end) { console.error("not up: " + url); process.exit(1); }
    await new Promise((r) => setTimeout(r, 200));
  }
})();' "$1"
}
