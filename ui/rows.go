package ui

import (
	"strconv"
	"strings"
)

// Row is one distribution the lab shows: an expert, the intra-only product or the I2M2 product.
type Row struct {
	ID     string // stable element id suffix (#expert-<ID>): the expert's name, "intra" or "i2m2"
	Name   string // "Image expert"
	Note   string // "sees only the image"
	Expert int    // index into ModelDesc.Experts, or rowIntra / rowFinal
	Intra  bool   // an intra-modality expert
}

const (
	rowIntra = -1
	rowFinal = -2
)

// Final reports whether the row is the I2M2 product.
func (r Row) Final() bool { return r.Expert == rowFinal }

// Rows lists what the lab shows for the model described by d: each expert, the product of the
// intra experts when there are two or more, and the I2M2 product.
func (d *ModelDesc) Rows() []Row {
	var rows []Row
	var intra []string
	used := map[string]bool{"intra": true, "i2m2": true}
	for i, e := range d.Experts {
		r := Row{ID: elementID(e.Name, used), Name: title(e.Name) + " expert", Expert: i, Intra: e.Intra}
		var nouns []string
		for _, in := range e.Inputs {
			nouns = append(nouns, kindOf(in).Noun)
		}
		switch {
		case e.Intra && len(e.Inputs) == 1:
			r.Note = kindOf(e.Inputs[0]).Verb + " only the " + nouns[0]
			intra = append(intra, kindOf(e.Inputs[0]).Noun)
		case len(nouns) == 2:
			r.Note = "sees the " + nouns[0] + " and the " + nouns[1] + " together"
		default:
			r.Note = "sees " + strings.Join(nouns, ", ") + " together"
		}
		rows = append(rows, r)
	}
	if len(intra) >= 2 {
		rows = append(rows, Row{ID: "intra", Name: "Intra-only product", Note: strings.Join(intra, " × ") + ", no inter", Expert: rowIntra})
	}
	var all []string
	for _, e := range d.Experts {
		all = append(all, e.Name)
	}
	return append(rows, Row{ID: "i2m2", Name: "I2M2", Note: strings.Join(all, " × "), Expert: rowFinal})
}

// elementID makes name a unique id fragment (letters, digits and '-').
func elementID(name string, used map[string]bool) string {
	var b strings.Builder
	for _, c := range strings.ToLower(name) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' {
			b.WriteRune(c)
		} else {
			b.WriteByte('-')
		}
	}
	id := b.String()
	if id == "" {
		id = "expert"
	}
	for k, base := 2, id; used[id]; k++ {
		id = base + "-" + strconv.Itoa(k)
	}
	used[id] = true
	return id
}

// title capitalises the first letter.
func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Of returns the distribution of row r, or nil (no prediction, or the expert did not run).
func (p *Prediction) Of(r Row) *Dist {
	switch {
	case p == nil:
		return nil
	case r.Expert == rowFinal:
		return &p.Final
	case r.Expert == rowIntra:
		return p.IntraOnly
	case r.Expert < len(p.Experts):
		return p.Experts[r.Expert]
	}
	return nil
}

// Expected is the class a model with these classes should give inputs whose modalities show the
// digits ds (-1: unknown, such as a drawing or noise; -2: a modality the demo set lacks, which does
// not count). The tasks' labels are read from the class names:
//   - the modalities agree on digit d: the class named d, else "yes", "same" or "match";
//   - they differ: "mismatch", else "no", "different"; a model with neither (a digit classifier)
//     keeps the digit of modality keep (the shuffle experiment's label stays with the modality it
//     did not shuffle), or has no answer when keep < 0.
//
// -1 when there is no answer.
func Expected(classes []string, ds []int, keep int) int {
	find := func(names ...string) int {
		for _, n := range names {
			for i, c := range classes {
				if c == n {
					return i
				}
			}
		}
		return -1
	}
	d, agree, any := -1, true, false
	for _, x := range ds {
		switch {
		case x == -2:
			continue
		case x < 0:
			return -1
		case any && x != d:
			agree = false
		}
		d, any = x, true
	}
	if !any {
		return -1
	}
	if agree {
		if c := find(strconv.Itoa(d)); c >= 0 {
			return c
		}
		return find("yes", "same", "match")
	}
	if c := find("mismatch", "no", "different"); c >= 0 {
		return c
	}
	if keep >= 0 && keep < len(ds) && ds[keep] >= 0 {
		return find(strconv.Itoa(ds[keep]))
	}
	return -1
}

// digitClasses reports whether the classes are named after digits ("0".."9"), so that an expert
// can be said to follow a digit.
func digitClasses(classes []string) bool {
	for _, c := range classes {
		if _, err := strconv.Atoi(c); err == nil {
			return true
		}
	}
	return false
}
