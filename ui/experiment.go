package ui

import (
	"fmt"
	"strings"
)

// Scan predicts every intact demo pair once in the background; it feeds the list of pairs where
// the experts disagree and the intact condition of the shuffle experiment.
type Scan struct {
	Running     bool
	Done, Total int
	Preds       []Prediction
	Have        []bool
	Disagree    []int // pairs whose intra experts pick different classes
}

// StartScan starts the scan if it has not run. Lock held.
func (l *Lab) StartScan() {
	if l.Scan.Running || l.Eng == nil || l.Demo == nil || l.Scan.Total > 0 {
		return
	}
	n := len(l.Demo.Pairs)
	l.Scan = Scan{Running: true, Total: n, Preds: make([]Prediction, n), Have: make([]bool, n)}
	eng, bs, g := l.Eng, l.batch(), l.modelGen
	l.Go(func() {
		for a := 0; a < n; a += bs {
			b := min(a+bs, n)
			in := make([]Inputs, 0, b-a)
			l.Env.Lock()
			for i := a; i < b; i++ {
				x, _ := l.pairInputs(i, -1, 0)
				in = append(in, x)
			}
			l.Env.UnlockOnly()
			r, err := eng.PredictBatch(in)
			l.Env.Lock()
			if g != l.modelGen { // another model meanwhile
				l.Env.UnlockOnly()
				return
			}
			if err != nil {
				l.Scan.Running = false
				l.Fail("Scanning the demo set stopped at pair #%d: %v", a, err)
				l.Env.UnlockRender()
				return
			}
			for k, p := range r {
				i := a + k
				l.Scan.Preds[i], l.Scan.Have[i] = p, true
				if l.intraDisagree(&p) {
					l.Scan.Disagree = append(l.Scan.Disagree, i)
				}
			}
			l.Scan.Done = b
			l.Scan.Running = b < n
			l.unlockProgress()
		}
	})
}

// intraDisagree reports whether two intra experts of p pick different classes.
func (l *Lab) intraDisagree(p *Prediction) bool {
	first := -1
	for e, ex := range l.Desc.Experts {
		if d := distAt(p, e); ex.Intra && d != nil {
			if first >= 0 && d.Label != first {
				return true
			}
			first = d.Label
		}
	}
	return false
}

// Conditions of the modality-shuffle experiment: condition 0 is the intact pairs, condition c > 0
// shuffles modality c-1 of the model (Lab.Desc.Modalities) among the demo pairs.
const Intact = 0

// Conditions lists the conditions' names for the model: "Intact pairs", "Shuffled images", ...
func (l *Lab) Conditions() []string {
	names := []string{"Intact pairs"}
	for _, md := range l.Desc.Modalities {
		names = append(names, "Shuffled "+kindOf(md.Name).Noun+"s")
	}
	return names
}

// Stat accumulates one row's results under one condition.
type Stat struct {
	N, Correct int
	ConfSum    float64 // sum of the probability of the predicted class
}

// Acc is the accuracy (0 when empty).
func (s Stat) Acc() float64 {
	if s.N == 0 {
		return 0
	}
	return float64(s.Correct) / float64(s.N)
}

// Conf is the mean confidence (0 when empty).
func (s Stat) Conf() float64 {
	if s.N == 0 {
		return 0
	}
	return s.ConfSum / float64(s.N)
}

// Shuffle is the modality-shuffle experiment (docs/i2m2-paper.md, "Analyses worth reproducing"): every pair is
// predicted intact, then with each modality in turn replaced by another pair's. The expected class
// comes from the digits the inputs then show (Expected: for a digit classifier the label stays the
// one of the modality that was kept), so an expert that reads only the shuffled modality falls to
// chance, an expert that ignores it does not notice, and the inter expert shows how much it relies
// on the pairing (on a task whose answer is the relation, it is the one that stays right).
type Shuffle struct {
	Running, Complete, cancel bool
	Done, Total               int
	Stats                     [][]Stat     // [condition][row of Rows]
	Rows                      []ShuffleRow // Desc.Rows(), then the models compared (Lab.Compare)
	Partner                   []int        // pair i is shuffled with pair Partner[i] (a derangement)
}

// ShuffleRow is one row of the shuffle chart: a distribution of the model (Desc.Rows) or a
// conventional model compared with it (Lab.Compare).
type ShuffleRow struct {
	Name  string
	Final bool // the I2M2 product
}

// ShuffleSeed fixes the partners, so runs are comparable.
const ShuffleSeed = 2024

// Derangement returns a random cyclic permutation of 0..n-1 (Sattolo's algorithm), so no element
// stays in place; splitmix64 keeps it the same on every platform.
func Derangement(n int, seed uint64) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	s := seed
	next := func() uint64 {
		s += 0x9e3779b97f4a7c15
		z := s
		z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		return z ^ z>>31
	}
	for i := n - 1; i > 0; i-- {
		j := int(next() % uint64(i))
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// StartShuffle runs the experiment in the background. Lock held.
func (l *Lab) StartShuffle() {
	if l.Shuffle.Running || l.Eng == nil || l.Demo == nil {
		return
	}
	n, nc, rows := len(l.Demo.Pairs), len(l.Conditions()), l.Desc.Rows()
	l.Shuffle = Shuffle{Running: true, Total: nc * n, Partner: Derangement(n, ShuffleSeed), Stats: make([][]Stat, nc)}
	for _, r := range rows {
		l.Shuffle.Rows = append(l.Shuffle.Rows, ShuffleRow{Name: r.Name, Final: r.Final()})
	}
	comps := make([]Engine, len(l.Compare))
	for j, cr := range l.CompareRows() {
		comps[j] = l.Compare[j].Eng
		l.Shuffle.Rows = append(l.Shuffle.Rows, ShuffleRow{Name: cr.Name})
	}
	for c := range l.Shuffle.Stats {
		l.Shuffle.Stats[c] = make([]Stat, len(l.Shuffle.Rows))
	}
	eng, part, bs, g := l.Eng, l.Shuffle.Partner, l.batch(), l.modelGen
	classes := l.Desc.Classes
	l.Go(func() {
		for c := 0; c < nc; c++ {
			for a := 0; a < n; a += bs {
				b := min(a+bs, n)
				in := make([]Inputs, 0, b-a)
				want := make([]int, 0, b-a)
				var known []Prediction
				l.Env.Lock()
				if l.Shuffle.cancel || g != l.modelGen {
					if g == l.modelGen {
						l.Shuffle.Running = false
					}
					l.Env.UnlockRender()
					return
				}
				if c == Intact && l.Scan.Done >= b {
					known = l.Scan.Preds[a:b] // already predicted by the scan
				}
				for i := a; i < b; i++ {
					x, ds := l.pairInputs(i, c-1, part[i])
					keep := 0
					if c-1 == 0 {
						keep = 1
					}
					want = append(want, Expected(classes, ds, keep))
					in = append(in, x)
				}
				l.Env.UnlockOnly()
				r := known
				var err error
				if r == nil {
					r, err = eng.PredictBatch(in)
				}
				cr := make([][]Prediction, len(comps))
				for j, e := range comps {
					if err == nil {
						cr[j], err = e.PredictBatch(in)
					}
				}
				if err != nil {
					l.Env.Lock()
					if g == l.modelGen {
						l.Shuffle.Running = false
						l.Fail("The shuffle experiment stopped: %v", err)
					}
					l.Env.UnlockRender()
					return
				}
				l.Env.Lock()
				if g != l.modelGen {
					l.Env.UnlockOnly()
					return
				}
				for k := range r {
					for m := range l.Shuffle.Rows {
						var d *Dist
						if m < len(rows) {
							d = r[k].Of(rows[m])
						} else {
							d = &cr[m-len(rows)][k].Final
						}
						if d == nil || want[k] < 0 {
							continue
						}
						st := &l.Shuffle.Stats[c][m]
						st.N++
						st.ConfSum += d.Conf()
						if d.Label == want[k] {
							st.Correct++
						}
					}
				}
				l.Shuffle.Done = c*n + b
				l.unlockProgress()
			}
		}
		l.Env.Lock()
		if g == l.modelGen {
			l.Shuffle.Running, l.Shuffle.Complete = false, true
		}
		l.Env.UnlockRender()
	})
}

// StopShuffle asks a running experiment to stop. Lock held.
func (l *Lab) StopShuffle() { l.Shuffle.cancel = true }

// ShuffleSummary puts the experiment's outcome in a short sentence per shuffled modality: how the
// inter experts and I2M2 moved, and that the intra experts of the other modalities did not notice.
func (l *Lab) ShuffleSummary() string {
	s, rows := l.Shuffle.Stats, l.Desc.Rows()
	if len(s) == 0 {
		return ""
	}
	var out []string
	for k, md := range l.Desc.Modalities {
		c := k + 1
		if c >= len(s) {
			break
		}
		var moves, blind []string
		for m, r := range rows {
			mv := fmt.Sprintf("%s %s → %s", lower(r.Name), pct(s[Intact][m].Acc()), pct(s[c][m].Acc()))
			switch {
			case r.Expert == rowIntra:
			case r.Intra && !reads(l.Desc.Experts[r.Expert], md.Name):
				blind = append(blind, mv)
			case !r.Intra:
				moves = append(moves, mv)
			}
		}
		for m := len(rows); m < len(l.Shuffle.Rows) && m < len(s[c]); m++ { // the models compared
			moves = append(moves, fmt.Sprintf("%s %s → %s", lower(l.Shuffle.Rows[m].Name), pct(s[Intact][m].Acc()), pct(s[c][m].Acc())))
		}
		sent := fmt.Sprintf("%s: %s", l.Conditions()[c], strings.Join(moves, ", "))
		if len(blind) > 0 {
			sent += fmt.Sprintf(", %s (never sees the %s)", strings.Join(blind, ", "), kindOf(md.Name).Noun)
		}
		out = append(out, sent+".")
	}
	return strings.Join(out, " ")
}

func reads(e ExpertDesc, modality string) bool {
	for _, in := range e.Inputs {
		if in == modality {
			return true
		}
	}
	return false
}

// lower lower-cases the first letter unless the name is an acronym (I2M2).
func lower(s string) string {
	if strings.ToUpper(s) == s {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
