package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
)

// Parse decodes a manifest. Members it does not know are kept for Marshal; members it knows
// must have their types (a results member that is not a {mean, runs, std} summary is an error).
func Parse(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	return &m, nil
}

// ReadFile reads and parses the manifest at path.
func ReadFile(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Marshal encodes m as the file is written: two-space indentation, a final newline, and the
// member order the package comment describes.
func (m *Manifest) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// WriteFile writes m to path through a temporary file in the same folder, so a failed write
// never leaves a truncated manifest.
func (m *Manifest) WriteFile(path string) error {
	b, err := m.Marshal()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".manifest-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// manifestFields and taskFields are the types without their JSON methods.
type (
	manifestFields Manifest
	taskFields     Task
)

func (m Manifest) MarshalJSON() ([]byte, error) { return marshalSorted((*manifestFields)(&m), m.extra) }
func (t Task) MarshalJSON() ([]byte, error)     { return marshalSorted((*taskFields)(&t), t.extra) }
func (t *Task) UnmarshalJSON(b []byte) error    { return unmarshalKeeping(b, (*taskFields)(t), &t.extra) }

func (m *Manifest) UnmarshalJSON(b []byte) error {
	if err := unmarshalKeeping(b, (*manifestFields)(m), &m.extra); err != nil {
		return err
	}
	for n, t := range m.Tasks {
		if t == nil {
			return fmt.Errorf("tasks %q: null where an object is expected", n)
		}
	}
	return nil
}

// marshalSorted encodes the struct v with the members of extra, all sorted by key.
func marshalSorted(v any, extra map[string]json.RawMessage) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil {
		return nil, err
	}
	for k, x := range extra {
		members[k] = x
	}
	return json.Marshal(members) // encoding/json sorts map keys
}

// unmarshalKeeping decodes b into the struct v and puts the members v has no field for into
// *extra. encoding/json matches keys without regard to case, so the same does here.
func unmarshalKeeping(b []byte, v any, extra *map[string]json.RawMessage) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return fmt.Errorf("null where an object is expected")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil {
		return err
	}
	known := jsonKeys(reflect.TypeOf(v).Elem())
	*extra = nil
	for k, x := range members {
		if !known[strings.ToLower(k)] {
			if *extra == nil {
				*extra = map[string]json.RawMessage{}
			}
			(*extra)[k] = x
		}
	}
	return nil
}

// jsonKeys are the lower-cased JSON names of t's exported fields.
func jsonKeys(t reflect.Type) map[string]bool {
	keys := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		keys[strings.ToLower(name)] = true
	}
	return keys
}

func (r Results) MarshalJSON() ([]byte, error) {
	members := map[string]any{}
	for k, s := range r.Stats {
		members[k] = s
	}
	if len(r.Experts) > 0 {
		members["experts"] = r.Experts
	}
	if r.Seeds != nil {
		members["seeds"] = r.Seeds
	}
	if r.Units != "" {
		members["units"] = r.Units
	}
	return json.Marshal(members)
}

func (r *Results) UnmarshalJSON(b []byte) error {
	*r = Results{}
	known := map[string]any{"experts": &r.Experts, "seeds": &r.Seeds, "units": &r.Units}
	return decodeFlat(b, "results", known, func(k string, x json.RawMessage) error {
		var s Stat
		if err := strictStat(x, &s); err != nil {
			return err
		}
		if r.Stats == nil {
			r.Stats = map[string]Stat{}
		}
		r.Stats[k] = s
		return nil
	})
}

// decodeFlat decodes a JSON object whose members are either fields (known: key -> pointer)
// or entries of a map (rest), as Results and TrainingRun are written.
func decodeFlat(b []byte, what string, known map[string]any, rest func(k string, x json.RawMessage) error) error {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil {
		return err
	}
	for k, x := range members {
		var err error
		if dst, ok := known[k]; ok {
			err = json.Unmarshal(x, dst)
		} else {
			err = rest(k, x)
		}
		if err != nil {
			return fmt.Errorf("%s %q: %w", what, k, err)
		}
	}
	return nil
}

// strictStat decodes a {mean, runs, std} summary and nothing else.
func strictStat(b []byte, s *Stat) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(s); err != nil || bytes.HasPrefix(bytes.TrimSpace(b), []byte("null")) {
		return fmt.Errorf("not a {mean, runs, std} summary")
	}
	return nil
}

func (r TrainingRun) MarshalJSON() ([]byte, error) {
	members := map[string]any{"seed": r.Seed, "minutes": r.Minutes}
	for k, s := range r.Stages {
		members[k] = s
	}
	return json.Marshal(members)
}

func (r *TrainingRun) UnmarshalJSON(b []byte) error {
	*r = TrainingRun{}
	return decodeFlat(b, "training run", map[string]any{"seed": &r.Seed, "minutes": &r.Minutes}, func(k string, x json.RawMessage) error {
		var s Stage
		if err := json.Unmarshal(x, &s); err != nil {
			return err
		}
		if r.Stages == nil {
			r.Stages = map[string]Stage{}
		}
		r.Stages[k] = s
		return nil
	})
}
