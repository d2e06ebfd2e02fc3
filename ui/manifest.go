package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/i2m2-wasm/i2m2/manifest"
)

// Manifest is weights/manifest.json as the lab reads it: package manifest's types, with the lab's
// methods on each task (tasks.go).
type Manifest struct {
	*manifest.Manifest
	Tasks map[string]*ManifestTask
}

// ShuffleReference describes the trainer's shuffle run for I2M2 in one line, or "".
func (m *Manifest) ShuffleReference() string {
	if m == nil || m.Manifest == nil || m.Shuffle == nil || m.Shuffle.N == 0 {
		return ""
	}
	acc := map[string]float64{}
	for _, r := range m.Shuffle.Rows {
		if r.Model == "i2m2" {
			acc[r.Shuffle] = r.Acc
		}
	}
	none, ok1 := acc["none"]
	img, ok2 := acc["image"]
	aud, ok3 := acc["audio"]
	if !ok1 || !ok2 || !ok3 {
		return ""
	}
	return fmt.Sprintf("For reference, the trainer's run on %d test pairs: I2M2 %.0f%% intact, %.0f%% with shuffled images, %.0f%% with shuffled clips.", m.Shuffle.N, none, img, aud)
}

// ManifestModel is one model file of the manifest (package manifest's Entry); in a task, Kind
// says which model type it is.
type ManifestModel struct{ manifest.Entry }

// Desc is what the entry says of the model before it loads: its classes and modalities (its
// experts come with the model's own description).
func (m ManifestModel) Desc() ModelDesc {
	d := ModelDesc{Name: m.Name, Classes: m.Classes}
	for _, md := range m.Modalities {
		d.Modalities = append(d.Modalities, ModalityDesc{Name: md.Name, Shape: md.Shape})
	}
	return d
}

// ParseManifest decodes and checks a manifest.
func ParseManifest(b []byte) (*Manifest, error) {
	mm, err := manifest.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("ui: %v", err)
	}
	if len(mm.Models) == 0 {
		return nil, fmt.Errorf("ui: manifest.json lists no models")
	}
	m := &Manifest{Manifest: mm, Tasks: map[string]*ManifestTask{}}
	for name, t := range mm.Tasks {
		m.Tasks[name] = nil // a null task: checkTasks says so
		if t != nil {
			m.Tasks[name] = &ManifestTask{t}
		}
	}
	if err := m.checkTasks(); err != nil {
		return nil, fmt.Errorf("ui: manifest.json: %v", err)
	}
	return m, nil
}

// resultsJSON is the manifest's results as JSON (for ResultsTable), or null.
func (m *Manifest) resultsJSON() json.RawMessage { return toJSON(m.Results) }

// toJSON is results r as JSON (for ResultsTable), or null.
func toJSON(r *manifest.Results) json.RawMessage {
	if r == nil {
		return json.RawMessage("null")
	}
	b, err := json.Marshal(r)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

// Default returns the default model (package manifest's rule: the first one flagged, else the first).
func (m *Manifest) Default() ManifestModel {
	e, _ := m.Manifest.Default()
	return ManifestModel{Entry: e}
}

// Table is a small table for display.
type Table struct {
	Columns []string
	Rows    []TableRow
	Notes   []string // text members of the results (units, seeds)
}

// TableRow is one row: a name and one cell per column ("" when missing).
type TableRow struct {
	Name  string
	Cells []string
}

// resultOrder lists the trainer's result keys (weights/manifest.json "results") in display order:
// the shipped model first, then its parts, then the baselines. Other keys follow in file order.
var resultOrder = []string{"i2m2_int8", "i2m2", "experts/image", "experts/audio", "experts/inter", "i2m2_intra_part",
	"image_only", "audio_only", "intra_only", "inter_only", "int8_agreement"}

// resultNames are display names of the trainer's result keys.
var resultNames = map[string]string{
	"i2m2":            "I2M2, float32",
	"i2m2_int8":       "I2M2, int8 (this page)",
	"i2m2_intra_part": "I2M2's image × audio experts",
	"experts/image":   "I2M2's image expert",
	"experts/audio":   "I2M2's audio expert",
	"experts/inter":   "I2M2's inter expert",
	"image_only":      "image-only model",
	"audio_only":      "audio-only model",
	"intra_only":      "intra-only baseline",
	"inter_only":      "inter-only baseline",
	"int8_agreement":  "int8 top-1 = float32 top-1",
}

// ResultsTable turns the manifest's results into a table, keeping the file's key order.
//   - A member {"mean": m, "std": s, "runs": [...]} (the trainer's summary over seeds) is a row
//     "m", "± s", "n runs"; an object of such summaries gives one row per inner key ("experts/image").
//   - Text and arrays go to Notes ("units: ...", "seeds: [1]").
//   - Otherwise an object of objects gives a row per outer key and a column per inner key, and an
//     object of scalars one "value" column; fractions in [0, 1] under a key that looks like an
//     accuracy or rate are shown as percentages; deeper values as compact JSON.
func ResultsTable(raw json.RawMessage) (Table, error) {
	var t Table
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return t, nil
	}
	outer, err := orderedObject(raw)
	if err != nil {
		return t, fmt.Errorf("ui: manifest results: %v", err)
	}
	col := map[string]int{}
	rank := map[string]int{}
	for _, k := range resultOrder {
		rank[resultNames[k]] = len(rank) + 1
	}
	addRow := func(name string, cells []keyVal) {
		row := TableRow{Name: name}
		if n, ok := resultNames[name]; ok {
			row.Name = n
		}
		for _, c := range cells {
			if _, ok := col[c.key]; !ok {
				col[c.key] = len(t.Columns)
				t.Columns = append(t.Columns, c.key)
			}
		}
		row.Cells = make([]string, len(t.Columns))
		for _, c := range cells {
			row.Cells[col[c.key]] = c.cell
		}
		t.Rows = append(t.Rows, row)
	}
	for _, kv := range outer {
		switch v := bytes.TrimSpace(kv.val); {
		case len(v) > 0 && (v[0] == '"' || v[0] == '['):
			t.Notes = append(t.Notes, kv.key+": "+cell(kv.key, kv.val))
			continue
		case len(v) > 0 && v[0] != '{':
			addRow(kv.key, []keyVal{{key: "value", cell: cell(kv.key, kv.val)}})
			continue
		}
		if cells, ok := summary(kv.val); ok {
			addRow(kv.key, cells)
			continue
		}
		inner, err := orderedObject(kv.val)
		if err != nil {
			return t, fmt.Errorf("ui: manifest results: %s: %v", kv.key, err)
		}
		allSummaries := len(inner) > 0
		for _, c := range inner {
			if _, ok := summary(c.val); !ok {
				allSummaries = false
			}
		}
		if allSummaries {
			for _, c := range inner {
				cells, _ := summary(c.val)
				addRow(kv.key+"/"+c.key, cells)
			}
			continue
		}
		var cells []keyVal
		for _, c := range inner {
			cells = append(cells, keyVal{key: c.key, cell: cell(c.key, c.val)})
		}
		addRow(kv.key, cells)
	}
	for i := range t.Rows {
		for len(t.Rows[i].Cells) < len(t.Columns) {
			t.Rows[i].Cells = append(t.Rows[i].Cells, "")
		}
	}
	sort.SliceStable(t.Rows, func(i, j int) bool {
		ri, rj := rank[t.Rows[i].Name], rank[t.Rows[j].Name]
		return ri != 0 && (rj == 0 || ri < rj)
	})
	return t, nil
}

// summary reads {"mean": m, "std": s, "runs": [...]} as the cells mean, ± std, runs.
func summary(raw json.RawMessage) ([]keyVal, bool) {
	var s struct {
		Mean *float64
		Std  *float64
		Runs []float64
	}
	if json.Unmarshal(raw, &s) != nil || s.Mean == nil {
		return nil, false
	}
	cells := []keyVal{{key: "mean", cell: strconv.FormatFloat(*s.Mean, 'f', 1, 64)}}
	if s.Std != nil {
		cells = append(cells, keyVal{key: "± std", cell: "± " + strconv.FormatFloat(*s.Std, 'f', 1, 64)})
	}
	if s.Runs != nil {
		cells = append(cells, keyVal{key: "runs", cell: strconv.Itoa(len(s.Runs))})
	}
	return cells, true
}

type keyVal struct {
	key  string
	val  json.RawMessage
	cell string
}

// orderedObject splits a JSON object into its members in file order.
func orderedObject(raw json.RawMessage) ([]keyVal, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("not an object")
	}
	var out []keyVal
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, keyVal{key: k, val: v})
	}
	return out, nil
}

func cell(key string, v json.RawMessage) string {
	var f float64
	if err := json.Unmarshal(v, &f); err == nil {
		k := strings.ToLower(key)
		if f >= 0 && f <= 1 && (strings.Contains(k, "acc") || strings.Contains(k, "rate") || strings.Contains(k, "agree") || strings.Contains(k, "frac")) {
			return strconv.FormatFloat(100*f, 'f', 1, 64) + "%"
		}
		if f == float64(int64(f)) && (f > 1 || f < -1 || f == 0) {
			return strconv.FormatInt(int64(f), 10)
		}
		return strconv.FormatFloat(f, 'g', 4, 64)
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return s
	}
	var c bytes.Buffer
	if json.Compact(&c, v) == nil {
		return c.String()
	}
	return string(v)
}

// HumanBytes formats a byte count ("141 kB").
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 0, 64) + " kB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// realColumns are the "real" section's test columns in display order, with their headings.
var realColumns = []struct{ key, name string }{
	{"real_clean", "real voices, clean"}, {"real_0db", "0 dB"}, {"real_-6db", "-6 dB"}, {"real_-12db", "-12 dB"},
	{"synth_clean", "synthetic voices"}, {"drawn", "drawn digits"}, {"benchmark", "benchmark test"},
}

// ResultsFor is the results table for the model named name: the "real" section's columns when
// they belong to it, the manifest's results otherwise.
func (m *Manifest) ResultsFor(name string) (Table, error) {
	if m.Real == nil || m.Real.Model == "" || m.Real.Model != name {
		return ResultsTable(m.resultsJSON())
	}
	var t Table
	var cols []manifest.RealColumn
	for _, c := range realColumns {
		if col, ok := m.Real.Test[c.key]; ok {
			t.Columns = append(t.Columns, c.name)
			cols = append(cols, col)
		}
	}
	row := func(name string, acc func(manifest.RealColumn) (float64, bool)) {
		r := TableRow{Name: name, Cells: make([]string, len(cols))}
		for i, c := range cols {
			if v, ok := acc(c); ok {
				r.Cells[i] = strconv.FormatFloat(v, 'f', 2, 64) + "%"
			}
		}
		t.Rows = append(t.Rows, r)
	}
	row(resultNames["i2m2_int8"], func(c manifest.RealColumn) (float64, bool) { return c.I2M2Int8, true })
	row(resultNames["i2m2"], func(c manifest.RealColumn) (float64, bool) { return c.I2M2, true })
	for _, e := range []string{"image", "audio", "inter"} {
		row(resultNames["experts/"+e], func(c manifest.RealColumn) (float64, bool) { v, ok := c.Experts[e]; return v, ok })
	}
	if m.Real.Note != "" {
		t.Notes = append(t.Notes, m.Real.Note)
	}
	return t, nil
}
