package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/manifest"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/train"
)

// matrixCell is one (recipe, model, column) result over seeds: the product's accuracy and each
// expert's own accuracy.
type matrixCell struct {
	Product manifest.Stat            `json:"product"`
	Experts map[string]manifest.Stat `json:"experts,omitempty"`
}

// matrixResult is weights/results/matrix.json.
type matrixResult struct {
	Columns []struct{ Name, Desc string }                `json:"columns"`
	N       map[string]int                               `json:"n"`
	Recipes map[string][]string                          `json:"recipes"` // recipe -> run directories (seeds)
	Cells   map[string]map[string]map[string]*matrixCell `json:"cells"`   // recipe -> model -> column
	Units   string                                       `json:"units"`
}

func runMatrix(args []string) error {
	fs := newFlags("matrix")
	root := rootFlag(fs)
	n := fs.Int("n", 0, "test pairs per column (0 = all 10,000)")
	out := fs.String("out", "", "write <out>.json and <out>.md (default: print the table only)")
	var recipes []string
	fs.Func("runs", "recipe=dir1,dir2,... (repeatable): run directories of `i2m2 train`, one per seed", func(s string) error {
		if !strings.Contains(s, "=") {
			return fmt.Errorf("want recipe=dir1,dir2,...")
		}
		recipes = append(recipes, s)
		return nil
	})
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(recipes) == 0 {
		return fmt.Errorf("give at least one --runs recipe=dir,...")
	}
	_, _, te, _, err := loadData(*root, *n)
	if err != nil {
		return err
	}
	sets, err := dataset.RealTest(*root, *n)
	if err != nil {
		return err
	}
	cols := []struct {
		Name, Desc string
		d          *train.Data
	}{{"benchmark", "benchmark test: PCA-degraded MNIST + synthetic test voices at -12 dB", te}}
	for _, s := range sets {
		cols = append(cols, struct {
			Name, Desc string
			d          *train.Data
		}{s.Name, s.Desc, toData(s.Split)})
	}
	res := &matrixResult{N: map[string]int{}, Recipes: map[string][]string{}, Cells: map[string]map[string]map[string]*matrixCell{},
		Units: "accuracy in percent, mean and sample std over the seeds' runs (Go inference engine, float32 kernels)"}
	for _, c := range cols {
		res.Columns = append(res.Columns, struct{ Name, Desc string }{c.Name, c.Desc})
		res.N[c.Name] = c.d.N
	}
	var order []string
	for _, r := range recipes {
		name, list, _ := strings.Cut(r, "=")
		dirs := strings.Split(list, ",")
		order = append(order, name)
		res.Recipes[name] = dirs
		res.Cells[name] = map[string]map[string]*matrixCell{}
		for _, mn := range train.ModelNames {
			if _, err := os.Stat(filepath.Join(dirs[0], mn+".i2m2")); err != nil {
				continue // an ablation run (train --only) has one model
			}
			accs := map[string][]float64{}           // column -> per seed
			exp := map[string]map[string][]float64{} // column -> expert -> per seed
			for _, d := range dirs {
				m, err := readModel(filepath.Join(d, mn+".i2m2"))
				if err != nil {
					return err
				}
				for _, c := range cols {
					ev, err := evalModel(m, model.Fast, c.d)
					if err != nil {
						return err
					}
					accs[c.Name] = append(accs[c.Name], ev.Product.Acc)
					if len(m.Experts) > 1 {
						if exp[c.Name] == nil {
							exp[c.Name] = map[string][]float64{}
						}
						for e, s := range ev.Experts {
							exp[c.Name][e] = append(exp[c.Name][e], s.Acc)
						}
					}
				}
			}
			row := map[string]*matrixCell{}
			for _, c := range cols {
				cell := &matrixCell{Product: manifest.NewStat(accs[c.Name])}
				for e, v := range exp[c.Name] {
					if cell.Experts == nil {
						cell.Experts = map[string]manifest.Stat{}
					}
					cell.Experts[e] = manifest.NewStat(v)
				}
				row[c.Name] = cell
			}
			res.Cells[name][mn] = row
			fmt.Fprintf(os.Stderr, "%s %s: benchmark %.2f, real clean %.2f\n", name, mn, row["benchmark"].Product.Mean, row["real_clean"].Product.Mean)
		}
	}
	md := matrixMarkdown(res, order)
	fmt.Print(md)
	if *out == "" {
		return nil
	}
	if err := writeJSON(*out+".json", res); err != nil {
		return err
	}
	return os.WriteFile(*out+".md", []byte(md), 0o644)
}

// matrixMarkdown renders the matrix: one table of products per recipe, then the I2M2 experts.
func matrixMarkdown(res *matrixResult, order []string) string {
	var b strings.Builder
	head := "| model |"
	sep := "| --- |"
	for _, c := range res.Columns {
		head += " " + c.Name + " |"
		sep += " --- |"
	}
	cell := func(s manifest.Stat) string { return fmt.Sprintf("%.2f ± %.2f", s.Mean, s.Std) }
	fmt.Fprintf(&b, "# Evaluation matrix\n\n%s. Columns:\n\n", strings.ToUpper(res.Units[:1])+res.Units[1:])
	for _, c := range res.Columns {
		fmt.Fprintf(&b, "- `%s` (%d pairs): %s\n", c.Name, res.N[c.Name], c.Desc)
	}
	for _, r := range order {
		fmt.Fprintf(&b, "\n## %s (%d seeds: %s)\n\n%s\n%s\n", r, len(res.Recipes[r]), strings.Join(res.Recipes[r], ", "), head, sep)
		for _, mn := range train.ModelNames {
			row := res.Cells[r][mn]
			if row == nil {
				continue
			}
			fmt.Fprintf(&b, "| %s |", mn)
			for _, c := range res.Columns {
				fmt.Fprintf(&b, " %s |", cell(row[c.Name].Product))
			}
			b.WriteString("\n")
		}
		ex := res.Cells[r]["i2m2"]
		if ex == nil {
			continue
		}
		var names []string
		for e := range ex["benchmark"].Experts {
			names = append(names, e)
		}
		sort.Strings(names)
		for _, e := range names {
			fmt.Fprintf(&b, "| i2m2's %s expert alone |", e)
			for _, c := range res.Columns {
				fmt.Fprintf(&b, " %s |", cell(ex[c.Name].Experts[e]))
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}
