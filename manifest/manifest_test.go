package manifest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const shipped = "../weights/manifest.json"

// TestShippedRoundTrip: reading the committed manifest and writing it again gives the same
// bytes, and every member of the file lands in a typed field or is kept (none is dropped).
func TestShippedRoundTrip(t *testing.T) {
	b, err := os.ReadFile(shipped)
	if err != nil {
		t.Skip("no weights/manifest.json")
	}
	m, out := rewrite(t, b)
	if !bytes.Equal(out, b) {
		t.Fatalf("re-writing weights/manifest.json changes it:\n%s", firstDiff(b, out))
	}
	if len(m.extra) != 0 {
		t.Errorf("members without a typed field: %v (type them in manifest.go)", keys(m.extra))
	}
	if d, ok := m.Default(); !ok || !d.Default || d.SHA256 == "" {
		t.Errorf("default model %+v", d)
	}
}

// TestRoundTrip covers what the shipped file does not hold yet: tasks, unknown members kept,
// stand-in flags, embedded entries.
func TestRoundTrip(t *testing.T) {
	st := Stat{Mean: 50.5, Runs: []float64{50, 51}, Std: 0.7071067811865476}
	res := &Results{Stats: map[string]Stat{StatImageOnly: st, StatAudioOnly: st, StatIntraOnly: st, StatInterOnly: st,
		StatI2M2: st, StatI2M2Int8: st}, Experts: map[string]Stat{"image": st}, Seeds: []uint64{1, 2}, Units: "percent"}
	m := &Manifest{
		Models: []Entry{{File: "a.i2m2", Bytes: 3, SHA256: strings.Repeat("ab", 32), Quantization: "int8", Default: true, Name: "a",
			Modalities: []Modality{{"image", []int{1, 28, 28}}}, Classes: []string{"no", "yes"}, Experts: []string{"image"}, MACs: 7, Seed: 2, TestAcc: 50.25}},
		Tasks: map[string]*Task{
			"same": {Title: "Same digit?", Question: "q", Classes: []string{"no", "yes"}, Default: "same-int8.i2m2", Plot: "p.svg", Demo: "demo/tasks.json", StandIn: true,
				Models: []Entry{{File: "same-int8.i2m2", Bytes: 1, SHA256: strings.Repeat("cd", 32), Name: "same", Quantization: "int8", Kind: "i2m2"}}, Results: res},
			"digit": {Title: "Which digit?", Dial: []DialPoint{{M: 0.1, Results: res}}},
		},
		Results: res, StandIn: true, Note: "n <&>",
		Training: &Training{Limit: 3, Recipe: json.RawMessage(`{"Batch":40}`), Runs: []TrainingRun{{Seed: 1, Minutes: 2.5, Stages: map[string]Stage{"i2m2": {1, 90, 2, 3.5}}}}},
	}
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// unknown members at the top level and in a task survive
	b = bytes.Replace(b, []byte(`"models": [`), []byte(`"later": {"x": [1, 2]}, "models": [`), 1)
	b = bytes.Replace(b, []byte(`"title": "Same digit?"`), []byte(`"title": "Same digit?", "figure": "same.svg"`), 1)
	back, again := rewrite(t, b)
	for _, want := range []string{`"later": {`, `"figure": "same.svg"`, `"title": "Which digit?"`, `"i2m2_int8": {`, `"dial": [`, `"n \u003c\u0026\u003e"`} {
		if !bytes.Contains(again, []byte(want)) {
			t.Errorf("written manifest lacks %s:\n%s", want, again)
		}
	}
	if _, b3 := rewrite(t, again); !bytes.Equal(b3, again) {
		t.Fatalf("not stable:\n%s", firstDiff(again, b3))
	}
	back.extra, back.Tasks["same"].extra = nil, nil
	var recipe bytes.Buffer
	json.Compact(&recipe, back.Training.Recipe)
	back.Training.Recipe = recipe.Bytes()
	if !reflect.DeepEqual(back, m) {
		t.Errorf("round trip changed the manifest:\n got %+v\nwant %+v", back, m)
	}
	// keys are sorted except in entries, which follow Entry's fields
	if i, j := bytes.Index(again, []byte(`"later"`)), bytes.Index(again, []byte(`"models"`)); i > j {
		t.Errorf("top-level members not sorted")
	}
	if i, j := bytes.Index(again, []byte(`"file"`)), bytes.Index(again, []byte(`"bytes"`)); i > j {
		t.Errorf("entry members not in Entry's order")
	}
}

func TestLookup(t *testing.T) {
	e := func(file, name, q string, def bool) Entry {
		return Entry{File: file, Name: name, Quantization: q, Default: def, SHA256: strings.Repeat(file[:1], 64)}
	}
	m := &Manifest{
		Models:    []Entry{e("a-f32", "a", "float32", false), e("b-int8", "a", "int8", true)},
		Baselines: []Entry{e("c", "c", "float32", false)},
		Tasks:     map[string]*Task{"z": {Models: []Entry{e("z-int8", "z", "int8", false)}}, "d": {Models: []Entry{e("d-int8", "d", "int8", false)}}, "nil": nil},
	}
	for _, c := range []struct {
		name   string
		got    func() (Entry, bool)
		file   string
		wantOK bool
	}{
		{"default flagged", m.Default, "b-int8", true},
		{"by name, any", func() (Entry, bool) { return m.Find("a", "") }, "a-f32", true},
		{"by name, int8", func() (Entry, bool) { return m.Find("a", "int8") }, "b-int8", true},
		{"by name, missing q", func() (Entry, bool) { return m.Find("c", "int8") }, "", false},
		{"task model by name", func() (Entry, bool) { return m.Find("z", "int8") }, "z-int8", true},
		{"by file", func() (Entry, bool) { return m.ByFile("c") }, "c", true},
		{"by file, missing", func() (Entry, bool) { return m.ByFile("nope") }, "", false},
		{"by sha256, upper case", func() (Entry, bool) { return m.BySHA256(strings.Repeat("D", 64)) }, "d-int8", true},
		{"by sha256, empty", func() (Entry, bool) { return m.BySHA256("") }, "", false},
		{"default unflagged: first", (&Manifest{Models: []Entry{e("x", "x", "", false), e("y", "y", "", false)}}).Default, "x", true},
		{"default of nothing", (&Manifest{}).Default, "", false},
	} {
		got, ok := c.got()
		if ok != c.wantOK || got.File != c.file {
			t.Errorf("%s: got %q %v, want %q %v", c.name, got.File, ok, c.file, c.wantOK)
		}
	}
	if got := strings.Join(m.TaskNames(), ","); got != "d,z" {
		t.Errorf("TaskNames %s", got)
	}
	var files []string
	for _, x := range m.Entries() {
		files = append(files, x.File)
	}
	if got := strings.Join(files, ","); got != "a-f32,b-int8,c,d-int8,z-int8" {
		t.Errorf("Entries %s", got)
	}
}

// TestParseErrors: malformed files fail with an error naming the member, never a panic.
func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`<!doctype html>`, "invalid character"},
		{`null`, "null"},
		{`[]`, "cannot unmarshal array"},
		{`{"models": {}}`, "cannot unmarshal object"},
		{`{"models": [{"bytes": "x"}]}`, "cannot unmarshal string"},
		{`{"results": {"i2m2": 3}}`, `results "i2m2": not a {mean, runs, std} summary`},
		{`{"results": {"i2m2": {"mean": 1, "median": 2}}}`, `results "i2m2": not a`},
		{`{"results": {"i2m2": null}}`, `results "i2m2": not a`},
		{`{"tasks": {"same": []}}`, "cannot unmarshal array"},
		{`{"tasks": {"same": null}}`, "null"},
		{`{"training": {"runs": [{"seed": "x"}]}}`, `training run "seed"`},
	} {
		_, err := Parse([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.in, err, c.want)
		}
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "manifest.json")
	m := &Manifest{Models: []Entry{{File: "a.i2m2", Bytes: 1, SHA256: "00", Default: true}}}
	if err := m.WriteFile(p); err != nil {
		t.Fatal(err)
	}
	back, err := ReadFile(p)
	if err != nil || !reflect.DeepEqual(back.Models, m.Models) {
		t.Fatalf("%v %+v", err, back)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("temporary files left: %v", ents)
	}
	if err := m.WriteFile(filepath.Join(dir, "missing", "manifest.json")); err == nil {
		t.Error("writing into a missing folder did not fail")
	}
}

func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile(shipped); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"models":[{"file":"a","sha256":"00"}],"tasks":{"t":{"title":"x","results":{"i2m2":{"mean":1}}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			return
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("parsed but cannot write: %v", err)
		}
		m2, err := Parse(out)
		if err != nil {
			t.Fatalf("cannot read what it wrote: %v\n%s", err, out)
		}
		if out2, _ := m2.Marshal(); !bytes.Equal(out, out2) {
			t.Fatalf("writing is not stable:\n%s", firstDiff(out, out2))
		}
	})
}

func keys(m map[string]json.RawMessage) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	return k
}

func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			return "line " + itoa(i+1) + ":\n- " + la[i] + "\n+ " + lb[i]
		}
	}
	return "lengths differ"
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// rewrite parses b and writes it again.
func rewrite(t *testing.T, b []byte) (*Manifest, []byte) {
	t.Helper()
	m, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return m, out
}

// TestTaskModel: the file a task runs (the JS module's taskModel picks the same).
func TestTaskModel(t *testing.T) {
	e := func(file, kind, q string, def bool) Entry {
		return Entry{File: file, Kind: kind, Quantization: q, Default: def}
	}
	for _, c := range []struct {
		task Task
		want string // file, or the error's text
	}{
		{Task{}, "the task lists no model files"},
		{Task{Default: "b", Models: []Entry{e("a", "", "", false), e("b", "", "", false)}}, "b"},
		{Task{Default: "c", Models: []Entry{e("a", "", "", false)}}, `its default "c" is not among its files`},
		{Task{Models: []Entry{e("a", "i2m2", "int8", false), e("b", "", "", true)}}, "b"},
		{Task{Models: []Entry{e("a", "intra_only", "int8", false), e("b", "i2m2", "float32", false)}}, "b"},
		{Task{Models: []Entry{e("a", "", "float32", false), e("b", "", "int8", false)}}, "b"},
		{Task{Models: []Entry{e("a", "", "float32", false), e("b", "", "float32", false)}}, "a"},
	} {
		got, err := c.task.Model()
		if err != nil && err.Error() != c.want || err == nil && got.File != c.want {
			t.Errorf("%+v: %q, %v; want %s", c.task, got.File, err, c.want)
		}
	}
}
