// Command staticserve serves a folder over HTTP on loopback with the MIME
// types a static host uses for the site (application/wasm, text/javascript)
// and, by default, the strict Content-Security-Policy the lab is built to run
// under (an empty -csp serves without one).
package main

import (
	"flag"
	"log"
	"mime"
	"net/http"
)

// StrictCSP is the policy of ./build.sh serve and of the lab's end-to-end tests: no eval and no
// inline script or style ('wasm-unsafe-eval' only compiles WebAssembly). Beyond 'self':
// img-src data: for the digit and spectrogram pictures the UI draws as data: URLs (and the empty
// favicon), media-src blob: for playing a clip, worker-src blob: for hosts whose JS module
// starts its worker from a blob.
const StrictCSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; " +
	"img-src 'self' data:; media-src 'self' blob:; object-src 'none'; base-uri 'none'"

func main() {
	dir := flag.String("dir", "dist", "folder to serve")
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	csp := flag.String("csp", StrictCSP, "Content-Security-Policy header ('' for none)")
	flag.Parse()
	for ext, typ := range map[string]string{".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript", ".json": "application/json", ".i2m2": "application/octet-stream"} {
		if err := mime.AddExtensionType(ext, typ); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("serving %s on http://%s/ (Content-Security-Policy: %q)", *dir, *addr, *csp)
	log.Fatal(http.ListenAndServe(*addr, handler(*dir, *csp)))
}

// handler serves the files of dir with csp as their Content-Security-Policy ("" for none).
func handler(dir, csp string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	if csp == "" {
		return files
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		files.ServeHTTP(w, r)
	})
}
