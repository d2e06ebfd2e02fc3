package e2eworker

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/i2m2-wasm/i2m2/model"
)

// TestModelsEndpoint: GET /models lists the default model and every task's model the build
// embedded (worker/assets/tasks: data-driven from the manifest's tasks), each with its sha256 and
// classes; POST /predict?model=<name> answers with that model, as the native engine does; an
// unknown name is a 404 listing the names.
func TestModelsEndpoint(t *testing.T) {
	url := env(t, "I2M2_WORKER_URL", "")
	assets := env(t, "I2M2_WORKER_ASSETS", filepath.Join(repo, "worker/assets"))
	var got struct {
		Default string
		Models  []struct {
			Name, Task, SHA256, Error string
			Default                   bool
			Bytes                     int
			Classes                   []string
			Modalities                []struct {
				Name  string
				Shape []int
			}
		}
		Tasks map[string]string
	}
	if getJSON(t, url, "/models", &got); len(got.Models) == 0 || got.Models[0].Name != got.Default || !got.Models[0].Default {
		t.Fatalf("GET /models: %+v", got)
	}
	// the files: the default model, and each task's (or the default, for an alias)
	files := map[string]string{got.Default: filepath.Join(assets, "model.i2m2")}
	entries, _ := os.ReadDir(filepath.Join(assets, "tasks"))
	for _, e := range entries {
		name, ext := strings.TrimSuffix(e.Name(), filepath.Ext(e.Name())), filepath.Ext(e.Name())
		files[name] = filepath.Join(assets, "tasks", e.Name())
		if ext == ".alias" {
			files[name] = files[got.Default]
		}
	}
	if len(got.Models) != len(files) {
		t.Fatalf("GET /models lists %d models, the build embedded %d: %+v", len(got.Models), len(files), got)
	}
	var names []string
	for _, m := range got.Models {
		names = append(names, m.Name)
		f, err := os.ReadFile(files[m.Name])
		if err != nil {
			t.Fatalf("model %s: %v", m.Name, err)
		}
		sum := sha256.Sum256(f)
		native, err := model.Read(f)
		if err != nil {
			t.Fatal(err)
		}
		if m.Error != "" || m.SHA256 != hex.EncodeToString(sum[:]) || m.Bytes != len(f) || !slices.Equal(m.Classes, native.Classes) {
			t.Fatalf("model %s: %+v, want the embedded file's sha256 %x and classes %v", m.Name, m, sum, native.Classes)
		}
		// a sample of 0.5 everywhere, through the worker and natively
		in := map[string][]float32{}
		body := map[string][]float32{}
		for _, md := range native.Modalities {
			x := make([]float32, md.Shape.Size())
			for i := range x {
				x[i] = 0.5
			}
			in[md.Name], body[md.Name] = x, x
		}
		want, err := native.Predict(model.DefaultPath, in)
		if err != nil {
			t.Fatal(err)
		}
		jb, _ := json.Marshal(body)
		code, rb := call(t, url, "/predict?model="+m.Name, jb)
		if code != 200 {
			t.Fatalf("POST /predict?model=%s: %d %.300s", m.Name, code, rb)
		}
		if worst, err := compare(rb, want); err != nil || worst > tol {
			t.Fatalf("POST /predict?model=%s differs from the native engine: %v (worst %g)", m.Name, err, worst)
		}
		t.Logf("model %s (task %q): %d classes, sha256 %.12s…, matches the native engine", m.Name, m.Task, len(m.Classes), m.SHA256)
	}
	for task, name := range got.Tasks {
		if !slices.Contains(names, name) {
			t.Errorf("task %s is served as %q, which GET /models does not list", task, name)
		}
	}
	code, rb := call(t, url, "/predict?model=no-such-model", []byte(`{}`))
	var e struct {
		Error  string
		Models []string
	}
	if code != 404 || json.Unmarshal(rb, &e) != nil || !slices.Equal(e.Models, names) || !strings.Contains(e.Error, `no model named "no-such-model"`) {
		t.Fatalf("unknown model: %d %s", code, rb)
	}
}
