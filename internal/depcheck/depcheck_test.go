// Package depcheck enforces the dependency rule of docs/product-contracts.md: the packages
// that reach the browser or the worker (GOOS=js GOARCH=wasm) never link
// gorgonia.org/tensor or gonum (23 MB of wasm), and model/ uses the standard
// library only.
package depcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/i2m2-wasm/i2m2"

// browserFacing are the package patterns built for GOOS=js.
var browserFacing = []string{"model", "features", "wasm", "ui", "worker"}

// forbidden are module path prefixes that must not reach a wasm build.
var forbidden = []string{"gorgonia.org/", "gonum.org/"}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("repository root not found from %s: %v", dir, err)
	}
	return dir
}

// deps returns the import paths `go list -deps` prints for the patterns
// under GOOS=js GOARCH=wasm.
func deps(t *testing.T, root string, patterns ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-deps"}, patterns...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list -deps %v: %v\n%s", patterns, err, msg)
	}
	return strings.Fields(string(out))
}

func violations(pkgs []string) []string {
	var bad []string
	for _, p := range pkgs {
		for _, f := range forbidden {
			if strings.HasPrefix(p, f) {
				bad = append(bad, p)
			}
		}
	}
	return bad
}

// hasGo reports whether dir (or a folder below it) holds a .go file.
func hasGo(dir string) bool {
	found := false
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	return found
}

func TestBrowserFacingPackagesDoNotLinkGorgonia(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	root := repoRoot(t)
	var patterns []string
	for _, d := range browserFacing {
		if hasGo(filepath.Join(root, d)) {
			patterns = append(patterns, "./"+d+"/...")
		} else {
			t.Logf("%s/ has no Go files yet: skipped", d)
		}
	}
	if len(patterns) == 0 {
		t.Fatal("no browser-facing package found (model/ at least must exist)")
	}
	for _, p := range patterns {
		if bad := violations(deps(t, root, p)); len(bad) > 0 {
			t.Errorf("%s links %v under GOOS=js (docs/product-contracts.md: never in the browser or worker build)", p, bad)
		}
	}
}

// TestCheckCatchesGorgonia is the control: the same listing of
// gorgonia.org/tensor itself must be flagged.
func TestCheckCatchesGorgonia(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	if bad := violations(deps(t, repoRoot(t), "gorgonia.org/tensor")); len(bad) == 0 {
		t.Fatal("the check did not flag gorgonia.org/tensor's own dependencies")
	}
}

// TestModelIsStdlibOnly: model/ depends on the standard library, itself and
// four standard-library-only helpers of this module: the format's limits
// (internal/limits, constants), and the message and JSON writers and the
// SHA-256 (internal/errfmt, internal/jsonw, internal/sha256) that keep fmt,
// encoding/json and the FIPS 140 module out of the browser's wasm. The list is transitive, so their own imports are
// checked too.
var allowedInModel = map[string]bool{module + "/internal/limits": true, module + "/internal/errfmt": true, module + "/internal/jsonw": true, module + "/internal/sha256": true}

func TestModelIsStdlibOnly(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	for _, p := range deps(t, repoRoot(t), "./model/...") {
		first := strings.SplitN(p, "/", 2)[0]
		if strings.Contains(first, ".") && !strings.HasPrefix(p, module+"/model") && !allowedInModel[p] {
			t.Errorf("model/ depends on %s (standard library only)", p)
		}
	}
}

// TestBrowserEngineLean: the browser engine (wasm/, which links model/ and
// features/) links neither fmt, encoding/json, encoding/hex nor crypto/sha256:
// with them it was 1,070,611 bytes gzip, without 849,069 (bench/README.md,
// "Size of the engine in wasm"; internal/errfmt, internal/jsonw and
// internal/sha256 stand in); nor os, which with io/fs, time and
// internal/poll was 263 KB raw of its 3.06 MB, 64 KB gzip (wasm/main.go).
func TestBrowserEngineLean(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	for _, p := range deps(t, repoRoot(t), "./wasm") {
		switch p {
		case "fmt", "encoding/json", "encoding/hex", "crypto/sha256", "os":
			t.Errorf("the browser engine links %s", p)
		}
	}
}
