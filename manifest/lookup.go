package manifest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sort"
	"strconv"
	"strings"
)

// Default is the model a page or server loads when not told otherwise: the first of Models
// flagged default, else the first of Models (the rule the JS module and the build scripts
// follow too: wasm/pin-default.mjs). ok is false when Models is empty.
func (m *Manifest) Default() (e Entry, ok bool) {
	for _, x := range m.Models {
		if x.Default {
			return x, true
		}
	}
	if len(m.Models) == 0 {
		return Entry{}, false
	}
	return m.Models[0], true
}

// Entries are all shipped files: Models, then Baselines, then each task's models in task-name
// order.
func (m *Manifest) Entries() []Entry {
	out := append(append([]Entry{}, m.Models...), m.Baselines...)
	for _, n := range m.TaskNames() {
		out = append(out, m.Tasks[n].Models...)
	}
	return out
}

// TaskNames are the keys of Tasks, sorted.
func (m *Manifest) TaskNames() []string {
	names := make([]string, 0, len(m.Tasks))
	for n, t := range m.Tasks {
		if t != nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Find is the first of Entries named name with quantization q ("int8", "float32"; "" = any).
func (m *Manifest) Find(name, q string) (Entry, bool) {
	return m.first(func(e Entry) bool { return e.Name == name && (q == "" || e.Quantization == q) })
}

// ByFile is the first of Entries whose File is file.
func (m *Manifest) ByFile(file string) (Entry, bool) {
	return m.first(func(e Entry) bool { return e.File == file })
}

// BySHA256 is the first of Entries whose SHA256 is sum (hex, either case): the entry that
// vouches for a file with that hash.
func (m *Manifest) BySHA256(sum string) (Entry, bool) {
	if sum == "" {
		return Entry{}, false
	}
	return m.first(func(e Entry) bool { return strings.EqualFold(e.SHA256, sum) })
}

func (m *Manifest) first(ok func(Entry) bool) (Entry, bool) {
	for _, e := range m.Entries() {
		if ok(e) {
			return e, true
		}
	}
	return Entry{}, false
}

// NewEntry is the entry of the file contents b, stored as file: its size and sha256; the
// caller adds what it knows about the model.
func NewEntry(file string, b []byte) Entry {
	sum := sha256.Sum256(b)
	return Entry{File: file, Bytes: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}
}

// Model is the entry of the file the task runs: the one of Models named by Default, else the
// first flagged default, else its I2M2 (Kind "i2m2"), else its first int8 entry, else its first.
// The JS module picks the same (wasm/i2m2.fetch.mjs, taskModel).
func (t *Task) Model() (Entry, error) {
	if len(t.Models) == 0 {
		return Entry{}, errors.New("the task lists no model files")
	}
	if t.Default != "" {
		for _, e := range t.Models {
			if e.File == t.Default {
				return e, nil
			}
		}
		return Entry{}, errors.New("its default " + strconv.Quote(t.Default) + " is not among its files")
	}
	for _, ok := range []func(Entry) bool{
		func(e Entry) bool { return e.Default },
		func(e Entry) bool { return e.Kind == "i2m2" },
		func(e Entry) bool { return e.Quantization == "int8" },
	} {
		for _, e := range t.Models {
			if ok(e) {
				return e, nil
			}
		}
	}
	return t.Models[0], nil
}
