package ui

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestResultsTable(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     Table
	}{
		{"none", `null`, Table{}},
		{"trainer summaries, nested experts, notes", `{"audio_only":{"mean":15.27,"std":0,"runs":[15.27]},
			"experts":{"image":{"mean":42.5,"std":1.25,"runs":[41,44]},"inter":{"mean":56.4,"std":0,"runs":[56.4]}},
			"i2m2_int8":{"mean":62.26,"std":0.5,"runs":[62,62.5]},"seeds":[1,2],"units":"test accuracy in percent"}`,
			Table{Columns: []string{"mean", "± std", "runs"}, Rows: []TableRow{
				{"I2M2, int8 (this page)", []string{"62.3", "± 0.5", "2"}},
				{"I2M2's image expert", []string{"42.5", "± 1.2", "2"}},
				{"I2M2's inter expert", []string{"56.4", "± 0.0", "1"}},
				{"audio-only model", []string{"15.3", "± 0.0", "1"}}},
				Notes: []string{"seeds: [1,2]", "units: test accuracy in percent"}}},
		{"object of objects, file order, union of columns", `{"zeta":{"test_acc":0.5,"n":100},"alpha":{"n":7,"int8_agreement":0.994,"path":"int8"}}`,
			Table{Columns: []string{"test_acc", "n", "int8_agreement", "path"}, Rows: []TableRow{
				{"zeta", []string{"50.0%", "100", "", ""}}, {"alpha", []string{"", "7", "99.4%", "int8"}}}}},
		{"object of scalars", `{"i2m2_acc":0.7238,"macs":2170000,"loss":0.93}`,
			Table{Columns: []string{"value"}, Rows: []TableRow{{"i2m2_acc", []string{"72.4%"}}, {"macs", []string{"2170000"}}, {"loss", []string{"0.93"}}}}},
		{"nested deeper", `{"a":{"per_digit":[1,2]}}`, Table{Columns: []string{"per_digit"}, Rows: []TableRow{{"a", []string{"[1,2]"}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ResultsTable(json.RawMessage(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
	if _, err := ResultsTable(json.RawMessage(`[1,2]`)); err == nil {
		t.Error("an array of results must be an error (shown in the page)")
	}
}

func TestParseManifest(t *testing.T) {
	m, err := ParseManifest([]byte(testManifest))
	if err != nil {
		t.Fatal(err)
	}
	if d := m.Default(); d.File != "avmnist-tts-int8.i2m2" || d.Bytes != 123456 || d.Quantization != "int8" {
		t.Fatalf("default %+v", d)
	}
	for _, bad := range []string{``, `{`, `{"models":[]}`, `{"models":"x"}`, `[]`} {
		if _, err := ParseManifest([]byte(bad)); err == nil {
			t.Errorf("ParseManifest(%q) accepted", bad)
		}
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 bytes", 999: "999 bytes", 1024: "1 kB", 123456: "121 kB", 3 << 20: "3.0 MB"} {
		if got := HumanBytes(n); got != want {
			t.Errorf("HumanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestShuffleReference(t *testing.T) {
	m, err := ParseManifest([]byte(`{"models":[{"file":"a"}],"shuffle":{"n":3000,"rows":[{"model":"image_only","shuffle":"none","acc":50},
		{"model":"i2m2","shuffle":"none","acc":61.93},{"model":"i2m2","shuffle":"image","acc":15.13},{"model":"i2m2","shuffle":"audio","acc":50.23}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := "For reference, the trainer's run on 3000 test pairs: I2M2 62% intact, 15% with shuffled images, 50% with shuffled clips."
	if got := m.ShuffleReference(); got != want {
		t.Fatalf("got %q", got)
	}
	if (&Manifest{}).ShuffleReference() != "" || (*Manifest)(nil).ShuffleReference() != "" {
		t.Fatal("no shuffle run must give no line")
	}
}

func TestResultsFor(t *testing.T) {
	m, err := ParseManifest([]byte(`{"models":[{"file":"a.i2m2"}],"results": {"i2m2": {"mean": 83.1, "std": 0.5, "runs": [83.1]}},
		"real": {"model": "avmnist-real", "note": "held-out speakers", "test": {
			"benchmark": {"i2m2": 80, "i2m2_int8": 79.8, "experts": {"image": 55, "audio": 45, "inter": 74}, "n": 10},
			"real_clean": {"i2m2": 99.9, "i2m2_int8": 99.91, "experts": {"image": 96.61, "audio": 77.7}, "n": 10}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	real, err := m.ResultsFor("avmnist-real")
	if err != nil {
		t.Fatal(err)
	}
	// Columns in display order (clean real voices first), one row per product and expert.
	if got := strings.Join(real.Columns, "|"); got != "real voices, clean|benchmark test" {
		t.Errorf("columns %q", got)
	}
	if len(real.Rows) != 5 || real.Rows[0].Name != resultNames["i2m2_int8"] || real.Rows[0].Cells[0] != "99.91%" ||
		real.Rows[4].Cells[0] != "" || real.Rows[4].Cells[1] != "74.00%" || len(real.Notes) != 1 {
		t.Errorf("real-input table %+v", real)
	}
	// Another model (the benchmark one) gets the manifest's results.
	other, err := m.ResultsFor("avmnist-tts")
	want, _ := ResultsTable(m.resultsJSON())
	if err != nil || len(other.Rows) != len(want.Rows) || other.Rows[0].Name != want.Rows[0].Name {
		t.Errorf("benchmark model: %+v, want %+v (%v)", other, want, err)
	}
}
