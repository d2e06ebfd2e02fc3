package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHandlerCSP(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html><title>x</title>"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		csp, path string
		code      int
	}{
		{StrictCSP, "/", http.StatusOK},
		{StrictCSP, "/missing.wasm", http.StatusNotFound}, // errors carry the policy too
		{"", "/", http.StatusOK},
	} {
		rec := httptest.NewRecorder()
		handler(dir, tc.csp).ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		if rec.Code != tc.code {
			t.Errorf("csp %q, GET %s: status %d, want %d", tc.csp, tc.path, rec.Code, tc.code)
		}
		if got := rec.Header().Get("Content-Security-Policy"); got != tc.csp {
			t.Errorf("csp %q, GET %s: header %q", tc.csp, tc.path, got)
		}
	}
}

// The lab must keep working without these (e2e/ui/lab.test.mjs runs it under StrictCSP).
func TestStrictCSPAllowsNoEvalOrInline(t *testing.T) {
	for _, bad := range []string{"'unsafe-eval'", "'unsafe-inline'", "'unsafe-hashes'", "*", "http:", "https:"} {
		if strings.Contains(strings.ReplaceAll(StrictCSP, "'wasm-unsafe-eval'", ""), bad) {
			t.Errorf("StrictCSP allows %s: %s", bad, StrictCSP)
		}
	}
}
