package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Manifest is weights/manifest.json: the shipped model files and their measured results.
type Manifest struct {
	Models []ManifestModel `json:"models"`
	// Results is shown as a table (see ResultsTable); its exact shape belongs to the trainer.
	Results json.RawMessage `json:"results"`
	// StandIn marks random-weight stand-ins written by the build when no trained model is shipped.
	StandIn bool `json:"standIn"`
}

// ManifestModel describes one shipped model file.
type ManifestModel struct {
	File         string `json:"file"`
	Bytes        int64  `json:"bytes"`
	SHA256       string `json:"sha256"`
	Quantization string `json:"quantization"`
	Default      bool   `json:"default"`
}

// ParseManifest decodes and checks a manifest.
func ParseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("ui: manifest.json: %v", err)
	}
	if len(m.Models) == 0 {
		return nil, fmt.Errorf("ui: manifest.json lists no models")
	}
	return &m, nil
}

// Default returns the default model (the first one flagged, else the first).
func (m *Manifest) Default() ManifestModel {
	for _, x := range m.Models {
		if x.Default {
			return x
		}
	}
	return m.Models[0]
}

// Table is a small table for display.
type Table struct {
	Columns []string
	Rows    []TableRow
}

// TableRow is one row: a name and one cell per column ("" when missing).
type TableRow struct {
	Name  string
	Cells []string
}

// ResultsTable turns the manifest's results into a table, keeping the file's key order:
// an object of objects gives a row per outer key and a column per inner key; an object of numbers
// or strings gives one column; nested values deeper than that are shown as compact JSON.
// Fractions in [0, 1] under a key that looks like an accuracy or rate are shown as percentages.
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
	for _, kv := range outer {
		inner, err := orderedObject(kv.val)
		if err != nil { // a scalar: one "value" column
			if _, ok := col["value"]; !ok {
				col["value"] = len(t.Columns)
				t.Columns = append(t.Columns, "value")
			}
			row := TableRow{Name: kv.key}
			row.Cells = make([]string, len(t.Columns))
			row.Cells[col["value"]] = cell(kv.key, kv.val)
			t.Rows = append(t.Rows, row)
			continue
		}
		row := TableRow{Name: kv.key}
		for _, c := range inner {
			if _, ok := col[c.key]; !ok {
				col[c.key] = len(t.Columns)
				t.Columns = append(t.Columns, c.key)
			}
		}
		row.Cells = make([]string, len(t.Columns))
		for _, c := range inner {
			row.Cells[col[c.key]] = cell(c.key, c.val)
		}
		t.Rows = append(t.Rows, row)
	}
	for i := range t.Rows {
		for len(t.Rows[i].Cells) < len(t.Columns) {
			t.Rows[i].Cells = append(t.Rows[i].Cells, "")
		}
	}
	return t, nil
}

type keyVal struct {
	key string
	val json.RawMessage
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
		out = append(out, keyVal{k, v})
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
