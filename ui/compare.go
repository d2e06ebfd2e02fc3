package ui

import (
	"sort"
	"strings"
)

// Compared is a conventional model the lab runs beside I2M2 on the same inputs (a task's
// intra-only or inter-only model, from the manifest), as the paper compares them: the intra-only
// model cannot see the relation between the modalities, the inter-only model sees only it.
type Compared struct {
	Kind string // intra_only or inter_only
	Eng  Engine
	Desc ModelDesc
	Now  *Dist // its answer for what is shown now
	Base *Dist // and for the intact pair
}

// compareKinds are the conventional models' kinds with their names and notes, in display order.
var compareKinds = []struct{ kind, name, note string }{
	{"intra_only", "Intra-only model", "one expert per modality, trained alone (no inter expert)"},
	{"inter_only", "Inter-only model", "one network over both modalities (no intra experts)"},
}

func kindRank(kind string) int {
	for i, c := range compareKinds {
		if c.kind == kind {
			return i
		}
	}
	return len(compareKinds)
}

// kindOf is the model type of a task's file: its kind, else read from its name or file
// ("task-same-intra_only", "task-same-intra-only-int8.i2m2").
func (m ManifestModel) kindOf() string {
	if m.Kind != "" {
		return m.Kind
	}
	for _, c := range compareKinds {
		if strings.Contains(m.Name, c.kind) || strings.Contains(m.File, strings.ReplaceAll(c.kind, "_", "-")) {
			return c.kind
		}
	}
	return ""
}

// Compare lists the task's conventional models the lab runs beside its I2M2 (compareKinds' order).
func (t *ManifestTask) Compare() []ManifestModel {
	var out []ManifestModel
	for _, c := range compareKinds {
		for _, e := range t.Models {
			if f := (ManifestModel{e}); f.kindOf() == c.kind {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// CompareRow is one conventional model's row in the experts card.
type CompareRow struct {
	ID, Name, Note string
	Now, Before    *Dist
}

// CompareRows are the rows of the conventional models loaded for the task shown.
func (l *Lab) CompareRows() []CompareRow {
	var rows []CompareRow
	for _, c := range l.Compare {
		r := CompareRow{ID: "compare-" + strings.ReplaceAll(c.Kind, "_", "-"), Now: c.Now}
		for _, k := range compareKinds {
			if k.kind == c.Kind {
				r.Name, r.Note = k.name, k.note
			}
		}
		if l.AnySwapped() {
			r.Before = c.Base
		}
		rows = append(rows, r)
	}
	return rows
}

// loadCompare loads the task's conventional models in the background (Lab.LoadFile), for the
// model generation g. Lock held.
func (l *Lab) loadCompare(task string) {
	t := l.Manifest.Tasks[task]
	if t == nil || l.LoadFile == nil {
		return
	}
	g, load := l.modelGen, l.LoadFile
	for _, f := range t.Compare() {
		kind := f.kindOf()
		l.Go(func() {
			e, d, err := load(f.File)
			l.Env.Lock()
			defer l.Env.UnlockRender()
			if g != l.modelGen {
				if e != nil {
					e.Dispose()
				}
				return
			}
			if err != nil {
				l.Fail("Could not load the %s model to compare: %v", strings.ReplaceAll(kind, "_", "-"), err)
				return
			}
			if len(d.Classes) != len(l.Desc.Classes) {
				e.Dispose()
				l.Fail("The %s model has %d classes, the task %d: not compared.", strings.ReplaceAll(kind, "_", "-"), len(d.Classes), len(l.Desc.Classes))
				return
			}
			l.Compare = append(l.Compare, Compared{Kind: kind, Eng: e, Desc: d})
			sort.SliceStable(l.Compare, func(i, j int) bool { return kindRank(l.Compare[i].Kind) < kindRank(l.Compare[j].Kind) })
			l.refresh()
		})
	}
}

// dropCompare disposes of the conventional models. Lock held.
func (l *Lab) dropCompare() {
	for _, c := range l.Compare {
		c.Eng.Dispose()
	}
	l.Compare = nil
}
