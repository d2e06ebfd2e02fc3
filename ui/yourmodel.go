package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// YourFile is the state of the "your model" card: an .i2m2 file the person drops on the page or
// picks (for instance one made by `i2m2 import-onnx` from PyTorch experts). The JS module loads it
// from its bytes, so nothing vouches for it: the card says "your file, not verified", describes it
// from the file itself and, when its modalities fit the lab's, runs it on the current pair.
// Guarded by the Lab's lock like the rest of the Lab.
type YourFile struct {
	File    string // the file's name
	Status  string // what is happening, "" when idle
	Err     string // why the last file was refused
	Info    *YourInfo
	Rows    []YourRow // the last run on the lab's pair; nil before one
	RunNote string    // which inputs that run used, or why the file cannot run on the lab's pairs
	gen     int       // drops the results of a file replaced meanwhile
}

// MaxYourFile bounds the file the card reads into memory (the format's own limit on weights is
// 64 Mi parameters; model/FORMAT.md).
const MaxYourFile = 256 << 20

// YourInfo is the JS module's model.info for the person's file.
type YourInfo struct {
	ModelDesc
	Bytes        int64  `json:"bytes"`
	SHA256       string `json:"sha256"`
	Quantization string `json:"quantization"`
	MACs         int64  `json:"macs"`
	Verified     bool   `json:"verified"`
	Path         string `json:"path"`
	Mode         string `json:"mode"`
	Provenance   struct {
		Data    string `json:"data"`
		Created string `json:"created"`
	} `json:"provenance"`
}

// ParseYourInfo decodes model.info (as JSON).
func ParseYourInfo(s string) (*YourInfo, error) {
	var in YourInfo
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("the module's description of the file is not valid: %v", err)
	}
	if len(in.Classes) == 0 || len(in.Experts) == 0 || len(in.Modalities) == 0 {
		return nil, errors.New("the module's description of the file has no classes, experts or modalities")
	}
	return &in, nil
}

// Feeds maps the file's modalities to the lab's (lab): a modality of the same name and shape, else
// the first of the same shape. It returns the file's modality -> the lab's modality.
func (y *YourInfo) Feeds(lab []ModalityDesc) map[string]string {
	f := map[string]string{}
	for _, md := range y.Modalities {
		for _, byName := range []bool{true, false} {
			if _, ok := f[md.Name]; ok {
				break
			}
			for _, m := range lab {
				if (!byName || m.Name == md.Name) && sameShape(md.Shape, m.Shape...) {
					f[md.Name] = m.Name
					break
				}
			}
		}
	}
	return f
}

func sameShape(s []int, want ...int) bool { return slices.Equal(s, want) }

// Runnable reports whether at least one expert has every input fed by the lab's modalities (lab),
// and says which feeds the run uses (or why there is none).
func (y *YourInfo) Runnable(lab []ModalityDesc) (bool, string) {
	feeds := y.Feeds(lab)
	for _, e := range y.Experts {
		ok := len(e.Inputs) > 0
		for _, in := range e.Inputs {
			_, has := feeds[in]
			ok = ok && has
		}
		if ok {
			var parts []string
			for _, md := range y.Modalities {
				if src, has := feeds[md.Name]; has {
					parts = append(parts, fmt.Sprintf("%s ← the lab's %s", md.Name, src))
				}
			}
			return true, "Run on the lab's current pair: " + strings.Join(parts, ", ") + "."
		}
	}
	var shapes, have []string
	for _, md := range y.Modalities {
		shapes = append(shapes, fmt.Sprintf("%s %v", md.Name, md.Shape))
	}
	for _, md := range lab {
		have = append(have, fmt.Sprintf("%s %v", md.Name, md.Shape))
	}
	return false, fmt.Sprintf("Not run: no expert reads only inputs the lab has (%s); this file wants %s.",
		strings.Join(have, ", "), strings.Join(shapes, ", "))
}

// YourRow is one line of the run table: an expert, or the product.
type YourRow struct {
	Name   string // expert name, or "I2M2 product"
	Inputs string
	Used   bool
	Class  string // predicted class name
	Conf   float64
}

// YourRows builds the table from per-expert probabilities (nil when the expert did not run) and
// the product's, naming classes from info.
func YourRows(info *YourInfo, experts [][]float64, product []float64) ([]YourRow, error) {
	if len(experts) != len(info.Experts) {
		return nil, fmt.Errorf("%d expert results for %d experts", len(experts), len(info.Experts))
	}
	rows := make([]YourRow, 0, len(experts)+1)
	for i, e := range info.Experts {
		r := YourRow{Name: e.Name, Inputs: strings.Join(e.Inputs, " + ")}
		if experts[i] != nil {
			var err error
			if r.Class, r.Conf, err = top(info.Classes, experts[i]); err != nil {
				return nil, fmt.Errorf("expert %s: %v", e.Name, err)
			}
			r.Used = true
		}
		rows = append(rows, r)
	}
	r := YourRow{Name: "I2M2 product", Inputs: "experts that ran", Used: true}
	var err error
	if r.Class, r.Conf, err = top(info.Classes, product); err != nil {
		return nil, fmt.Errorf("product: %v", err)
	}
	return append(rows, r), nil
}

func top(classes []string, p []float64) (string, float64, error) {
	if len(p) != len(classes) {
		return "", 0, fmt.Errorf("%d probabilities for %d classes", len(p), len(classes))
	}
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return classes[best], p[best], nil
}

// classList is the classes for display, shortened when there are many.
func (y *YourInfo) classList() string {
	const show = 24
	if len(y.Classes) <= show {
		return strings.Join(y.Classes, ", ")
	}
	return strings.Join(y.Classes[:show], ", ") + fmt.Sprintf(", … (%d in all)", len(y.Classes))
}
