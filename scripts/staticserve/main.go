// Command staticserve serves a folder over HTTP on loopback with the MIME
// types a static host uses for the site (application/wasm, text/javascript).
package main

import (
	"flag"
	"log"
	"mime"
	"net/http"
)

func main() {
	dir := flag.String("dir", "dist", "folder to serve")
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	for ext, typ := range map[string]string{".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript", ".json": "application/json", ".i2m2": "application/octet-stream"} {
		if err := mime.AddExtensionType(ext, typ); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("serving %s on http://%s/", *dir, *addr)
	log.Fatal(http.ListenAndServe(*addr, http.FileServer(http.Dir(*dir))))
}
