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
	Disagree    []int // pairs whose image and audio experts pick different digits
}

// StartScan starts the scan if it has not run. Lock held.
func (l *Lab) StartScan() {
	if l.Scan.Running || l.Eng == nil || l.Demo == nil || l.Scan.Total > 0 {
		return
	}
	n := len(l.Demo.Pairs)
	l.Scan = Scan{Running: true, Total: n, Preds: make([]Prediction, n), Have: make([]bool, n)}
	eng, bs := l.Eng, l.batch()
	l.Go(func() {
		for a := 0; a < n; a += bs {
			b := min(a+bs, n)
			in := make([]Inputs, 0, b-a)
			for i := a; i < b; i++ {
				p := &l.Demo.Pairs[i]
				in = append(in, Inputs{Image: Levels(p.Image), Audio: Levels(p.Audio)})
			}
			r, err := eng.PredictBatch(in)
			l.Env.Lock()
			if err != nil {
				l.Scan.Running = false
				l.Fail("Scanning the demo set stopped at pair #%d: %v", a, err)
				l.Env.UnlockRender()
				return
			}
			for k, p := range r {
				i := a + k
				l.Scan.Preds[i], l.Scan.Have[i] = p, true
				if p.Image != nil && p.Audio != nil && p.Image.Label != p.Audio.Label {
					l.Scan.Disagree = append(l.Scan.Disagree, i)
				}
			}
			l.Scan.Done = b
			l.Scan.Running = b < n
			l.unlockProgress()
		}
	})
}

// Conditions of the modality-shuffle experiment.
const (
	Intact = iota
	ShuffledImage
	ShuffledAudio
	NumConditions
)

// ConditionNames label the conditions.
var ConditionNames = [NumConditions]string{"Intact pairs", "Shuffled images", "Shuffled clips"}

// Stat accumulates one model's results under one condition.
type Stat struct {
	N, Correct int
	ConfSum    float64 // sum of the probability of the predicted digit
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

// Shuffle is the modality-shuffle experiment (docs/i2m2-method.md, "Analyses worth reproducing"): every pair is
// predicted intact, then with its image replaced by another pair's image, then with its clip
// replaced by another pair's clip. The label stays the one of the modality that was kept, so an
// expert that reads only the shuffled modality falls to chance, an expert that ignores it does not
// notice, and the inter expert shows how much it relies on the pairing.
type Shuffle struct {
	Running, Complete, cancel bool
	Done, Total               int
	Stats                     [NumConditions][NumModels]Stat
	Partner                   []int // pair i is shuffled with pair Partner[i] (a derangement)
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
	n := len(l.Demo.Pairs)
	l.Shuffle = Shuffle{Running: true, Total: NumConditions * n, Partner: Derangement(n, ShuffleSeed)}
	eng, part, bs := l.Eng, l.Shuffle.Partner, l.batch()
	l.Go(func() {
		for c := 0; c < NumConditions; c++ {
			for a := 0; a < n; a += bs {
				b := min(a+bs, n)
				in := make([]Inputs, 0, b-a)
				var known []Prediction
				l.Env.Lock()
				if l.Shuffle.cancel {
					l.Shuffle.Running = false
					l.Env.UnlockRender()
					return
				}
				if c == Intact && l.Scan.Done >= b {
					known = l.Scan.Preds[a:b] // already predicted by the scan
				}
				l.Env.UnlockOnly()
				r := known
				if r == nil {
					for i := a; i < b; i++ {
						img, aud := l.Demo.Pairs[i].Image, l.Demo.Pairs[i].Audio
						switch c {
						case ShuffledImage:
							img = l.Demo.Pairs[part[i]].Image
						case ShuffledAudio:
							aud = l.Demo.Pairs[part[i]].Audio
						}
						in = append(in, Inputs{Image: Levels(img), Audio: Levels(aud)})
					}
					var err error
					if r, err = eng.PredictBatch(in); err != nil {
						l.Env.Lock()
						l.Shuffle.Running = false
						l.Fail("The shuffle experiment stopped: %v", err)
						l.Env.UnlockRender()
						return
					}
				}
				l.Env.Lock()
				for k := range r {
					y := l.Demo.Pairs[a+k].Label
					for m := 0; m < NumModels; m++ {
						d := r[k].Of(m)
						if d == nil {
							continue
						}
						st := &l.Shuffle.Stats[c][m]
						st.N++
						st.ConfSum += d.Conf()
						if d.Label == y {
							st.Correct++
						}
					}
				}
				l.Shuffle.Done = c*n + b
				l.unlockProgress()
			}
		}
		l.Env.Lock()
		l.Shuffle.Running, l.Shuffle.Complete = false, true
		l.Env.UnlockRender()
	})
}

// StopShuffle asks a running experiment to stop. Lock held.
func (l *Lab) StopShuffle() { l.Shuffle.cancel = true }

// ShuffleSummary puts the experiment's outcome in two short sentences.
func ShuffleSummary(s *[NumConditions][NumModels]Stat) string {
	move := func(c, m int) string {
		return fmt.Sprintf("%s %s → %s", lower(ModelNames[m]), pct(s[Intact][m].Acc()), pct(s[c][m].Acc()))
	}
	return fmt.Sprintf("Shuffled images: %s, %s, %s (it never sees the image). Shuffled clips: %s, %s, %s (it never hears the clip).",
		move(ShuffledImage, MInter), move(ShuffledImage, MFinal), move(ShuffledImage, MAudio),
		move(ShuffledAudio, MInter), move(ShuffledAudio, MFinal), move(ShuffledAudio, MImage))
}

// lower lower-cases the first letter unless the name is an acronym (I2M2).
func lower(s string) string {
	if strings.ToUpper(s) == s {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
