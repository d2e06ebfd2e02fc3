package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// taskFile is a random-weight int8 model of the project's shape with other classes (a stand-in
// for a task's model).
func taskFile(classes ...string) []byte { return randomFile(5, true, classes...) }

func hexSum(b []byte) string { return hexSHA256(b) }

// multiServer serves testFile as "avmnist-real" (also as task "digit") and a two-class model as
// task "same", vouched for by a manifest in the trainer's layout (tasks.*.models).
func multiServer(t *testing.T, same []byte, sameListed bool) *Server {
	t.Helper()
	listed := hexSum(same)
	if !sameListed {
		listed = strings.Repeat("0", 64)
	}
	mf := fmt.Sprintf(`{"models":[{"file":"avmnist-real-int8.i2m2","sha256":%q,"name":"avmnist-real","default":true}],
"tasks":{"digit":{"title":"Which digit?","models":[{"file":"avmnist-real-int8.i2m2","sha256":%q}]},
"same":{"title":"Same digit?","models":[{"file":"task-same-i2m2-int8.i2m2","sha256":%q,"kind":"i2m2"}]}}}`, hexSum(testFile()), hexSum(testFile()), listed)
	s := New(testFile(), Options{Manifest: []byte(mf), Name: "avmnist-real"})
	if err := s.AddModel("digit", testFile()); err != nil {
		t.Fatal(err)
	}
	if err := s.AddModel("same", same); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestModels(t *testing.T) {
	same := taskFile("no", "yes")
	s := multiServer(t, same, true)
	if got := s.Names(); strings.Join(got, ",") != "avmnist-real,digit,same" {
		t.Fatalf("names %v", got)
	}
	if s.others["digit"] != s {
		t.Error("a task whose file is the default model's must be the default model, decoded once")
	}
	r := do(s, "GET", "/models", nil)
	var got struct {
		Default string
		Models  []listed
		Tasks   map[string]string
	}
	if r.status != 200 || json.Unmarshal(r.body, &got) != nil {
		t.Fatalf("GET /models: %d %s", r.status, r.body)
	}
	if got.Default != "avmnist-real" || len(got.Models) != 3 || got.Tasks["same"] != "same" || got.Tasks["digit"] != "digit" {
		t.Fatalf("GET /models: %s", r.body)
	}
	if !got.Models[0].Default || got.Models[1].Default || got.Models[2].Default {
		t.Errorf("only the default name is the default: %s", r.body)
	}
	if n := EntryName(s.opt.Manifest, testFile()); n != "avmnist-real" {
		t.Errorf("EntryName = %q", n)
	}
	if n := EntryName(s.opt.Manifest, same); n != "default" {
		t.Errorf("EntryName of a file not in models = %q", n)
	}
	for _, m := range got.Models {
		want := map[string]int{"avmnist-real": 10, "digit": 10, "same": 2}[m.Name]
		if len(m.Classes) != want || m.Error != "" || len(m.SHA256) != 64 || m.Bytes == 0 {
			t.Errorf("model %+v: want %d classes", m, want)
		}
	}
	if m := got.Models[2]; m.Task != "same" || m.Title != "Same digit?" || m.File != "task-same-i2m2-int8.i2m2" || m.SHA256 != hexSum(same) {
		t.Errorf("same: %+v", m)
	}

	// ?model= picks the model: two probabilities from "same", ten from the default
	body := `{"image": [0` + zeros(784) + `], "audio": [0` + zeros(1600) + `]}`
	for _, c := range []struct {
		path string
		n    int
	}{{"/predict", 10}, {"/predict?model=avmnist-real", 10}, {"/predict?model=digit", 10}, {"/predict?model=same", 2}} {
		r := do(s, "POST", c.path, strings.NewReader(body))
		if r.status != 200 || len(decodeWire(t, r.body).Probs) != c.n {
			t.Errorf("POST %s: %d %.200s, want %d probabilities", c.path, r.status, r.body, c.n)
		}
	}
	if r := do(s, "GET", "/model?model=same", nil); r.status != 200 || !strings.Contains(string(r.body), `"classes":["no","yes"]`) {
		t.Errorf("GET /model?model=same: %d %.300s", r.status, r.body)
	}
	// an unknown name: 404 with the names, for /predict and /model alike
	for _, p := range []string{"/predict?model=colour", "/model?model=colour", "/predict?model="} {
		method := map[bool]string{true: "POST", false: "GET"}[strings.HasPrefix(p, "/predict")]
		r := do(s, method, p, strings.NewReader(body))
		var e struct {
			Error  string
			Models []string
		}
		if r.status != http.StatusNotFound || json.Unmarshal(r.body, &e) != nil || strings.Join(e.Models, ",") != "avmnist-real,digit,same" || !strings.Contains(e.Error, "no model named") {
			t.Errorf("%s %s: %d %s", method, p, r.status, r.body)
		}
	}
	// names are checked, and served once
	for _, n := range []string{"", "Same", "a b", "../x", strings.Repeat("x", 65), "same", "avmnist-real"} {
		if err := s.AddModel(n, same); err == nil {
			t.Errorf("AddModel(%q) accepted", n)
		}
	}
}

// TestModelsFailClosed: a task model the manifest does not vouch for is refused (503) on use and
// listed with its error; the others keep serving.
func TestModelsFailClosed(t *testing.T) {
	s := multiServer(t, taskFile("no", "yes"), false)
	body := `{"image": [0` + zeros(784) + `]}`
	if r := do(s, "POST", "/predict?model=same", strings.NewReader(body)); r.status != http.StatusServiceUnavailable || !strings.Contains(string(r.body), "cannot verify the model file") {
		t.Errorf("unvouched same: %d %s", r.status, r.body)
	}
	if r := do(s, "POST", "/predict?model=digit", strings.NewReader(body)); r.status != 200 {
		t.Errorf("digit: %d %s", r.status, r.body)
	}
	r := do(s, "GET", "/models", nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"error":"the server's model file is unusable: cannot verify the model file`) {
		t.Errorf("GET /models: %d %s", r.status, r.body)
	}
}
